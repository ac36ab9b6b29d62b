import { describe, expect, it } from 'vitest';
import { Host } from '../../src/kernel/host.js';
import { simulateHost } from '../../src/kernel/simulate.js';
import { LRU_ACTIVE_ANON, LRU_INACTIVE_ANON, LRU_LISTS, type ProcRt, YOUNG } from '../../src/kernel/state.js';
import { cgroup, host, MiB, proc, scenario, sum } from './factory.js';

const events = { oomKill: () => {}, swapFull: () => {} };

/** Two children under a parent at its limit, each holding `pages` warm pages. */
function siblings(
  swappiness: [number | null, number | null] = [null, null],
  defPriority = 12,
  device: 'ssd' | 'zram' = 'ssd',
) {
  const base = host({ ramBytes: 1024 * MiB, device });
  const sc = scenario({
    host: { ...base, kernel: { ...base.kernel, defPriority } },
    cgroups: [
      cgroup('p', { max: 64 * MiB }),
      cgroup('p/a', { swappiness: swappiness[0] }),
      cgroup('p/b', { swappiness: swappiness[1] }),
    ],
    processes: [
      proc('a', { cgroup: 'p/a', memory: { anonBytes: 32 * MiB } }),
      proc('b', { cgroup: 'p/b', memory: { anonBytes: 64 * MiB } }),
    ],
  });
  const h = new Host(sc, 1, events);
  const [a, b] = h.state.procs as [ProcRt, ProcRt];
  for (let i = 0; i < (32 * MiB) / 4096; i++) h.warmInsert(a, a.anonBase + i, false);
  for (let i = 0; i < (32 * MiB) / 4096 - 16; i++) h.warmInsert(b, b.anonBase + i, false);
  // Pages reclaim has aged once (accessed bits cleared): unreferenced, each can go at once.
  for (const p of [a, b]) for (let q = p.anonBase; q < p.anonBase + p.anonCap; q++) h.state.flags[q]! &= ~YOUNG;
  return { h, a, b };
}

describe('memcg limit reclaim (try_charge_memcg, shrink_node_memcgs)', () => {
  it('walks the children round robin: each reclaim resumes after the memcg the last one stopped at', () => {
    // At priority 4 each child's list gives the 32-page goal alone (8192 >> 4 = 512 pages to scan).
    // zram frees a written page at once (SWP_SYNCHRONOUS_IO); on a disk the page stays in the
    // swap cache until its write completes, so the first memcg visited frees nothing yet and the
    // partial walk goes on to the next (nr_reclaimed counts pages freed, not written).
    const { h, a, b } = siblings([null, null], 4, 'zram');
    const cgA = h.state.cgs[h.cgroupIndex('p/a')]!;
    const cgB = h.state.cgs[h.cgroupIndex('p/b')]!;
    const scanned: string[] = [];
    for (let i = 0; i < 6; i++) {
      const before = [cgA.pgscan, cgB.pgscan];
      // Warm pages are unreferenced: the first memcg visited meets the 32-page goal alone.
      h.reclaimCgroup(h.cgroupIndex('p'), 32, b);
      scanned.push(cgA.pgscan > before[0]! ? (cgB.pgscan > before[1]! ? 'ab' : 'a') : 'b');
    }
    expect(scanned).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(a.swap).toBeGreaterThan(0);
    expect(b.swap).toBeGreaterThan(0);
  });

  it('weighs each child by its own swappiness, rounding down (get_scan_count, div64_u64 for online memcgs)', () => {
    const { h } = siblings([10, 60]);
    const cgA = h.state.cgs[h.cgroupIndex('p/a')]!;
    const cgB = h.state.cgs[h.cgroupIndex('p/b')]!;
    // Same list sizes; anon scanned as 10/200 of the size against 60/200. Rounding up gave
    // each child at least a page per pass, so the swappiness-10 child paid as much as the other
    // until the priority dropped: 1 : 1 instead of about 1 : 6.
    const b = h.state.procs[1]!;
    for (let i = 0; i < 8; i++) h.reclaimCgroup(h.cgroupIndex('p'), 32, b);
    expect(cgA.swap + cgB.swap).toBeGreaterThanOrEqual(8 * 32);
    expect(cgA.swap * 4).toBeLessThan(cgB.swap);
  });

  it('never swaps when the v1 memsw limit refused the charge, and the memcg OOM kills the grower', () => {
    // memsw = memory limit: no swap allowance. A leak fills the cgroup and is killed; the
    // service beside it keeps every page in memory (MAY_SWAP cleared).
    const sc = scenario({
      durationMs: 6000,
      host: host({ ramBytes: 1024 * MiB }),
      cgroups: [cgroup('box', { max: 96 * MiB, memswLimit: 96 * MiB, origin: 'v1' })],
      processes: [
        proc('svc', { cgroup: 'box', memory: { anonBytes: 32 * MiB } }),
        proc('leak', {
          cgroup: 'box',
          startMs: 1000,
          memory: { anonBytes: 0, anonInitialBytes: 0, leakBytesPerSec: 64 * MiB },
        }),
      ],
    });
    const out = simulateHost(sc);
    expect(out.summary.host.swapOutPages).toBe(0);
    const kill = out.events.find((e) => e.kind === 'oom-kill');
    expect(kill?.process).toBe('leak');
    // 64 MiB left at 64 MiB/s: the kill comes about a second after the leak starts, not later.
    expect(kill!.timeMs).toBeGreaterThan(1500);
    expect(kill!.timeMs).toBeLessThan(2600);
    expect(sum(out.processes.svc!.majorFaultsPerSec!)).toBe(0);
  });

  it('allocates a leak at leakPerSec however low touchesPerSec is', () => {
    const sc = scenario({
      durationMs: 3000,
      host: host({ ramBytes: 1024 * MiB }),
      processes: [
        proc('leak', {
          touchesPerSec: 1000,
          memory: { anonBytes: 0, anonInitialBytes: 0, leakBytesPerSec: 32 * MiB },
        }),
      ],
    });
    const out = simulateHost(sc);
    const rss = out.processes.leak!.rssBytes!;
    // 32 MiB per second for 3 s, where 1000 touches/s would have allowed 4 MB per second.
    expect(rss.at(-1)!).toBeGreaterThan(90 * MiB);
  });

  it('charges each page reclaim writes out its pageOut CPU, on top of the scanning', () => {
    const filler = (pageOutCpuUs: number) => {
      const base = host({ ramBytes: 1024 * MiB });
      const sc = scenario({
        durationMs: 2000,
        host: { ...base, costs: { ...base.costs, pageOutCpuUs } },
        cgroups: [cgroup('lab', { max: 32 * MiB })],
        processes: [proc('fill', { cgroup: 'lab', memory: { anonBytes: 64 * MiB }, startMs: 100 })],
      });
      let reclaimSec = 0;
      const out = simulateHost(sc, {
        onTick: (h) => {
          reclaimSec = h.state.procs[0]!.total.cpuReclaimSec;
        },
      });
      return { reclaimSec, swapOut: out.summary.host.swapOutPages };
    };
    const free = filler(0);
    const paid = filler(10);
    expect(free.swapOut).toBeGreaterThan(4000);
    // Per page written, the reclaim CPU grows by the 10 µs (the slower filler writes a few fewer pages).
    const perPage = (x: { reclaimSec: number; swapOut: number }) => x.reclaimSec / x.swapOut;
    expect((perPage(paid) - perPage(free)) / 10e-6).toBeCloseTo(1, 1);
  });
});

