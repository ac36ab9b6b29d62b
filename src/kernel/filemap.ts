/**
 * Reading file pages (LK mm/filemap.c `filemap_read`, `filemap_fault`, `do_sync_mmap_readahead`,
 * `do_async_mmap_readahead`, `filemap_map_pages`; mm/readahead.c `page_cache_sync_ra`,
 * `page_cache_async_ra`, `get_init_ra_size`, `get_next_ra_size`). A missing page is read with
 * the window readahead chooses: on a sequential stream a window that grows ×4 then ×2 up to
 * read_ahead_kb, read ahead of the reader when it reaches the page marked PG_readahead; a
 * lone random read(2) reads one page; an mmap fault reads around the faulting page (half a
 * window each side) until misses outnumber hits by 100 (`mmap_miss`). MADV_RANDOM /
 * POSIX_FADV_RANDOM turn readahead off, MADV_SEQUENTIAL reads whole windows, and
 * POSIX_FADV_SEQUENTIAL doubles the window. A page read ahead and not yet mapped costs an
 * mmap reader a minor fault (fault-around maps 16 pages at once); a read(2) reader takes no
 * fault at all, only the wait for the read.
 *
 * Windows are in real pages and file offsets. On a spatially sampled host a sampled page
 * stands for 1/R real ones: a sequential window of W real pages covers W·R sampled pages, and
 * when that is less than one page a sampled miss stands for (1/R)/W reads of W pages; a
 * window around a random miss (read-around) stands for 1/R such reads, W sampled pages in all.
 */
import { readRequests } from './io-queue.js';
import { mapNew } from './mapping.js';
import { allocReadaheadFrame } from './page-alloc.js';
import {
  ACT,
  EVER,
  FILE,
  type HostState,
  LRU_ACTIVE_FILE,
  LRU_INACTIVE_FILE,
  type ProcRt,
  RA_MARK,
  REFAULT_ACTIVATE,
  RES,
  SHADOW_WS,
  UNMAPPED,
  WRITABLE,
  WS,
  YOUNG,
} from './state.js';

/** `MMAP_LOTSAMISS`: mmap read-around stops when misses outnumber hits by this much. */
const MMAP_LOTSAMISS = 100;
/** `fault_around_bytes` / page size: pages an mmap fault maps when they are in the page cache. */
const FAULT_AROUND_PAGES = 16;

/** `get_init_ra_size`: the first window of a sequential stream for a read of `size` pages. */
export function initRaSize(size: number, max: number): number {
  let n = 1;
  while (n < size) n *= 2;
  if (n <= max / 32) return n * 4;
  if (n <= max / 4) return n * 2;
  return max;
}

/** `get_next_ra_size`: the window after `cur`, growing ×4 while small, then ×2, up to `max`. */
export function nextRaSize(cur: number, max: number): number {
  if (cur < max / 16) return 4 * cur;
  if (cur <= max / 2) return 2 * cur;
  return max;
}

/** read_ahead_kb in pages (the file's `ra_pages`), doubled by POSIX_FADV_SEQUENTIAL. */
function raPages(s: HostState, p: ProcRt): number {
  const fa = p.cfg.fileAccess;
  const pages = Math.floor((fa.readAheadKb * 1024) / s.pageSize);
  return fa.via === 'read' && fa.advice === 'sequential' ? 2 * pages : pages;
}

/**
 * A touch by `p` of its file page `page` that is not resident: the read, with the window
 * readahead picks, charged to `p` (a major fault when mapped through mmap; the wait a memory
 * stall when the page was in the working set). The page joins LRU list `list` with `extra`
 * flags. Returns false when `p` died (OOM) getting the frame for it.
 */
