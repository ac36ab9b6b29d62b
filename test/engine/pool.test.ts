import { describe, expect, it } from 'vitest';
import { runPool, type TaskOutcome } from '../../src/engine/pool.js';
import type { TestTask } from './fixtures/task-worker.js';

const workerUrl = new URL('./fixtures/task-worker.ts', import.meta.url);
type Out = { seed: number; checksum: number };

const work = (seed: number): TestTask => ({ kind: 'work', seed, n: 200_000 });

describe('runPool', () => {
  it('returns the same outcomes in task order for 1 and 2 jobs', async () => {
    const tasks = Array.from({ length: 8 }, (_, i) => work(i + 1));
    const one = await runPool<TestTask, Out>(tasks, workerUrl, { jobs: 1 });
    const two = await runPool<TestTask, Out>(tasks, workerUrl, { jobs: 2 });
    expect(two).toEqual(one);
    expect(one.map((o) => (o.ok ? o.value.seed : -1))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(one.map((o) => (o.ok ? o.value.checksum : -1))).size).toBe(8);
  });

  it('records an exception, a dead worker and a time-out, and finishes the other tasks', async () => {
    const tasks: TestTask[] = [
      work(1),
      { kind: 'throw', message: 'bad variant' },
      work(2),
      { kind: 'exit', code: 7 },
      work(3),
      { kind: 'hang' },
      work(4),
    ];
    const doneOrder: number[] = [];
    const outcomes = await runPool<TestTask, Out>(tasks, workerUrl, {
      jobs: 2,
      timeoutMs: 3000,
      onDone: (i) => doneOrder.push(i),
    });
    const errors = outcomes.map((o) => (o.ok ? null : o.error));
    expect(errors).toEqual([null, 'bad variant', null, 'worker exited with code 7', null, 'timed out after 3 s', null]);
    const alone = await runPool<TestTask, Out>([work(1), work(2), work(3), work(4)], workerUrl, { jobs: 1 });
    expect(outcomes.filter((o) => o.ok)).toEqual(alone);
    expect([...doneOrder].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('fails every task, and still ends, when the worker module cannot load', async () => {
    const missing = new URL('./fixtures/no-such-worker.ts', import.meta.url);
    const outcomes = await runPool<TestTask, Out>([work(1), work(2), work(3)], missing, { jobs: 2 });
    expect(outcomes).toHaveLength(3);
    for (const o of outcomes as TaskOutcome<Out>[]) {
      expect(o.ok).toBe(false);
      if (!o.ok) expect(o.error).toMatch(/^worker failed to start: worker crashed: .*no-such-worker/);
    }
  });

  it('rejects, and stops its workers, when the onDone callback throws', async () => {
    const tasks = Array.from({ length: 6 }, (_, i) => work(i + 1));
    await expect(
      runPool<TestTask, Out>(tasks, workerUrl, {
        jobs: 2,
        onDone: () => {
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
  });
});
