import { describe, expect, it } from 'vitest';
import { parseShard, runBatch, selectShard } from '../../src/engine/batch.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { Variant } from '../../src/scenario/types.js';
import { stableStringify } from '../../src/util/stable-json.js';

const SCENARIO = new URL('./fixtures/tiny-sweep.yaml', import.meta.url).pathname;

describe('runBatch on real variants', () => {
  const { variants } = loadScenarioFile(SCENARIO);

  it('gives byte-identical results for 1 and 2 jobs, in variant order', async () => {
    const four = variants.slice(0, 4);
    const seen: number[] = [];
    const one = await runBatch(four, { jobs: 1, onResult: (_v, _r, i) => seen.push(i) });
    const two = await runBatch(four, { jobs: 2 });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(one.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(one.map((r) => r.scenario.variantId)).toEqual(four.map((v) => v.id));
    expect(two.map((r) => stableStringify(r))).toEqual(one.map((r) => stableStringify(r)));
    // Different variants really differ, so the equality above is not vacuous.
    expect(new Set(one.map((r) => stableStringify(r.summary))).size).toBeGreaterThan(1);
  });

  it('starts the larger replays first and still returns results in variant order', async () => {
    const base = variants[0] as Variant;
    const sized = (id: string, ramBytes: number): Variant => ({
      ...base,
      id,
      scenario: { ...base.scenario, host: { ...base.scenario.host, ramBytes } },
    });
    const list = [sized('small', 2 ** 30), sized('large', 2 * 2 ** 30)];
    const seen: string[] = [];
    const results = await runBatch(list, { jobs: 1, onResult: (v) => seen.push(v.id) });
    expect(seen).toEqual(['large', 'small']);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(results.map((r) => r.scenario.variantId)).toEqual(['small', 'large']);
  });

  it('records a variant that overruns --timeout as failed, with the time-out as its error', async () => {
    const results = await runBatch(variants.slice(0, 2), { jobs: 2, timeoutMs: 1 });
    for (const [i, r] of results.entries()) {
      expect(r.status).toBe('failed');
      expect(r.error).toBe('timed out after 1 ms');
      expect(r.scenario.variantId).toBe((variants[i] as Variant).id);
      expect(r.verdict.status).toBe('failed');
    }
  });
});

describe('shards', () => {
  it('split a sweep into disjoint slices that cover it, in order', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const slices = [1, 2, 3].map((k) => selectShard(items, { index: k, count: 3 }));
    expect(slices).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ]);
  });

  it('parse K/N and refuse anything else', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3']) expect(parseShard(bad)).toBeUndefined();
  });
});
