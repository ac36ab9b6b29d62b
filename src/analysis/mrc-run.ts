import { simulate } from '../policies/simulate.js';
import type { Curve, CurveMethod, CurvePoint } from '../result/trace.js';
import type { Trace } from '../traces/load.js';
import { exactHistogram, MissCurve, type StackHistogram, shardsFixedRate, shardsFixedSize } from './mrc.js';
import { type FrameSpec, resolveFrames } from './mrc-sizes.js';

export interface MrcRequest {
  /** Canonical policy specs; LRU comes from stack distances, the others are simulated per size. */
  policies: readonly string[];
  shards?: { rate: number } | { maxPages: number };
  /** Explicit sizes; otherwise `points` evenly spaced sizes for LRU and DEFAULT_SIM_PERCENTS for the rest. */
  frames?: readonly FrameSpec[];
  points?: number;
  warmup?: number;
  seed?: number;
  target?: number;
  /** Sizes every curve must include (the host's RAM), so its fault ratio there is exact. */
  alsoFrames?: readonly number[];
}

/** Sizes a simulated (non-stack) curve gets without `--frames`: each costs one full replay. */
export const DEFAULT_SIM_PERCENTS = [1, 2, 5, 10, 20, 30, 40, 50, 75, 100];

const isLru = (spec: string) => spec.split(':')[0] === 'lru';

export function computeCurves(trace: Trace, req: MrcRequest): Curve[] {
  const distinct = trace.info.distinctPages;
  const warmup = req.warmup ?? 0;
  const seed = req.seed ?? 0;
  const explicit = req.frames?.map((f) => resolveFrames(f, distinct));
  return req.policies.map((policy): Curve => {
    if (isLru(policy)) {
      const h = stackHistogram(trace, req, warmup, seed);
      const curve = new MissCurve(h);
      const sizes = unique([...(explicit ?? evenSizes(distinct, req.points ?? 200)), ...(req.alsoFrames ?? [])]);
      const points = sizes.map((frames) => ({ frames, faults: curve.faults(frames), faultRatio: curve.ratio(frames) }));
      const out: Curve = { ...methodOf(h), policy, references: h.references, points };
      if (req.target !== undefined) out.targetFrames = curve.smallestMeeting(req.target) ?? null;
      return out;
    }
    const sizes = unique([
      ...(explicit ??
        DEFAULT_SIM_PERCENTS.map((p) => resolveFrames({ text: `${p}%`, kind: 'percent', num: p, den: 100 }, distinct))),
      ...(req.alsoFrames ?? []),
    ]);
    let references = 0;
    const points: CurvePoint[] = sizes.map((frames) => {
      const r = simulate(policy, trace.stream, frames, { warmup, maxPageId: distinct, seed });
      references = r.references;
      return { frames, faults: r.faults, faultRatio: r.references === 0 ? 0 : r.faults / r.references };
    });
    const out: Curve = { method: 'simulation', policy, references, points };
    if (req.target !== undefined) {
      const target = req.target;
      out.targetFrames = points
        .filter((p) => p.faultRatio <= target)
        .reduce<number | null>((m, p) => (m === null ? p.frames : Math.min(m, p.frames)), null);
    }
    return out;
  });
}

function stackHistogram(trace: Trace, req: MrcRequest, warmup: number, seed: number): StackHistogram {
  const { stream } = trace;
  const distinct = trace.info.distinctPages;
  const s = req.shards;
  if (s === undefined) return exactHistogram(stream, distinct, { warmup });
  if ('rate' in s) return shardsFixedRate(stream, distinct, s.rate, { warmup, seed });
  return shardsFixedSize(stream, distinct, s.maxPages, { warmup, seed });
}

function methodOf(h: StackHistogram): CurveMethod {
  const s = h.sampling;
  return s.method === 'exact' ? { method: 'exact-stack' } : { ...s };
}

/** `n` sizes spread evenly over 1..distinct, or every size when there are fewer. */
export function evenSizes(distinct: number, n: number): number[] {
  if (distinct <= n) return Array.from({ length: Math.max(1, distinct) }, (_, i) => i + 1);
  return unique(Array.from({ length: n }, (_, i) => Math.max(1, Math.round(((i + 1) * distinct) / n))));
}

function unique(sizes: number[]): number[] {
  return [...new Set(sizes)].sort((a, b) => a - b);
}
