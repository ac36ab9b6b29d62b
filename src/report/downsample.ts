/**
 * Bucketing of long series for charts: an 1800-step run drawn point by point costs time
 * in vega and bytes in the page while adding nothing a reader can see. Lines keep each
 * bucket's maximum (a one-second spike survives); stacked areas keep the mean (shares
 * still add up to the whole). Captions state the bucket width.
 */
import type { Series } from '../result/types.js';

export const MAX_CHART_POINTS = 600;

/** Steps per bucket so that `n` steps give at most `maxPoints` points. */
export function bucketSize(n: number, maxPoints = MAX_CHART_POINTS): number {
  return Math.max(1, Math.ceil(n / maxPoints));
}

export function bucketTimes(timeMs: number[], size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < timeMs.length; i += size) out.push(timeMs[i]!);
  return out;
}

/** Bucket maxima; a bucket with no value stays null, so lines break where data is missing. */
export function bucketMax(series: Series, size: number): Series {
  return reduceBuckets(series, size, (vals) => Math.max(...vals));
}

export function bucketMean(series: Series, size: number): Series {
  return reduceBuckets(series, size, (vals) => vals.reduce((a, b) => a + b, 0) / vals.length);
}

function reduceBuckets(series: Series, size: number, reduce: (vals: number[]) => number): Series {
  const out: Series = [];
  for (let i = 0; i < series.length; i += size) {
    const vals: number[] = [];
    for (let j = i; j < Math.min(i + size, series.length); j++) {
      const v = series[j];
      if (v !== null && v !== undefined) vals.push(v);
    }
    out.push(vals.length ? reduce(vals) : null);
  }
  return out;
}
