/**
 * Reclaim invocations (LK mm/vmscan.c): direct reclaim by an allocating task
 * (`try_to_free_pages`), memcg limit reclaim (`try_to_free_mem_cgroup_pages`), kswapd
 * (`balance_pgdat`), each a `do_try_to_free_pages` of priority passes over every memcg under
 * the target (`shrink_node_memcgs`), v1 soft-limit reclaim first under global pressure, and
 * memory.low given up only when nothing else is reclaimable. How much of each list a pass
 * scans is scan-balance.ts; the lists themselves are the host's Reclaim (lru-classic.ts,
 * lru-gen.ts).
 */
import { queueAheadUs, tagWaitUs } from './io-queue.js';
import { activationsRead } from './memcg-stats.js';
import { computeProtection, largestSoftLimitExcess, memoryEvent } from './memcontrol.js';
import { EV_LOW, freeFrames, type HostState, type ProcRt, type ScanControl } from './state.js';
import { startReclaimClock, writebackWakeUs } from './writeback.js';

export function newScanControl(s: HostState, target: number, global: boolean, nr: number, maySwap = true): ScanControl {
  return {
    target,
    global,
    priority: s.sc.host.kernel.defPriority,
    nrToReclaim: nr,
    batch: nr,
    lruvecGoal: nr,
    reclaimed: 0,
    scanned: 0,
    written: 0,
    waitUs: 0,
    lowReclaim: false,
    lowSkipped: false,
    mayDeactAnon: false,
    mayDeactFile: false,
    cacheTrim: false,
    fileTiny: false,
    kswapd: false,
    throttled: false,
    maySwap,
    memcgFullWalk: false,
    skippedDeactivate: false,
    forceDeactivate: false,
  };
}

/** `sc` as newScanControl(s, target, global, nr, maySwap) makes it: kswapd reuses one per host. */
function resetScanControl(s: HostState, sc: ScanControl, target: number, global: boolean, nr: number): void {
  sc.target = target;
  sc.global = global;
  sc.priority = s.sc.host.kernel.defPriority;
  sc.nrToReclaim = nr;
  sc.batch = nr;
  sc.lruvecGoal = nr;
  sc.reclaimed = 0;
  sc.scanned = 0;
  sc.written = 0;
  sc.lowReclaim = false;
  sc.lowSkipped = false;
  sc.mayDeactAnon = false;
  sc.mayDeactFile = false;
  sc.cacheTrim = false;
  sc.fileTiny = false;
  sc.kswapd = false;
  sc.throttled = false;
  sc.maySwap = true;
  sc.memcgFullWalk = false;
  sc.skippedDeactivate = false;
  sc.forceDeactivate = false;
}

/** `try_to_free_pages` by `p`, which stalls for it; returns pages reclaimed. */
export function directReclaim(s: HostState, p: ProcRt): number {
  const sc = newScanControl(s, 0, true, s.clusterPages);
  doTryToFreePages(s, sc);
  s.counters.scanDirect += sc.scanned;
  chargeReclaim(s, p, sc);
  return sc.reclaimed;
}

/**
 * memcg limit reclaim (`try_to_free_mem_cgroup_pages`) in cgroup `cg`, charged to `p` as a
 * stall; `maySwap` false when the memsw counter refused the charge.
 */
export function reclaimCgroup(s: HostState, cg: number, pages: number, p: ProcRt, maySwap = true): number {
  const sc = newScanControl(s, cg, false, Math.max(pages, 1), maySwap);
  doTryToFreePages(s, sc);
  s.counters.scanDirect += sc.scanned;
  chargeReclaim(s, p, sc);
  return sc.reclaimed;
}

/**
 * kswapd: reclaims toward the high watermark in SWAP_CLUSTER_MAX batches; returns CPU seconds
 * used. `sc` is scratch for the batches (one batch per page reclaimed at low sampling rates:
 * not an object each).
 */
export function kswapdRun(s: HostState, maxBatches: number, sc: ScanControl = newScanControl(s, 0, true, 0)): number {
  let cpu = 0;
  s.kswapdProgress = false;
  // Back from a wait for writeback: the writes done meanwhile are rotated to the tail.
  if (s.reclaimClockUs < s.kswapdWakeUs) s.reclaimClockUs = s.kswapdWakeUs;
  s.kswapdWakeUs = 0;
  for (let b = 0; b < maxBatches; b++) {
    if (freeFrames(s) >= s.wmHigh) {
      s.kswapdAwake = false;
      break;
    }
    resetScanControl(s, sc, 0, true, Math.min(s.clusterPages, s.wmHigh - freeFrames(s)));
    sc.kswapd = true;
    // For kswapd, reliable forward progress matters more than a quick return: full walks.
    sc.memcgFullWalk = true;
    doTryToFreePages(s, sc);
    s.counters.scanKswapd += sc.scanned;
    cpu += reclaimCpuSec(s, sc);
    if (sc.reclaimed === 0) {
      // balance_pgdat counts a failure only when a whole run freed nothing; while pages it
      // unmapped are still being written its run goes on: shrink_node throttles kswapd on them
      // (`reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK)`) and, written, they are rotated to the
      // tail (`folio_rotate_reclaimable`) where its next pass frees them.
      if (s.asyncPageout) s.kswapdWakeUs = writebackWakeUs(s, s.clusterPages);
      if (s.kswapdWakeUs > 0) break;
      // balance_pgdat gave up this round; after MAX_RECLAIM_RETRIES only direct reclaim is left.
      if (sc.scanned === 0 || s.kswapdWriteBudget > 0) s.kswapdFailures++;
      if (s.kswapdFailures >= s.sc.host.kernel.maxReclaimRetries) s.kswapdAwake = false;
      break;
    }
    s.kswapdFailures = 0;
    s.kswapdProgress = true;
  }
  return cpu;
}

