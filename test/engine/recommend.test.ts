import { describe, expect, it } from 'vitest';
import { gridCount, gridValue, searchSmallest, sizeGrid } from '../../src/engine/recommend.js';

const Gi = 2 ** 30;

describe('sizeGrid', () => {
  it('aligns to pages and defaults to a 1% resolution', () => {
    const g = sizeGrid(32 * Gi, 64 * Gi, 4096);
    expect(g.step % 4096).toBe(0);
    expect(g.step).toBeGreaterThanOrEqual((32 * Gi) / 100);
    expect(g.step).toBeLessThan((32 * Gi) / 100 + 4096);
    expect(gridValue(g, 0)).toBe(32 * Gi);
    expect(gridValue(g, gridCount(g) - 1)).toBe(64 * Gi);
    expect(gridValue(g, gridCount(g) - 2)).toBeLessThan(64 * Gi);
  });

  it('rounds an explicit step and odd bounds to pages', () => {
    const g = sizeGrid(1000, 1_000_000, 4096, 5000);
    expect(g).toEqual({ low: 4096, high: 999_424, step: 8192 });
    expect(() => sizeGrid(5000, 6000, 4096)).toThrow(/empty range/);
  });
});

describe('searchSmallest', () => {
  for (const perRound of [1, 2, 3]) {
    it(`finds the first passing index with ${perRound} probe(s) per round, in logarithmic rounds`, async () => {
      for (const count of [1, 2, 3, 7, 101]) {
        for (let threshold = 0; threshold <= count; threshold++) {
          let rounds = 0;
          const probed: number[] = [];
          const res = await searchSmallest(count, perRound, async (ks) => {
            rounds++;
            expect(ks.length).toBeLessThanOrEqual(Math.max(perRound, 1));
            probed.push(...ks);
            return ks.map((k) => k >= threshold);
          });
          if (threshold === count) {
            expect(res).toEqual({ answer: null, lowerFail: count - 1 });
            expect(rounds).toBe(1);
          } else {
            expect(res.answer).toBe(threshold);
            expect(res.lowerFail).toBe(threshold === 0 ? null : threshold - 1);
            if (res.lowerFail !== null) expect(probed).toContain(res.lowerFail);
            expect(probed).toContain(threshold);
          }
          expect(new Set(probed).size).toBe(probed.length);
          expect(rounds).toBeLessThanOrEqual(Math.ceil(Math.log(Math.max(count, 2)) / Math.log(perRound + 1)) + 2);
        }
      }
    });
  }
});
