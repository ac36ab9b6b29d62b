import { describe, expect, it } from 'vitest';
import { simulateHost } from '../../src/kernel/simulate.js';
import { cgroup, MiB, proc, scenario, sum } from './factory.js';

describe('memory.high throttle events', () => {
  // A heap growing past memory.high; high is lifted at 10 s and set higher at 14 s: two episodes.
  const throttled = () =>
    simulateHost(
      scenario({
        cgroups: [cgroup('box', { high: 48 * MiB, swapMax: 0 })],
        processes: [
          proc('a', {
            cgroup: 'box',
            memory: { anonBytes: 200 * MiB, anonInitialBytes: 0, growthBytesPerSec: 8 * MiB },
          }),
        ],
        events: [
          {
            atMs: 8000,
            action: 'cgroup',
            cgroup: 'box',
            file: 'memory.high',
            field: 'high',
            value: null,
            label: 'lift',
          },
          {
            atMs: 14_000,
            action: 'cgroup',
            cgroup: 'box',
            file: 'memory.high',
            field: 'high',
            value: 120 * MiB,
            label: 'cap',
          },
        ],
      }),
    );

  it('emits one event per throttling episode with its total sleep, not one per tick', () => {
    const out = throttled();
    const evs = out.events.filter((e) => e.kind === 'throttle');
    const seconds = (out.cgroups.box!.throttledMsPerSec as number[]).filter((x) => x > 0).length;
    expect(evs).toHaveLength(2);
    expect(seconds).toBeGreaterThan(4);
    expect(evs.every((e) => e.cgroup === 'box' && Number(e.detail!.throttledMs) > 0)).toBe(true);
    // The first episode ends when memory.high is lifted at 10 s; the second lasts to the end.
    expect(evs[0]!.timeMs + Number(evs[0]!.detail!.durationMs)).toBeLessThanOrEqual(10_100);
    expect(evs[1]!.timeMs).toBeGreaterThanOrEqual(14_000);
    expect(evs[1]!.message).toMatch(/still throttled at the end/);
    const total = Number(evs[0]!.detail!.throttledMs) + Number(evs[1]!.detail!.throttledMs);
    const box = out.summary.cgroups!.box!;
    expect(box.throttleEpisodes).toBe(2);
    expect(Math.abs(box.throttledMs - total)).toBeLessThanOrEqual(2);
    // The series is the same sleep, per second of each 1 s step.
    expect(Math.abs(sum(out.cgroups.box!.throttledMsPerSec!) - box.throttledMs)).toBeLessThan(1);
    expect(box.memoryEvents.high).toBeGreaterThan(0);
    expect(box.memoryEvents.max).toBe(0);
  });
});

describe('memory.events counters (summary.cgroups)', () => {
  it('max, oom and oom_kill count in the limited cgroup and its ancestors, not elsewhere', () => {
    const out = simulateHost(
      scenario({
        cgroups: [cgroup('batch'), cgroup('batch/job', { parent: 'batch', max: 32 * MiB, swapMax: 0 }), cgroup('db')],
        processes: [
          proc('hog', { cgroup: 'batch/job', memory: { anonBytes: 64 * MiB } }),
          proc('db', { cgroup: 'db', memory: { anonBytes: 32 * MiB } }),
        ],
      }),
    );
    const job = out.summary.cgroups!['batch/job']!.memoryEvents;
    // One per reclaim, none of which frees anything: the first drains the per-CPU charge
    // stocks, the next 16 use up MAX_RECLAIM_RETRIES, the 18th OOMs (try_charge_memcg; the
    // lab's kernel traced 18 empty memcg reclaims before each kill).
    expect(job.max).toBe(18);
    expect(job.oom).toBe(1);
    expect(job.oomKill).toBe(1);
    expect(out.summary.cgroups!.batch!.memoryEvents).toEqual(job);
    expect(out.summary.cgroups!.db!.memoryEvents).toEqual({ low: 0, high: 0, max: 0, oom: 0, oomKill: 0 });
  });

  it('low counts reclaim below memory.low once nothing unprotected is left', () => {
    const run = (low: number) =>
      simulateHost(
        scenario({
          cgroups: [cgroup('db', { low })],
          processes: [proc('db', { cgroup: 'db', memory: { anonBytes: 320 * MiB } })],
        }),
      ).summary.cgroups!.db!.memoryEvents.low;
    expect(run(512 * MiB)).toBeGreaterThan(0);
    expect(run(0)).toBe(0);
  });
});
