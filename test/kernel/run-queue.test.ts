import { describe, expect, it } from 'vitest';
import { allCpusBusy, baseSliceMs } from '../../src/kernel/run-queue.js';
import { simulateHost } from '../../src/kernel/simulate.js';
import { host, MiB, proc, scenario } from './factory.js';

describe('run-queue wait at wakeup (EEVDF base slice, idle-CPU selection)', () => {
  it('base slice: 0.75 ms × (1 + ilog2(min(cpus, 8)))', () => {
    expect([1, 2, 3, 4, 8, 64].map(baseSliceMs)).toEqual([0.75, 1.5, 1.5, 2.25, 3, 3]);
  });

  it('all CPUs busy: the Poisson-binomial tail, without the waking process', () => {
    const s = new Float64Array(3);
    // Three tasks busy half the time on 2 CPUs: P(≥ 2 of 3) = 3 · ¼ · ½ + ⅛ = ½.
    expect(allCpusBusy([0.5, 0.5, 0.5], 3, 2, 0, 0, s)).toBeCloseTo(0.5, 12);
    // One CPU: 1 − Π(1 − u).
    expect(allCpusBusy([0.2, 0.5], 2, 1, 0, 0, s)).toBeCloseTo(1 - 0.8 * 0.5, 12);
    // The waking process's own tasks (index 1) are left out: only one other task on 2 CPUs.
    expect(allCpusBusy([1, 1, 1], 3, 2, 1, 3, s)).toBe(0);
    expect(allCpusBusy([1, 1, 1], 3, 2, 2, 3, s)).toBe(1);
  });

  const service = () =>
    proc('svc', {
      memory: { anonBytes: 8 * MiB },
      requests: { ratePerSec: 200, cpuMs: 0.5, pagesPerRequest: 8, closed: null, wake: 'event' },
    });
  // A touch rate spends a whole core on its touches: a CPU-bound task that never faults.
  const hog = (name: string) => proc(name, { memory: { anonBytes: 8 * MiB } });
  const run = (hogs: number) => {
    const out = simulateHost(
      scenario({
        durationMs: 5_000,
        host: host({ cpus: 2, ramBytes: 1024 * MiB }),
        processes: [service(), ...Array.from({ length: hogs }, (_, i) => hog(`hog${i}`))],
      }),
    );
    return out.summary.processes.svc!.latencyMs!;
  };

  it('a service that never faults waits for a CPU only when the others fill every CPU', () => {
    const alone = run(0);
    const one = run(1);
    const two = run(2);
    // One CPU-bound neighbour on 2 CPUs leaves a CPU idle: nothing changes.
    expect(one.p99Ms).toBeCloseTo(alone.p99Ms, 6);
    // Two fill both CPUs: a woken thread waits out up to a 1.5 ms slice (and shares its CPU).
    expect(two.p99Ms).toBeGreaterThan(alone.p99Ms + 0.5);
    expect(two.p99Ms).toBeLessThan(alone.p99Ms * 1.5 + 1.5 + 0.1);
  });
});