export function fileMiss(
  s: HostState,
  p: ProcRt,
  page: number,
  list: number,
  extra: number,
  workingset: boolean,
  allocFrame: () => boolean,
): boolean {
  const fa = p.cfg.fileAccess;
  const x = (page - p.fileBase) * s.scale; // real file offset of the page
  const max = raPages(s, p);
  let start = x;
  let size = 1;
  let async = 0;
  let sequential = false;
  if (max > 0 && fa.advice !== 'random') {
    if (fa.via === 'mmap' && fa.advice !== 'sequential') {
      // do_sync_mmap_readahead: read-around, unless misses have outnumbered hits for long.
      // A sampled miss stands for 1/R real ones: mmap_miss counts real faults.
      p.mmapMiss = Math.min(MMAP_LOTSAMISS * 10, p.mmapMiss + s.scale);
      if (p.mmapMiss <= MMAP_LOTSAMISS) {
        start = Math.max(0, x - Math.floor(max / 2));
        size = max;
        async = Math.floor(max / 4);
      }
    } else if (fa.via === 'mmap' || x === 0 || x - p.raPrevFile <= s.scale) {
      // page_cache_sync_ra: a sequential miss (or MADV_SEQUENTIAL) starts a stream.
      size = fa.via === 'mmap' ? max : initRaSize(1, max);
      async = size > 1 ? size - 1 : 0;
      sequential = true;
    } else if (page > p.fileBase && s.flags[page - 1]! & RES) {
      // Cached history right behind the miss: a stream that lost its state continues.
      size = Math.min(max, 2 * s.scale);
      async = 1;
      sequential = true;
    }
    // else: a standalone small random read, read as is.
  }
  p.raPrevFile = x;
  const wait = readWindow(s, p, page, start, size, async, sequential, allocFrame, list, extra);
  if (wait < 0) return false;
  p.raStart = start;
  p.raSize = size;
  p.raAsync = async;
  if (fa.via === 'mmap') {
    // A sampled miss on a stream whose window is shorter than a sampled page stands for (1/R)/size reads.
    const faults = sequential ? Math.max(1, size * s.rate) / size : 1;
    p.tick.major += faults;
    p.tick.cpuFaultSec += s.sc.host.costs.majorFaultCpuUs * 1e-6 * s.scale * faults;
    s.cgs[p.cg]!.majorTick += faults;
  }
  p.tick.stallSec += wait;
  p.tick.ioWaitSec += wait;
  if (workingset) p.tick.memstallIoSec += wait;
  return true;
}

/**
 * `vma_has_recency`: reclaim ignores the accessed bits of a mapping madvised MADV_SEQUENTIAL
 * or MADV_RANDOM (`folio_referenced` skips the VMA), so its pages get no second chance.
 */
export function mapRecency(p: ProcRt): boolean {
  const advice = p.cfg.fileAccess.advice;
  return advice !== 'sequential' && advice !== 'random';
}

/**
 * A touch of a resident file page: the PG_readahead mark starts the next window without
 * waiting (`page_cache_async_ra`); an mmap touch of a page read ahead and not yet mapped is
 * a minor fault that maps its fault-around block. Returns 1 for a minor fault, 0 for a hit.
 */
