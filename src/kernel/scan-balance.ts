/**
 * Where swappiness is applied: how much of each LRU list one reclaim pass scans (LK
 * mm/vmscan.c `get_scan_count`, `prepare_scan_control`, and mm/swap.c `lru_note_cost`, whose
 * IO costs weigh anon against file). The sizes are scaled by memory.min / memory.low
 * protection and shifted by the reclaim priority, on real page counts of a sampled host.
 */
import { inactiveIsLow } from '../linux/mm.js';
import { activationsRead, lruSizesRead } from './memcg-stats.js';
import { canSwap } from './memcontrol.js';
import {
  type CgroupRt,
  freeFrames,
  type HostState,
  LRU_ACTIVE_ANON,
  LRU_ACTIVE_FILE,
  LRU_INACTIVE_ANON,
  LRU_INACTIVE_FILE,
  LRU_LISTS,
  priorityDivisor,
  type ScanControl,
} from './state.js';

/** `enum scan_balance`. */
export enum ScanBalance {
  /** Scan every list in proportion to its size (reclaim is desperate: priority 0). */
  Equal = 0,
  /** Scan anon and file in proportion to swappiness and their recent IO costs. */
  Fract = 1,
  /** Scan only anon (the file lists are tiny next to the high watermark). */
  Anon = 2,
  /** Scan only file (no swap, swappiness 0 under a memcg limit, or cache-trim mode). */
  File = 3,
}

/**
 * `get_scan_count`: pages to scan from each of cgroup `c`'s four lists (`nr`, simulated
 * pages, in LRU_* order), `protection` pages of memory.min/low left alone.
 */
export function getScanCount(s: HostState, c: number, sc: ScanControl, protection: number, nr: number[]): void {
  const cg = s.cgs[c]!;
  const size = s.lru.size;
  const base = c * LRU_LISTS;
  const swappiness = cg.swappiness ?? s.swappiness;
  let balance: ScanBalance;
  let ap = 0;
  let fp = 0;
  if (!sc.maySwap || !canSwap(s, c) || (swappiness === 0 && !sc.global)) balance = ScanBalance.File;
  else if (sc.priority === 0 && swappiness !== 0) balance = ScanBalance.Equal;
  else if (sc.fileTiny) balance = ScanBalance.Anon;
  else if (sc.cacheTrim) balance = ScanBalance.File;
  else {
    balance = ScanBalance.Fract;
    // The cost ladder of the reclaim target (the memcg under its limit, the root for global
    // reclaim), in the kernel's integer arithmetic on real pages.
    const t = s.cgs[sc.target]!;
    const anonCost = Math.floor(t.anonCost);
    const fileCost = Math.floor(t.fileCost);
    const total = anonCost + fileCost;
    const a = total + anonCost;
    const f = total + fileCost;
    const T = a + f;
    ap = Math.floor((swappiness * (T + 1)) / (a + 1));
    fp = Math.floor(((200 - swappiness) * (T + 1)) / (f + 1));
  }
  const shift = priorityDivisor(sc.priority);
  for (let l = 0; l < LRU_LISTS; l++) {
    const lruSize = size[base + l]!;
    let scan = Math.floor(protectedRealPages(s, lruSize, cg, protection) / shift);
    const isFile = l >= LRU_INACTIVE_FILE;
    switch (balance) {
      case ScanBalance.Fract:
        // div64_u64: online memcgs round down (only an offlined one rounds up to be emptied).
        scan = Math.floor((scan * (isFile ? fp : ap)) / (ap + fp));
        break;
      case ScanBalance.Anon:
        if (isFile) scan = 0;
        break;
      case ScanBalance.File:
        if (!isFile) scan = 0;
        break;
    }
    nr[l] = sampledScan(s, scan, base + l, lruSize);
  }
}

/** memory.min / memory.low protection of cgroup `c` in this pass (none for the reclaim target itself). */
export function protectionOf(s: HostState, c: number, sc: ScanControl, ignoreProtection: boolean): number {
  const cg = s.cgs[c]!;
  return ignoreProtection || c === sc.target ? 0 : sc.lowReclaim ? cg.emin : Math.max(cg.emin, cg.elow);
}

