import { chooseFidelity, exactSize } from '../kernel/fidelity.js';
import type { RunResult } from '../result/types.js';
import type { Variant } from '../scenario/types.js';
import { prepareWorkloads } from '../workload/trace-prepare.js';
import { runPool, siblingUrl } from './pool.js';
import { failedResult, type RunOptions } from './run-variant.js';
import type { VariantTask } from './variant-worker.js';

export interface BatchOptions {
  jobs: number;
  timeoutMs?: number;
  run?: RunOptions;
  /** Called as each variant finishes (completion order), so it can be written at once. */
  onResult?: (variant: Variant, result: RunResult, index: number) => void;
  /** Ends the batch early: running variants are stopped and runBatch rejects with the reason. */
  signal?: AbortSignal;
}

/**
 * Runs variants on a worker pool; returns results in variant order. Even with one job
 * each variant runs in a worker, so a variant that exhausts its heap or hangs fails alone
 * whatever `--jobs` is; results are identical for any `jobs` because a run depends only
 * on its variant and seed.
 */
export async function runBatch(given: readonly Variant[], opts: BatchOptions): Promise<RunResult[]> {
  const runOpts = opts.run ?? {};
  // Traces are read once here, for every variant, before any runs (an unreadable one is bad input).
  const variants = await prepareWorkloads(given);
  // Larger replays first, so that the workers do not finish on one long variant while the
  // others sit idle (the incident's 10-minute-kill variants walk 3× the frames of the others).
  const order = largestFirst(variants);
  const tasks: VariantTask[] = order.map((i) => ({ variant: variants[i] as Variant, options: runOpts }));
  const results: RunResult[] = new Array(variants.length);
  await runPool<VariantTask, RunResult>(tasks, siblingUrl('variant-worker', import.meta.url), {
    jobs: opts.jobs,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onDone: (k, outcome) => {
      const i = order[k] as number;
      const v = variants[i] as Variant;
      const r = outcome.ok ? outcome.value : failedResult(v, outcome.error);
      results[i] = r;
      opts.onResult?.(v, r, i);
    },
  });
  return results;
}

/**
 * Variant indices by decreasing replay size: simulated frames (time per touch grows with the
 * memory a replay walks), then simulated touches, then the given order. A variant whose
 * fidelity cannot be chosen fails at once in its worker and goes last.
 */
function largestFirst(variants: readonly Variant[]): number[] {
  const size = variants.map((v) => {
    try {
      const rate = chooseFidelity(v.scenario).rate;
      const exact = exactSize(v.scenario);
      return { frames: Math.floor(exact.frames * rate), touches: exact.touches * rate };
    } catch {
      return { frames: -1, touches: -1 };
    }
  });
  return variants
    .map((_, i) => i)
    .sort((a, b) => size[b]!.frames - size[a]!.frames || size[b]!.touches - size[a]!.touches || a - b);
}

/**
 * The deterministic slice of variants shard K of N runs (1-based K): every N-th variant
 * starting at K−1, so shards get similar mixes of cheap and expensive variants.
 */
export function selectShard<T>(items: readonly T[], shard: { index: number; count: number }): T[] {
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

/** Parses `K/N` as given to `--shard`. */
export function parseShard(text: string): { index: number; count: number } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) return undefined;
  return { index, count };
}
