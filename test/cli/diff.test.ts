import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffResultSets } from '../../src/analysis/diff.js';
import { diffCommand, parseTolerance } from '../../src/cli/commands/diff.js';
import type { Outcome } from '../../src/cli/outcome.js';
import { renderDiff } from '../../src/report/diff/index.js';
import type { RunResult, RunSetManifest } from '../../src/result/types.js';
import { stableStringify } from '../../src/util/stable-json.js';
import { makeResult } from '../engine/fixtures/results.js';

const set = (label: string, results: RunResult[]) => ({ label, results });

describe('diffResultSets', () => {
  it('counts a change only beyond both the relative tolerance and the absolute floor', () => {
    const base = makeResult({ faultCpuPctMax: 40, majorFaultsPerSecMax: 100, dbP99Ms: 200, swapInPages: 100 });
    const cand = makeResult({
      faultCpuPctMax: 41.9, // +1.9 pt: under 5% of 40 (2 pt)
      majorFaultsPerSecMax: 109, // +9/s: over 5% (5/s) but under the 10/s floor
      dbP99Ms: 260, // +60 ms: a regression
      swapInPages: 90, // −10 pages: under the 256-page floor
    });
    const d = diffResultSets(set('a', [base]), set('b', [cand]), 5);
    const change = (m: string) => d.variants[0]?.metrics.find((x) => x.metric === m)?.change;
    expect(change('host.faultCpuPctMax')).toBe('same');
    expect(change('host.majorFaultsPerSecMax')).toBe('same');
    expect(change('host.swapInPages')).toBe('same');
    expect(change('processes.db.latencyMs.p99')).toBe('regression');
    expect(d.variants[0]?.metrics.find((x) => x.metric === 'processes.db.latencyMs.p99')?.deltaPct).toBeCloseTo(30);
    expect(d.regressions).toBe(1);
    expect(d.improvements).toBe(0);
  });

  it('treats one more OOM kill as a regression whatever the tolerance', () => {
    const d = diffResultSets(set('a', [makeResult({ oomKills: 20 })]), set('b', [makeResult({ oomKills: 21 })]), 50);
    expect(d.variants[0]?.metrics.find((m) => m.metric === 'host.oomKills')?.change).toBe('regression');
  });

  it('reports improvements, check flips and status changes, and pairs variants by id', () => {
    const baseline = [
      makeResult({
        variantId: 'a',
        faultCpuPctMax: 80,
        checks: [{ source: 'cpu < 50', passed: false, observed: 80, level: 'error' }],
      }),
      makeResult({ variantId: 'b' }),
      makeResult({ variantId: 'gone' }),
    ];
    const candidate = [
      makeResult({ variantId: 'b', status: 'failed' }),
      makeResult({
        variantId: 'a',
        faultCpuPctMax: 30,
        checks: [{ source: 'cpu < 50', passed: true, observed: 30, level: 'error' }],
      }),
      makeResult({ variantId: 'new' }),
    ];
    const d = diffResultSets(set('base', baseline), set('cand', candidate), 5);
    expect(d.variants.map((v) => v.variantId)).toEqual(['b', 'a']);
    const [b, a] = d.variants;
    expect(b?.statusChange).toBe('regression');
    expect(b?.metrics).toEqual([]);
    expect(a?.checks[0]?.change).toBe('improvement');
    expect(a?.metrics.find((m) => m.metric === 'host.faultCpuPctMax')?.change).toBe('improvement');
    expect(d.onlyInBaseline).toEqual(['incident/gone']);
    expect(d.onlyInCandidate).toEqual(['incident/new']);
    expect(d.regressions).toBe(1);
    expect(d.improvements).toBe(2);
  });

  it('compares two single results with each other whatever their ids', () => {
    const d = diffResultSets(
      set('a', [makeResult({ variantId: 'x', oomKills: 0 })]),
      set('b', [makeResult({ variantId: 'y', oomKills: 2 })]),
      5,
    );
    expect(d.variants.map((v) => v.variantId)).toEqual(['y']);
    expect(d.regressions).toBe(1);
    expect(d.onlyInBaseline).toEqual([]);
  });

  it('never counts a warn-level check that starts failing', () => {
    const d = diffResultSets(
      set('a', [makeResult({ checks: [{ source: 'x', passed: true, observed: 1, level: 'warn' }] })]),
      set('b', [makeResult({ checks: [{ source: 'x', passed: false, observed: 9, level: 'warn' }] })]),
      5,
    );
    expect(d.regressions).toBe(0);
  });
});

