import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * A worker_threads pool that runs independent tasks on all cores. Each task is isolated:
 * an exception or a time-out in one becomes that task's failure and the others finish.
 * Results come back through `onDone` as each task finishes (so callers can write them at
 * once) and are also returned in task order, so the output never depends on `jobs`.
 */

export interface PoolOptions<R> {
  jobs?: number;
  /** Per-task wall-time limit; the worker running an overdue task is terminated and replaced. */
  timeoutMs?: number;
  /** Called as each task finishes, in completion order. */
  onDone?: (index: number, outcome: TaskOutcome<R>) => void;
}

export type TaskOutcome<R> = { ok: true; value: R } | { ok: false; error: string };

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Message protocol between the pool and worker.ts. */
export interface TaskMessage<T> {
  index: number;
  task: T;
}
export interface ReplyMessage<R> {
  index: number;
  outcome: TaskOutcome<R>;
}

export async function runPool<T, R>(
  tasks: readonly T[],
  workerUrl: URL,
  opts: PoolOptions<R> = {},
): Promise<TaskOutcome<R>[]> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(), tasks.length));
  const outcomes: TaskOutcome<R>[] = new Array(tasks.length);
  let next = 0;
  let finished = 0;
  if (tasks.length === 0) return outcomes;

  return new Promise((resolve) => {
    const settle = (index: number, outcome: TaskOutcome<R>) => {
      outcomes[index] = outcome;
      finished++;
      opts.onDone?.(index, outcome);
      if (finished === tasks.length) resolve(outcomes);
    };

    const startWorker = () => {
      const worker = spawnWorker(workerUrl);
      let current = -1;
      let timer: NodeJS.Timeout | undefined;
      let retired = false;

      const feed = () => {
        if (next >= tasks.length) {
          retired = true;
          void worker.terminate();
          return;
        }
        current = next++;
        const msg: TaskMessage<T> = { index: current, task: tasks[current] as T };
        worker.postMessage(msg);
        if (opts.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            // A stuck simulation cannot be interrupted from outside its thread: replace the worker.
            retired = true;
            void worker.terminate();
            settle(current, { ok: false, error: `timed out after ${opts.timeoutMs} ms` });
            startWorker();
          }, opts.timeoutMs);
        }
      };

      worker.on('message', (reply: ReplyMessage<R>) => {
        clearTimeout(timer);
        settle(reply.index, reply.outcome);
        feed();
      });
      worker.on('error', (err) => {
        clearTimeout(timer);
        if (retired) return;
        retired = true;
        if (current >= 0 && outcomes[current] === undefined) {
          settle(current, { ok: false, error: `worker crashed: ${err.message}` });
        }
        startWorker();
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        if (retired) return;
        retired = true;
        if (current >= 0 && outcomes[current] === undefined) {
          settle(current, { ok: false, error: `worker exited with code ${code} (out of memory?)` });
        }
        startWorker();
      });
      feed();
    };

    for (let i = 0; i < jobs; i++) startWorker();
  });
}

/**
 * Starts a worker from compiled JS, or from TypeScript sources under vitest/tsx, where
 * `execArgv: ['--import', 'tsx']` does not work on Node 20 (stack.md §3): the worker then
 * boots through an eval'd loader registration.
 */
function spawnWorker(url: URL): Worker {
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
