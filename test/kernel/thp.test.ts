import { describe, expect, it } from 'vitest';
import { simulateHost } from '../../src/kernel/simulate.js';
import type { HostConfig } from '../../src/scenario/types.js';
import { cgroup, MiB, proc, scenario } from './factory.js';

const withThp = (thp: HostConfig['thp'], over: Parameters<typeof scenario>[0] = {}) => {
  const sc = scenario(over);
  sc.host.thp = thp;
  return sc;
};

describe('THP (host.thp, kernel-model.md §9)', () => {
  // A heap of 64 MiB allocated from nothing at 16 MiB/s.
  const growing = {
    processes: [proc('a', { memory: { anonBytes: 64 * MiB, anonInitialBytes: 0, growthBytesPerSec: 16 * MiB } })],
  };

  it('always: one fault maps 2 MiB, with its zeroing cost; never and madvise fault 4 KiB pages', () => {
    const never = simulateHost(withThp('never', growing));
    const madvise = simulateHost(withThp('madvise', growing));
    const always = simulateHost(withThp('always', growing));
    expect(never.summary.processes.a!.minorFaults).toBe(16_384);
    expect(JSON.stringify(madvise)).toBe(JSON.stringify(never));
    expect(always.summary.processes.a!.minorFaults).toBe(32);
    expect(always.summary.processes.a!.peakRssBytes).toBe(64 * MiB);
    // 32 × (1 + 75) µs of fault CPU against 16 384 × 1 µs.
    const faultCpu = (o: typeof never) => o.host.cpuFaultPct!.reduce<number>((a, x) => a + (x ?? 0), 0);
    expect(faultCpu(always)).toBeLessThan(faultCpu(never) / 4);
  });

  it('always: a sparse heap is bloated to whole huge pages', () => {
    // 8 MiB in use, scattered over a 64 MiB region: nearly every 2 MiB range gets a huge page.
    const sparse = {
      processes: [proc('a', { startMs: 1000, memory: { anonBytes: 64 * MiB, anonInitialBytes: 8 * MiB } })],
    };
    const rss = (thp: HostConfig['thp']) => simulateHost(withThp(thp, sparse)).summary.processes.a!.peakRssBytes;
    expect(rss('never')).toBeLessThanOrEqual(8 * MiB + 4096);
    expect(rss('always')).toBeGreaterThan(48 * MiB);
  });

  it('falls back to 4 KiB pages when the cgroup cannot take a whole huge page, or the range is not whole', () => {
    const run = (max: number) =>
      simulateHost(
        withThp('always', {
          cgroups: [cgroup('box', { max })],
          processes: [
            proc('a', {
              cgroup: 'box',
              memory: { anonBytes: 5 * MiB, anonInitialBytes: 0, growthBytesPerSec: 5 * MiB },
            }),
          ],
        }),
      );
    // Unlimited: two huge faults for [0, 4 MiB); the last 1 MiB is no whole range: 256 faults.
    expect(run(Number.POSITIVE_INFINITY).summary.processes.a!.minorFaults).toBe(2 + 256);
    // memory.max 3 MiB: the second range does not fit beside the first and falls back.
    const capped = run(3 * MiB);
    expect(capped.summary.processes.a!.minorFaults).toBeGreaterThanOrEqual(1 + 512 + 256);
    expect(Math.max(...(capped.cgroups.box!.usageBytes as number[]))).toBeLessThanOrEqual(3 * MiB);
    expect(capped.summary.host.oomKills).toBe(0);
  });
});
