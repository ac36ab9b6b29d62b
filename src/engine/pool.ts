import { availableParallelism } from 'node:os';
import { parentPort, Worker } from 'node:worker_threads';

/**
 * A worker_threads pool that runs independent tasks on all cores. Each task is isolated:
 * an exception, a crashed worker or a time-out in one becomes that task's failure and the
 * others finish. Results come back through `onDone` as each task finishes (so callers can
 * write them at once) and are also returned in task order, so the output never depends
 * on `jobs`.
 */

export interface PoolOptions<R> {
  jobs?: number;
  /**
   * Per-task wall-time limit, counted from the moment a ready worker receives the task
   * (worker start-up and module loading are not charged to it). The worker running an
   * overdue task is terminated and replaced.
   */
  timeoutMs?: number;
  /** Called as each task finishes, in completion order. If it throws, the pool stops and rejects. */
  onDone?: (index: number, outcome: TaskOutcome<R>) => void;
  /** Stops every worker and rejects with the signal's reason (an interrupt, a failed write). */
  signal?: AbortSignal;
}

export type TaskOutcome<R> = { ok: true; value: R } | { ok: false; error: string };

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Message protocol between the pool and a worker module that calls `serveTasks`. */
export interface TaskMessage<T> {
  index: number;
  task: T;
}
export type ReplyMessage<R> = { ready: true } | { index: number; outcome: TaskOutcome<R> };

/**
 * The worker side: announces that its modules are loaded, then answers each task. An
 * exception from `handler` is that task's failure; the worker stays up for the next one.
 */
export function serveTasks<T, R>(handler: (task: T) => R): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks must run in a worker thread');
  port.on('message', (msg: TaskMessage<T>) => {
    let reply: ReplyMessage<R>;
    try {
      reply = { index: msg.index, outcome: { ok: true, value: handler(msg.task) } };
    } catch (err) {
      reply = { index: msg.index, outcome: { ok: false, error: err instanceof Error ? err.message : String(err) } };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies ReplyMessage<R>);
}

export async function runPool<T, R>(
  tasks: readonly T[],
  workerUrl: URL,
  opts: PoolOptions<R> = {},
): Promise<TaskOutcome<R>[]> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(), tasks.length));
  const outcomes: (TaskOutcome<R> | undefined)[] = new Array(tasks.length).fill(undefined);
  if (tasks.length === 0) return [];
  let next = 0;
  let finished = 0;
  let stopped = false;
  const live = new Set<Worker>();

  return new Promise((resolve, reject) => {
    const signal = opts.signal;
    const onAbort = () => {
      stopAll();
      reject(signal?.reason);
    };
    const stopAll = () => {
      stopped = true;
      signal?.removeEventListener('abort', onAbort);
      for (const w of live) void w.terminate();
      live.clear();
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    const settle = (index: number, outcome: TaskOutcome<R>) => {
      // A reply can race a time-out or a crash report for the same task: the first one wins.
      if (stopped || outcomes[index] !== undefined) return;
      outcomes[index] = outcome;
      finished++;
      try {
        opts.onDone?.(index, outcome);
      } catch (err) {
        stopAll();
        reject(err);
        return;
      }
      if (finished === tasks.length) {
        stopAll();
        resolve(outcomes as TaskOutcome<R>[]);
      }
    };

    const startWorker = () => {
      if (stopped || next >= tasks.length) return;
      const worker = spawnWorker(workerUrl);
      live.add(worker);
      let current = -1;
      let timer: NodeJS.Timeout | undefined;
      let retired = false;

      // Ends this worker's service; `reason` fails the task it holds, if it has not finished.
      const retire = (reason: string | undefined) => {
        if (retired) return;
        retired = true;
        clearTimeout(timer);
        live.delete(worker);
        void worker.terminate();
        if (reason !== undefined) {
          if (current >= 0) settle(current, { ok: false, error: reason });
          // A worker that dies before it is ready (a module that fails to load) would die
          // again on every restart: charge it to a task so that the pool still ends.
          else if (next < tasks.length) settle(next++, { ok: false, error: `worker failed to start: ${reason}` });
        }
        startWorker();
      };

      const feed = () => {
        if (stopped) return;
        if (next >= tasks.length) {
          retire(undefined);
          return;
        }
        current = next++;
        worker.postMessage({ index: current, task: tasks[current] as T } satisfies TaskMessage<T>);
        if (opts.timeoutMs !== undefined) {
          const ms = opts.timeoutMs;
          // A stuck simulation cannot be interrupted from outside its thread: replace the worker.
          timer = setTimeout(() => retire(`timed out after ${formatMs(ms)}`), ms);
        }
      };

      worker.on('message', (reply: ReplyMessage<R>) => {
        if (retired) return;
        if ('ready' in reply) {
          feed();
          return;
        }
        clearTimeout(timer);
        settle(reply.index, reply.outcome);
        feed();
      });
      worker.on('error', (err) => retire(`worker crashed: ${err.message}`));
      worker.on('exit', (code) => retire(`worker exited with code ${code}`));
    };

    for (let i = 0; i < jobs; i++) startWorker();
  });
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Starts a worker from compiled JS, or from TypeScript sources under vitest/tsx, where
 * `execArgv: ['--import', 'tsx']` does not work on Node 20 (stack.md §3): the worker then
 * boots through an eval'd loader registration.
 */
export function spawnWorker(url: URL): Worker {
  if (url.pathname.endsWith('.ts')) {
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(url);
}

/** The worker URL next to this module, in whichever form (ts or js) this module runs. */
export function siblingUrl(name: string, base: string): URL {
  const ext = base.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, base);
}
