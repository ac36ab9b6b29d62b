import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRunReport } from '../../src/report/html.js';
import { upgradeManifest, upgradeResult } from '../../src/result/compat.js';
import { parseResult, serializeResult } from '../../src/result/serialize.js';
import { SCHEMA_VERSION } from '../../src/result/types.js';
import { incidentResult, sweepFixture } from './fixtures.js';

const v0Text = readFileSync(new URL('./golden/result-v0.json', import.meta.url), 'utf8');

describe('upgradeResult', () => {
  it('upgrades the golden v0 result (no phases, no metric definitions) and says so in a warning', () => {
    const v0 = JSON.parse(v0Text);
    const r = upgradeResult(v0, 'result-v0.json');
    expect(r.schemaVersion).toBe(SCHEMA_VERSION);
    expect(r.summary.phases).toEqual([]);
    expect(r.metrics).toEqual({});
    expect(r.warnings.map((w) => w.code)).toContain('upgraded-result');
    expect(v0.schemaVersion).toBe(0); // the input is not mutated
    expect(v0.summary.phases).toBeUndefined();
  });

  it('renders an upgraded v0 result, with metric definitions from the registry', async () => {
    const html = await renderRunReport(parseResult(v0Text, 'result-v0.json'));
    expect(html.includes(`upgraded to ${SCHEMA_VERSION} on read`), 'upgrade warning shown').toBe(true);
    expect(html.includes('<dd>Major faults per second of this process.</dd>'), 'registry definition').toBe(true);
    expect(html.includes('No definition recorded'), 'missing definition').toBe(false);
  });

  it('upgrades a v1 result: the top status from its checks, the host-only verdict kept in words, no tenant states', async () => {
    const r = incidentResult({ steps: 60, thrashFromS: 20, oomKillAtS: 50 });
    const v1 = {
      ...JSON.parse(JSON.stringify(r)),
      schemaVersion: 1,
      verdict: { status: 'oom', headline: 'thrashing from 00:00:20: 75% of CPU on faults', thrashingFromMs: 20_000 },
    };
    const up = upgradeResult(v1, 'v1.json');
    expect(up.verdict).toEqual({
      status: 'fail',
      headline: 'thrashing from 00:00:20: 75% of CPU on faults',
      processes: [],
    });
    expect(up.warnings.at(-1)?.message).toBe(
      `Written with result schema 1 and upgraded to ${SCHEMA_VERSION} on read: the verdict judged the host only (no per-tenant states), as schema 1 wrote it; no touch counts.`,
    );
    const html = await renderRunReport(up);
    expect(html.includes('<p class="headline">thrashing from 00:00:20: 75% of CPU on faults</p>'), 'headline').toBe(
      true,
    );
    const warnOnly = { ...v1, checks: v1.checks.map((c: { level: string }) => ({ ...c, level: 'warn' })) };
    expect(upgradeResult(warnOnly).verdict.status).toBe('warn');
    expect(upgradeResult({ ...v1, checks: [] }).verdict.status).toBe('unchecked');
  });

  it('refuses a result from a newer faultline, naming both versions', () => {
    const json = { ...JSON.parse(v0Text), schemaVersion: SCHEMA_VERSION + 1 };
    expect(() => upgradeResult(json, 'x.json')).toThrow(
      `x.json: written with result schema ${SCHEMA_VERSION + 1}, this faultline reads up to ${SCHEMA_VERSION}`,
    );
  });

  it('refuses what is not a run result, or lacks a field, saying which', () => {
    expect(() => upgradeResult([], 'a.json')).toThrow('a.json: not a faultline run result');
    expect(() => upgradeResult({ kind: 'run' }, 'b.json')).toThrow('b.json: not a faultline run result: schemaVersion');
    const { timeMs: _, ...noTime } = JSON.parse(v0Text);
    expect(() => upgradeResult(noTime, 'c.json')).toThrow('c.json: field "timeMs" is missing or has the wrong type');
    expect(() => parseResult('{', 'd.json')).toThrow(/^d\.json: not valid JSON/);
  });

  it('passes a current result through unchanged', () => {
    const r = incidentResult({ steps: 10 });
    expect(upgradeResult(JSON.parse(JSON.stringify(r)))).toEqual(JSON.parse(JSON.stringify(r)));
  });
});

describe('serializeResult', () => {
  it('writes sorted keys, so the same result gives the same bytes, and reads back equal', () => {
    const r = incidentResult({ steps: 10 });
    const text = serializeResult(r);
    const shuffled = Object.fromEntries(Object.entries(r).reverse()) as typeof r;
    expect(serializeResult(shuffled)).toBe(text);
    expect(text.indexOf('"checks"')).toBeLessThan(text.indexOf('"events"'));
    expect(parseResult(text)).toEqual(JSON.parse(JSON.stringify(r)));
  });
});

describe('upgradeManifest', () => {
  it('fills `order` for manifests written before entries carried it', () => {
    const { manifest } = sweepFixture({ steps: 5 });
    const old = JSON.parse(JSON.stringify(manifest));
    for (const e of old.entries) delete e.order;
    expect(upgradeManifest(old).entries.map((e) => e.order)).toEqual([0, 1, 2, 3, 4, 5]);
    // v1 entries carry a host-only verdict: upgraded like a result's (these 5-step variants pass their checks).
    const v1 = { ...old, schemaVersion: 1 };
    v1.entries[0].verdict = { status: 'thrashing', headline: 'thrashing from 00:05:12', thrashingFromMs: 312_000 };
    expect(upgradeManifest(v1).entries[0]?.verdict).toEqual({
      status: 'pass',
      headline: 'thrashing from 00:05:12',
      processes: [],
    });
    expect(() => upgradeManifest({ kind: 'run' }, 'm.json')).toThrow('m.json: not a faultline run-set manifest');
  });
});
