/**
 * What reclaim does with one page it decided not to keep (LK mm/vmscan.c `shrink_folio_list`
 * after `folio_check_references`, and `__remove_mapping`): one disposition for every reclaim
 * mode. Which pages get here (second chance, tiers, a policy's victim) is the mode's own.
 */

import { queueWrites } from './io-queue.js';
import { canSwap, charge } from './memcontrol.js';
import {
  DIRTY,
  EVER,
  FILE,
  type HostState,
  ownerOf,
  SC,
  type ScanControl,
  SHADOW_WS,
  SWP,
  WB,
  WRITABLE,
  WS,
} from './state.js';
import { reportSwapFull, swapCacheDropped, swapOut } from './swap-state.js';
import { startPageout, writebackBusy } from './writeback.js';

/** The page was freed without IO (a clean file page, or a swap-cache page whose slot still holds it). */
export const FOLIO_RECLAIMED = 0;
/** An anonymous page written to a new swap slot and freed. */
export const FOLIO_SWAPPED = 4;
/** A dirty file page: written back now, freed when reclaim comes round to it clean. */
export const FOLIO_WRITEBACK = 1;
/** An anonymous page with nowhere to go (no swap slot, memory.swap.max, a memsw charge): it stays. */
export const FOLIO_KEEP = 2;
/** kswapd has queued all the writeback the device takes this tick (`reclaim_throttle`). */
export const FOLIO_THROTTLE = 3;
/** An anon page whose swap write is still in flight, met by global reclaim: back on the list. */
export const FOLIO_BUSY = 5;

/**
 * Frees a resident page's frame; the LRU ordering records its shadow entry
 * (`workingset_eviction`, against the memcg `target` reclaim works for).
 */
export function evict(s: HostState, page: number, c: number, toSwap: boolean, target: number): void {
  const f = s.flags[page]!;
  const owner = ownerOf(s, page);
  s.reclaim.evicted(page, c, f, target);
  let nf = (f & (FILE | EVER | WRITABLE)) | (f & WS ? SHADOW_WS : 0);
  if (toSwap) nf |= SWP;
  s.flags[page] = nf;
  if (f & FILE) owner.rssFile--;
  else owner.rssAnon--;
  s.free++;
  charge(s, owner.cg, -1);
}

/**
 * Disposes of an unreferenced page of cgroup `c`: a dirty file page is written back, a clean
 * one dropped; a swap-cache page (read ahead and never mapped, or written out) dropped once
 * its write is done; any other anon page swapped out — to a disk asynchronously (written
 * now, freed later: writeback.ts), to zram at once. Returns a FOLIO_* code; RECLAIMED and
 * SWAPPED freed the page.
 */
export function shrinkFolio(s: HostState, page: number, c: number, sc: ScanControl): number {
  const f = s.flags[page]!;
  if (f & FILE) {
    if (f & DIRTY) {
      s.flags[page] = f & ~DIRTY;
      s.counters.fileWritePages++;
      queueWrites(s, 1);
      return FOLIO_WRITEBACK;
    }
    evict(s, page, c, false, sc.target);
    return FOLIO_RECLAIMED;
  }
  if (f & SC) {
    if (f & WB && writebackBusy(s, page, sc)) return FOLIO_BUSY;
    evict(s, page, c, true, sc.target);
    swapCacheDropped(s, ownerOf(s, page));
    return FOLIO_RECLAIMED;
  }
  if (!sc.maySwap || !canSwap(s, c)) {
    if (s.device.freeSlotCount < 1) reportSwapFull(s);
    return FOLIO_KEEP;
  }
  if (sc.kswapd && s.kswapdWriteBudget <= 0) return FOLIO_THROTTLE;
  if (s.asyncPageout) {
    swapOut(s, page, sc, true);
    startPageout(s, page);
    return FOLIO_WRITEBACK;
  }
  swapOut(s, page, sc);
  evict(s, page, c, true, sc.target);
  return FOLIO_SWAPPED;
}
