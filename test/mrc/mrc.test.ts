import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exactHistogram, MissCurve, shardsFixedRate, shardsFixedSize } from '../../src/analysis/mrc.js';
import { simulate } from '../../src/policies/simulate.js';
import { loadTrace } from '../../src/traces/load.js';
import { Rng } from '../../src/util/rng.js';
import { ZipfSampler } from '../../src/workload/zipf.js';

const FIX = new URL('../fixtures/traces/', import.meta.url).pathname;

/** LRU by a Map in recency order: obviously right, O(N) per size. */
function naiveLruFaults(stream: Int32Array, capacity: number, warmup = 0): number {
  const m = new Map<number, true>();
  let faults = 0;
  stream.forEach((p, i) => {
    if (m.delete(p)) m.set(p, true);
    else {
      if (i >= warmup) faults++;
      m.set(p, true);
      if (m.size > capacity) m.delete(m.keys().next().value as number);
    }
  });
  return faults;
}

function zipfStream(n: number, pages: number, alpha: number, seed: number): Int32Array {
  const z = new ZipfSampler(pages, alpha, new Rng(seed));
  const s = new Int32Array(n);
  for (let i = 0; i < n; i++) s[i] = z.next();
  return s;
}

/** Mean absolute error of a curve against the exact one, over evenly spaced sizes. */
function mae(est: MissCurve, exact: MissCurve, maxFrames: number, steps = 100): number {
  let sum = 0;
  for (let k = 1; k <= steps; k++) {
    const c = Math.round((k * maxFrames) / steps);
    sum += Math.abs(est.ratio(c) - exact.ratio(c));
  }
  return sum / steps;
}

describe('exact LRU curve', () => {
  it('equals an LRU simulation at every size on the LIRS multi1 fixture', async () => {
    const t = await loadTrace(join(FIX, 'lirs-multi1.txt'));
    const d = t.info.distinctPages;
    const curve = new MissCurve(exactHistogram(t.stream, d));
    for (let c = 1; c <= d + 1; c++) {
      expect(curve.faults(c), `size ${c}`).toBe(simulate('lru', t.stream, c, { maxPageId: d }).faults);
    }
  });

  it('honours warm-up like a simulation, and matches a naive LRU', async () => {
    const t = await loadTrace(join(FIX, 'msr-cambridge1-sample.page4k.txt'));
    const d = t.info.distinctPages;
    const curve = new MissCurve(exactHistogram(t.stream, d, { warmup: 500 }));
    expect(curve.h.references).toBe(t.stream.length - 500);
    for (const c of [1, 2, 10, 100, 500, 1000, d]) {
      expect(curve.faults(c)).toBe(naiveLruFaults(t.stream, c, 500));
    }
  });

  it('survives many slot renumberings (stream ≫ distinct pages)', () => {
    const s = zipfStream(60_000, 300, 0.6, 5);
    const curve = new MissCurve(exactHistogram(s, 300));
    for (const c of [1, 7, 50, 150, 299, 300]) expect(curve.faults(c)).toBe(naiveLruFaults(s, c));
  });

  it('finds the smallest size meeting a target', async () => {
    const t = await loadTrace(join(FIX, 'lirs-multi1.txt'));
    const curve = new MissCurve(exactHistogram(t.stream, t.info.distinctPages));
    for (const target of [0.9, 0.5, 0.3, 0.2]) {
      const c = curve.smallestMeeting(target);
      expect(c).toBeDefined();
      expect(curve.ratio(c as number)).toBeLessThanOrEqual(target);
      expect(curve.ratio((c as number) - 1)).toBeGreaterThan(target);
    }
    // Below the cold-miss ratio nothing helps.
    expect(curve.smallestMeeting(t.info.distinctPages / t.stream.length / 2)).toBeUndefined();
  });
});

describe('SHARDS', () => {
  it('at rate 1 is the exact curve', async () => {
    const t = await loadTrace(join(FIX, 'lirs-multi1.txt'));
    const d = t.info.distinctPages;
    const exact = new MissCurve(exactHistogram(t.stream, d));
    const full = new MissCurve(shardsFixedRate(t.stream, d, 1));
    for (let c = 1; c <= d; c += 37) expect(full.ratio(c)).toBeCloseTo(exact.ratio(c), 12);
  });

  it('stays within its error bound on a Zipf stream (fixed rate and fixed size)', () => {
    const pages = 50_000;
    const s = zipfStream(400_000, pages, 0.9, 11);
    const exact = new MissCurve(exactHistogram(s, pages));
    const rate = shardsFixedRate(s, pages, 0.1, { seed: 3 });
    expect(rate.sampling).toMatchObject({ method: 'shards-fixed-rate', rate: 0.1 });
    expect(mae(new MissCurve(rate), exact, pages)).toBeLessThan(0.01);
    const size = shardsFixedSize(s, pages, 4000, { seed: 3 });
    expect(size.sampling.method).toBe('shards-fixed-size');
    expect(mae(new MissCurve(size), exact, pages)).toBeLessThan(0.02);
  });

  it('stays within its error bound on the LIRS multi1 fixture, on average over seeds', async () => {
    // 2,606 pages give a 25% sample of only ~650: single samples vary, their mean must not drift.
    const t = await loadTrace(join(FIX, 'lirs-multi1.txt'));
    const d = t.info.distinctPages;
    const exact = new MissCurve(exactHistogram(t.stream, d));
    let sum = 0;
    for (let seed = 0; seed < 10; seed++) {
      sum += mae(new MissCurve(shardsFixedRate(t.stream, d, 0.25, { seed })), exact, d);
    }
    expect(sum / 10).toBeLessThan(0.035);
  });

  it('at 1% stays within 0.01 of the exact curve on average, on a trace the size of the shared Zipf one', () => {
    // 500k references over ~46k pages: a 1% sample holds only ~460 pages, so which hot
    // pages it catches moves each curve; scaling by the realised share of pages sampled
    // (not the nominal rate) keeps the mean error under the bound.
    const pages = 50_000;
    const s = zipfStream(500_000, pages, 0.9, 7);
    const exact = new MissCurve(exactHistogram(s, pages));
    let sum = 0;
    for (let seed = 0; seed < 8; seed++)
      sum += mae(new MissCurve(shardsFixedRate(s, pages, 0.01, { seed })), exact, pages);
    expect(sum / 8).toBeLessThan(0.01);
  });

  it('draws a different sample for each seed', () => {
    const s = zipfStream(20_000, 5_000, 0.8, 4);
    const a = shardsFixedRate(s, 5_000, 0.1, { seed: 1 }).sampling;
    const b = shardsFixedRate(s, 5_000, 0.1, { seed: 2 }).sampling;
    expect(a).not.toEqual({ ...b, seed: 1 });
  });

  it('fixed size tracks at most its budget and lowers its rate to fit', () => {
    const s = zipfStream(100_000, 20_000, 0.5, 2);
    const h = shardsFixedSize(s, 20_000, 500);
    if (h.sampling.method !== 'shards-fixed-size') throw new Error('wrong method');
    expect(h.sampling.finalRate).toBeLessThan(0.05);
    expect(h.sampling.finalRate).toBeGreaterThan(0.01);
    expect(h.weight).toBe(100_000);
  });
});
