/**
 * Swap writes in flight (LK mm/vmscan.c `shrink_folio_list` after `pageout`, mm/page_io.c
 * `swap_writepage` → `end_swap_bio_write` → `folio_end_writeback` → mm/swap.c
 * `folio_rotate_reclaimable`): reclaim that writes an anon page to a swap disk does not free
 * it. The page stays in the swap cache, unmapped, back at the head of its inactive list; a
 * touch maps it again with a minor fault and no IO. When its write completes it moves to the
 * tail, where the next reclaim frees it without IO. A reclaimer that must free a batch
 * therefore unmaps and writes more pages than it frees, and the pages it wrote in excess are
 * often touched again before they go: on the kernel a sequential loop a little larger than
 * its cgroup keeps part of its pages that way, where an exact LRU misses every one.
 */
import { queueWrites } from './io-queue.js';
import {
  ACT,
  type HostState,
  LRU_ACTIVE_ANON,
  LRU_INACTIVE_ANON,
  LRU_LISTS,
  REF,
  RES,
  SC,
  type ScanControl,
  WB,
  YOUNG,
} from './state.js';

/**
 * A reclaim starts at the time of the task running it, or where the last one ended if that is
 * later: the tasks of one tick run one after another here but side by side on the host, and a
 * write another task issued "later" in the tick is not kept from completing for this one.
 */
export function startReclaimClock(s: HostState): void {
  const now = s.tickStartUs + s.nowUs;
  if (s.reclaimClockUs < now) s.reclaimClockUs = now;
  completeWriteback(s);
}

/** The reclaimer spent `us` (scanning, unmapping, waiting): writes may complete meanwhile. */
export function advanceReclaimClock(s: HostState, us: number): void {
  s.reclaimClockUs += us;
  completeWriteback(s);
}

/**
 * Pages of one write request: the single-page swap bios of adjacent slots merge into the
 * plug's last request (`blk_attempt_plug_merge`) up to the queue's `max_segments` (254 on the
 * lab's virtio disk, measured with block:block_rq_issue).
 */
const REQUEST_PAGES = 254;
/** `BLK_MAX_REQUEST_COUNT`: a plug holding this many requests is flushed when the next one starts. */
const BLK_MAX_REQUEST_COUNT = 32;
/** `BLK_PLUG_FLUSH_SIZE` (128 KiB): a plug whose first request is this large is flushed when the next one starts. */
const BLK_PLUG_FLUSH_BYTES = 128 * 1024;

/**
 * `pageout` of anon `page`, whose slot swapOut allocated: it stays resident and unmapped in
 * the swap cache until its write is done. The write waits in the reclaimer's block plug: it
 * merges into the plug's last request when its slot follows that request's last one and the
 * request has room (`blk_attempt_plug_merge` tries the list's tail); otherwise it starts a
 * request, and the plug is flushed first when it holds BLK_MAX_REQUEST_COUNT requests or its
 * *first* request reached BLK_PLUG_FLUSH_SIZE (`blk_add_rq_to_plug` peeks the head of
 * `plug->mq_list`, and requests are added at its tail since the list became head-and-tail in
 * 6.12). A plug that began with a request of a few pages (slots not adjacent) therefore holds
 * up to 32 requests, thousands of pages, until the reclaimer sleeps or the plug ends
 * (finishReclaimPlug, finishSwapinPlug): traced on the lab's VM (seq loop at 100 %, perf
 * vmscan:mm_vmscan_write_folio and block:block_rq_insert), a 322 ms memcg reclaim wrote 6 707
 * pages and inserted all 33 of its write requests (1–254 pages) at one instant, 286 ms in.
 */
export function startPageout(s: HostState, page: number): void {
  s.flags[page] = (s.flags[page]! & ~(YOUNG | REF)) | SC | WB;
  s.wbDoneUs[page] = Number.POSITIVE_INFINITY;
  const slot = s.slotOf[page]!;
  const perRequest = Math.max(1, Math.round(REQUEST_PAGES * s.rate));
  if (s.wbPlugged > 0 && slot === s.wbPlugLastSlot + 1 && s.wbPlugLastPages < perRequest) {
    s.wbPlugLastPages++;
    if (s.wbPlugRequests === 1) s.wbPlugFirstPages++;
  } else {
    const flushPages = Math.max(1, Math.round((BLK_PLUG_FLUSH_BYTES / s.pageSize) * s.rate));
    if (s.wbPlugged > 0 && (s.wbPlugRequests >= BLK_MAX_REQUEST_COUNT || s.wbPlugFirstPages >= flushPages))
      unplugWriteback(s);
    s.wbPlugRequests++;
    s.wbPlugLastPages = 1;
    if (s.wbPlugRequests === 1) s.wbPlugFirstPages = 1;
  }
  s.wbPlugLastSlot = slot;
  if (s.wbLen === s.wbRing.length) growRing(s);
  s.wbRing[(s.wbHead + s.wbLen) % s.wbRing.length] = page;
  s.wbLen++;
  s.wbPlugged++;
}

/**
 * A swap-in opens a plug around its readahead (`swap_cluster_readahead`, `swap_vma_readahead`:
 * `blk_start_plug`), and every frame it takes is charged inside it, so memcg reclaim for those
 * charges runs in it. `shrink_lruvec`'s own plug is then nested and does nothing
 * (`blk_start_plug` keeps the outer one), so the reclaim's writes stay plugged until the
 * swap-in ends or the plug fills: measured on the lab's VM (seq loop at 75 %, perf
 * block:block_getrq/_rq_insert with call graphs), write requests waited 34 ms (median; 74 mean,
 * up to 300) in the faulting task's plug, 2-6 ms in mq-deadline and 0.4-0.6 ms on the device.
 */
