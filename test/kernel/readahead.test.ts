import { describe, expect, it } from 'vitest';
import { Host } from '../../src/kernel/host.js';
import { FILE, type ProcRt, RES, SC, SWP, YOUNG } from '../../src/kernel/state.js';
import type { SwapDeviceKind } from '../../src/scenario/types.js';
import { cgroup, host, MiB, proc, scenario } from './factory.js';

const events = { oomKill: () => {}, swapFull: () => {} };

/**
 * Two processes in one memcg at its limit; their pages swapped out alternately (a0, b0, a1, b1,
 * …) so that slots and addresses disagree: neighbours in swap belong to the other process.
 */
function interleaved(device: SwapDeviceKind, rotational: boolean, origin: 'v1' | 'v2' = 'v2') {
  const sc = scenario({
    host: host({ ramBytes: 1024 * MiB, device }),
    cgroups: [cgroup('box', { max: 4 * MiB, origin })],
    processes: [
      proc('a', { cgroup: 'box', memory: { anonBytes: 4 * MiB } }),
      proc('b', { cgroup: 'box', memory: { anonBytes: 4 * MiB } }),
    ],
  });
  sc.host.swap.rotational = rotational;
  const h = new Host(sc, 1, events);
  const [a, b] = h.state.procs as [ProcRt, ProcRt];
  for (let i = 0; i < 256; i++) {
    h.touch(a, a.anonBase + i);
    h.touch(b, b.anonBase + i);
  }
  // Fill the rest of the limit with b's pages until the first 64 pages of each went to swap.
  let page = b.anonBase + 256;
  while (!(h.state.flags[a.anonBase + 63]! & SWP)) h.touch(b, page++);
  return { h, a, b };
}

describe('swap readahead (__swapin_nr_pages, swap_cluster_readahead, swap_vma_readahead)', () => {
  it('on a rotational disk reads the swap-slot cluster around the fault, other processes’ pages included', () => {
    const { h, a, b } = interleaved('ssd', true);
    const flags = h.state.flags;
    // Two adjacent swap-ins open the window (no hits yet: adjacency of the slots counts).
    h.touch(a, a.anonBase + 10);
    h.touch(b, b.anonBase + 10);
    expect(h.state.slotOf[a.anonBase + 11]).toBeGreaterThanOrEqual(0);
    h.touch(a, a.anonBase + 11);
    const inCache = (p: ProcRt, i: number) => (flags[p.anonBase + i]! & (RES | SC)) === (RES | SC);
    // The window of 2 slots around a11's slot holds b11, not a12.
    expect(inCache(b, 11)).toBe(true);
    expect(inCache(a, 12)).toBe(false);
  });

  it('on cgroup v1 a page read into the swap cache gives back its swap charge, and takes it again when dropped', () => {
    for (const origin of ['v1', 'v2'] as const) {
      const { h, a, b } = interleaved('ssd', true, origin);
      const box = h.state.cgs.find((c) => c.path === 'box')!;
      h.touch(a, a.anonBase + 10);
      h.touch(b, b.anonBase + 10);
      const swapped = box.swap;
      // a11's fault reads b11 with it (the window of 2 above): v1 uncharges both pages' swap
      // (memcg1_swapin), v2 only a11's, whose slot is freed; b11 keeps its slot on both.
      h.touch(a, a.anonBase + 11);
      expect(h.state.flags[b.anonBase + 11]! & SC, origin).toBe(SC);
      expect(box.swap, origin).toBe(swapped - (origin === 'v1' ? 2 : 1));
      // Mapping b11 frees its slot: the charge v1 gave back already is not given back twice.
      h.touch(b, b.anonBase + 11);
      expect(box.swap, origin).toBe(swapped - 2);
      // Through more faults with readahead and reclaim dropping clean swap-cache pages, the charge
      // stays what each version counts: v1 the pages only on swap, v2 every page holding a slot.
      for (let i = 12; i < 60; i++) h.touch(i % 2 ? a : b, (i % 2 ? a : b).anonBase + i);
      const flags = h.state.flags;
      const cached: number[] = [];
      for (const p of [a, b])
        for (let q = p.anonBase; q < p.anonBase + p.anonCap; q++) if (flags[q]! & SC) cached.push(q);
      expect(cached.length, origin).toBeGreaterThan(0);
      // Touches of the pages past 100 make reclaim drop some of them (never mapped).
      for (let i = 100; i < 1024 && !cached.some((c) => !(flags[c]! & RES)); i++) {
        h.touch(a, a.anonBase + i);
        h.touch(b, b.anonBase + i);
      }
      expect(
        cached.some((c) => !(flags[c]! & RES)),
        origin,
      ).toBe(true);
      let onSwapOnly = 0;
      let withSlot = 0;
      for (const p of [a, b]) {
        for (let q = p.anonBase; q < p.anonBase + p.anonCap; q++) {
          if ((h.state.flags[q]! & (SWP | RES)) === SWP) onSwapOnly++;
          if (h.state.slotOf[q]! >= 0) withSlot++;
        }
      }
      expect(withSlot, origin).toBeGreaterThan(onSwapOnly);
      expect(box.swap, origin).toBe(origin === 'v1' ? onSwapOnly : withSlot);
    }
  });

  it('on a non-rotational disk reads the addresses after a forward fault, never another process’s pages', () => {
    const { h, a, b } = interleaved('ssd', false);
    const flags = h.state.flags;
    h.touch(a, a.anonBase + 20);
    h.touch(a, a.anonBase + 21);
    const inCache = (p: ProcRt, i: number) => (flags[p.anonBase + i]! & (RES | SC)) === (RES | SC);
    // Adjacent faults give a window of 2 placed forward from a21: a22 comes in with it.
    expect(inCache(a, 22)).toBe(true);
    expect(inCache(b, 21)).toBe(false);
    expect(inCache(b, 22)).toBe(false);
    // A hit on a22 widens the next window to 4, forward again: a24..a26 after a fault on a23.
    h.touch(a, a.anonBase + 22);
    h.touch(a, a.anonBase + 23);
    expect([24, 25, 26].every((i) => inCache(a, i))).toBe(true);
  });

  it('charges the transfer of the pages read ahead to the faulting task', () => {
    const { h, a } = interleaved('hdd', false);
    // Faults on 31 and 33 and hits on 32, 34, 35 and 36 widen the window to 8: 38..44 come with 37.
    for (let i = 30; i <= 36; i++) h.touch(a, a.anonBase + i);
    const inCache = () => {
      let n = 0;
      for (let i = 0; i < 64; i++) if ((h.state.flags[a.anonBase + i]! & (RES | SC)) === (RES | SC)) n++;
      return n;
    };
    const cached = inCache();
    h.setDeviceBacklog(0, 0);
    const before = a.tick.ioWaitSec;
    h.touch(a, a.anonBase + 37);
    const ahead = inCache() - cached;
    expect(ahead).toBe(7);
    // HDD: 10 ms for the faulting page, then 4 KiB at 150 MB/s for each page read with it.
    expect(a.tick.ioWaitSec - before).toBeCloseTo(0.01 + (ahead * 4096) / 150e6, 9);
  });

  it('zram swaps in synchronously without readahead', () => {
    const { h, a } = interleaved('zram', false);
    h.touch(a, a.anonBase + 40);
    h.touch(a, a.anonBase + 41);
    h.touch(a, a.anonBase + 42);
    expect(h.state.flags[a.anonBase + 43]! & SC).toBe(0);
    expect(h.state.flags[a.anonBase + 43]! & FILE).toBe(0);
  });
});

