/**
 * The one table of replacement policies. The CLI, the kernel model, the benchmarks and the
 * tests all resolve specs here, so there is no second list to fall out of date.
 * A spec is `id[:key=value]...`, e.g. `clock:bits=2` or `s3fifo:small=0.2:promote=keep`.
 */
import { didYouMean, InputError } from '../util/errors.js';
import { arc } from './arc.js';
import { clock } from './clock.js';
import { fifo } from './fifo.js';
import { lfu } from './lfu.js';
import { linux } from './linux.js';
import { lirs } from './lirs.js';
import { lru } from './lru.js';
import { mru } from './mru.js';
import { opt } from './opt.js';
import { canonicalSpec, type Params, type PolicyFactory, parseParams } from './params.js';
import { random } from './random.js';
import { s3fifo } from './s3fifo.js';
import { sieve } from './sieve.js';
import { twoQ } from './two-q.js';
import type { PolicyContext, ReplacementPolicy } from './types.js';

export const POLICIES: readonly PolicyFactory[] = [
  fifo,
  lru,
  clock,
  opt,
  random,
  lfu,
  mru,
  twoQ,
  arc,
  lirs,
  sieve,
  s3fifo,
  linux,
];

const byName = new Map<string, PolicyFactory>();
for (const f of POLICIES) {
  for (const name of [f.id, ...(f.aliases ?? [])]) {
    if (byName.has(name)) throw new Error(`internal: policy name ${name} registered twice`);
    byName.set(name, f);
  }
}

export interface ParsedSpec {
  readonly factory: PolicyFactory;
  readonly params: Params;
  /** Canonical: the registry id and every parameter, in declaration order. */
  readonly spec: string;
}

/** Resolves and validates a spec; throws InputError with a suggestion or the valid keys. */
export function parsePolicySpec(spec: string): ParsedSpec {
  const [rawName = '', ...raw] = spec.trim().split(':');
  const name = rawName.trim().toLowerCase();
  const factory = byName.get(name);
  if (factory === undefined) {
    const suggestion = didYouMean(name, byName.keys());
    const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
    throw new InputError(`unknown policy "${rawName}"${hint}; known policies: ${POLICIES.map((f) => f.id).join(', ')}`);
  }
  const params = parseParams(factory.id, factory.params, raw);
  return { factory, params, spec: canonicalSpec(factory.id, factory.params, params) };
}

/** Builds a policy for `capacity` frames from a spec. */
export function createPolicy(spec: string, capacity: number, ctx: PolicyContext): ReplacementPolicy {
  const parsed = parsePolicySpec(spec);
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new InputError(`policy ${parsed.spec}: capacity must be a whole number of frames >= 1, got ${capacity}`);
  }
  if (!Number.isInteger(ctx.maxPageId) || ctx.maxPageId < 0) {
    throw new InputError(`policy ${parsed.spec}: maxPageId must be a whole number >= 0, got ${ctx.maxPageId}`);
  }
  return parsed.factory.create(capacity, ctx, parsed.params, parsed.spec);
}
