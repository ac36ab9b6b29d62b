/**
 * Number formatting for reports. Deterministic (no locale data): the same result gives
 * the same bytes on every machine, which keeps golden tests and diffs meaningful. Figures
 * are printed by analysis/figures.ts's formatValue, which the verdict uses too, so that a
 * number reads the same in the headline and on every page.
 */
import { formatNumber, formatValue } from '../analysis/figures.js';
import { formatBytes, formatClock, formatDurationMs, parseDuration, parseSize } from '../util/units.js';

// Keys whose values are sizes even with a decimal suffix (`8G`); elsewhere `10m` is a duration.
const SIZE_KEY = /mem|ram|byte|size|swap|limit|anon|file|cache|\.(max|high|low|min)$/i;

/**
 * A swept or configured value with its parsed meaning: `36Gi` → `36Gi = 36 GiB (38,654,705,664 bytes)`,
 * `10m` → `10m = 10 min`. A value with a binary suffix is always a size; a decimal one
 * only under a size-like key. Anything else is shown as given.
 */
export function formatParam(value: string | number | boolean | null, key = ''): string {
  if (typeof value !== 'string' || !/[a-z]/i.test(value)) return String(value);
  if (/[kmgtp]i/i.test(value) || SIZE_KEY.test(key)) {
    const bytes = parseSize(value);
    if (bytes !== undefined) return `${value} = ${formatBytes(bytes)} (${formatNumber(bytes)} bytes)`;
  }
  const ms = parseDuration(value);
  return ms === undefined ? value : `${value} = ${formatDurationMs(ms)}`;
}

/** A byte size shown both ways, so that nobody wonders whether `G` meant 10^9 or 2^30. */
export function formatBytesExact(bytes: number): string {
  return `${formatBytes(bytes)} (${formatNumber(bytes)} bytes)`;
}

/** `2026-11-26T05:00:00.000Z` → `2026-11-26 05:00:00 UTC`; anything else is shown as written. */
export function formatTimestamp(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

export { formatBytes, formatClock, formatDurationMs, formatNumber, formatValue };