describe('PSI memory stalls (psi_memstall_enter)', () => {
  it('count the wait for a working-set refault, not the wait for any other read', () => {
    const sc = scenario({
      host: host({ ramBytes: 1024 * MiB }),
      cgroups: [cgroup('box', { max: 2 * MiB })],
      processes: [proc('a', { cgroup: 'box', memory: { anonBytes: 4 * MiB } })],
    });
    const h = new Host(sc, 1, events);
    const a = h.state.procs[0] as ProcRt;
    // Pages 0..299 active (PG_workingset when deactivated), page 300 only ever inactive: new
    // pages make the inactive list low, the active tail (page 299, warm-inserted last) is
    // deactivated and evicted.
    for (let i = 0; i < 300; i++) h.warmInsert(a, a.anonBase + i, true);
    h.warmInsert(a, a.anonBase + 300, false);
    // Aged once by reclaim: page 300 is unreferenced and goes when it reaches the tail.
    h.state.flags[a.anonBase + 300]! &= ~YOUNG;
    const ws = a.anonBase + 299;
    for (let i = 301; i < 2000 && !(h.state.flags[ws]! & SWP); i++) h.touch(a, a.anonBase + i);
    expect(h.state.flags[ws]! & SWP).toBeTruthy();
    expect(h.state.flags[a.anonBase + 300]! & SWP).toBeTruthy();
    const t = a.tick;
    const io0 = t.ioWaitSec;
    h.touch(a, a.anonBase + 300);
    expect(t.ioWaitSec).toBeGreaterThan(io0);
    expect(t.memstallIoSec).toBe(0);
    const io1 = t.ioWaitSec;
    h.touch(a, ws);
    expect(t.memstallIoSec).toBeCloseTo(t.ioWaitSec - io1, 12);
    expect(t.memstallIoSec).toBeGreaterThan(0);
  });
});
