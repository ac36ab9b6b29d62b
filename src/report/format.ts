/**
 * Number formatting for reports. Deterministic (no locale data): the same result gives
 * the same bytes on every machine, which keeps golden tests and diffs meaningful.
 */
import { formatBytes, formatClock, formatDurationMs, parseDuration, parseSize } from '../util/units.js';

/** `1234567.8` → `1,234,568`; small values keep up to three significant digits. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && a < 100) return String(Number(v.toPrecision(3)));
  return String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A value with its unit, in the words a person reads: `84%`, `9,003/s`, `4.1 min`, `64 GiB`. */
export function formatValue(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined) return '—';
  switch (unit) {
    case 'pct':
      return `${formatNumber(v)}%`;
    case 'perSec':
      return `${formatNumber(v)}/s`;
    case 'pagesPerSec':
      return `${formatNumber(v)} pages/s`;
    case 'bytes':
      return formatBytes(v);
    case 'pages':
      return `${formatNumber(v)} pages`;
    case 'ms':
      return formatDurationMs(v);
    default:
      return formatNumber(v);
  }
}

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

export { formatBytes, formatClock, formatDurationMs };
