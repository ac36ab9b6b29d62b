import type { Rng } from '../util/rng.js';

/**
 * Zipf(alpha) ranks in [0, n), 0 the most popular: P(k) ∝ (k+1)^-alpha, exact for any
 * alpha ≥ 0 (0 is uniform). Rejection-inversion (Hörmann & Derflinger 1996, as in
 * Apache Commons RNG): O(1) memory and expected O(1) time for n up to 2^53, so a
 * billion-page working set needs no probability table. Nothing is allocated per call.
 */
export class ZipfSampler {
  private readonly n: number;
  private readonly alpha: number;
  private readonly rng: Rng;
  private readonly hX1: number;
  private readonly hN: number;
  private readonly s: number;

  constructor(n: number, alpha: number, rng: Rng) {
    if (!Number.isInteger(n) || n < 1 || n > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`ZipfSampler needs an integer n ≥ 1, got ${n}`);
    }
    if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new RangeError(`ZipfSampler needs alpha ≥ 0, got ${alpha}`);
    this.n = n;
    this.alpha = alpha;
    this.rng = rng;
    this.hX1 = this.hIntegral(1.5) - 1;
    this.hN = this.hIntegral(n + 0.5);
    this.s = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  next(): number {
    for (;;) {
      // 53 random bits: with 32, ranks far down a billion-page tail would be unreachable.
      const r = ((this.rng.nextU32() >>> 5) * 67108864 + (this.rng.nextU32() >>> 6)) / 9007199254740992;
      const u = this.hN + r * (this.hX1 - this.hN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.s || u >= this.hIntegral(k + 0.5) - this.h(k)) return k - 1;
    }
  }

  /** H(x) = ∫ h, with h(x) = x^-alpha; written through helpers that stay exact as alpha → 1. */
  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return expm1OverX((1 - this.alpha) * logX) * logX;
  }

  private h(x: number): number {
    return Math.exp(-this.alpha * Math.log(x));
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.alpha);
    if (t < -1) t = -1; // rounding can push t just below the log1p domain
    return Math.exp(log1pOverX(t) * x);
  }
}

function log1pOverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

function expm1OverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}