export function fileHit(s: HostState, p: ProcRt, page: number, f: number): number {
  const fa = p.cfg.fileAccess;
  const flags = s.flags;
  // The mark starts the next window before the reader waits for this page (`filemap_get_pages`
  // calls `filemap_readahead` before `filemap_update_page`; `filemap_fault` calls
  // `do_async_mmap_readahead` before it locks the folio).
  if (f & RA_MARK) {
    flags[page] = flags[page]! & ~RA_MARK;
    if (fa.advice !== 'random' && p.raSize > 0) {
      const max = raPages(s, p);
      const start = p.raStart + p.raSize;
      const size = nextRaSize(p.raSize, max);
      readWindow(s, p, -1, start, size, size, true, () => true, LRU_INACTIVE_FILE, 0);
      p.raStart = start;
      p.raSize = size;
      p.raAsync = size;
    }
  }
  // Read ahead but still under IO: the reader waits for the read (folio locked, not uptodate).
  const ahead = s.readyUs[page]! - Math.max(s.tickStartUs + s.nowUs, p.ioUntilUs);
  if (ahead > 0) {
    p.tick.stallSec += ahead * 1e-6;
    p.tick.ioWaitSec += ahead * 1e-6;
    p.ioUntilUs = s.readyUs[page]!;
  }
  p.raPrevFile = (page - p.fileBase) * s.scale;
  if (fa.via === 'mmap') {
    if (f & UNMAPPED) {
      // A fault on a cached page: fault-around maps its block, and each page it maps counts
      // against mmap_miss (`filemap_map_pages`), so read-around goes on while the pages read
      // around faults get used. A touch of a mapped page is no fault and changes nothing.
      const block = Math.max(1, Math.round(FAULT_AROUND_PAGES * s.rate));
      const lo = page - ((page - p.fileBase) % block);
      const hi = Math.min(lo + block, p.fileBase + p.fileCap);
      // x86 maps them young (`arch_wants_old_prefaulted_pte` is false there): reclaim sees
      // each as referenced once, used or not.
      const young = mapRecency(p) ? YOUNG : 0;
      let mapped = 0;
      for (let q = lo; q < hi; q++) {
        if (flags[q]! & UNMAPPED) {
          mapped++;
          flags[q] = (flags[q]! & ~UNMAPPED) | young;
        }
      }
      p.mmapMiss = Math.max(0, p.mmapMiss - mapped * s.scale);
      return 1;
    }
  } else flags[page] = flags[page]! & ~UNMAPPED;
  return 0;
}

/**
 * Reads the window [start, start + size) (real offsets) of `p`'s file into the page cache:
 * the sampled pages it covers that are not resident (a sequential window covers size·R of
 * them, a window around a random miss `size`), as inactive unmapped file pages, the one at
 * start + size − async marked PG_readahead. `page` (the miss; −1 for an asynchronous
 * window) gets its frame first, on `list` with `extra` flags; the others stop at the
 * cgroup's limit or the min watermark when one reclaim attempt does not make room
 * (`allocReadaheadFrame`). Returns the reader's wait in seconds (0 for an asynchronous
 * window), −1 when `p` died getting the frame for `page`.
 */
