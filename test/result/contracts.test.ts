import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVariant } from '../../src/engine/run-variant.js';
import { renderRunReport } from '../../src/report/html.js';
import { DIFF_SCHEMA_VERSION, parseDiffReport, serializeDiffReport } from '../../src/result/diff.js';
import { parseRecommendation, RECOMMEND_SCHEMA_VERSION, serializeRecommendation } from '../../src/result/recommend.js';
import { parseManifest, parseResult } from '../../src/result/serialize.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { Variant } from '../../src/scenario/types.js';

/** A diff report as faultline wrote it before the contract was versioned (schema 0: no schemaVersion). */
const DIFF_V0 = {
  kind: 'diff',
  tolerancePct: 5,
  floors: { faultCpuPctMax: 1 },
  baseline: { label: 'a', toolVersion: '0.1.0' },
  candidate: { label: 'b', toolVersion: '0.1.0' },
  variants: [],
  onlyInBaseline: ['x/base'],
  onlyInCandidate: [],
  regressions: 0,
  improvements: 0,
};

/** A recommendation as written before (schema 0: neither kind nor schemaVersion). */
const RECOMMEND_V0 = {
  scenario: 'tiny-sweep',
  variantId: 'base',
  field: 'host.ram',
  grid: { low: 1, high: 3, step: 1 },
  answer: 2,
  lowerProbe: 1,
  atAnswer: [],
  atLower: [],
  probes: [],
};

describe('the diff report contract', () => {
  it('upgrades a version-0 report on read: the version is stamped, nothing else changes', () => {
    const d = parseDiffReport(JSON.stringify(DIFF_V0), 'old.json');
    expect(d).toEqual({ ...DIFF_V0, schemaVersion: DIFF_SCHEMA_VERSION });
    expect(parseDiffReport(serializeDiffReport(d))).toEqual(d);
  });
  it('refuses a report from a newer faultline, and a file that is not one', () => {
    expect(() => parseDiffReport(JSON.stringify({ ...DIFF_V0, schemaVersion: 99 }), 'new.json')).toThrow(
      `new.json: written with diff report schema 99, this faultline reads up to ${DIFF_SCHEMA_VERSION}`,
    );
    expect(() => parseDiffReport(JSON.stringify({ kind: 'run' }), 'r.json')).toThrow(
      'r.json: not a faultline diff report',
    );
    expect(() => parseDiffReport(JSON.stringify({ ...DIFF_V0, variants: 3 }), 'v.json')).toThrow(
      'v.json: field "variants" is missing or not a list',
    );
  });
});

describe('the recommendation contract', () => {
  it('upgrades a version-0 recommendation on read: kind and version are added, nothing else changes', () => {
    const r = parseRecommendation(JSON.stringify(RECOMMEND_V0), 'old.json');
    expect(r).toEqual({ ...RECOMMEND_V0, kind: 'recommendation', schemaVersion: RECOMMEND_SCHEMA_VERSION });
    expect(parseRecommendation(serializeRecommendation(r))).toEqual(r);
  });
  it('refuses a newer one, and anything else', () => {
    const newer = { ...RECOMMEND_V0, kind: 'recommendation', schemaVersion: 99 };
    expect(() => parseRecommendation(JSON.stringify(newer), 'n.json')).toThrow(
      'n.json: written with recommendation schema 99',
    );
    expect(() => parseRecommendation(JSON.stringify(DIFF_V0), 'd.json')).toThrow(
      'd.json: not a faultline recommendation',
    );
    expect(() => parseRecommendation('[', 'x.json')).toThrow('x.json: not valid JSON');
  });
});

