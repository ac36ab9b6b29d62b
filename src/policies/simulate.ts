/**
 * The generic demand-paging access, written once for every policy (libCacheSim's
 * `cache_get_base`): find → on a fault evict until a frame is free → insert. `simulate`
 * replays a whole stream of dense page ids through one policy and counts faults.
 */
import { InputError } from '../util/errors.js';
import { createPolicy } from './registry.js';
import type { PageId, ReplacementPolicy } from './types.js';

export interface SimulateOptions {
  /** References replayed first without being counted (they still warm the policy). */
  warmup?: number;
  /** Exclusive upper bound of page ids; computed from the stream when absent. */
  maxPageId?: number;
  /** Seed for randomised policies (default 0). */
  seed?: number;
}

export interface SimulateResult {
  faults: number;
  /** References counted (the stream length minus the warm-up). */
  references: number;
  /** The canonical spec that ran. */
  spec: string;
}

/** One reference: true on a hit. Every fault is counted by the caller, admitted or not. */
export function access(policy: ReplacementPolicy, page: PageId): boolean {
  if (policy.find(page, true)) return true;
  if (!policy.admits) return false;
  while (policy.size >= policy.capacity) policy.evict();
  policy.insert(page);
  return false;
}

export function simulate(
  spec: string,
  stream: Int32Array,
  capacity: number,
  opts: SimulateOptions = {},
): SimulateResult {
  const warmup = opts.warmup ?? 0;
  if (!Number.isInteger(warmup) || warmup < 0 || warmup > stream.length) {
    throw new InputError(`warm-up must be a whole number of references in 0..${stream.length}, got ${warmup}`);
  }
  let maxPageId = opts.maxPageId ?? 0;
  if (opts.maxPageId === undefined) {
    for (let i = 0; i < stream.length; i++) if (stream[i]! >= maxPageId) maxPageId = stream[i]! + 1;
  }
  for (let i = 0; i < stream.length; i++) {
    const p = stream[i]!;
    if (p < 0 || p >= maxPageId) throw new InputError(`page id ${p} at reference ${i} is outside 0..${maxPageId - 1}`);
  }
  const policy = createPolicy(spec, capacity, { maxPageId, seed: opts.seed ?? 0, stream });
  const step = policy.access;
  let faults = 0;
  if (step === undefined) {
    for (let i = 0; i < warmup; i++) access(policy, stream[i]!);
    for (let i = warmup; i < stream.length; i++) if (!access(policy, stream[i]!)) faults++;
  } else {
    // One indirect call per reference: the method lookup is done once, not per reference,
    // so the loop stays fast when many policy classes have passed through it.
    for (let i = 0; i < warmup; i++) step.call(policy, stream[i]!);
    for (let i = warmup; i < stream.length; i++) if (!step.call(policy, stream[i]!)) faults++;
  }
  return { faults, references: stream.length - warmup, spec: policy.spec };
}
