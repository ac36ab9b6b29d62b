/**
 * The swap (and file) device seen from inside one tick: a fluid FIFO of channel-µs of work
 * (§11 closed loop), counted in requests too (mechanisms/block-queue.ts). A read issued now
 * waits for the work ahead of it, so a burst of faults slows itself down within the tick; the
 * per-tick statistics and the backlog carried between ticks are mechanisms/swap-device.ts's.
 */
import type { HostState } from './state.js';

/**
 * File pages are read from the host's disk, which the scenario describes as its swap
 * device; with zram or no swap, file reads take the SATA SSD figure of kernel-model.md §8.3
 * without queueing.
 */
const FALLBACK_FILE_READ_SEC = 80e-6;

/**
 * The largest request the block layer builds by default (`BLK_DEF_MAX_SECTORS_CAP`, 2560
 * sectors; a device may allow more, the lab's virtio disk 4 MiB): a readahead window is
 * submitted as bios that are split into requests of at most this size (`bio_split_to_limits`).
 */
const MAX_REQUEST_BYTES = 1280 * 1024;

/** Work ahead of an IO issued at `atUs` in the tick (by default now), µs per channel. */
export function queueAheadUs(s: HostState, atUs = s.nowUs): number {
  return Math.max(0, s.devQueue.workUs / s.channels - atUs);
}

/**
 * How long the submitter of the last request queued sleeps from now for one of `pool`
 * request tags (`blk_mq_get_tag`): until at most `pool` requests are queued, its own
 * included, µs. 0 when its request got a tag at once.
 */
export function tagWaitUs(s: HostState, pool: number): number {
  return Math.max(0, s.devQueue.drainedWhenLeft(pool) / s.channels - s.nowUs);
}

/**
 * Response time of `scale` real read requests of `pages` contiguous pages each, issued now
 * (one simulated fault and the pages read with it), seconds of thread time: the work ahead,
 * the device's latency for the first page and the transfer of the rest. The request occupies
 * the device as a write cluster does: latency, IOPS share or bandwidth, whichever binds.
 */
export function readWaitSec(s: HostState, pages = 1): number {
  if (!s.disk) return FALLBACK_FILE_READ_SEC * s.scale;
  const sw = s.sc.host.swap;
  const transferUs = pages > 1 ? (((pages - 1) * s.pageSize) / sw.bandwidthBytesPerSec) * 1e6 : 0;
  const wait = (queueAheadUs(s) + sw.readLatencyUs + transferUs) * 1e-6 * s.scale;
  const occ =
    pages > 1
      ? Math.max(
          sw.readLatencyUs,
          (sw.queueDepth / sw.iops) * 1e6,
          ((sw.queueDepth * pages * s.pageSize) / sw.bandwidthBytesPerSec) * 1e6,
        )
      : s.occReadUs;
  // A swap-in cluster is adjacent slots: one request.
  s.devQueue.add(s.scale, occ);
  return wait;
}

/**
 * A readahead window of `pages` simulated pages: `requests` real reads of `size` pages each,
 * issued now one after another by one reader. Returns when the first can start (µs from now:
 * the work ahead), the latency of each, and the transfer time per page, so that the reader
 * knows when each page arrives.
 *
 * Two bandwidths (docs/kernel.md, swap device): a window read in large folios (asynchronous
 * readahead: `page_cache_async_ra` → `page_cache_ra_order` grows the folio order by 2 a window)
 * reaches the device as requests of up to max_sectors_kb and goes at `readaheadBandwidth`; one
 * read in order-0 folios (`page_cache_sync_ra`, mmap read-around) is limited to max_segments
 * pages a request (1 MiB on the lab's virtio disk) and goes at the device's `bandwidth`.
 */
export function readRequests(
  s: HostState,
  pages: number,
  requests: number,
  size: number,
  atUs: number,
  largeFolios: boolean,
): { startUs: number; latencyUs: number; pageUs: number } {
  const split = Math.max(1, Math.ceil((size * s.pageSize) / MAX_REQUEST_BYTES));
  const c = s.counters;
  if (largeFolios) {
    c.raReadPages += pages;
    c.raReadIos += requests * s.rate;
    c.raReadRequests += requests * split * s.rate;
  } else {
    c.fileReadPages += pages;
    c.fileReadIos += requests * s.rate;
    c.fileReadRequests += requests * split * s.rate;
  }
  if (!s.disk) return { startUs: 0, latencyUs: FALLBACK_FILE_READ_SEC * 1e6, pageUs: 0 };
  const sw = s.sc.host.swap;
  const bw = largeFolios ? sw.readaheadBytesPerSec : sw.bandwidthBytesPerSec;
  const occ = Math.max(
    sw.readLatencyUs,
    (sw.queueDepth / sw.iops) * 1e6,
    ((sw.queueDepth * size * s.pageSize) / bw) * 1e6,
  );
  const startUs = queueAheadUs(s, atUs);
  // Each window reaches the device as requests of at most MAX_REQUEST_BYTES, which share its work.
  s.devQueue.add(requests * split, occ / split);
  return { startUs, latencyUs: sw.readLatencyUs, pageUs: (s.pageSize * 1e6) / bw };
}

/** Queues the writes of `pages` simulated pages (swap-out or writeback clusters). */
export function queueWrites(s: HostState, pages: number): void {
  // A swap-out cluster of SWAP_CLUSTER_MAX pages is one request.
  if (s.disk) s.devQueue.add((pages * s.scale) / s.sc.host.kernel.swapClusterMax, s.occWriteUs);
}