describe('the room rule', () => {
  it('src/analysis imports nothing from src/report (the contracts it computes live in src/result)', () => {
    const dir = new URL('../../src/analysis/', import.meta.url).pathname;
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from '\.\.\/report\//.test(readFileSync(join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('result schema 2', () => {
  it('writes a process that only an event would start (start: never) with startMs null, and its report says so', async () => {
    const text = [
      'name: by-event',
      'duration: 4s',
      'host: { ram: 256Mi, cpus: 2 }',
      'processes:',
      '  app: { memory: { anon: 64Mi }, touchesPerSec: 1000 }',
      '  late: { memory: { anon: 32Mi }, start: never }',
    ].join('\n');
    const r = runVariant(loadScenarioText(text, 'by-event.yaml').variants[0] as Variant);
    expect(r.status).toBe('ok');
    expect(r.schemaVersion).toBe(2);
    expect(r.scenario.processes.map((p) => [p.name, p.startMs])).toEqual([
      ['app', 0],
      ['late', null],
    ]);
    const html = await renderRunReport(r);
    expect(html).toMatch(/<th scope="row" class="pname">late<\/th>(<td>[^<]*<\/td>){3}<td>only by an event<\/td>/);
  });

  it('reads a schema-1 result as schema 2: numbers where startMs may now be null, the rest upgraded and said', () => {
    const v2 = runVariant(loadScenarioText(BY_TIME, 'v1.yaml').variants[0] as Variant);
    // Schema 1 wrote the host's state as the verdict and counted no touches.
    const v1 = structuredClone(v2) as unknown as Record<string, unknown>;
    v1.schemaVersion = 1;
    v1.verdict = { status: 'healthy', headline: 'healthy' };
    const upgraded = parseResult(JSON.stringify(v1), 'v1.json');
    expect(upgraded.schemaVersion).toBe(2);
    expect(upgraded.scenario).toEqual(v2.scenario);
    expect(upgraded.scenario.processes.map((p) => p.startMs)).toEqual([0]);
    expect(upgraded.verdict.processes).toEqual([]);
    expect(upgraded.warnings.map((w) => w.code)).toEqual(['upgraded-result']);
    expect(upgraded.warnings[0]!.message).toMatch(
      /^Written with result schema 1 and upgraded to 2 on read: .*no touch counts\.$/,
    );
  });
});

const BY_TIME =
  'name: v1\nduration: 2s\nhost: { ram: 256Mi, cpus: 2 }\nprocesses:\n  app: { memory: { anon: 64Mi } }\n';

describe('reading result files checks their shape', () => {
  const good = runVariant(loadScenarioText(BY_TIME, 'shape.yaml').variants[0] as Variant);

  it('names the first wrong field of an edited result.json (exit 2), instead of failing inside a renderer', () => {
    const noHost = structuredClone(good) as unknown as { summary: Record<string, unknown> };
    delete noHost.summary.host;
    expect(() => parseResult(JSON.stringify(noHost), 'r.json')).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringMatching(/^r\.json: not a valid run result: summary\.host: /),
      }),
    );
    const badSeries = structuredClone(good) as unknown as { host: Record<string, unknown[]> };
    (badSeries.host.majorFaultsPerSec as unknown[])[1] = 'x';
    expect(() => parseResult(JSON.stringify(badSeries), 'r.json')).toThrow(
      'r.json: not a valid run result: host.majorFaultsPerSec: expected a list of numbers (or null)',
    );
    expect(parseResult(JSON.stringify(good))).toEqual(good);
  });

  it('names the first wrong field of an edited manifest.json', () => {
    const manifest = {
      schemaVersion: 2,
      kind: 'run-set',
      tool: { name: 'faultline', version: '0.1.0' },
      generatedAt: '2026-12-06T00:00:00.000Z',
      entries: [
        {
          scenario: 'a',
          order: 0,
          variantId: 'base',
          params: {},
          dir: 0,
          status: 'ok',
          verdict: good.verdict,
          checks: [],
        },
      ],
    };
    expect(() => parseManifest(JSON.stringify(manifest), 'm.json')).toThrow(
      /^m\.json: not a valid run-set manifest: entries\[0\]\.dir: /,
    );
    manifest.entries[0]!.dir = 'base' as unknown as number;
    expect(parseManifest(JSON.stringify(manifest), 'm.json').entries[0]?.dir).toBe('base');
  });
});
