/**
 * Memory cgroups (LK mm/memcontrol.c): hierarchical charging of pages and swap, the limits a
 * charge meets (memory.max, v1 memsw, memory.swap.max, memory.high), effective memory.min /
 * memory.low protection, memory.events, run-time writes to the interface files, and the v1
 * soft-limit choice. Reclaim itself is vmscan.ts; the OOM kill is oom-kill.ts.
 */
import type { CgroupField } from '../scenario/types.js';
import type { HostState, ProcRt } from './state.js';

export function normPath(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/** Index of a cgroup by path (`batch`, `/batch`), or −1. */
export function cgroupIndex(s: HostState, path: string): number {
  const n = normPath(path);
  return s.cgs.findIndex((c) => c.path === n);
}

/** Bytes to (sampled) pages; Infinity stays unlimited. */
export function pagesOf(s: HostState, bytes: number): number {
  return Number.isFinite(bytes) ? Math.floor((bytes / s.pageSize) * s.rate) : Number.POSITIVE_INFINITY;
}

/**
 * A write to a cgroup interface file at run time (scenario event), by the CgroupConfig field
 * the loader resolved the file name to. A limit lowered below usage takes effect at the
 * cgroup's next charge (reclaim, then OOM).
 */
export function setCgroupField(s: HostState, cg: number, field: CgroupField, value: number | boolean | null): void {
  const c = s.cgs[cg]!;
  if (field === 'swappiness') c.swappiness = value === null ? null : Number(value);
  else if (field === 'oomGroup') c.oomGroup = Boolean(value);
  else c[field] = pagesOf(s, value === null ? Number.POSITIVE_INFINITY : Number(value));
}

/** `page_counter_charge` up the hierarchy (negative `n` uncharges). */
export function charge(s: HostState, cg: number, n: number): void {
  const chain = s.cgs[cg]!.chain;
  for (let i = 0; i < chain.length; i++) s.cgs[chain[i]!]!.usage += n;
}

/** `mem_cgroup_try_charge_swap` / `mem_cgroup_uncharge_swap` up the hierarchy. */
export function chargeSwap(s: HostState, cg: number, n: number): void {
  const chain = s.cgs[cg]!.chain;
  for (let i = 0; i < chain.length; i++) s.cgs[chain[i]!]!.swap += n;
}

/** Set in overMax's result when the v1 memsw counter (memory + swap) refused the charge. */
export const OVER_MEMSW = 1 << 16;

/**
 * The limit one more page of `cg` would exceed, as `try_charge_memcg` meets them: the memsw
 * counters of the chain first (then the result carries OVER_MEMSW: swapping cannot lower
 * memory + swap, so that reclaim must not swap, `~MEMCG_RECLAIM_MAY_SWAP`), then memory.max.
 * The nearest cgroup whose counter refuses (`page_counter_try_charge`), or −1.
 */
export function overMax(s: HostState, cg: number): number {
  const chain = s.cgs[cg]!.chain;
  for (let i = 0; i < chain.length; i++) {
    const c = s.cgs[chain[i]!]!;
    if (c.usage + c.swap + 1 > c.memswLimit) return chain[i]! | OVER_MEMSW;
  }
  for (let i = 0; i < chain.length; i++) {
    const c = s.cgs[chain[i]!]!;
    if (c.usage + 1 > c.max) return chain[i]!;
  }
  return -1;
}

/** The cgroup of an overMax result. */
export function overCgroup(over: number): number {
  return over & (OVER_MEMSW - 1);
}

/** Whether `n` more pages fit under every memory.max and memsw limit of `cg`'s chain. */
export function fitsUnderMax(s: HostState, cg: number, n: number): boolean {
  const chain = s.cgs[cg]!.chain;
  for (let i = 0; i < chain.length; i++) {
    const c = s.cgs[chain[i]!]!;
    if (c.usage + n > c.max || c.usage + c.swap + n > c.memswLimit) return false;
  }
  return true;
}

/** Whether anon pages of `cg` may go to swap (§3 step 1: no swap space, memory.swap.max, memsw). */
export function canSwap(s: HostState, cg: number): boolean {
  if (s.device.freeSlotCount < 1) return false;
  const chain = s.cgs[cg]!.chain;
  for (let i = 0; i < chain.length; i++) {
    const c = s.cgs[chain[i]!]!;
    if (c.swap + 1 > c.swapMax) return false;
  }
  return true;
}

/** try_charge_memcg over memory.high: the task reclaims and sleeps on return to user space. */
export function noteOverHigh(s: HostState, p: ProcRt, pages: number): void {
  const chain = s.cgs[p.cg]!.chain;
  for (let i = 0; i < chain.length; i++) {
    const c = s.cgs[chain[i]!]!;
    if (c.usage > c.high) {
      p.overHighPages += pages * s.scale;
      break;
    }
  }
}

/** `memcg_memory_event`: counts in the cgroup and every ancestor below the root (memory.events is hierarchical). */
export function memoryEvent(s: HostState, cg: number, ev: number): void {
  const chain = s.cgs[cg]!.chain;
  for (let i = 0; i < chain.length; i++) if (chain[i]! > 0) s.cgs[chain[i]!]!.memoryEvents[ev]!++;
}

/** memory.stat pgscan, counted up the hierarchy. */
export function countScan(s: HostState, c: number, n: number): void {
  const chain = s.cgs[c]!.chain;
  for (let i = 0; i < chain.length; i++) s.cgs[chain[i]!]!.pgscan += n;
}

/**
 * Effective memory.min / memory.low relative to the reclaim root
 * (`mem_cgroup_calculate_protection`, `effective_protection`, without memory_recursiveprot).
 */
export function computeProtection(s: HostState, root: number): void {
  // The subtree in pre-order (precomputed: nothing allocated per reclaim): a parent's effective
  // protection is set before its children's are computed from it.
  const order = s.preorder[root]!;
  s.cgs[root]!.emin = 0;
  s.cgs[root]!.elow = 0;
  for (let i = 0; i < order.length; i++) {
    const c = s.cgs[order[i]!]!;
    const children = c.children;
    let sumMin = 0;
    let sumLow = 0;
    for (let j = 0; j < children.length; j++) {
      const k = s.cgs[children[j]!]!;
      sumMin += Math.min(k.usage, k.min);
      sumLow += Math.min(k.usage, k.low);
    }
    for (let j = 0; j < children.length; j++) {
      const k = s.cgs[children[j]!]!;
      if (order[i] === root) {
        k.emin = k.min;
        k.elow = k.low;
      } else {
        k.emin = effectiveProtection(k.usage, k.min, c.emin, sumMin);
        k.elow = effectiveProtection(k.usage, k.low, c.elow, sumLow);
      }
    }
  }
}

/** `effective_protection` without memory_recursiveprot. */
function effectiveProtection(usage: number, setting: number, parentEffective: number, siblings: number): number {
  const prot = Math.min(usage, setting);
  if (siblings > parentEffective && siblings > 0) return (prot * parentEffective) / siblings;
  return Math.min(prot, parentEffective);
}

/**
 * `mem_cgroup_largest_soft_limit_node`: the cgroup furthest above its v1 soft limit, with
 * its excess in pages; −1 when none is above.
 */
export function largestSoftLimitExcess(s: HostState): { cg: number; excess: number } {
  let best = -1;
  let bestExcess = 0;
  for (let c = 1; c < s.cgs.length; c++) {
    const ex = s.cgs[c]!.usage - s.cgs[c]!.softLimit;
    if (ex > bestExcess) {
      bestExcess = ex;
      best = c;
    }
  }
  return { cg: best, excess: bestExcess };
}

/** The cgroup table as mechanisms/oom.ts and oomd.ts index it: without the root, −1 for top level. */
export function oomCgroups(s: HostState): { names: string[]; parent: number[]; oomGroup: boolean[] } {
  const rest = s.cgs.slice(1);
  return {
    names: rest.map((c) => c.path),
    parent: rest.map((c) => c.parent - 1),
    oomGroup: rest.map((c) => c.oomGroup),
  };
}
