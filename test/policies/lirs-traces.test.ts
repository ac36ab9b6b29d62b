/**
 * Counts of the reference simulator itself on the five classic LIRS traces at 1, 5, 10, 25
 * and 50 % of their distinct pages: every policy it shares with faultline, LIRS included,
 * must give the same fault count (lirs-traces.cachesim.json, one number per cell).
 *
 * How the golden file was made: libCacheSim at commit aa0fc40914b2b786f4b9f4dafb099f8f332b216a
 * (2024-10-07), `cmake -G Ninja -DCMAKE_BUILD_TYPE=Release -DENABLE_TESTS=OFF`, with one local
 * change to bin/cachesim/main.c so that its summary line also prints the miss count
 * (`%lld miss`, result[i].n_miss; the unpatched binary prints the ratio to four decimals);
 * then, per trace and policy (fifo lru clock arc sieve s3fifo lfu twoq lirs):
 *
 *   cachesim lirs-<name>.txt txt <policy> <1%>,<5%>,<10%>,<25%>,<50%> --ignore-obj-size 1
 *
 * The traces: multi1, 2_pools and sprite from test/fixtures/traces (see its README);
 * loop and zigzag are synthetic and regenerated here exactly (test/fixtures/traces/README.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/policies/simulate.js';
import { loadTrace } from '../../src/traces/load.js';

type Golden = Record<string, Record<string, Record<string, number>>>;
const golden = JSON.parse(readFileSync(new URL('./lirs-traces.cachesim.json', import.meta.url), 'utf8')) as Golden;
const fixture = (name: string) => new URL(`../fixtures/traces/${name}`, import.meta.url).pathname;

/** Dense ids in order of first appearance, as the trace reader gives them. */
function dense(ids: ArrayLike<number>): Int32Array {
  const map = new Map<number, number>();
  return Int32Array.from(ids, (id) => {
    let d = map.get(id);
    if (d === undefined) map.set(id, (d = map.size));
    return d;
  });
}

/** Reference i is page i mod 1011: 500 full passes and a partial one. */
const loop = () => dense(Array.from({ length: 505_500 }, (_, i) => i % 1011));

/** 0..2000, then sweeps alternately down to 0 and up to 2000 that do not repeat the turning id. */
function zigzag(): Int32Array {
  const ids: number[] = [];
  for (let i = 0; i <= 2000; i++) ids.push(i);
  for (let down = true; ids.length < 52_001; down = !down) {
    if (down) for (let i = 1999; i >= 0; i--) ids.push(i);
    else for (let i = 1; i <= 2000; i++) ids.push(i);
  }
  return dense(ids.slice(0, 52_001));
}

const traces: Record<string, () => Promise<Int32Array> | Int32Array> = {
  multi1: async () => (await loadTrace(fixture('lirs-multi1.txt'))).stream,
  '2_pools': async () => (await loadTrace(fixture('lirs-2_pools.txt.gz'))).stream,
  sprite: async () => (await loadTrace(fixture('lirs-sprite.txt.gz'))).stream,
  loop,
  zigzag,
};

const SHAPE: Record<string, [number, number]> = {
  multi1: [15_858, 2_606],
  '2_pools': [100_000, 9_939],
  sprite: [133_996, 7_075],
  loop: [505_500, 1_011],
  zigzag: [52_001, 2_001],
};

describe("the reference simulator's counts on the LIRS traces", () => {
  for (const [name, make] of Object.entries(traces)) {
    it(`${name}: every shared policy at 1, 5, 10, 25 and 50 % of its pages`, async () => {
      const stream = await make();
      const distinct = new Set(stream).size;
      expect([stream.length, distinct]).toEqual(SHAPE[name]);
      const sizes = [1, 5, 10, 25, 50].map((p) => Math.floor((p * distinct) / 100));
      const cells = golden[name]!;
      expect(Object.keys(cells).sort()).toEqual([
        '2q',
        'arc',
        'clock',
        'fifo',
        'lfu',
        'lirs',
        'lru',
        's3fifo',
        'sieve',
      ]);
      for (const [policy, row] of Object.entries(cells)) {
        expect(Object.keys(row).map(Number)).toEqual(sizes);
        const ours = Object.fromEntries(
          sizes.map((c) => [String(c), simulate(policy, stream, c, { maxPageId: distinct }).faults]),
        );
        expect(ours, `${policy} on ${name}`).toEqual(row);
      }
    });
  }
});
