/**
 * Getting a frame for a faulting task (LK mm/memcontrol.c `try_charge_memcg`, then
 * mm/page_alloc.c `__alloc_pages`): memcg limit reclaim and the memcg OOM killer first, then
 * the zone watermarks: kswapd woken at low, direct reclaim at min, the global OOM killer when
 * reclaim makes no progress (`should_reclaim_retry`).
 */
import { PTRS_PER_PTE } from '../linux/mm.js';
import { hostWatermarks } from './mechanisms/watermarks.js';
import { charge, memoryEvent, noteOverHigh, OVER_MEMSW, overCgroup, overMax } from './memcontrol.js';
import { oomKill } from './oom-kill.js';
import { EV_MAX, EV_OOM, freeFrames, type HostState, type ProcRt } from './state.js';
import { directReclaim, reclaimCgroup } from './vmscan.js';

/**
 * Gets a frame for process `p` (charging its cgroup). Returns false when `p` was killed
 * (OOM) while trying. Reclaim costs are added to `p.tick`.
 */
export function allocFrame(s: HostState, p: ProcRt): boolean {
  // try_charge_memcg: reclaim inside the limited cgroup until the charge fits, then memcg OOM.
  // A reclaim that freed anything retries without using up a retry, and nothing gives retries
  // back but an OOM kill: the charge OOMs at its (MAX_RECLAIM_RETRIES + 2)th reclaim that freed
  // nothing, however many freed pages in between (the first empty one only drains the per-CPU
  // charge stocks, `drain_all_stock`; then `nr_retries--` from MAX_RECLAIM_RETRIES to 0). The
  // kernel measured (perf, v1 memcg at its limit): 18 empty reclaims in a row, 33 µs each,
  // then the kill. Only freed pages count (`try_to_free_mem_cgroup_pages`): pages unmapped and
  // still being written free nothing yet.
  let over = overMax(s, p.cg);
  let empty = 0;
  while (over >= 0) {
    const limited = overCgroup(over);
    const c = s.cgs[limited]!;
    // Each charge attempt over memory.max counts `max`; giving up counts `oom` (try_charge_memcg).
    memoryEvent(s, limited, EV_MAX);
    const got = reclaimCgroup(s, limited, s.clusterPages, p, (over & OVER_MEMSW) === 0);
    if (!p.alive) return false;
    if (got === 0 && ++empty >= s.sc.host.kernel.maxReclaimRetries + 2) {
      memoryEvent(s, limited, EV_OOM);
      oomKill(s, limited, `memory.max of ${c.path || '/'} reached`);
      if (!p.alive) return false;
      // A kill that made room gives the retries back (OOM_SUCCESS); the stocks stay drained.
      empty = 1;
    }
    over = overMax(s, p.cg);
  }
  // __alloc_pages: fast path above low; wake kswapd; below min, direct reclaim.
  wakeKswapd(s);
  while (freeFrames(s) <= s.wmMin || freeFrames(s) <= 0) {
    const got = directReclaim(s, p);
    if (!p.alive) return false;
    if (got > 0) {
      p.noProgress = 0;
      s.kswapdFailures = 0;
    } else if (++p.noProgress >= s.sc.host.kernel.maxReclaimRetries) {
      p.noProgress = 0;
      oomKill(s, 0, 'out of memory: reclaim made no progress');
      if (!p.alive) return false;
    }
  }
  s.free--;
  charge(s, p.cg, 1);
  noteOverHigh(s, p, 1);
  return true;
}

/**
 * A frame for a page read ahead (`readahead_gfp_mask`: __GFP_NORETRY). At the cgroup's limit
 * the charge reclaims once and gives up rather than retry or OOM (`try_charge_memcg`); below
 * the min watermark the allocation reclaims directly once. False: the window stops here.
 */
export function allocReadaheadFrame(s: HostState, p: ProcRt): boolean {
  const over = overMax(s, p.cg);
  if (over >= 0) {
    const limited = overCgroup(over);
    memoryEvent(s, limited, EV_MAX);
    reclaimCgroup(s, limited, s.clusterPages, p, (over & OVER_MEMSW) === 0);
    if (!p.alive || overMax(s, p.cg) >= 0) return false;
  }
  wakeKswapd(s);
  if (freeFrames(s) <= s.wmMin) {
    directReclaim(s, p);
    if (!p.alive || freeFrames(s) <= s.wmMin) return false;
  }
  s.free--;
  charge(s, p.cg, 1);
  return true;
}

/**
 * Page tables (`pte_alloc` → `GFP_PGTABLE_USER`, which has __GFP_ACCOUNT): a process's first touch
 * of a page owes 1/PTRS_PER_PTE of a page-table page, charged to its memcg as a normal
 * allocation (it reclaims, and can OOM, as any charge). In sampled units the same share: a
 * sampled page stands for 1/R real ones and a page-table frame for 1/R real page tables. Returns
 * false when `p` died getting the frame.
 */
export function chargePageTable(s: HostState, p: ProcRt): boolean {
  p.ptDebt += 1 / PTRS_PER_PTE;
  if (p.ptDebt < 1) return true;
  p.ptDebt -= 1;
  if (!allocFrame(s, p)) return false;
  p.ptFrames++;
  s.kernelFrames++;
  return true;
}

/**
 * A process's fixed memory (`memory.fixed`): kernel memory charged to its memcg besides the
 * last-level page tables (__GFP_ACCOUNT allocations: task and mm structures, VMAs, the upper
 * page-table levels) and the pages it touches all the time outside its working set (stack,
 * libraries' data). Taken when it starts as any charge (it may reclaim, or OOM), on no LRU
 * list, freed at exit. Returns false when `p` died getting it.
 */
export function chargeFixed(s: HostState, p: ProcRt): boolean {
  const pages = Math.round((p.cfg.memory.fixedBytes / s.pageSize) * s.rate);
  for (let i = 0; i < pages; i++) {
    if (!allocFrame(s, p)) return false;
    p.fixedFrames++;
    s.kernelFrames++;
  }
  return true;
}

/** `wake_all_kswapds` when free memory is at or below the low watermark (unless kswapd gave up). */
export function wakeKswapd(s: HostState): void {
  if (freeFrames(s) <= s.wmLow && !s.kswapdAwake && s.kswapdFailures < s.sc.host.kernel.maxReclaimRetries)
    s.kswapdAwake = true;
}

/** The zone watermarks from vm.min_free_kbytes and vm.watermark_scale_factor (mechanisms/watermarks.ts). */
export function setWatermarks(s: HostState): void {
  const h = s.sc.host;
  const wm = hostWatermarks({
    managedBytes: h.ramBytes - h.reservedBytes,
    pageSizeBytes: h.pageSizeBytes,
    minFreeKbytes: h.sysctl['vm.min_free_kbytes'],
    watermarkScaleFactor: h.sysctl['vm.watermark_scale_factor'],
    scale: s.rate,
  });
  s.wmMin = wm.minPages;
  s.wmLow = Math.max(wm.lowPages, s.wmMin);
  s.wmHigh = Math.max(wm.highPages, s.wmLow);
}