describe('diff renderings', () => {
  const d = diffResultSets(
    set('runs/base', [makeResult({ variantId: 'swap|10', dbP99Ms: 200 })]),
    set('runs/cand', [makeResult({ variantId: 'swap|10', dbP99Ms: 900 })]),
    5,
  );

  it('Markdown lists each counted change with both values, escaping table cells', () => {
    const md = renderDiff(d, 'md');
    expect(md).toContain('## ❌ faultline diff: 1 regression, 0 improvements in 1 variant');
    expect(md).toContain(
      '| 🔺 regression | incident/swap\\|10 | processes.db.latencyMs.p99 | 200 ms | 900 ms | +700 ms (+350%) |',
    );
  });

  it('HTML escapes user text and marks the regression', () => {
    const evil = diffResultSets(
      set('<script>', [makeResult({ variantId: '<img src=x>', dbP99Ms: 200 })]),
      set('b', [makeResult({ variantId: '<img src=x>', dbP99Ms: 900 })]),
      5,
    );
    const html = renderDiff(evil, 'html');
    expect(html).not.toContain('<img src=x>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;img src&#x3D;x&gt;');
    expect(html).toContain('<tr class="regression">');
  });

  it('JSON round-trips the report', () => {
    expect(JSON.parse(renderDiff(d, 'json'))).toEqual(JSON.parse(JSON.stringify(d)));
  });
});

describe('faultline diff', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-diff-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function writeSet(root: string, results: RunResult[]): void {
    const scen = join(root, 'incident');
    const manifest: RunSetManifest = {
      schemaVersion: 1,
      kind: 'run-set',
      tool: { name: 'faultline', version: '0.1.0' },
      generatedAt: '2026-01-01T00:00:00.000Z',
      entries: results.map((r, i) => ({
        scenario: r.scenario.name,
        order: i,
        variantId: r.scenario.variantId,
        params: r.scenario.params,
        dir: r.scenario.variantId,
        status: r.status,
        verdict: r.verdict,
        checks: r.checks,
      })),
    };
    for (const r of results) {
      mkdirSync(join(scen, r.scenario.variantId), { recursive: true });
      writeFileSync(join(scen, r.scenario.variantId, 'result.json'), stableStringify(r));
    }
    writeFileSync(join(scen, 'manifest.json'), stableStringify(manifest));
  }

  async function run(args: Record<string, unknown>): Promise<number> {
    const outcome = await (diffCommand.handler as (a: unknown) => Promise<Outcome> | Outcome)({
      tolerance: '5%',
      format: 'md',
      exitCode: true,
      ...args,
    });
    return outcome.exitCode;
  }

  it('reads output folders, writes the chosen format, appends to the step summary and exits 1 on a regression', async () => {
    writeSet(join(dir, 'base'), [makeResult({ variantId: 'a' }), makeResult({ variantId: 'b' })]);
    writeSet(join(dir, 'cand'), [makeResult({ variantId: 'a' }), makeResult({ variantId: 'b', oomKills: 1 })]);
    const summary = join(dir, 'summary.md');
    process.env.GITHUB_STEP_SUMMARY = summary;
    let exitCode: number;
    try {
      exitCode = await run({
        baseline: join(dir, 'base'),
        candidate: join(dir, 'cand'),
        format: 'html',
        out: join(dir, 'o/d.html'),
      });
    } finally {
      delete process.env.GITHUB_STEP_SUMMARY;
    }
    expect(exitCode).toBe(1);
    expect(readFileSync(join(dir, 'o/d.html'), 'utf8')).toContain('host.oomKills');
    expect(readFileSync(summary, 'utf8')).toContain('| 🔺 regression | incident/b | host.oomKills | 0 | 1 | +1 |');
  });

  it('compares single result.json files and keeps exit code 0 without a regression or with --no-exit-code', async () => {
    writeFileSync(join(dir, 'a.json'), stableStringify(makeResult({ dbP99Ms: 200 })));
    writeFileSync(join(dir, 'b.json'), stableStringify(makeResult({ dbP99Ms: 100 })));
    const firstCode = await run({
      baseline: join(dir, 'a.json'),
      candidate: join(dir, 'b.json'),
      format: 'json',
      out: join(dir, 'd.json'),
    });
    expect(firstCode).toBe(0);
    const secondCode = await run({
      baseline: join(dir, 'b.json'),
      candidate: join(dir, 'a.json'),
      out: join(dir, 'd.md'),
      exitCode: false,
    });
    expect(secondCode).toBe(0);
  });

  it('refuses a bad tolerance and folders that are not faultline output', async () => {
    expect(parseTolerance('5%')).toBe(5);
    expect(parseTolerance('2.5')).toBe(2.5);
    expect(parseTolerance('five')).toBeUndefined();
    await expect(run({ baseline: dir, candidate: dir, tolerance: 'lots' })).rejects.toThrow('--tolerance');
    await expect(run({ baseline: dir, candidate: dir })).rejects.toThrow(/holds no manifest.json or result.json/);
  });
});
