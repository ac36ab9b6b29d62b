/**
 * Swap slots and the swap cache (LK mm/swap_state.c, mm/swapfile.c): a slot for a page being
 * swapped out (by the cluster allocator: holes of clusters with freed slots first), its
 * release when the page is mapped again or its owner exits, and swap readahead on a swap-in
 * fault: by swap-slot cluster on a rotational disk (`swap_cluster_readahead`), by virtual
 * address otherwise (`swap_vma_readahead`), the window sized by `__swapin_nr_pages`.
 */
import { queueWrites } from './io-queue.js';
import { mapNew } from './mapping.js';
import { charge, chargeSwap, memoryEvent, OVER_MEMSW, overCgroup, overMax } from './memcontrol.js';
import {
  ACT,
  EV_MAX,
  EVER,
  freeFrames,
  type HostState,
  LRU_INACTIVE_ANON,
  ownerOf,
  type ProcRt,
  REFAULT_ACTIVATE,
  RES,
  SC,
  type ScanControl,
  SHADOW_WS,
  SWP,
  WRITABLE,
  WS,
} from './state.js';
import { reclaimCgroup } from './vmscan.js';
import { finishSwapinPlug, startSwapinPlug } from './writeback.js';

/**
 * Allocates a swap slot (mechanisms/swap-cluster.ts) for an anonymous page being reclaimed and queues its write
 * (`add_to_swap`, `pageout`). Written asynchronously (`inCache`: it stays in the swap cache
 * until a later reclaim frees it, writeback.ts), on cgroup v1 its swap is charged only when
 * it leaves the cache (`memcg1_swapout` from `__remove_mapping`: swapCacheDropped), and its
 * write is queued when its plug is flushed.
 */
export function swapOut(s: HostState, page: number, sc: ScanControl, inCache = false): void {
  s.device.allocSlots(1);
  const slot = s.swapClusters.alloc();
  if (slot < 0) throw new Error(`no free swap slot while the device counts ${s.device.freeSlotCount} free`);
  s.slotPage[slot] = page;
  s.slotOf[page] = slot;
  const owner = ownerOf(s, page);
  if (!(inCache && s.memswAccount)) chargeSwap(s, owner.cg, 1);
  owner.swap++;
  s.counters.swapOutPages++;
  // Written asynchronously, its write reaches the device when its plug is flushed (writeback.ts).
  if (!inCache) queueWrites(s, 1);
  if (sc.kswapd) s.kswapdWriteBudget--;
  sc.written++;
}

/**
 * Frees the swap slot of `page`, owned by `p` (`swap_free`), uncharging its cgroup's swap
 * unless the page sat in the swap cache on cgroup v1 (`inCache`), which gave it back already.
 */
export function releaseSlot(s: HostState, p: ProcRt, page: number, inCache = false): void {
  const slot = s.slotOf[page]!;
  s.slotPage[slot] = -1;
  s.slotOf[page] = -1;
  s.swapClusters.free(slot);
  s.device.freeSlots(1);
  if (!(inCache && s.memswAccount)) chargeSwap(s, p.cg, -1);
  p.swap -= 1;
}

/** A clean swap-cache page of `owner` was dropped by reclaim: on cgroup v1 its swap is charged again (`memcg1_swapout`). */
export function swapCacheDropped(s: HostState, owner: ProcRt): void {
  if (s.memswAccount) chargeSwap(s, owner.cg, 1);
}

/** The first time anonymous memory cannot go to swap for lack of slots: one event. */
export function reportSwapFull(s: HostState): void {
  if (s.swapFullReported) return;
  s.swapFullReported = true;
  s.events.swapFull();
}

/**
 * A swap-cache hit on a page read ahead (`swap_update_readahead`): a readahead hit for the
 * window heuristics, per VMA (the process's anon region) and host-wide.
 */
export function readaheadHit(s: HostState, p: ProcRt, page: number): void {
  p.raHits++;
  p.raPrevPage = page;
  s.raHits++;
  s.swapRaHits++;
}

/**
 * `__swapin_nr_pages`: hits since the last fault + 2, rounded up to a power of two (at least
 * 4); without hits, 2 only next to the previous fault, else 1; at most 2^page-cluster; never
 * below half the previous window.
 */
function swapinNrPages(prev: number, cur: number, hits: number, max: number, prevWin: number): number {
  let pages = hits + 2;
  if (pages === 2) {
    if (cur !== prev + 1 && cur !== prev - 1) pages = 1;
  } else {
    let roundup = 4;
    while (roundup < pages) roundup *= 2;
    pages = roundup;
  }
  if (pages > max) pages = max;
  const last = Math.floor(prevWin / 2);
  if (pages < last) pages = last;
  return pages;
}

