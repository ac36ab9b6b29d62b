/**
 * Refault detection for the two-list LRU (LK mm/workingset.c): an evicted page leaves a
 * shadow entry stamped with its lruvec's non-resident age; when it faults back, the distance
 * since then decides whether it was part of the working set and goes straight to the active
 * list. The multi-generational LRU keeps its own refault logic (mglru.ts).
 */
import { canSwap } from './memcontrol.js';
import { noteCost } from './scan-balance.js';
import {
  FILE,
  type HostState,
  LRU_ACTIVE_ANON,
  LRU_ACTIVE_FILE,
  LRU_INACTIVE_ANON,
  LRU_INACTIVE_FILE,
  LRU_LISTS,
  SHADOW_WS,
} from './state.js';

/** `workingset_age_nonresident`: an eviction or activation in `c` ages it and its ancestors. */
export function ageNonresident(s: HostState, c: number): void {
  const chain = s.cgs[c]!.chain;
  for (let i = 0; i < chain.length; i++) s.cgs[chain[i]!]!.nonresidentAge++;
}

/** `workingset_eviction`: the shadow entry of `page`, evicted from `c`, is the lruvec's age. */
export function recordShadow(s: HostState, page: number, c: number): void {
  s.lru.setShadow(page, s.cgs[c]!.nonresidentAge >>> 0);
  ageNonresident(s, c);
}

/** `workingset_refault` / `workingset_test_recent`: activate iff refault distance ≤ workingset size. */
export function refaultActivates(s: HostState, page: number, c: number, f: number): boolean {
  const cg = s.cgs[c]!;
  const dist = ((cg.nonresidentAge >>> 0) - s.lru.shadow(page)) >>> 0;
  const size = s.lru.size;
  const b = c * LRU_LISTS;
  const isFile = (f & FILE) !== 0;
  let ws = size[b + LRU_ACTIVE_FILE]!;
  if (!isFile) ws += size[b + LRU_INACTIVE_FILE]!;
  if (canSwap(s, c)) {
    ws += size[b + LRU_ACTIVE_ANON]!;
    if (isFile) ws += size[b + LRU_INACTIVE_ANON]!;
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
