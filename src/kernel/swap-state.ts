/**
 * Swap slots and the swap cache (LK mm/swap_state.c, mm/swapfile.c): a slot for a page
 * being swapped out, its release when the page is mapped again or its owner exits, and swap
 * readahead on a swap-in fault.
 */

import { queueWrites } from './io-queue.js';
import { mapNew } from './mapping.js';
import { charge, chargeSwap, memoryEvent, OVER_MEMSW, overCgroup, overMax } from './memcontrol.js';
import {
  EV_MAX,
  EVER,
  freeFrames,
  type HostState,
  LRU_INACTIVE_ANON,
  type ProcRt,
  RES,
  SC,
  type ScanControl,
  SWP,
  WRITABLE,
} from './state.js';
import { reclaimCgroup } from './vmscan.js';

/** Allocates a swap slot for an anonymous page being reclaimed and queues its write (`add_to_swap`, `pageout`). */
export function swapOut(s: HostState, page: number, sc: ScanControl): void {
  s.device.allocSlots(1);
  const owner = s.procs[s.owner[page]!]!;
  chargeSwap(s, owner.cg, 1);
  owner.swap++;
  s.counters.swapOutPages++;
  queueWrites(s, 1);
  if (sc.kswapd) s.kswapdWriteBudget--;
  sc.written++;
}

/** Frees `n` of `p`'s swap slots (`swap_free`), uncharging its cgroup's swap. */
export function releaseSlot(s: HostState, p: ProcRt, n: number): void {
  s.device.freeSlots(n);
  chargeSwap(s, p.cg, -n);
  p.swap -= n;
}

/** The first time anonymous memory cannot go to swap for lack of slots: one event. */
export function reportSwapFull(s: HostState): void {
  if (s.swapFullReported) return;
  s.swapFullReported = true;
  s.events.swapFull();
}

/**
 * Swap readahead (`__swapin_nr_pages`, VMA flavour): the window grows with readahead hits
 * and with adjacent faults, up to 2^page-cluster pages; read pages enter the swap cache.
 */
export function swapinReadahead(s: HostState, p: ProcRt, page: number): void {
  const max = 1 << s.pageCluster;
  let win: number;
  const hits = p.raHits;
  p.raHits = 0;
  if (max <= 1) win = 1;
  else {
    win = hits + 2;
    if (win === 2) win = Math.abs(page - p.raPrevPage) === 1 ? 2 : 1;
    else {
      let pow = 4;
      while (pow < win) pow *= 2;
      win = pow;
    }
    if (win > max) win = max;
    if (win < p.raPrevWin / 2) win = Math.max(1, Math.floor(p.raPrevWin / 2));
  }
  p.raPrevWin = win;
  p.raPrevPage = page;
  if (win <= 1) return;
  const lo = page - (page % win);
  const end = Math.min(lo + win, p.anonBase + p.anonCap);
  let read = 1;
  for (let q = Math.max(lo, p.anonBase); q < end; q++) {
    if (q === page) continue;
    const f = s.flags[q]!;
    if ((f & (SWP | RES)) !== SWP) continue;
    if (freeFrames(s) <= s.wmMin) break;
    const over = overMax(s, p.cg);
    if (over >= 0) {
      // mem_cgroup_swapin_charge_folio: the readahead folio is charged like any page, so the
      // memcg reclaims for it; a folio it still cannot charge ends the window.
      memoryEvent(s, overCgroup(over), EV_MAX);
      reclaimCgroup(s, overCgroup(over), s.clusterPages, p, (over & OVER_MEMSW) === 0);
      if (!p.alive || overMax(s, p.cg) >= 0 || freeFrames(s) <= s.wmMin) break;
    }
    s.free--;
    charge(s, p.cg, 1);
    // The slot stays allocated: the swap cache still backs the page until it is mapped.
    mapNew(s, p, q, LRU_INACTIVE_ANON, (f & (EVER | WRITABLE)) | RES | SC);
    read++;
  }
  // Read on behalf of the faulting process: its swap-ins count them, as the host's do.
  s.counters.swapInPages += read - 1;
  p.tick.swapIn += read - 1;
}
