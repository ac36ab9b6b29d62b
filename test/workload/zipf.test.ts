import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { ZipfSampler } from '../../src/workload/zipf.js';

/** Pearson chi-square of observed counts against Zipf(alpha) over n ranks. */
function chiSquare(n: number, alpha: number, draws: number, seed: number): number {
  const z = new ZipfSampler(n, alpha, new Rng(seed));
  const counts = new Float64Array(n);
  for (let i = 0; i < draws; i++) {
    const k = z.next();
    if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`rank out of range: ${k}`);
    counts[k]!++;
  }
  let norm = 0;
  for (let k = 1; k <= n; k++) norm += k ** -alpha;
  let chi = 0;
  for (let k = 0; k < n; k++) {
    const expected = (draws * (k + 1) ** -alpha) / norm;
    chi += (counts[k]! - expected) ** 2 / expected;
  }
  return chi;
}

// Critical value of chi-square with 19 degrees of freedom at p = 0.001.
const CHI2_19_P001 = 43.82;

describe('ZipfSampler', () => {
  for (const alpha of [0, 0.5, 0.9, 1, 1.5, 3]) {
    it(`matches Zipf(${alpha}) over 20 ranks (chi-square)`, () => {
      expect(chiSquare(20, alpha, 200_000, 7)).toBeLessThan(CHI2_19_P001);
    });
  }

  it('detects a wrong exponent (the check has power)', () => {
    const z = new ZipfSampler(20, 1.2, new Rng(7));
    const counts = new Float64Array(20);
    for (let i = 0; i < 200_000; i++) counts[z.next()]!++;
    let norm = 0;
    for (let k = 1; k <= 20; k++) norm += k ** -0.9;
    let chi = 0;
    for (let k = 0; k < 20; k++) {
      const e = (200_000 * (k + 1) ** -0.9) / norm;
      chi += (counts[k]! - e) ** 2 / e;
    }
    expect(chi).toBeGreaterThan(CHI2_19_P001);
  });

  it('is reproducible from its seed', () => {
    const a = new ZipfSampler(1000, 0.9, new Rng(42));
    const b = new ZipfSampler(1000, 0.9, new Rng(42));
    for (let i = 0; i < 1000; i++) expect(a.next()).toBe(b.next());
  });

  it('stays in range for n in the billions and reaches the tail', () => {
    const n = 3_000_000_000;
    const z = new ZipfSampler(n, 0.5, new Rng(1));
    let max = 0;
    for (let i = 0; i < 10_000; i++) {
      const k = z.next();
      expect(k >= 0 && k < n).toBe(true);
      if (k > max) max = k;
    }
    expect(max).toBeGreaterThan(n / 2);
  });

  it('handles n = 1 and rejects bad parameters', () => {
    const z = new ZipfSampler(1, 0.9, new Rng(3));
    for (let i = 0; i < 10; i++) expect(z.next()).toBe(0);
    expect(() => new ZipfSampler(0, 1, new Rng(1))).toThrow(RangeError);
    expect(() => new ZipfSampler(10, -0.1, new Rng(1))).toThrow(RangeError);
  });
});
