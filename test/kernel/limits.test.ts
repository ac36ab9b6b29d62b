import { describe, expect, it } from 'vitest';
import { simulateHost } from '../../src/kernel/simulate.js';
import { cgroup, host, MiB, proc, scenario } from './factory.js';

describe('allocation failures are not OOM kills', () => {
  it('RLIMIT_AS refuses growth past the limit: alloc-fail, the process keeps running', () => {
    const out = simulateHost(
      scenario({
        processes: [
          proc('a', {
            rlimitAsBytes: 48 * MiB,
            memory: { anonBytes: 96 * MiB, anonInitialBytes: 16 * MiB, growthBytesPerSec: 8 * MiB },
          }),
        ],
      }),
    );
    const fails = out.events.filter((e) => e.kind === 'alloc-fail');
    expect(fails).toHaveLength(1);
    expect(fails[0]!.message).toMatch(/RLIMIT_AS/);
    expect(out.summary.host.allocFailures).toBe(1);
    expect(out.summary.host.oomKills).toBe(0);
    expect(out.summary.processes.a!.peakRssBytes).toBeLessThanOrEqual(48 * MiB);
  });

  it('vm.overcommit_memory=2 refuses commits past CommitLimit although RAM is free', () => {
    const sc = scenario({
      host: host({ ramBytes: 256 * MiB, swapBytes: 0, device: 'none' }),
      processes: [
        proc('a', { memory: { anonBytes: 200 * MiB, anonInitialBytes: 32 * MiB, growthBytesPerSec: 32 * MiB } }),
      ],
    });
    sc.host.sysctl['vm.overcommit_memory'] = 2;
    const out = simulateHost(sc);
    expect(out.events.some((e) => e.kind === 'alloc-fail' && /overcommit_memory=2/.test(e.message))).toBe(true);
    // CommitLimit = 50 % of RAM: the heap stops near 128 MiB with RAM still free.
    expect(out.summary.processes.a!.peakRssBytes).toBeLessThan(130 * MiB);
    expect(Math.min(...(out.host.memFreeBytes as number[]))).toBeGreaterThan(100 * MiB);
  });
});

describe('user-space OOM daemon', () => {
  it('systemd-oomd kills the thrashing cgroup once its full avg10 stays above the limit', () => {
    // A loop over 300 MiB held under memory.high at 200 MiB: every allocation over it reclaims
    // and sleeps off the penalty (`mem_cgroup_handle_over_high`), and PSI counts both as memory
    // stalls, so full stays high while the 4 threads wait. (Refault reads count only for pages
    // that were in the working set, psi.c; a loop that never reached the active list would
    // show as plain IO wait.)
    const sc = scenario({
      durationMs: 90_000,
      host: host({ device: 'hdd' }),
      cgroups: [cgroup('batch', { high: 200 * MiB })],
      processes: [
        proc('batch', {
          cgroup: 'batch',
          cpu: { threads: 4, cores: 4 },
          memory: { anonBytes: 400 * MiB },
          access: [{ atMs: 0, pattern: { kind: 'loop', fraction: 0.75 } }],
        }),
      ],
      oomDaemons: [
        {
          kind: 'systemd-oomd',
          cgroups: ['batch'],
          pressureLimitPct: 40,
          pressureKind: 'full',
          durationMs: 10_000,
          swapUsedLimitPct: null,
          victim: 'most-reclaim',
        },
      ],
    });
    const out = simulateHost(sc);
    const kill = out.events.find((e) => e.kind === 'oomd-kill');
    expect(kill?.process).toBe('batch');
    expect(kill!.timeMs).toBeGreaterThanOrEqual(10_000);
    expect(out.summary.host.oomKills).toBe(1);
    expect(out.summary.processes.batch!.oomKilled).toBe(true);
  });
});

describe('cgroup swap and group kills', () => {
  it('swap readahead goes on at memory.max: the readahead pages are charged, the cgroup reclaims for them', () => {
    // A sequential pass over a region twice the limit: every fault is adjacent to the last, so
    // the VMA window opens to 2^page-cluster = 8 pages. The kernel charges readahead folios
    // (mem_cgroup_swapin_charge_folio); stopping at the limit read 6.05 pages per fault here.
    const out = simulateHost(
      scenario({
        cgroups: [cgroup('job', { max: 32 * MiB })],
        processes: [
          proc('a', {
            cgroup: 'job',
            memory: { anonBytes: 64 * MiB },
            access: [{ atMs: 0, pattern: { kind: 'scan' } }],
          }),
        ],
      }),
    );
    const a = out.summary.processes.a!;
    expect(a.majorFaults).toBeGreaterThan(10_000);
    expect(a.swapInPages / a.majorFaults).toBeGreaterThan(7.5);
    // Pages read ahead count as the faulting process's swap-ins too.
    expect(a.swapInPages).toBe(out.summary.host.swapInPages);
  });

  it('memory.swap.max caps the swap a cgroup uses', () => {
    const out = simulateHost(
      scenario({
        cgroups: [cgroup('box', { swapMax: 16 * MiB })],
        processes: [proc('a', { cgroup: 'box', memory: { anonBytes: 320 * MiB } })],
      }),
    );
    const swap = out.cgroups.box!.swapBytes as number[];
    expect(Math.max(...swap)).toBeGreaterThan(8 * MiB);
    expect(Math.max(...swap)).toBeLessThanOrEqual(16 * MiB);
  });

  it('memory.oom.group kills every process of the cgroup together', () => {
    const out = simulateHost(
      scenario({
        cgroups: [cgroup('grp', { max: 48 * MiB, swapMax: 0, oomGroup: true })],
        processes: [
          proc('x', { cgroup: 'grp', memory: { anonBytes: 40 * MiB } }),
          proc('y', { cgroup: 'grp', memory: { anonBytes: 20 * MiB }, touchesPerSec: 100 }),
          proc('z', { memory: { anonBytes: 20 * MiB } }),
        ],
      }),
    );
    const victims = out.events.filter((e) => e.kind === 'oom-kill').map((e) => e.process);
    expect(victims.sort()).toEqual(['x', 'y']);
  });
});