export function startSwapinPlug(s: HostState): void {
  if (s.asyncPageout) s.wbOuterPlug = true;
}

/** `blk_finish_plug` at the end of the swap-in: its plugged writes go to the device. */
export function finishSwapinPlug(s: HostState): void {
  if (!s.wbOuterPlug) return;
  s.wbOuterPlug = false;
  const now = s.tickStartUs + s.nowUs;
  if (s.reclaimClockUs < now) s.reclaimClockUs = now;
  unplugWriteback(s);
}

/** `blk_finish_plug` at the end of `shrink_lruvec`: flushes only a plug of its own (not nested). */
export function finishReclaimPlug(s: HostState): void {
  if (!s.wbOuterPlug) unplugWriteback(s);
}

/**
 * The plug is flushed: the writes it held reach the device now and complete one after another
 * at its bandwidth. Until then none of them can complete, so a reclaimer that finds nothing
 * freeable writes on before any of those pages can be freed.
 */
function unplugWriteback(s: HostState): void {
  if (s.wbPlugged === 0) return;
  const sw = s.sc.host.swap;
  const startUs = s.reclaimClockUs + sw.writeLatencyUs;
  const pageUs = ((s.pageSize * s.scale) / sw.bandwidthBytesPerSec) * 1e6;
  const ring = s.wbRing;
  for (let i = s.wbLen - s.wbPlugged, k = 0; i < s.wbLen; i++, k++) {
    const page = ring[(s.wbHead + i) % ring.length]!;
    if (s.wbDoneUs[page] === Number.POSITIVE_INFINITY) s.wbDoneUs[page] = startUs + k * pageUs;
  }
  queueWrites(s, s.wbPlugged);
  s.wbPlugged = 0;
  s.wbPlugRequests = 0;
  s.wbPlugFirstPages = 0;
}

/**
 * A reclaimer meets `page` still in the swap cache after its pageout. Written: it can go.
 * Still being written: memcg reclaim on cgroup v1 waits for the write (`shrink_folio_list`'s
 * third writeback case, `folio_wait_writeback`: v1 has no dirty throttling), charged to the
 * reclaim as a stall; global reclaim puts it back and goes on (true).
 */
export function writebackBusy(s: HostState, page: number, sc: ScanControl): boolean {
  // Sleeping on a write still in the plug submits the plug first (`blk_flush_plug` on schedule).
  if (s.wbDoneUs[page] === Number.POSITIVE_INFINITY) {
    if (sc.global) return true;
    unplugWriteback(s);
  }
  const done = s.wbDoneUs[page]!;
  if (done <= s.reclaimClockUs) return false;
  if (sc.global) return true;
  sc.waitUs += done - s.reclaimClockUs;
  advanceReclaimClock(s, done - s.reclaimClockUs);
  return false;
}

/** `reclaim_throttle`'s timeout for VMSCAN_THROTTLE_WRITEBACK (HZ/10). */
const THROTTLE_WRITEBACK_US = 100_000;

/**
 * When a reclaimer throttled on writeback (`reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK)`) goes
 * on, µs since the run began, or 0 when no write of a page still in the swap cache is in
 * flight: once `pages` of them are written (`__acct_reclaim_writeback` wakes the throttled at
 * SWAP_CLUSTER_MAX pages each), at the last one in flight if fewer, at most HZ/10 from now.
 */
export function writebackWakeUs(s: HostState, pages: number): number {
  const ring = s.wbRing;
  const now = s.reclaimClockUs;
  let wake = 0;
  let n = 0;
  for (let i = 0; i < s.wbLen && n < pages; i++) {
    const page = ring[(s.wbHead + i) % ring.length]!;
    const done = s.wbDoneUs[page]!;
    if ((s.flags[page]! & (RES | WB)) !== (RES | WB) || done <= now || done === Number.POSITIVE_INFINITY) continue;
    n++;
    if (done > wake) wake = done;
  }
  return n === 0 ? 0 : Math.min(wake, now + THROTTLE_WRITEBACK_US);
}

/**
 * `folio_end_writeback` → `folio_rotate_reclaimable` for every write done by the reclaim
 * clock: a page still waiting to be freed moves to the tail of its inactive list (leaving the
 * active list if global reclaim had put it there). Touched pages left the swap cache already.
 */
function completeWriteback(s: HostState): void {
  const ring = s.wbRing;
  const flags = s.flags;
  while (s.wbLen > 0) {
    const page = ring[s.wbHead]!;
    const f = flags[page]!;
    if ((f & (RES | WB)) === (RES | WB)) {
      if (s.wbDoneUs[page]! > s.reclaimClockUs) break;
      const l = s.lru.listOf(page);
      if (l >= 0) {
        const inactive = l - (l % LRU_LISTS) + LRU_INACTIVE_ANON;
        if (l % LRU_LISTS === LRU_ACTIVE_ANON) flags[page] = f & ~ACT;
        s.lru.moveTail(inactive, page);
      }
    }
    s.wbHead = s.wbHead + 1 === ring.length ? 0 : s.wbHead + 1;
    s.wbLen--;
  }
}

function growRing(s: HostState): void {
  const old = s.wbRing;
  const ring = new Int32Array(old.length * 2);
  for (let i = 0; i < s.wbLen; i++) ring[i] = old[(s.wbHead + i) % old.length]!;
  s.wbRing = ring;
  s.wbHead = 0;
}
