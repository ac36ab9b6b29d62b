import { InputError } from '../util/errors.js';
import { parseSize } from '../util/units.js';

/**
 * Cache sizes as people give them on the command line, shared by replays and curves:
 * frame counts, percentages of a trace's distinct pages, RAM and fault-ratio targets.
 */

/** A cache size as asked for: absolute frames, or a percentage of the trace's distinct pages. */
export type FrameSpec = { text: string } & (
  | { kind: 'frames'; frames: number }
  | { kind: 'percent'; num: number; den: number }
);

/** Parses `1%,5%,10%,4096`; percentages may have decimals (`2.5%`). */
export function parseFrameList(text: string): FrameSpec[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new InputError('--frames needs at least one size, e.g. 1%,5%,10%,4096');
  return items.map((item) => {
    const pct = /^([0-9]+)(?:\.([0-9]+))?%$/.exec(item);
    if (pct) {
      const decimals = pct[2] ?? '';
      const num = Number((pct[1] ?? '') + decimals);
      const den = 100 * 10 ** decimals.length;
      if (num === 0 || num > den) throw new InputError(`--frames ${item}: a percentage must be in (0%, 100%]`);
      return { text: item, kind: 'percent', num, den };
    }
    if (/^[0-9]+$/.test(item) && Number(item) >= 1 && Number.isSafeInteger(Number(item))) {
      return { text: item, kind: 'frames', frames: Number(item) };
    }
    throw new InputError(`--frames ${JSON.stringify(item)} is not a frame count (4096) or a percentage (10%)`);
  });
}

/** Frames for a spec: percentages of `distinct` are rounded down, and never below 1. */
export function resolveFrames(spec: FrameSpec, distinct: number): number {
  if (spec.kind === 'frames') return spec.frames;
  // Integer arithmetic, so 10% of 45,920 is 4,592 and not 4,591 from 0.1 rounding.
  return Math.max(1, Math.floor((spec.num * distinct) / spec.den));
}

/**
 * `--ram`: a bare integer is frames; with a unit (`64Gi`, `512MiB`, `4096B`) it is bytes,
 * converted to whole frames of `pageSize` bytes.
 */
export function parseRam(text: string, pageSize: number): number {
  const t = text.trim();
  if (t.startsWith('-'))
    throw new InputError(`--ram ${JSON.stringify(text)} is negative: give frames (16384) or a size (64Gi)`);
  let frames: number;
  if (/^[0-9]+$/.test(t)) frames = Number(t);
  else {
    const bytes = parseSize(t);
    if (bytes === undefined || !/[a-z]/i.test(t)) {
      throw new InputError(`--ram ${JSON.stringify(text)} is neither a frame count (16384) nor a size (64Gi, 512MiB)`);
    }
    frames = Math.floor(bytes / pageSize);
  }
  if (!Number.isSafeInteger(frames) || frames < 1) {
    throw new InputError(
      `--ram ${JSON.stringify(text)} is ${frames < 1 ? 'less than one frame' : 'too large'}: ` +
        `it must be at least 1 frame (${pageSize} bytes) and at most 2^53 frames`,
    );
  }
  return frames;
}

/** `--target`: a fault ratio in [0, 1], or a percentage. */
export function parseTarget(text: string): number {
  const t = text.trim();
  const v = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  if (t === '' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new InputError(`--target ${JSON.stringify(text)} must be a fault ratio in [0, 1] such as 0.05, or 5%`);
  }
  return v;
}
