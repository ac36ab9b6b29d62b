import type { ProcessConfig } from '../scenario/types.js';

/**
 * The most touches per second a process can make when nothing stalls it: the highest rate of
 * its phases, `max` counting as its cores over its CPU per touch. Sizes a replay in advance.
 */
export function peakTouchRate(p: ProcessConfig): number {
  const cores = Math.max(1, Math.min(p.cpu.threads, p.cpu.cores));
  const atMax = (cores * 1e6) / p.cpu.perTouchUs;
  let peak = 0;
  for (const ph of p.access) {
    const rate = ph.touchesPerSec ?? p.touchesPerSec;
    peak = Math.max(peak, rate === Number.POSITIVE_INFINITY ? atMax : rate);
  }
  return peak;
}

/** At most how many touches a process makes in `lifeSec` seconds of life (its stop count included). */
export function touchBound(p: ProcessConfig, lifeSec: number): number {
  const byRate = p.requests ? p.requests.ratePerSec * p.requests.pagesPerRequest : peakTouchRate(p);
  return Math.min(byRate * lifeSec, p.stopAfterTouches);
}