/**
 * get_scan_count's integer arithmetic runs on real page counts (a sampled list stands for
 * `scale` times its pages): the pages of `listSize` (sampled) that memory.min/low `protection`
 * leaves to scan, in real pages, before the priority shift. On sampled counts, `>> priority`
 * and the rounding would skip every list under 4096 sampled pages at DEF_PRIORITY, sparing
 * small tenants a real host scans.
 */
export function protectedRealPages(s: HostState, listSize: number, cg: CgroupRt, protection: number): number {
  const real = Math.floor(listSize * s.scale);
  if (protection <= 0) return real;
  const cgSize = Math.floor(Math.max(cg.usage, protection) * s.scale);
  return Math.max(
    real - Math.floor((real * Math.floor(protection * s.scale)) / (cgSize + 1)),
    s.sc.host.kernel.swapClusterMax,
  );
}

/** A real scan target in sampled pages (at most `cap`), the fraction of a page carried in `scanCarry[slot]`. */
export function sampledScan(s: HostState, realScan: number, slot: number, cap: number): number {
  if (s.scale === 1) return Math.min(realScan, cap);
  const want = realScan * s.rate + s.scanCarry[slot]!;
  const whole = Math.min(Math.floor(want), cap);
  s.scanCarry[slot] = whole < cap ? want - whole : 0;
  return whole;
}

/** `prepare_scan_control`: may_deactivate, cache_trim_mode and file_is_tiny for the target lruvec (two-list LRU). */
export function prepareScanControl(s: HostState, sc: ScanControl): void {
  const t = s.cgs[sc.target]!;
  // The target's subtree's list sizes and refault activations, as memory.stat has them.
  const size = lruSizesRead(s, sc.target, true);
  const ia = size[LRU_INACTIVE_ANON]!;
  const aa = size[LRU_ACTIVE_ANON]!;
  const inf = size[LRU_INACTIVE_FILE]!;
  const af = size[LRU_ACTIVE_FILE]!;
  sc.mayDeactAnon =
    sc.forceDeactivate ||
    activationsRead(s, sc.target, false) !== t.snapActivateAnon ||
    inactiveIsLow(ia, aa, s.rate, s.pageSize);
  sc.mayDeactFile =
    sc.forceDeactivate ||
    activationsRead(s, sc.target, true) !== t.snapActivateFile ||
    inactiveIsLow(inf, af, s.rate, s.pageSize);
  // `size >> priority` of the real lists: a sampled list stands for scale times its pages.
  const shift = priorityDivisor(sc.priority);
  sc.cacheTrim = inf * s.scale >= shift && !sc.mayDeactFile;
  sc.fileTiny = false;
  if (sc.global) {
    sc.fileTiny = af + inf + freeFrames(s) <= s.wmHigh && !sc.mayDeactAnon && ia * s.scale >= shift;
  }
}

/**
 * `lru_note_cost`: reclaim IO (weighted SWAP_CLUSTER_MAX per page written) and rotations
 * add to the anon or file cost of the cgroup and its ancestors; both halve once they exceed
 * a quarter of the cgroup's pages, so old costs fade. `cost` is in simulated pages; the
 * costs are kept in real pages, as get_scan_count reads them.
 */
export function noteCost(s: HostState, c: number, file: boolean, cost: number): void {
  if (cost <= 0) return;
  const real = cost * s.scale;
  const chain = s.cgs[c]!.chain;
  for (let i = 0; i < chain.length; i++) {
    const cg = s.cgs[chain[i]!]!;
    if (file) cg.fileCost += real;
    else cg.anonCost += real;
    const lruPages = cg.usage * s.scale;
    if (cg.anonCost + cg.fileCost > lruPages / 4) {
      cg.anonCost /= 2;
      cg.fileCost /= 2;
    }
  }
}