/**
 * Swap readahead for `p`'s swap-in fault on `page`, whose slot was `slot`: the pages read
 * with it enter the swap cache (resident, charged to their owner's cgroup, not mapped).
 * Returns how many pages were read besides `page`. zram swaps in synchronously without the
 * swap cache and reads nothing ahead (SWP_SYNCHRONOUS_IO).
 */
export function swapinReadahead(s: HostState, p: ProcRt, page: number, slot: number): number {
  const max = 1 << s.pageCluster;
  if (max <= 1 || s.zram) return 0;
  let read = 0;
  if (s.sc.host.swap.rotational) {
    // swap_cluster_readahead: the aligned cluster of swap slots around the fault's, whoever owns them.
    const hits = s.raHits;
    s.raHits = 0;
    const win = swapinNrPages(s.raPrevOffset, slot, hits, max, s.raLastPages);
    if (hits === 0) s.raPrevOffset = slot;
    s.raLastPages = win;
    if (win <= 1) return 0;
    const start = slot - (slot % win);
    const end = Math.min(start + win, s.slotPage.length);
    startSwapinPlug(s);
    for (let o = start; o < end; o++) {
      const q = o === slot ? -1 : s.slotPage[o]!;
      if (q < 0) continue;
      const r = readAheadPage(s, p, q);
      if (r < 0) break;
      read += r;
    }
    finishSwapinPlug(s);
  } else {
    // swap_vma_readahead: a window of the region around the faulting address, forward when
    // the faults move forward, backward when they move backward, centred otherwise.
    const win = swapinNrPages(p.raPrevPage, page, p.raHits, max, p.raPrevWin);
    const prev = p.raPrevPage;
    p.raHits = 0;
    p.raPrevWin = win;
    p.raPrevPage = page;
    if (win <= 1) return 0;
    const left = page === prev + 1 ? page : prev === page + 1 ? page - win + 1 : page - Math.floor((win - 1) / 2);
    // The window stays inside the region and inside the faulting address's PMD (2 MiB of real pages).
    const pmd = Math.max(win, Math.round(512 * s.rate));
    const pmdStart = p.anonBase + (page - p.anonBase - ((page - p.anonBase) % pmd));
    const start = Math.max(left, p.anonBase, pmdStart);
    const end = Math.min(left + win, p.anonBase + p.anonCap, pmdStart + pmd);
    startSwapinPlug(s);
    for (let q = start; q < end; q++) {
      if (q === page) continue;
      const r = readAheadPage(s, p, q);
      if (r < 0) break;
      read += r;
    }
    finishSwapinPlug(s);
  }
  // Read on behalf of the faulting process: its swap-ins count them, as the host's do.
  s.counters.swapInPages += read;
  s.swapRaPages += read;
  p.tick.swapIn += read;
  return read;
}

/**
 * One page of a readahead window into the swap cache (`__read_swap_cache_async`), charged to
 * its owner's cgroup, which reclaims for it if it must (`mem_cgroup_swapin_charge_folio`;
 * the reclaim is the faulting task's work). Returns 1 read, 0 skipped, −1 to end the window.
 */
function readAheadPage(s: HostState, p: ProcRt, q: number): number {
  const f = s.flags[q]!;
  if ((f & (SWP | RES)) !== SWP) return 0;
  if (freeFrames(s) <= s.wmMin) return -1;
  const owner = ownerOf(s, q);
  const over = overMax(s, owner.cg);
  if (over >= 0) {
    memoryEvent(s, overCgroup(over), EV_MAX);
    reclaimCgroup(s, overCgroup(over), s.clusterPages, p, (over & OVER_MEMSW) === 0);
    if (!p.alive || freeFrames(s) <= s.wmMin) return -1;
    if (overMax(s, owner.cg) >= 0) return 0;
  }
  s.free--;
  charge(s, owner.cg, 1);
  if (s.memswAccount) chargeSwap(s, owner.cg, -1);
  // `__read_swap_cache_async` tests every page it adds against its shadow (`workingset_refault`),
  // the pages read ahead as well as the faulting one: a recent refault goes to the active list.
  const refault = s.reclaim.refault(owner.cg, q, f);
  const active = (refault & REFAULT_ACTIVATE) !== 0;
  const nf = (f & (EVER | WRITABLE)) | RES | SC | (active ? ACT : 0) | (active && f & SHADOW_WS ? WS : 0);
  // The slot stays allocated: the swap cache still backs the page until it is mapped.
  mapNew(s, owner, q, LRU_INACTIVE_ANON + (active ? 1 : 0), nf);
  return 1;
}