/** Requests a block queue takes before a submitter sleeps for a tag (`BLKDEV_DEFAULT_RQ`). */
const BLKDEV_DEFAULT_RQ = 128;

/**
 * CPU of scanning (the process's CPU, once), plus waiting for writes: with asynchronous
 * pageout the waits for writes in flight that reclaim met (writeback.ts); otherwise, in
 * global reclaim, for the writes it issued (reclaim_throttle on writeback, §1.2: thread time
 * off CPU). The whole episode is one lump for the request model and a memory stall for PSI.
 */
function chargeReclaim(s: HostState, p: ProcRt, sc: ScanControl): void {
  const cpu = reclaimCpuSec(s, sc);
  p.tick.cpuReclaimSec += cpu;
  const clusters = (sc.written * s.scale) / s.sc.host.kernel.swapClusterMax;
  // A memcg reclaimer submits its writes and goes on (perf on the lab VM, cgroup v1 and anon:
  // 0-0.1 % of its time asleep, nr_writeback and nr_immediate 0) unless the device's request
  // pool is used up: `submit_bio` then sleeps for a tag (`blk_mq_get_tag`) until fewer than
  // BLKDEV_DEFAULT_RQ requests are queued, its own writes (queued already) counted.
  let waitSec = 0;
  if (s.disk && clusters > 0) {
    waitSec = sc.global
      ? clusters * (queueAheadUs(s) + s.sc.host.swap.writeLatencyUs) * 1e-6
      : tagWaitUs(s, BLKDEV_DEFAULT_RQ) * 1e-6;
  }
  const wait = Math.min(waitSec, 0.1 * clusters) + sc.waitUs * 1e-6;
  // consider_reclaim_throttle: a direct reclaimer that freed nothing sleeps a jiffy
  // (VMSCAN_THROTTLE_NOPROGRESS); cgroup reclaim never does.
  const noProgressWait = sc.reclaimed === 0 && sc.global ? 0.004 : 0;
  p.tick.stallSec += wait + noProgressWait;
  p.tick.reclaimStallSec += cpu + wait + noProgressWait;
  p.tick.reclaimCalls += Math.max(1, (sc.nrToReclaim * s.scale) / s.sc.host.kernel.swapClusterMax);
}

function reclaimCpuSec(s: HostState, sc: ScanControl): number {
  const costs = s.sc.host.costs;
  const scan = sc.scanned * costs.reclaimScanCpuUs;
  const out = sc.written * (costs.pageOutCpuUs + (s.zram ? s.sc.host.swap.compressCpuUs : 0));
  return (scan + out) * s.scale * 1e-6;
}

/**
 * `do_try_to_free_pages` / `balance_pgdat`: priority passes (soft limit first under global
 * pressure) until the goal is met; a reclaim that freed nothing retries with a full memcg walk,
 * then with memory.low given up.
 */
