/**
 * Parsing of one field's text: the slow path behind the byte-level fast path (which
 * handles plain decimal ids of up to 15 digits), and the only path for quoted CSV.
 * Functions return an error reason (for the file:line message) or undefined, and write
 * 64-bit values into a caller-owned scratch key so nothing is allocated per field.
 */

export type IdMode = 'auto' | 'dec' | 'hex' | 'string';
export const ID_MODES: readonly IdMode[] = ['auto', 'dec', 'hex', 'string'];

/** A 64-bit unsigned value as two uint32 halves. */
export interface Key64 {
  hi: number;
  lo: number;
}

const TWO32 = 4294967296;

export function parseDec64(text: string, key: Key64): string | undefined {
  if (text.length === 0) return 'is empty';
  let hi = 0;
  let lo = 0;
  let wide = false;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return 'is not a decimal integer';
    lo = lo * 10 + d;
    const carry = Math.floor(lo / TWO32);
    lo -= carry * TWO32;
    hi = hi * 10 + carry;
    // Past 64 bits the digits are still checked, so "too wide" always means a valid integer.
    if (hi >= TWO32) {
      wide = true;
      hi = 0;
    }
  }
  if (wide) return 'does not fit in 64 bits';
  key.hi = hi;
  key.lo = lo;
  return undefined;
}

export function parseHex64(text: string, key: Key64): string | undefined {
  let i = text.startsWith('0x') || text.startsWith('0X') ? 2 : 0;
  if (i === text.length) return 'is empty';
  let hi = 0;
  let lo = 0;
  let wide = false;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return 'is not a hex integer';
    if (hi >= 0x10000000) wide = true;
    hi = (hi & 0x0fffffff) * 16 + (lo >>> 28);
    lo = ((lo << 4) | d) >>> 0;
  }
  if (wide) return 'does not fit in 64 bits';
  key.hi = hi;
  key.lo = lo;
  return undefined;
}

/** An integer in auto mode: decimal, or hex with a `0x` prefix. */
export function parseInt64(text: string, key: Key64): string | undefined {
  if (text.startsWith('0x') || text.startsWith('0X')) return parseHex64(text, key);
  const err = parseDec64(text, key);
  return err === 'is not a decimal integer' ? 'is not an integer (decimal or 0x-hex)' : err;
}

/** parseId's reason for a well-formed integer id wider than 64 bits. */
export const ID_TOO_WIDE = 'id does not fit in 64 bits';

export function parseId(text: string, mode: IdMode, key: Key64): string | undefined {
  const err = mode === 'hex' ? parseHex64(text, key) : mode === 'dec' ? parseDec64(text, key) : parseInt64(text, key);
  return err && `id ${err}`;
}

/** Sizes and times are plain numbers; a value past 2^53 would lose its low digits. */
const scratch: Key64 = { hi: 0, lo: 0 };

export function parseSafeUint(text: string): number | string {
  const key = scratch;
  const err = parseInt64(text, key);
  if (err) return err;
  if (key.hi >= 0x200000) return 'is beyond 2^53';
  return key.hi * TWO32 + key.lo;
}

export function parseTime(text: string): number | string {
  if (text.length === 0) return 'is empty';
  const v = Number(text);
  return Number.isFinite(v) ? v : 'is not a number';
}

/** Strips blanks and one pair of double quotes (header names, quoted fields). */
export function cleanField(text: string): string {
  const t = text.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
}
