import { type FrameSpec, resolveFrames } from '../analysis/mrc-sizes.js';
import { parsePolicySpec } from '../policies/registry.js';
import { simulate } from '../policies/simulate.js';
import type { ReplayRow } from '../report/trace/types.js';
import type { Trace } from '../traces/load.js';
import { InputError } from '../util/errors.js';

/** Splits `lru,clock:bits=2,arc` (parameters use `:`, so commas only separate policies). */
export function parsePolicyNames(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new InputError('--policy needs at least one policy, e.g. lru,clock,arc');
  return list;
}

/**
 * Canonical specs (every effective parameter), checked before any trace is read:
 * unknown policies and keys fail with InputError.
 */
export function canonicalPolicies(specs: readonly string[]): string[] {
  return specs.map((s) => parsePolicySpec(s).spec);
}

export interface ReplayOptions {
  warmup?: number;
  seed?: number;
}

/** Every policy at every size, in policy-major order (one row each). */
export function replayTrace(
  trace: Trace,
  policies: readonly string[],
  frames: readonly FrameSpec[],
  opts: ReplayOptions = {},
): ReplayRow[] {
  const distinct = trace.info.distinctPages;
  const rows: ReplayRow[] = [];
  for (const policy of policies) {
    for (const spec of frames) {
      const capacity = resolveFrames(spec, distinct);
      const r = simulate(policy, trace.stream, capacity, {
        warmup: opts.warmup ?? 0,
        maxPageId: distinct,
        seed: opts.seed ?? 0,
      });
      rows.push({
        policy: r.spec,
        frames: capacity,
        framesSpec: spec.text,
        references: r.references,
        faults: r.faults,
        faultRatio: r.references === 0 ? 0 : r.faults / r.references,
      });
    }
  }
  return rows;
}
