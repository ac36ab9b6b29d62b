import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { type FrameSpec, resolveFrames } from '../analysis/mrc-sizes.js';
import { createPolicy, parsePolicySpec } from '../policies/registry.js';
import { simulate } from '../policies/simulate.js';
import type { ReplayRow } from '../result/trace.js';
import type { Trace, TraceInfo, TraceOptions } from '../traces/load.js';
import { InputError } from '../util/errors.js';
import { siblingUrl, spawnWorker } from './pool.js';

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
  /** Threads to spread the (policy, size) replays over; default: every core. */
  threads?: number;
}

/** What a replay thread needs: the stream (shared, not copied) and the jobs to take from `next`. */
export interface ReplayJobs {
  stream: Int32Array;
  maxPageId: number;
  warmup: number;
  seed: number;
  jobs: { policy: string; capacity: number }[];
  /** Job indexes in the order they are handed out (the costliest first). */
  order: number[];
  /** One Int32 in a SharedArrayBuffer: the next position in `order`. */
  next: Int32Array;
  /**
   * Set while the file is still being read into `stream` (traces/read-worker.ts):
   * [references written, 0 reading | 1 done | 2 failed]. `maxPageId` is then the stream's
   * length, a bound on the dense ids that only costs address space.
   */
  progress?: Int32Array;
}

/**
 * Runs jobs until none is left: each thread takes the next one from the shared counter,
 * so a thread that drew cheap jobs takes more of them.
 */
export function runReplayJobs(
  w: ReplayJobs,
  done: (index: number, faults: number, references: number, spec: string) => void,
): void {
  for (;;) {
    const k = Atomics.add(w.next, 0, 1);
    if (k >= w.order.length) return;
    const index = w.order[k]!;
    const job = w.jobs[index]!;
    if (w.progress) {
      const r = simulateWhileReading(w, job, w.progress);
      done(index, r.faults, r.references, r.spec);
    } else {
      const r = simulate(job.policy, w.stream, job.capacity, {
        warmup: w.warmup,
        maxPageId: w.maxPageId,
        seed: w.seed,
      });
      done(index, r.faults, r.references, r.spec);
    }
  }
}

/**
 * One replay over a stream that is still being written: simulates up to what the reader
 * has published, then waits for more. The counts are those of `simulate` on the whole stream.
 */
function simulateWhileReading(
  w: ReplayJobs,
  job: { policy: string; capacity: number },
  progress: Int32Array,
): { faults: number; references: number; spec: string } {
  const policy = createPolicy(job.policy, job.capacity, { maxPageId: w.maxPageId, seed: w.seed });
  const step = policy.access!;
  const s = w.stream;
  const warmup = w.warmup;
  let i = 0;
  let faults = 0;
  for (;;) {
    const state = Atomics.load(progress, 1);
    const avail = Atomics.load(progress, 0);
    if (i === avail) {
      if (state === 2) throw new ReadFailed();
      if (state === 1) break;
      Atomics.wait(progress, 0, avail, 200);
      continue;
    }
    for (; i < avail && i < warmup; i++) step.call(policy, s[i]!);
    for (; i < avail; i++) if (!step.call(policy, s[i]!)) faults++;
  }
  return { faults, references: Math.max(0, i - warmup), spec: policy.spec };
}

const READ_FAILED = 'the trace reader stopped';

/** The reader failed; its own error, not this one, is what the user sees. */
class ReadFailed extends Error {
  constructor() {
    super(READ_FAILED);
  }
}

/**
 * Relative cost per reference (FIFO = 1): the costliest jobs are handed out first so that
 * the threads finish close together. The six of the reference bench from docs/traces.md's
 * CPU seconds per part: since FIFO, Clock and S3-FIFO run on rings, LRU costs more than
 * S3-FIFO and SIEVE more than Clock, and in this order two threads finish the six within
 * 0.01 s of each other instead of 0.1 s. The others keep their former rank (LIRS, 2Q, LFU
 * and linux as ARC, OPT above them, MRU and random as LRU).
 */
const COST: Record<string, number> = {
  opt: 3.9,
  arc: 2.6,
  lirs: 2.6,
  '2q': 2.6,
  lfu: 2.6,
  linux: 2.6,
  lru: 2.1,
  s3fifo: 1.7,
  sieve: 1.5,
  clock: 1.3,
  fifo: 1,
};

/** Every policy at every size, in policy-major order (one row each), spread over threads. */
export async function replayTrace(
  trace: Trace,
  policies: readonly string[],
  frames: readonly FrameSpec[],
  opts: ReplayOptions = {},
): Promise<ReplayRow[]> {
  const distinct = trace.info.distinctPages;
  const specs = jobSpecs(policies, frames);
  const jobs = specs.map((s) => ({ policy: s.policy, capacity: resolveFrames(s.frames, distinct) }));
  const shared = trace.stream.buffer instanceof SharedArrayBuffer;
  const w = replayJobs(trace.stream, distinct, jobs, opts);
  return toRows(specs, jobs, await runThreads(w, shared ? opts.threads : 1));
}

/**
 * Replays while the file is read: a reader thread maps ids into a shared stream and every
 * replay thread simulates what has been published so far (the pipeline; the trace is read
 * once). Only for files whose reference count is bounded up front (`streamableReferences`:
 * `references` is that bound, and the policies' bound on dense ids), sizes in frames and
 * online policies; `canReplayWhileReading` says so.
 */
