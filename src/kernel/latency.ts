import type { LatencyHistogram, LatencySummary } from '../result/types.js';

/** Histogram bucket layout: 10 µs base, 2 % wide buckets (relative error ≤ 2 %). */
export const HIST_BASE_MS = 0.01;
export const HIST_RATIO = 1.02;

/** Nearest-rank percentile of an ascending array; q in [0, 1]. */
export function percentileSorted(sorted: Float64Array | number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[rank] as number;
}

export function summarize(values: Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    count: sorted.length,
    meanMs: round3(sorted.length ? sum / sorted.length : 0),
    p50Ms: round3(percentileSorted(sorted, 0.5)),
    p95Ms: round3(percentileSorted(sorted, 0.95)),
    p99Ms: round3(percentileSorted(sorted, 0.99)),
    maxMs: round3(sorted.length ? sorted[sorted.length - 1]! : 0),
  };
}

export function histogram(values: Float64Array): LatencyHistogram {
  const counts: Record<string, number> = {};
  const logR = Math.log(HIST_RATIO);
  for (let i = 0; i < values.length; i++) {
    const v = Math.max(values[i]!, HIST_BASE_MS);
    const b = Math.floor(Math.log(v / HIST_BASE_MS) / logR + 1e-9);
    counts[b] = (counts[b] ?? 0) + 1;
  }
  const ordered: Record<string, number> = {};
  for (const k of Object.keys(counts).sort((a, b) => Number(a) - Number(b))) ordered[k] = counts[k]!;
  return { baseMs: HIST_BASE_MS, ratio: HIST_RATIO, counts: ordered };
}

/** Rounds to 0.001 so that results print stably. */
export function round3(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : 0;
}

/** A growable Float64 buffer (requests are counted in the tens of thousands, not per touch). */
export class F64Buf {
  data = new Float64Array(256);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
