/**
 * A process's reference to a page (LK mm/memory.c `handle_mm_fault`, `do_anonymous_page`,
 * `do_swap_page`, `do_wp_page`; mm/filemap.c for file pages; mm/huge_memory.c for THP): a
 * hit sets the accessed bit; a miss allocates a frame (page-alloc.ts) and is a minor fault
 * (first touch, swap-cache hit) or a major one (swap-in with readahead, file read), whose
 * CPU and device wait are charged to the process.
 */
import { HPAGE_PMD_SIZE } from '../linux/mm.js';
import { hash32 } from '../util/rng.js';
import { fileHit, fileMiss, mapRecency } from './filemap.js';
import { readWaitSec } from './io-queue.js';
import { mapNew } from './mapping.js';
import { charge, fitsUnderMax, noteOverHigh } from './memcontrol.js';
import { allocFrame, chargePageTable, wakeKswapd } from './page-alloc.js';
import {
  ACT,
  DIRTY,
  EVER,
  FILE,
  freeFrames,
  type HostState,
  LRU_INACTIVE_ANON,
  LRU_INACTIVE_FILE,
  type ProcRt,
  REFAULT_ACTIVATE,
  REFAULT_WORKINGSET,
  RES,
  SC,
  SHADOW_WS,
  WB,
  WRITABLE,
  WS,
  YOUNG,
} from './state.js';
import { readaheadHit, releaseSlot, swapinReadahead } from './swap-state.js';

/** CPU to zero a 2 MiB huge page at fault, µs (§8.4: ~50–100 µs [estimate]). */
const THP_ZERO_CPU_US = 75;

/** Seed of the hash choosing which shared pages a forked child writes. */
const COW_SEED = 0xc0fe;

/**
 * One reference by `p` to `page` under the kernel's LRU (classic or MGLRU). Returns 0 hit,
 * 1 minor fault, 2 major fault, −1 when `p` died (OOM) serving it. Costs go to `p.tick`; the
 * caller adds user CPU.
 */
export function handleMmFault(s: HostState, p: ProcRt, page: number): number {
  const flags = s.flags;
  const f = flags[page]!;
  if (f & RES) {
    if (f & SC) {
      // Swap-cache hit: a minor fault maps it and frees the slot (exclusive). A page read
      // ahead counts as a readahead hit; one written out and not yet freed is simply kept.
      releaseSlot(s, p, page, true);
      flags[page] = (f & ~(SC | WB)) | YOUNG;
      if (!(f & WB)) readaheadHit(s, p, page);
      minorFault(s, p);
      return 1;
    }
    if (f & FILE) return fileTouch(s, p, page, f);
    flags[page] = f | YOUNG;
    return 0;
  }
  // A forked child's first write copies one 4 KiB page (wp_page_copy), never a huge one.
  if (
    s.thpPages > 0 &&
    p.cowParent < 0 &&
    !(f & (EVER | FILE)) &&
    page >= p.anonBase &&
    page < p.anonBase + p.anonCap &&
    thpFault(s, p, page)
  )
    return 1;
  if (f & FILE) return fileFault(s, p, page, f);
  if (!allocFrame(s, p)) return -1;
  const c = p.cg;
  if (!(f & EVER)) {
    mapNew(s, p, page, LRU_INACTIVE_ANON, f | EVER | RES | YOUNG);
    minorFault(s, p);
    return chargePageTable(s, p) ? 1 : -1;
  }
  // A swap-in of a page evicted before (§2.4, §8.1).
  const refault = s.reclaim.refault(c, page, f);
  const active = (refault & REFAULT_ACTIVATE) !== 0;
  const workingset = (refault & REFAULT_WORKINGSET) !== 0;
  const nf = (f & (FILE | EVER | WRITABLE)) | RES | YOUNG | (active ? ACT : 0) | (active && f & SHADOW_WS ? WS : 0);
  mapNew(s, p, page, LRU_INACTIVE_ANON + (active ? 1 : 0), nf);
  const slot = s.slotOf[page]!;
  releaseSlot(s, p, page);
  s.counters.swapInPages++;
  s.counters.swapReadIos++;
  p.tick.swapIn++;
  const ahead = swapinReadahead(s, p, page, slot);
  if (s.zram) zramFault(s, p);
  // A request process's sampled read also waits behind its own chunk's reads (fidelity.ts selfQueueUs).
  else majorFault(s, p, readWaitSec(s, 1 + ahead) + p.selfQueueUs * 1e-6 * s.scale, workingset);
  return 2;
}

/**
 * A touch of a resident file page: readahead's mark and fault-around (filemap.ts), then the
 * reference: `mark_page_accessed` for read(2), the PTE accessed bit for an mmap.
 */
function fileTouch(s: HostState, p: ProcRt, page: number, f: number): number {
  const flags = s.flags;
  if (f & WRITABLE) flags[page] = f | DIRTY;
  const minor = fileHit(s, p, page, flags[page]!);
  if (p.cfg.fileAccess.via === 'read') s.reclaim.markAccessed(page, flags[page]!);
  else if (mapRecency(p)) flags[page] = flags[page]! | YOUNG;
  if (minor === 0) return 0;
  minorFault(s, p);
  return 1;
}

/**
 * A miss on a file page (first read, or a refault of an evicted one: activated when recent,
 * `workingset_refault`): the read with readahead's window (filemap.ts). An mmap reader takes a
 * major fault; a read(2) reader only waits. Returns 2 (major fault), 0 (read(2)) or −1 when
 * `p` died (OOM) getting the frame.
 */
