/**
 * Sizes and durations as people write them. Sizes follow Kubernetes conventions
 * (architecture.md): `Ki Mi Gi Ti Pi` (and `KiB`…) are powers of 1024, `K M G T P`
 * (and `KB`…) powers of 1000 (kilo also as `k`), `B` or no suffix on a string is bytes. A bare
 * YAML number is never a size: callers reject it so that nobody writes `ram: 64` meaning GiB.
 * Case matters, as in Kubernetes: `64gb` is refused rather than read as 64×10⁹ bytes, because
 * whoever writes it for a 64 GiB machine would get one 7 % short without a word (and `b` is bits).
 */

/** Each prefix's power: `Gi` is 1024³, `G` 1000³. */
const PREFIX_POWER: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

const SIZE_RE = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTP]i|[kKMGTP])?B?\s*$/;
const SIZE_ANY_CASE_RE = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgtp])(i?)(b?)\s*$/i;

/** Parses `64Gi`, `1.5G`, `512MiB`, `4096B`, `4096`; returns bytes or undefined if not a size. */
export function parseSize(text: string): number | undefined {
  const m = SIZE_RE.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]);
  const suffix = (m[2] ?? '').toLowerCase();
  const power = suffix === '' ? 0 : PREFIX_POWER[suffix[0] as string];
  if (power === undefined || !Number.isFinite(value)) return undefined;
  return Math.round(value * (suffix.endsWith('i') ? 1024 : 1000) ** power);
}

/**
 * For a size refused only for its letters' case (`64gb`, `512mi`, `1Gb`): the two spellings it
 * may have meant, to put in the error; undefined otherwise.
 */
export function sizeCaseHint(text: string): string | undefined {
  if (parseSize(text) !== undefined) return undefined;
  const m = SIZE_ANY_CASE_RE.exec(text);
  if (!m) return undefined;
  const [, n, prefix = '', , b] = m;
  const p = prefix.toUpperCase();
  const power = PREFIX_POWER[prefix.toLowerCase()] as number;
  const bits = b === 'b' ? '; a lowercase b would mean bits' : '';
  return `sizes are case-sensitive: write "${n}${p}i" for ${n} × 2^${10 * power} bytes or "${n}${p}" for ${n} × 10^${3 * power}${bits}`;
}

const DURATION_UNITS: Record<string, number> = {
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
};
const DURATION_PART = /([0-9]+(?:\.[0-9]+)?)\s*(us|µs|ms|s|min|m|h)/gy;

/** Parses `200ms`, `30s`, `5m`, `1h30m`, `1.5s`, `80us`; returns milliseconds or undefined. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (;;) {
    const start = DURATION_PART.lastIndex;
    while (s[DURATION_PART.lastIndex] === ' ') DURATION_PART.lastIndex++;
    if (DURATION_PART.lastIndex >= s.length) break;
    const m = DURATION_PART.exec(s);
    if (!m || m.index !== DURATION_PART.lastIndex - m[0].length) {
      DURATION_PART.lastIndex = start;
      break;
    }
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
    consumed = DURATION_PART.lastIndex;
  }
  return consumed === s.length ? total : undefined;
}

const BIN_NAMES = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `68719476736` → `64 GiB`; at most three significant digits, trailing zeros dropped. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return bytes > 0 ? 'unlimited' : String(bytes);
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < BIN_NAMES.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = v >= 100 || i === 0 ? 0 : v >= 10 ? 1 : 2;
  const text = Number(v.toFixed(digits)).toString();
  return `${bytes < 0 ? '-' : ''}${text} ${BIN_NAMES[i]}`;
}

/** `245000` → `4.08 min`; picks the largest unit that keeps the value ≥ 1. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const a = Math.abs(ms);
  const fmt = (v: number, unit: string) => `${Number(v.toPrecision(3))} ${unit}`;
  if (a < 1) return fmt(ms * 1000, 'µs');
  if (a < 1000) return fmt(ms, 'ms');
  if (a < 60_000) return fmt(ms / 1000, 's');
  if (a < 3_600_000) return fmt(ms / 60_000, 'min');
  return fmt(ms / 3_600_000, 'h');
}

/** `312000` → `00:05:12`, the clock form used for simulated times in reports. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
}
