/**
 * Values that passed the schema's patterns, turned into numbers: sizes to bytes, durations
 * to milliseconds, and paths made relative to the scenario file.
 */
import { isAbsolute, join } from 'node:path';
import { FaultlineError } from '../util/errors.js';
import { parseDuration, parseSize } from '../util/units.js';

/** `64Gi` → bytes; `max` / `none` → Infinity. The string passed the schema's pattern. */
export function bytesOf(text: string): number {
  const t = text.trim();
  if (t === 'max' || t === 'none') return Number.POSITIVE_INFINITY;
  const v = parseSize(t);
  if (v === undefined) throw new FaultlineError(`internal: size "${text}" passed validation but does not parse`, 3);
  return v;
}

/** `150ms` → ms; `never` → Infinity. */
export function msOf(text: string): number {
  const t = text.trim();
  if (t === 'never') return Number.POSITIVE_INFINITY;
  const v = parseDuration(t);
  if (v === undefined) throw new FaultlineError(`internal: duration "${text}" passed validation but does not parse`, 3);
  return v;
}

export const usOf = (text: string) => msOf(text) * 1000;

/** Paths in a scenario are relative to the scenario file, so that it runs from any directory. */
export function besideScenario(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : join(baseDir, path);
}