export async function replayWhileReading(
  file: string,
  options: TraceOptions,
  references: number,
  policies: readonly string[],
  frames: readonly FrameSpec[],
  opts: ReplayOptions = {},
): Promise<{ trace: Trace; rows: ReplayRow[] }> {
  const stream = new Int32Array(new SharedArrayBuffer(references * 4));
  const progress = new Int32Array(new SharedArrayBuffer(8));
  const reader = spawnWorker(siblingUrl('../traces/read-worker', import.meta.url));
  const info = new Promise<TraceInfo>((resolve, reject) => {
    reader.on('message', (m: { info?: TraceInfo } & Status) => {
      if (m.info) resolve(m.info);
      else reject(m.input ? new InputError(m.error ?? 'read failed') : new Error(m.error));
    });
    reader.on('error', reject);
  });
  reader.postMessage({ file, options, stream, progress });
  const specs = jobSpecs(policies, frames);
  const jobs = specs.map((s) => ({ policy: s.policy, capacity: resolveFrames(s.frames, references) }));
  const w = replayJobs(stream, references, jobs, opts);
  w.progress = progress;
  try {
    const results = await runThreads(w, opts.threads).catch(async (err: unknown) => {
      // A replay thread stopped because the read failed: the reader's error says why.
      if (err instanceof ReadFailed || (err instanceof Error && err.message === READ_FAILED)) await info;
      throw err;
    });
    const read = await info;
    const trace: Trace = { stream: stream.subarray(0, read.references), info: read };
    if ((opts.warmup ?? 0) > read.references) {
      throw new InputError(`--warmup ${opts.warmup} exceeds the trace's ${read.references} references`);
    }
    return { trace, rows: toRows(specs, jobs, results) };
  } finally {
    void reader.terminate();
  }
}

/**
 * Streaming needs every size in frames (a percentage needs the final page count) and no
 * offline policy; with only a bound on the references (`exact` false: a text trace), no
 * policy that fills per-page state up to that bound (one page per two bytes).
 */
export function canReplayWhileReading(
  policies: readonly string[],
  frames: readonly FrameSpec[],
  exact = true,
): boolean {
  return (
    frames.every((f) => f.kind === 'frames') &&
    policies.every((p) => {
      const factory = parsePolicySpec(p).factory;
      return !factory.needsStream && (exact || !factory.fillsPageState);
    })
  );
}

function jobSpecs(policies: readonly string[], frames: readonly FrameSpec[]) {
  const specs: { policy: string; frames: FrameSpec }[] = [];
  for (const policy of policies) for (const f of frames) specs.push({ policy, frames: f });
  return specs;
}

function replayJobs(
  stream: Int32Array,
  maxPageId: number,
  jobs: { policy: string; capacity: number }[],
  opts: ReplayOptions,
): ReplayJobs {
  const order = jobs.map((_, i) => i).sort((a, b) => cost(jobs[b]!.policy) - cost(jobs[a]!.policy) || a - b);
  return {
    stream,
    maxPageId,
    warmup: opts.warmup ?? 0,
    seed: opts.seed ?? 0,
    jobs,
    order,
    next: new Int32Array(new SharedArrayBuffer(4)),
  };
}

type JobResult = { faults: number; references: number; spec: string };

function toRows(
  specs: { policy: string; frames: FrameSpec }[],
  jobs: { capacity: number }[],
  results: JobResult[],
): ReplayRow[] {
  return specs.map((s, i): ReplayRow => {
    const r = results[i]!;
    return {
      policy: r.spec,
      frames: jobs[i]!.capacity,
      framesSpec: s.frames.text,
      references: r.references,
      faults: r.faults,
      faultRatio: r.references === 0 ? 0 : r.faults / r.references,
    };
  });
}

/** Runs every job on this thread and `threads − 1` workers (default: every core). */
async function runThreads(w: ReplayJobs, threadsAsked: number | undefined): Promise<JobResult[]> {
  const threads = Math.max(1, Math.min(threadsAsked ?? availableParallelism(), w.jobs.length));
  const results: JobResult[] = new Array(w.jobs.length);
  const workers = Array.from({ length: threads - 1 }, () => startWorker(w, results));
  try {
    runReplayJobs(w, (index, faults, references, spec) => {
      results[index] = { faults, references, spec };
    });
    await Promise.all(workers.map((x) => x.finished));
  } finally {
    for (const x of workers) void x.worker.terminate();
  }
  return results;
}

function cost(spec: string): number {
  return COST[spec.split(':')[0]!] ?? COST.lru!;
}

function startWorker(w: ReplayJobs, results: JobResult[]): { worker: Worker; finished: Promise<void> } {
  const worker = spawnWorker(siblingUrl('replay-worker', import.meta.url));
  worker.postMessage(w);
  const finished = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { index?: number; faults?: number; references?: number; spec?: string } & Status) => {
      if (m.done) resolve();
      else if (m.error !== undefined) reject(m.input ? new InputError(m.error) : new Error(m.error));
      else results[m.index!] = { faults: m.faults!, references: m.references!, spec: m.spec! };
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`replay worker exited with code ${code}`));
    });
  });
  return { worker, finished };
}

interface Status {
  done?: boolean;
  error?: string;
  input?: boolean;
}
