/**
 * memory.high (and memory.swap.high) over-limit throttling: the sleep a task takes on its
 * return to user space after charging pages past memory.high.
 *
 * Follows LK `mm/memcontrol.c` (6.x: `calculate_overage`, `mem_find_max_overage`,
 * `swap_find_max_overage`, `calculate_high_delay`, `mem_cgroup_handle_over_high`),
 * LK `include/linux/memcontrol.h` (MEMCG_CHARGE_BATCH), LK
 * `Documentation/admin-guide/cgroup-v2.rst` (memory.high, memory.swap.high);
 * kernel-model.md §5.1 and §12.
 *
 *   overage  = ((usage − high) << 20) / max(high, 1)     per cgroup, 0 when usage ≤ high
 *   max_overage = the largest overage from the task's cgroup up to (excluding) the root
 *   penalty  = (max_overage² · HZ) >> 20 >> 14             jiffies
 *   penalty  = penalty · nr_pages / MEMCG_CHARGE_BATCH     the task's own share
 *   penalty += the same for memory.swap.high (swap usage)
 *   penalty  = min(penalty, MEMCG_MAX_HIGH_DELAY_JIFFIES = 2·HZ)
 *   no sleep when penalty ≤ HZ/100 (10 ms). Before sleeping the kernel retries reclaim
 *   while it makes progress (up to MAX_RECLAIM_RETRIES); that loop is the caller's.
 * In real units: sleep ≈ 64·r²·(nr_pages/64) s, r = (usage − high)/high, capped at 2 s.
 * All values in pages; integer arithmetic as the kernel's. The kernel's u64 product
 * overflows when usage > ~130× high; here it saturates (the cap applies long before).
 */

export const MEMCG_DELAY_PRECISION_SHIFT = 20;
export const MEMCG_DELAY_SCALING_SHIFT = 14;
/** MEMCG_CHARGE_BATCH: 64 pages since 6.1 (32 before). */
export const DEFAULT_MEMCG_CHARGE_BATCH = 64;
/** Default HZ [distribution-dependent: 250 or 1000]; the kernel comment's table assumes 1000. */
export const DEFAULT_HZ = 1000;

export interface HighDelayParams {
  hz?: number;
  chargeBatchPages?: number;
  /** Cap per return to user space; default 2·HZ jiffies (2 s). */
  maxDelayMs?: number;
}

/** `calculate_overage`: (usage − high) / high in 2^-20 units (integer), 0 when not over. */
export function calculateOverage(usagePages: number, highPages: number): number {
  if (usagePages <= highPages) return 0;
  const high = Math.max(highPages, 1);
  return Math.floor(((usagePages - high) * 2 ** MEMCG_DELAY_PRECISION_SHIFT) / high);
}

/**
 * `mem_find_max_overage` / `swap_find_max_overage`: the worst overage from `cgroup` up to its
 * top-level ancestor. `parent[c]` is −1 for a top-level cgroup (the root has no memory.high).
 */
export function findMaxOverage(
  cgroup: number,
  parent: ArrayLike<number>,
  usagePages: ArrayLike<number>,
  highPages: ArrayLike<number>,
): number {
  let worst = 0;
  for (let c = cgroup; c !== -1; c = parent[c] as number) {
    const o = calculateOverage(usagePages[c] as number, highPages[c] as number);
    if (o > worst) worst = o;
  }
  return worst;
}

/** `calculate_high_delay`: jiffies owed for `nrPages` charged over high at `maxOverage`. */
export function calculateHighDelayJiffies(nrPages: number, maxOverage: number, params: HighDelayParams = {}): number {
  if (maxOverage <= 0) return 0;
  const hz = params.hz ?? DEFAULT_HZ;
  const batch = params.chargeBatchPages ?? DEFAULT_MEMCG_CHARGE_BATCH;
  const squared = maxOverage * maxOverage * hz;
  // Exact while below 2^53; beyond, the result is orders of magnitude past the 2 s cap.
  const penalty = Math.floor(Math.floor(squared / 2 ** MEMCG_DELAY_PRECISION_SHIFT) / 2 ** MEMCG_DELAY_SCALING_SHIFT);
  return Math.floor((penalty * nrPages) / batch);
}

export interface OverHighInput {
  /** The charging task's cgroup; `parent` −1 marks a top-level cgroup. */
  cgroup: number;
  parent: ArrayLike<number>;
  usagePages: ArrayLike<number>;
  highPages: ArrayLike<number>;
  /** memory.swap.current / memory.swap.high per cgroup (omit when swap.high is unused). */
  swapUsagePages?: ArrayLike<number>;
  swapHighPages?: ArrayLike<number>;
  /** Pages the task charged over high since its last return to user space (≥ one batch). */
  nrPages: number;
}

export interface OverHighPenalty {
  /** Jiffies computed after the cap (before the 10 ms cut). */
  penaltyJiffies: number;
  /** Sleep to take, ms: 0 when the penalty is ≤ HZ/100 jiffies. */
  sleepMs: number;
  /** True when the 2·HZ cap was applied. */
  capped: boolean;
}

/** `mem_cgroup_handle_over_high` penalty for one return to user space (reclaim retries are the caller's). */
export function overHighPenalty(input: OverHighInput, params: HighDelayParams = {}): OverHighPenalty {
  const hz = params.hz ?? DEFAULT_HZ;
  const maxJiffies = params.maxDelayMs !== undefined ? Math.floor((params.maxDelayMs * hz) / 1000) : 2 * hz;
  let penalty = calculateHighDelayJiffies(
    input.nrPages,
    findMaxOverage(input.cgroup, input.parent, input.usagePages, input.highPages),
    params,
  );
  if (input.swapUsagePages && input.swapHighPages) {
    penalty += calculateHighDelayJiffies(
      input.nrPages,
      findMaxOverage(input.cgroup, input.parent, input.swapUsagePages, input.swapHighPages),
      params,
    );
  }
  const capped = penalty > maxJiffies;
  const penaltyJiffies = Math.min(penalty, maxJiffies);
  const sleepMs = penaltyJiffies <= Math.floor(hz / 100) ? 0 : (penaltyJiffies * 1000) / hz;
  return { penaltyJiffies, sleepMs, capped };
}
