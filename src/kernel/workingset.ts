/**
 * Refault detection for the two-list LRU (LK mm/workingset.c): an evicted page leaves a
 * shadow entry stamped with its lruvec's non-resident age; when it faults back, the distance
 * since then decides whether it was part of the working set and goes straight to the active
 * list. The multi-generational LRU keeps its own refault logic (mglru.ts).
 */
import { lruSizesRead } from './memcg-stats.js';
import { canSwap } from './memcontrol.js';
import { noteCost } from './scan-balance.js';
import {
  FILE,
  type HostState,
  LRU_ACTIVE_ANON,
  LRU_ACTIVE_FILE,
  LRU_INACTIVE_ANON,
  LRU_INACTIVE_FILE,
  SHADOW_WS,
} from './state.js';

/** `workingset_age_nonresident`: an eviction or activation in `c` ages it and its ancestors. */
export function ageNonresident(s: HostState, c: number): void {
  const chain = s.cgs[c]!.chain;
  for (let i = 0; i < chain.length; i++) s.cgs[chain[i]!]!.nonresidentAge++;
}

/**
 * Low bits of a shadow entry that name the memcg whose reclaim evicted the page, as
 * `pack_shadow` packs the memcg id beside the eviction counter; the counter keeps the rest and
 * refault distances are taken modulo its width (`EVICTION_MASK`).
 */
function cgBits(s: HostState): number {
  return 32 - Math.clz32(s.cgs.length - 1);
}

/**
 * `workingset_eviction`: the shadow entry of `page`, evicted by reclaim working for `target`
 * (the memcg at its limit; the root for global reclaim), is that lruvec's age, not the
 * age of the page's own memcg; the eviction ages `target` and its ancestors.
 */
export function recordShadow(s: HostState, page: number, target: number): void {
  const bits = cgBits(s);
  s.lru.setShadow(page, (((s.cgs[target]!.nonresidentAge >>> 0) << bits) | target) >>> 0);
  ageNonresident(s, target);
}

/**
 * `workingset_refault` / `workingset_test_recent`: activate iff the refault distance, counted
 * in the evicting memcg's age, is at most that memcg's workingset size. `lruvec_page_state`
 * of a memcg lruvec is hierarchical, so the size sums its whole subtree.
 */
export function refaultActivates(s: HostState, page: number, c: number, f: number): boolean {
  const cg = s.cgs[c]!;
  const shadow = s.lru.shadow(page);
  const bits = cgBits(s);
  const e = bits === 0 ? 0 : shadow & ((1 << bits) - 1);
  const dist = ((((s.cgs[e]!.nonresidentAge >>> 0) - (shadow >>> bits)) >>> 0) & (0xffffffff >>> bits)) >>> 0;
  // The eviction memcg's subtree's list sizes, as memory.stat has them (`lruvec_page_state`).
  const size = lruSizesRead(s, e, true);
  const isFile = (f & FILE) !== 0;
  let ws = size[LRU_ACTIVE_FILE]!;
  if (!isFile) ws += size[LRU_INACTIVE_FILE]!;
  if (canSwap(s, e)) {
    ws += size[LRU_ACTIVE_ANON]!;
    if (isFile) ws += size[LRU_INACTIVE_ANON]!;
  }
  if (dist > ws) return false;
  if (isFile) cg.refaultActivateFile++;
  else cg.refaultActivateAnon++;
  for (let i = 1; i < cg.chain.length; i++) {
    const a = s.cgs[cg.chain[i]!]!;
    if (isFile) a.refaultActivateFile++;
    else a.refaultActivateAnon++;
  }
  ageNonresident(s, c);
  if (f & SHADOW_WS) noteCost(s, c, isFile, s.sc.host.kernel.swapClusterMax);
  return true;
}