function readWindow(
  s: HostState,
  p: ProcRt,
  page: number,
  start: number,
  size: number,
  async: number,
  sequential: boolean,
  allocFrame: () => boolean,
  list: number,
  extra: number,
): number {
  const sync = page >= 0;
  const r = sequential ? s.rate : 1;
  // A window around a random miss is `size` sampled pages around it (it stands for 1/R such reads).
  const x = (page - p.fileBase) * s.scale;
  const first = sequential ? p.fileBase + Math.floor(start * s.rate) : page - Math.min(page - p.fileBase, x - start);
  const lo = Math.max(p.fileBase, first);
  const hi = Math.min(p.fileBase + p.fileCap, Math.max(lo + Math.floor(size * r), lo + 1));
  const markAt = async > 0 ? lo + Math.floor((size - async) * r) : -1;
  let read = 0;
  if (sync) {
    if (!allocFrame()) return -1;
    mapNew(s, p, page, list, newFileFlags(s.flags[page]!) | extra | (page === markAt && page !== lo ? RA_MARK : 0));
    s.readyUs[page] = -1;
    read++;
  }
  for (let q = lo; q < hi; q++) {
    const f = s.flags[q]!;
    if (q === page && sync) continue;
    if (f & RES) continue;
    if (!allocReadaheadFrame(s, p)) break;
    let ahead = LRU_INACTIVE_FILE;
    let nf = newFileFlags(f) | UNMAPPED | (q === markAt ? RA_MARK : 0);
    if (f & EVER) {
      // `filemap_add_folio` tests every page it adds against its shadow (`workingset_refault`),
      // the pages read ahead too: a recent one goes straight to the active list.
      const refault = s.reclaim.refault(p.cg, q, f);
      if (refault & REFAULT_ACTIVATE) {
        ahead = LRU_ACTIVE_FILE;
        nf |= ACT | (f & SHADOW_WS ? WS : 0);
      }
    }
    mapNew(s, p, q, ahead, nf);
    s.readyUs[q] = -1;
    read++;
  }
  if (read === 0) return 0;
  p.tick.fileIn += read;
  // The sampled pages read stand for read/R real pages, in reads of `size` pages, served one
  // after another: each page is ready when its part of the transfer is done (a reader waits
  // for the page it needs, not for the whole window).
  const realPages = read * s.scale;
  const requests = Math.max(1, realPages / size);
  // Issued when the reader has finished its earlier waits.
  const now = Math.max(s.tickStartUs + s.nowUs, p.ioUntilUs);
  // `page_cache_ra_order`: a synchronous read (a stream's first window, read-around) is read in
  // order-0 folios, an asynchronous window in folios two orders larger than the last.
  const io = readRequests(s, read, requests, Math.min(size, realPages), now - s.tickStartUs, !sync);
  let j = 0;
  let wait = 0;
  const from = Math.min(lo, sync ? page : lo);
  let end = now;
  for (let q = from; q < hi; q++) {
    // Not read by this call, or reclaimed since for a later page of the window.
    if (s.readyUs[q] !== -1 || (s.flags[q]! & RES) === 0) continue;
    const real = (j + 1) * s.scale;
    // Requests served up to this page: whole ones exactly; a sampled page that stands for a
    // request or more (1/R ≥ size) counts them in proportion, as its 1/R real reads wait
    // in all (ceil would charge 1/1.12 of a page a second request).
    const requestsDone = s.scale >= size ? real / size : Math.ceil(real / size);
    const ready = now + io.startUs + io.latencyUs * requestsDone + io.pageUs * real;
    if (q === page) wait = ready - now;
    s.readyUs[q] = ready;
    end = ready;
    j++;
  }
  if (s.sc.host.swap.completesOnDrain) wait = completeOnDrain(s, p, from, hi, now, end, end - now - io.startUs, page);
  if (!sync) return 0;
  p.ioUntilUs = now + wait;
  return wait * 1e-6;
}

/**
 * A device that signals completions only when its queue drains (a virtio disk whose backend
 * serves the ring until it is empty, then interrupts once: on the lab's Firecracker VM two
 * readahead windows queued 1.4 ms apart complete within 20 µs of each other, 5.7 ms later):
 * the reader's pages of [from, hi) and those of its earlier windows still in flight complete
 * together when the last of them is done, at `end`. A read(2) reader that reaches the
 * PG_readahead page of a window still under IO queues the next one and then waits for both,
 * and copies the first while the disk idles. The device serves the reader's requests in order:
 * a window queued behind its own window still under IO ends no sooner than that one's end plus
 * its own `serviceUs` (the in-tick queue alone would let it use the capacity the disk had while
 * idle, docs/kernel.md). Returns the wait of `page` (−1: none) from `now`.
 */
function completeOnDrain(
  s: HostState,
  p: ProcRt,
  from: number,
  hi: number,
  now: number,
  last: number,
  serviceUs: number,
  page: number,
): number {
  const ready = s.readyUs;
  let end = last;
  if (p.flightEndUs > now) {
    end = Math.max(end, p.flightEndUs + serviceUs);
    for (let q = p.flightLo; q < p.flightHi; q++) if (ready[q]! > now) ready[q] = end;
    p.flightLo = Math.min(p.flightLo, from);
    p.flightHi = Math.max(p.flightHi, hi);
  } else {
    p.flightLo = from;
    p.flightHi = hi;
  }
  for (let q = from; q < hi; q++) if (ready[q]! > now) ready[q] = end;
  p.flightEndUs = end;
  return page >= 0 ? end - now : 0;
}

/** Flags of a file page entering the page cache: resident, not referenced yet. */
function newFileFlags(f: number): number {
  return (f & (FILE | WRITABLE)) | EVER | RES;
}