export function doTryToFreePages(s: HostState, sc: ScanControl): void {
  computeProtection(s, sc.target);
  if (s.asyncPageout) startReclaimClock(s);
  const def = s.sc.host.kernel.defPriority;
  for (;;) {
    let soft = 0;
    for (sc.priority = def; sc.priority >= 0; sc.priority--) {
      if (sc.global && sc.priority === def) {
        // balance_pgdat and shrink_zones call shrink_node after the soft-limit pass whatever it
        // got: the soft limit adds pressure on the cgroups above it, it does not spare the
        // others. kswapd's pass keeps its own goal; a direct reclaimer's partial walk, its
        // goal met, stops after the first memcg it visits.
        soft = softLimitReclaim(s, sc);
        if (sc.kswapd) sc.reclaimed -= soft;
      } else if (sc.reclaimed >= sc.nrToReclaim) break;
      s.reclaim.prepare(sc);
      shrinkSubtree(s, sc.target, sc, false);
      if (sc.reclaimed >= sc.nrToReclaim) break;
    }
    if (sc.kswapd) sc.reclaimed += soft;
    if (sc.reclaimed > 0) break;
    // balance_pgdat has none of do_try_to_free_pages' retries: kswapd never reclaims below
    // memory.low (its memcg_low_reclaim stays 0) and leaves forced deactivation to direct reclaim.
    if (sc.kswapd) break;
    // The partial walks' shared position may have shown this reclaimer too few memcgs.
    if (!sc.memcgFullWalk) sc.memcgFullWalk = true;
    // An active list was not aged because the statistics said the inactive one was not low:
    // force deactivation (the inactive list may hold only pages that cannot go yet).
    else if (sc.skippedDeactivate) {
      sc.forceDeactivate = true;
      sc.skippedDeactivate = false;
    }
    // memcg_low_reclaim: nothing unprotected was reclaimable, so memory.low gives way.
    else if (sc.lowSkipped && !sc.lowReclaim) {
      sc.lowReclaim = true;
      sc.forceDeactivate = false;
    } else break;
    sc.lowSkipped = false;
  }
  // snapshot_refaults: refault activations are compared against this at the next reclaim.
  const t = s.cgs[sc.target]!;
  t.snapActivateAnon = activationsRead(s, sc.target, false);
  t.snapActivateFile = activationsRead(s, sc.target, true);
}

/** `MEM_CGROUP_MAX_RECLAIM_LOOPS`: passes of `mem_cgroup_soft_reclaim` over the victim's subtree. */
const SOFT_RECLAIM_LOOPS = 100;

/**
 * `mem_cgroup_soft_limit_reclaim`: the cgroup furthest above its v1 soft limit gives pages
 * (the kernel tries the next one only when it gave none; here the pass ends). kswapd takes
 * its batch there; a direct reclaimer's `mem_cgroup_soft_reclaim` goes round the victim's
 * subtree, SWAP_CLUSTER_MAX pages a visit (`mem_cgroup_shrink_node`), until it has a quarter
 * of the excess or has been round 100 times. Returns the pages reclaimed.
 */
function softLimitReclaim(s: HostState, sc: ScanControl): number {
  const { cg: best, excess } = largestSoftLimitExcess(s);
  if (best < 0) return 0;
  const start = sc.reclaimed;
  const want = sc.nrToReclaim;
  const batch = sc.batch;
  const goal = sc.kswapd
    ? want - sc.reclaimed
    : Math.min(SOFT_RECLAIM_LOOPS * s.clusterPages, Math.max(s.clusterPages, excess >> 2));
  sc.nrToReclaim = sc.reclaimed + Math.max(0, Math.min(goal, excess));
  sc.batch = sc.nrToReclaim - sc.reclaimed;
  const savedPrio = sc.priority;
  const fullWalk = sc.memcgFullWalk;
  sc.memcgFullWalk = true;
  for (let prio = savedPrio; prio >= 0 && sc.reclaimed < sc.nrToReclaim; prio--) {
    sc.priority = prio;
    s.reclaim.prepare(sc);
    shrinkSubtree(s, best, sc, true);
  }
  sc.memcgFullWalk = fullWalk;
  sc.priority = savedPrio;
  sc.batch = batch;
  sc.nrToReclaim = sc.throttled ? sc.reclaimed : want;
  return sc.reclaimed - start;
}

/**
 * `shrink_node_memcgs`: the lruvecs under `root` in pre-order, skipping those below
 * memory.min / memory.low. A partial walk resumes after the memcg where the last one stopped
 * (from the start when that was the last one) and stops at the end of the subtree or once the
 * goal is met, so that direct reclaimers share the cost round-robin (`mem_cgroup_iter` with a
 * reclaim cookie); a full walk visits every memcg.
 */
function shrinkSubtree(s: HostState, root: number, sc: ScanControl, ignoreProtection: boolean): void {
  const order = s.preorder[root]!;
  const partial = !sc.memcgFullWalk;
  let i = 0;
  if (partial) {
    i = s.iterPos[root]! + 1;
    if (i >= order.length) i = 0;
  }
  for (; i < order.length && !sc.throttled; i++) {
    const c = order[i]!;
    const cg = s.cgs[c]!;
    if (partial && i === order.length - 1) s.iterPos[root] = -1;
    if (!ignoreProtection && c !== sc.target) {
      if (cg.usage <= cg.emin) continue;
      if (cg.usage <= cg.elow) {
        if (!sc.lowReclaim) {
          sc.lowSkipped = true;
          continue;
        }
        // shrink_node_memcgs: reclaimed below memory.low on the retry pass.
        memoryEvent(s, c, EV_LOW);
      }
    }
    s.reclaim.shrinkLruvec(c, sc, ignoreProtection);
    if (partial && sc.reclaimed >= sc.nrToReclaim) {
      if (i < order.length - 1) s.iterPos[root] = i;
      break;
    }
  }
}
