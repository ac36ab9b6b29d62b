import type { TraceResult } from '../result/trace.js';
import { parseTraceResult } from '../result/trace-compat.js';

/**
 * Reads a measured LRU miss-ratio curve, as `faultline mrc --format csv|json` writes it, for
 * the `mrc` access pattern. The curve is small (one point per size asked for), so it is read
 * whole when the scenario loads and its errors carry the curve file's line.
 */

export interface MrcCurve {
  /** Ascending cache sizes, in pages. */
  frames: number[];
  /** LRU miss ratio at each size, non-increasing (running minimum of the file's values). */
  missRatio: number[];
  /** Distinct pages of the measured trace (json), or the largest size (csv). */
  distinctPages: number;
  /** Sizes at which the file's curve rose and its running minimum was used (sampled curves wiggle). */
  rises: number;
}

export type CurveFormat = 'auto' | 'csv' | 'json';

/** Parses `text` (the file `name`); returns the curve or a message naming the line at fault. */
export function parseMrcCurve(text: string, name: string, format: CurveFormat): MrcCurve | { error: string } {
  const fmt = format === 'auto' ? (text.trimStart().startsWith('{') ? 'json' : 'csv') : format;
  const raw = fmt === 'json' ? fromJson(text, name) : fromCsv(text, name);
  if ('error' in raw) return raw;
  return finish(raw.points, raw.distinct, name);
}

interface RawPoints {
  points: { frames: number; ratio: number; line: number }[];
  distinct: number | undefined;
}

const isLru = (policy: string) => policy.trim().split(':')[0] === 'lru';

function fromJson(text: string, name: string): RawPoints | { error: string } {
  let result: TraceResult;
  try {
    result = parseTraceResult(text, name);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const lru = result.curves.find((c) => isLru(c.policy));
  if (!lru) {
    const names = result.curves.map((c) => c.policy).join(', ') || 'none';
    return { error: `${name}: holds no lru curve (curves: ${names}); run faultline mrc with --policy lru` };
  }
  return {
    points: lru.points.map((p) => ({ frames: p.frames, ratio: p.faultRatio, line: 0 })),
    distinct: result.trace.distinctPages,
  };
}

function fromCsv(text: string, name: string): RawPoints | { error: string } {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((c) => c.trim().toLowerCase());
  const col = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const framesCol = col('frames');
  const ratioCol = col('fault_ratio', 'miss_ratio');
  const policyCol = col('policy');
  if (framesCol < 0 || ratioCol < 0) {
    return {
      error: `${name}:1: expected a header with frames and fault_ratio columns (as \`faultline mrc --format csv\` writes), found "${lines[0] ?? ''}"`,
    };
  }
  const points: RawPoints['points'] = [];
  const policies = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line);
    if (policyCol >= 0) {
      const policy = cells[policyCol] ?? '';
      policies.add(policy);
      if (!isLru(policy)) continue;
    }
    points.push({ frames: Number(cells[framesCol]), ratio: Number(cells[ratioCol]), line: i + 1 });
  }
  if (points.length === 0 && policies.size > 0) {
    return {
      error: `${name}: holds no lru curve (policies: ${[...policies].join(', ')}); run faultline mrc with --policy lru`,
    };
  }
  return { points, distinct: undefined };
}

/** One CSV line; a quoted cell may hold commas (policy specs are quoted when they do). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function finish(points: RawPoints['points'], distinct: number | undefined, name: string): MrcCurve | { error: string } {
  const at = (p: { line: number }) => (p.line > 0 ? `${name}:${p.line}` : name);
  for (const p of points) {
    if (!Number.isSafeInteger(p.frames) || p.frames < 1) {
      return { error: `${at(p)}: frames must be a whole number ≥ 1, found ${p.frames}` };
    }
    if (!(p.ratio >= 0 && p.ratio <= 1)) {
      return { error: `${at(p)}: the miss ratio must be a number from 0 to 1, found ${p.ratio}` };
    }
  }
  const sorted = [...points].sort((a, b) => a.frames - b.frames);
  const frames: number[] = [];
  const missRatio: number[] = [];
  let rises = 0;
  for (const p of sorted) {
    if (frames[frames.length - 1] === p.frames) {
      return { error: `${at(p)}: the size ${p.frames} appears twice` };
    }
    // LRU's inclusion property: a larger cache never misses more. A sampled (SHARDS)
    // estimate can rise a little; its running minimum is the nearest LRU curve below it.
    const prev = missRatio[missRatio.length - 1] ?? 1;
    if (p.ratio > prev) rises++;
    frames.push(p.frames);
    missRatio.push(Math.min(prev, p.ratio));
  }
  if (frames.length < 2) {
    return { error: `${name}: a curve needs at least 2 sizes, found ${frames.length}` };
  }
  const largest = frames[frames.length - 1] as number;
  return { frames, missRatio, distinctPages: Math.max(distinct ?? largest, largest), rises };
}
