import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkMergeTarget, planMerge, readResults } from '../../src/engine/merge.js';
import type { RunResult, RunSetManifest } from '../../src/result/types.js';
import { stableStringify } from '../../src/util/stable-json.js';
import { type Figures, makeResult } from '../engine/fixtures/results.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'faultline-merge-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A shard folder as `run --shard` writes it: <scenario>/manifest.json and <scenario>/<variant>/result.json. */
function shard(name: string, variants: (Figures & { order: number })[], manifestVersion = '0.1.0'): string {
  const dir = join(root, name);
  const byScenario = new Map<string, RunResult[]>();
  const orders = new Map<RunResult, number>();
  for (const f of variants) {
    const r = makeResult({ params: { 'host.ram': f.variantId ?? 'base' }, ...f });
    orders.set(r, f.order);
    byScenario.set(r.scenario.name, [...(byScenario.get(r.scenario.name) ?? []), r]);
  }
  for (const [scenario, results] of byScenario) {
    const manifest: RunSetManifest = {
      schemaVersion: 1,
      kind: 'run-set',
      tool: { name: 'faultline', version: manifestVersion },
      generatedAt: '2026-01-01T00:00:00.000Z',
      entries: results.map((r) => ({
        scenario,
        order: orders.get(r) as number,
        variantId: r.scenario.variantId,
        params: r.scenario.params,
        dir: r.scenario.variantId,
        status: r.status,
        verdict: r.verdict,
        checks: r.checks,
      })),
    };
    for (const r of results) {
      mkdirSync(join(dir, scenario, r.scenario.variantId), { recursive: true });
      writeFileSync(join(dir, scenario, r.scenario.variantId, 'result.json'), stableStringify(r));
    }
    writeFileSync(join(dir, scenario, 'manifest.json'), stableStringify(manifest));
  }
  return dir;
}

describe('planMerge', () => {
  it('joins shards in sweep order, per scenario, and reports holes', () => {
    const a = shard('a', [
      { variantId: 'v0', order: 0 },
      { variantId: 'v3', order: 3 },
      { scenario: 'other', variantId: 'base', order: 0 },
    ]);
    const b = shard('b', [{ variantId: 'v1', order: 1 }]);
    const plan = planMerge([b, a]);
    expect(plan.scenarios.map((s) => [s.name, s.entries.map((e) => e.variantId)])).toEqual([
      ['incident', ['v0', 'v1', 'v3']],
      ['other', ['base']],
    ]);
    expect(plan.scenarios[0]?.results.map((r) => r.scenario.variantId)).toEqual(['v0', 'v1', 'v3']);
    expect(plan.gaps).toEqual([{ scenario: 'incident', orders: [2] }]);
    expect(plan.toolVersion).toBe('0.1.0');
  });

  it('refuses a variant present in two shards', () => {
    const a = shard('a', [{ variantId: 'v0', order: 0 }]);
    const b = shard('b', [{ variantId: 'v0', order: 0 }]);
    expect(() => planMerge([a, b])).toThrow(/variant incident\/v0 is in two shards .*a and .*b/);
  });

  it('refuses shards of different versions of a scenario', () => {
    const a = shard('a', [{ variantId: 'v0', order: 0 }]);
    const b = shard('b', [{ variantId: 'v9', order: 0 }]);
    expect(() => planMerge([a, b])).toThrow(
      /scenario incident differs between shards: sweep position 0 is v0 in .*a but v9/,
    );
    const c = shard('c', [{ variantId: 'v1', order: 1, params: { 'host.swap.size': '1Gi' } }]);
    expect(() => planMerge([a, c])).toThrow(/sweeps \[host.ram\].*sweeps \[host.swap.size\]/);
  });

  it('refuses shards written by different faultline versions', () => {
    const a = shard('a', [{ variantId: 'v0', order: 0 }]);
    const b = shard('b', [{ variantId: 'v1', order: 1, version: '0.2.0' }], '0.2.0');
    expect(() => planMerge([a, b])).toThrow(/different faultline versions: faultline 0.1.0 .*, faultline 0.2.0/);
  });

  it('refuses folders that are not faultline output', () => {
    mkdirSync(join(root, 'empty'));
    expect(() => planMerge([join(root, 'empty')])).toThrow(/holds no <scenario>\/manifest.json/);
    expect(() => planMerge([join(root, 'missing')])).toThrow(/not a folder/);
  });

  it('refuses an output folder that already holds the scenario or contains a shard', () => {
    const a = shard('a', [{ variantId: 'v0', order: 0 }]);
    const plan = planMerge([a]);
    expect(() => checkMergeTarget(plan, root, (n) => join(root, 'a', n))).toThrow(/already exists and is not empty/);
    expect(() => checkMergeTarget(plan, root, (n) => join(root, 'out', n))).toThrow(/contains the shard folder/);
    expect(() => checkMergeTarget(plan, join(root, 'out'), (n) => join(root, 'out', n))).not.toThrow();
  });
});

describe('readResults', () => {
  it('reads an output folder, a scenario folder, a manifest and a result file', () => {
    const a = shard('a', [
      { variantId: 'v1', order: 1 },
      { variantId: 'v0', order: 0 },
    ]);
    const ids = (rs: RunResult[]) => rs.map((r) => r.scenario.variantId);
    expect(ids(readResults(a))).toEqual(['v0', 'v1']);
    expect(ids(readResults(join(a, 'incident')))).toEqual(['v0', 'v1']);
    expect(ids(readResults(join(a, 'incident', 'manifest.json')))).toEqual(['v0', 'v1']);
    expect(ids(readResults(join(a, 'incident', 'v1')))).toEqual(['v1']);
    expect(ids(readResults(join(a, 'incident', 'v1', 'result.json')))).toEqual(['v1']);
    // An interrupted run: variant folders, no manifest yet.
    rmSync(join(a, 'incident', 'manifest.json'));
    expect(ids(readResults(a))).toEqual(['v0', 'v1']);
    writeFileSync(join(root, 'bad.json'), '{"kind":');
    expect(() => readResults(join(root, 'bad.json'))).toThrow(/bad.json: not valid JSON/);
  });
});