function fileFault(s: HostState, p: ProcRt, page: number, f: number): number {
  let list = LRU_INACTIVE_FILE;
  let extra = f & WRITABLE ? DIRTY : 0;
  let workingset = false;
  if (f & EVER) {
    const refault = s.reclaim.refault(p.cg, page, f);
    if (refault & REFAULT_ACTIVATE) {
      list++;
      extra |= ACT | (f & SHADOW_WS ? WS : 0);
    }
    workingset = (refault & REFAULT_WORKINGSET) !== 0;
  }
  const mmap = p.cfg.fileAccess.via === 'mmap';
  if (mmap && mapRecency(p)) extra |= YOUNG;
  if (!fileMiss(s, p, page, list, extra, workingset, () => allocFrame(s, p))) return -1;
  if (mmap) return f & EVER || chargePageTable(s, p) ? 2 : -1;
  // filemap_read marks the page accessed after reading it (PG_referenced on its first read).
  s.reclaim.markAccessed(page, s.flags[page]!);
  return 0;
}

/**
 * A forked child's touch of its anon page `page`. A page it never wrote and still shares
 * is the parent's frame: a read maps it (a fault on a swapped one swaps it in charged to
 * the parent's cgroup, as `mem_cgroup_swapin_charge_folio` charges the swap entry's owner),
 * with the work and waits paid by the child. The first write of a page in its write set
 * (`cowWriteFraction`, chosen by hash) copies it (`do_wp_page` → `wp_page_copy`): a minor
 * fault allocating the child's own frame, charged to the child's cgroup. Returns as `touch`.
 */
export function touchCow(
  s: HostState,
  child: ProcRt,
  page: number,
  touch: (p: ProcRt, page: number) => number,
): number {
  const o = page - child.anonBase;
  const parent = s.procs[child.cowParent]!;
  const shared = parent.anonBase + o;
  if (o >= parent.anonCap || s.cow![shared] === 0 || s.flags[page]! & EVER) return touch(child, page);
  if (hash32(page, COW_SEED) / 4294967296 < child.cfg.cowWriteFraction) return touch(child, page);
  // The parent's page-fault path with the child's tick: the same counters, the child's cost.
  const own = parent.tick;
  parent.tick = child.tick;
  const r = touch(parent, shared);
  parent.tick = own;
  // −1 means the parent died (OOM) while faulting the page in; the child lives on.
  return Math.max(r, 0);
}

/**
 * THP fault (`do_huge_pmd_anonymous_page`, §9), `host.thp: always`: the first touch of an
 * empty, aligned 2 MiB range of the anon region maps all of it with one fault and zeroes
 * 2 MiB; the untouched part is bloat (`max_ptes_none` 511). Falls back to a 4 KiB fault
 * (false) when the range is not wholly inside the region or part of it was faulted
 * before, when the allocation would need reclaim or compaction (free memory at or below
 * the high watermark after it: defrag's default does not compact for a non-madvised VMA),
 * or when the cgroup cannot take the whole folio (THP_FAULT_FALLBACK_CHARGE). Once mapped,
 * the pages age and are reclaimed one by one (the folio is split at reclaim).
 */
function thpFault(s: HostState, p: ProcRt, page: number): boolean {
  const n = s.thpPages;
  const o = page - p.anonBase;
  const start = page - (o % n);
  const end = start + n;
  // The whole range must lie in the region (`transhuge_vma_suitable`) and be empty (`pmd_none`).
  if (end > p.anonBase + p.anonCap) return false;
  const flags = s.flags;
  for (let q = start; q < end; q++) if (flags[q]! & EVER) return false;
  if (freeFrames(s) - n <= s.wmHigh) return false;
  if (!fitsUnderMax(s, p.cg, n)) return false;
  s.free -= n;
  charge(s, p.cg, n);
  wakeKswapd(s);
  noteOverHigh(s, p, n);
  for (let q = start; q < end; q++) {
    mapNew(s, p, q, LRU_INACTIVE_ANON, (flags[q]! & WRITABLE) | EVER | RES | (q === page ? YOUNG : 0));
  }
  // One real fault per 2 MiB mapped.
  const faults = (n * s.scale * s.pageSize) / HPAGE_PMD_SIZE;
  p.tick.minor += faults / s.scale;
  p.tick.cpuFaultSec += (s.sc.host.costs.minorFaultCpuUs + THP_ZERO_CPU_US) * 1e-6 * faults;
  return true;
}

export function minorFault(s: HostState, p: ProcRt): void {
  p.tick.minor++;
  p.tick.cpuFaultSec += s.sc.host.costs.minorFaultCpuUs * 1e-6 * s.scale;
}

/** A major fault that waited `wait` seconds (thread time) for its read; a memory stall when the page was in the working set. */
export function majorFault(s: HostState, p: ProcRt, wait: number, workingset = false): void {
  p.tick.major++;
  const cpu = s.sc.host.costs.majorFaultCpuUs * 1e-6 * s.scale;
  p.tick.cpuFaultSec += cpu;
  p.tick.stallSec += wait;
  p.tick.ioWaitSec += wait;
  if (workingset) p.tick.memstallIoSec += wait;
  s.cgs[p.cg]!.majorTick++;
}

/** A zram swap-in: decompression is the faulting task's CPU, no device wait (§8.2). */
export function zramFault(s: HostState, p: ProcRt): void {
  p.tick.major++;
  p.tick.cpuFaultSec += (s.sc.host.costs.majorFaultCpuUs + s.sc.host.swap.decompressCpuUs) * 1e-6 * s.scale;
  s.cgs[p.cg]!.majorTick++;
}
