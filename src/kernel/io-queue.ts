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
 * `requests` real read requests of `pages` pages each, issued now one after another by one
 * reader (a readahead window): they occupy the device as readWaitSec's do, at the device's
 * readahead bandwidth. Returns when the first can start (µs from now: the work ahead), the
 * latency of each, and the transfer time per page, so that the reader knows when each page
 * arrives.
 *
 * Why a bandwidth of its own: readahead (`page_cache_ra_unbounded` from `page_cache_sync_ra` /
 * `page_cache_async_ra`) allocates large folios and submits the window as bios that blk-mq
 * merges into requests of up to max_sectors_kb; on the lab's virtio disk such 4 MiB requests
 * go at 2.2–3.0 GB/s where the 512 KiB requests a 4 KiB-page O_DIRECT buffer makes go at
 * 1.0–1.4 GB/s, with one request in flight or four alike (docs/kernel.md, swap device).
 */
export function readRequests(
  s: HostState,
  requests: number,
  pages: number,
  atUs = s.nowUs,
): { startUs: number; latencyUs: number; pageUs: number } {
  s.counters.fileReadIos += requests * s.rate;
  const split = Math.max(1, Math.ceil((pages * s.pageSize) / MAX_REQUEST_BYTES));
  s.counters.fileReadRequests += requests * split * s.rate;
  if (!s.disk) return { startUs: 0, latencyUs: FALLBACK_FILE_READ_SEC * 1e6, pageUs: 0 };
  const sw = s.sc.host.swap;
  const occ = Math.max(
    sw.readLatencyUs,
    (sw.queueDepth / sw.iops) * 1e6,
    ((sw.queueDepth * pages * s.pageSize) / sw.readaheadBytesPerSec) * 1e6,
  );
  const startUs = queueAheadUs(s, atUs);
  // Each window reaches the device as requests of at most MAX_REQUEST_BYTES, which share its work.
  s.devQueue.add(requests * split, occ / split);
  return { startUs, latencyUs: sw.readLatencyUs, pageUs: (s.pageSize * 1e6) / sw.readaheadBytesPerSec };
}

/** Queues the writes of `pages` simulated pages (swap-out or writeback clusters). */
export function queueWrites(s: HostState, pages: number): void {
  // A swap-out cluster of SWAP_CLUSTER_MAX pages is one request.
  if (s.disk) s.devQueue.add((pages * s.scale) / s.sc.host.kernel.swapClusterMax, s.occWriteUs);
}
