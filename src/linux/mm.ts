/**
 * Constants and formulas of Linux's memory-management code, in one leaf module that the
 * scenario loader (defaults), the kernel model and the replacement policies all import.
 * Each follows the kernel function it names (LK = Linux kernel source).
 */

/** `SWAP_CLUSTER_MAX`: pages reclaimed (and scanned per list) in one batch. */
export const SWAP_CLUSTER_MAX = 32;
/** `DEF_PRIORITY`: reclaim starts by scanning lists >> 12 and halves the shift each pass. */
export const DEF_PRIORITY = 12;
/** `MAX_RECLAIM_RETRIES`: reclaim rounds without progress before an OOM kill. */
export const MAX_RECLAIM_RETRIES = 16;
/** `HPAGE_PMD_SIZE`: a PMD-mapped huge page, 2 MiB on x86-64. */
export const HPAGE_PMD_SIZE = 2 * 1024 * 1024;
/** PTEs per page-table page (x86-64: 4 KiB / 8 bytes). */
export const PTRS_PER_PTE = 512;

/** Integer square root (floor), as the kernel's `int_sqrt`. */
export function intSqrt(x: number): number {
  if (x < 0) throw new RangeError('intSqrt of a negative number');
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/** Bounds of the computed min_free_kbytes default, KiB (the 128 KiB … 256 MiB clamp of 5.x+ kernels). */
export const MIN_FREE_KBYTES_FLOOR = 128;
export const MIN_FREE_KBYTES_CEIL = 262_144;

/**
 * min_free_kbytes as `calculate_min_free_kbytes` (LK mm/page_alloc.c) computes it for
 * `lowmemKbytes` of low memory (on 64-bit: all RAM the page allocator manages):
 * int_sqrt(16·KiB), clamped. `ceilKbytes` is 65536 on kernels before the 5.x clamp change.
 */
export function minFreeKbytesForLowmem(lowmemKbytes: number, ceilKbytes = MIN_FREE_KBYTES_CEIL): number {
  const computed = intSqrt(Math.floor(lowmemKbytes) * 16);
  return Math.min(Math.max(computed, MIN_FREE_KBYTES_FLOOR), ceilKbytes);
}

/** vm.min_free_kbytes default for a host with `ramBytes` of RAM. */
export function defaultMinFreeKbytes(ramBytes: number): number {
  return minFreeKbytesForLowmem(ramBytes / 1024);
}

/**
 * `inactive_is_low`'s ratio (LK mm/vmscan.c): int_sqrt(10 × GiB) of the list pair, 1 below
 * 1 GiB. The inactive list is "low" when inactive · ratio < active.
 */
export function inactiveRatio(pairBytes: number): number {
  const gib = Math.floor(pairBytes / 2 ** 30);
  return gib > 0 ? intSqrt(10 * gib) : 1;
}

/**
 * `inactive_is_low` on a sampled pair: `inactive` and `active` are simulated pages standing
 * for 1/`rate` real pages each; the ratio is taken from the real size.
 */
export function inactiveIsLow(inactive: number, active: number, rate: number, pageSize: number): boolean {
  return inactive * inactiveRatio(((inactive + active) / rate) * pageSize) < active;
}

export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_SCORE_ADJ_MAX = 1000;

/**
 * `oom_badness` (LK mm/oom_kill.c): rss + swap entries + page-table pages
 * + oom_score_adj · ⌊totalpages / 1000⌋; null where the kernel returns LONG_MIN
 * (oom_score_adj −1000: never chosen). A negative badness is still eligible since 5.9.
 */
export function oomBadness(
  rssPages: number,
  swapPages: number,
  pageTablePages: number,
  oomScoreAdj: number,
  totalPages: number,
): number | null {
  if (oomScoreAdj <= OOM_SCORE_ADJ_MIN) return null;
  return rssPages + swapPages + pageTablePages + oomScoreAdj * Math.floor(totalPages / 1000);
}

/** Page-table pages of a process mapping `pages` (resident or swapped): one 8-byte PTE each. */
export function pageTablePages(pages: number): number {
  return Math.ceil(pages / PTRS_PER_PTE);
}