describe('memcg statistics as of the last flush (host.kernel.memcgStatsFlush)', () => {
  /** One limited cgroup: 1024 active and 3072 inactive warm anon pages, none referenced. */
  function activeAndInactive(memcgStatsFlushMs: number | null) {
    const base = host({ ramBytes: 1024 * MiB });
    const sc = scenario({
      host: { ...base, kernel: { ...base.kernel, memcgStatsFlushMs } },
      cgroups: [cgroup('p', { max: 64 * MiB })],
      processes: [proc('a', { cgroup: 'p', memory: { anonBytes: 32 * MiB } })],
    });
    const h = new Host(sc, 1, events);
    const a = h.state.procs[0] as ProcRt;
    for (let i = 0; i < 4096; i++) h.warmInsert(a, a.anonBase + i, i < 1024);
    for (let q = a.anonBase; q < a.anonBase + 4096; q++) h.state.flags[q]! &= ~YOUNG;
    h.beginTick(0);
    const c = h.cgroupIndex('p');
    const active = () => h.state.lru.size[c * LRU_LISTS + LRU_ACTIVE_ANON]!;
    const inactive = () => h.state.lru.size[c * LRU_LISTS + LRU_INACTIVE_ANON]!;
    // Reclaim takes unreferenced inactive pages until fewer are left than are active.
    const reclaimBelowActive = () => {
      while (inactive() >= 800) h.reclaimCgroup(c, 32, a);
    };
    return { h, active, reclaimBelowActive };
  }

  it('read live, reclaim deactivates as soon as the inactive list is smaller than the active one', () => {
    const { active, reclaimBelowActive } = activeAndInactive(null);
    reclaimBelowActive();
    expect(active()).toBeLessThan(1024);
  });

  it('flushed every 100 ms, inactive_is_low sees the sizes of the last flush until the next one', () => {
    const { h, active, reclaimBelowActive } = activeAndInactive(100);
    reclaimBelowActive();
    // The flush at 0 saw 3072 inactive against 1024 active: nothing is deactivated.
    expect(active()).toBe(1024);
    h.beginTick(50_000);
    h.reclaimCgroup(h.cgroupIndex('p'), 32, h.state.procs[0] as ProcRt);
    expect(active()).toBe(1024);
    // The tick at 100 ms flushes: the next reclaim finds the inactive list low and deactivates.
    h.beginTick(100_000);
    h.reclaimCgroup(h.cgroupIndex('p'), 32, h.state.procs[0] as ProcRt);
    expect(active()).toBeLessThan(1024);
  });
});
