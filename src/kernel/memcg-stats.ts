/**
 * Memory cgroup statistics as reclaim's heuristics read them (LK mm/memcontrol.c rstat):
 * `lruvec_page_state` returns per-memcg counters only as new as their last flush, so the
 * list sizes of `inactive_is_low`, the refault activations `prepare_scan_control` compares
 * with its snapshot and the workingset size of `workingset_test_recent` lag the lists.
 */
import { type HostState, LRU_LISTS } from './state.js';

/** `FLUSH_TIME`: the period of `flush_memcg_stats_dwork`, which flushes every memcg (forced), ms. */
const FLUSH_TIME_MS = 2000;

/**
 * The memcg statistics reclaim's heuristics read are rstat counters (`lruvec_page_state`),
 * aggregated only when flushed: every FLUSH_TIME (2 s) by `flush_memcg_stats_dwork`, and for a
 * subtree whenever its memory.stat is read. Reclaim asks only for a ratelimited flush
 * (`mem_cgroup_flush_stats_ratelimited`: only when that worker is a whole period late), so
 * `inactive_is_low`, the refault activations `prepare_scan_control` compares with its snapshot
 * and the workingset size of `workingset_test_recent` are as of the last flush. With
 * `host.kernel.memcgStatsFlush` set, each cgroup's subtree sizes and activations are copied at
 * the first tick that starts at or after the period's end; unset, they are read live.
 */
export function flushMemcgStatsIfDue(s: HostState, tickStartUs: number): void {
  const readMs = s.sc.host.kernel.memcgStatsFlushMs;
  if (readMs === null || tickStartUs < s.statsFlushAtUs) return;
  // A reader slower than the periodic worker leaves the worker's 2 s (both start with the run).
  s.statsFlushAtUs = tickStartUs + Math.min(readMs, FLUSH_TIME_MS) * 1000;
  for (let c = 0; c < s.cgs.length; c++) {
    const cg = s.cgs[c]!;
    subtreeLruSizes(s, c, cg.statLru);
    cg.statActivateAnon = cg.refaultActivateAnon;
    cg.statActivateFile = cg.refaultActivateFile;
  }
}

/** Scratch for live reads: read before the next call, never kept. */
const liveLru = new Float64Array(LRU_LISTS);

/**
 * Cgroup `c`'s four LRU list sizes (sampled pages, LRU_* order) as reclaim's heuristics read
 * them: as of the last statistics flush (its subtree, as `lruvec_page_state` counts), or live,
 * its subtree's (`subtree`) or its own lists'. The array is only valid until the next call.
 */
export function lruSizesRead(s: HostState, c: number, subtree: boolean): Float64Array {
  if (s.sc.host.kernel.memcgStatsFlushMs !== null) return s.cgs[c]!.statLru;
  if (subtree) return subtreeLruSizes(s, c, liveLru);
  const base = c * LRU_LISTS;
  for (let l = 0; l < LRU_LISTS; l++) liveLru[l] = s.lru.size[base + l]!;
  return liveLru;
}

/** Refault activations of cgroup `c` (hierarchical) as `prepare_scan_control` reads them: flushed or live. */
export function activationsRead(s: HostState, c: number, file: boolean): number {
  const cg = s.cgs[c]!;
  if (s.sc.host.kernel.memcgStatsFlushMs !== null) return file ? cg.statActivateFile : cg.statActivateAnon;
  return file ? cg.refaultActivateFile : cg.refaultActivateAnon;
}

function subtreeLruSizes(s: HostState, c: number, out: Float64Array): Float64Array {
  const size = s.lru.size;
  const order = s.preorder[c]!;
  out.fill(0);
  for (let i = 0; i < order.length; i++) {
    const base = order[i]! * LRU_LISTS;
    for (let l = 0; l < LRU_LISTS; l++) out[l]! += size[base + l]!;
  }
  return out;
}
