/**
 * Memory pressure stall information (PSI), computed the way the kernel computes
 * /proc/pressure/memory and each cgroup's memory.pressure.
 *
 * Follows LK `kernel/sched/psi.c` (header comment, `test_state`, `collect_percpu_times`,
 * `update_averages`, `calc_avgs`, `psi_show`), LK `include/linux/sched/loadavg.h`
 * (`calc_load`, FIXED_1), LK `kernel/sched/loadavg.c` (`calc_load_n`, `fixed_power_int`),
 * LK `Documentation/accounting/psi.rst`; kernel-model.md §10.
 *
 * Per tick and per group (the host = root group 0, and every cgroup; a task counts in its
 * group and all ancestors, as the kernel walks the cgroup hierarchy):
 * 1. Tasks are placed on CPUs (longest non-idle time first onto the least loaded CPU — a
 *    deterministic stand-in for the load balancer). The caller gives each task's stalled
 *    time (memstall: direct/memcg reclaim, memory.high sleep, working-set refault waits),
 *    its non-idle time (running, runnable, memstalled or in other IO wait) and optionally
 *    its non-memory IO-wait time, all within the tick. Productive = non-idle − stalled − IO wait.
 * 2. Per CPU, the kernel's states (`test_state`): SOME = ≥ 1 task memstalled; FULL =
 *    memstalled and no task productive (6.x: running == memstall_running); NONIDLE = any
 *    task non-idle. Within a tick the tasks' states are taken as independent and spread
 *    over the tick: P(SOME) = 1 − Π(1 − s_i), P(NONIDLE) = 1 − Π(1 − n_i),
 *    P(FULL) = Π(1 − p_i) − Π(1 − p_i − s_i)  (s, n, p: shares of the tick).
 * 3. Multi-CPU aggregation (`collect_percpu_times`): tSOME = Σ tSOME[cpu]·tNONIDLE[cpu] /
 *    Σ tNONIDLE[cpu] (same for FULL), added to the group's `total` (ns). The kernel weights
 *    by non-idle jiffies at each collection; here weights are exact non-idle time and every
 *    tick is a collection (as if a reader polled the file each tick) — the two agree up to
 *    the kernel's jiffy rounding of the weights.
 * 4. Averages (`update_averages`): at the end of the first tick at or after
 *    `avg_next_update` (on a fixed grid of PSI_FREQ = 2·HZ + 1 jiffies), sample = total −
 *    avg_total clamped to the elapsed period (the excess carried to later periods), pct =
 *    ⌊sample·100/period⌋·FIXED_1, periods missed in between folded in as zeros
 *    (`calc_load_n`), then `calc_load` with EXP_10s/60s/300s = 1677/1981/2034.
 * 5. Display (`psi_show`): avg as LOAD_INT.LOAD_FRAC (two decimals, truncated), total in µs.
 */

export const FSHIFT = 11;
export const FIXED_1 = 1 << FSHIFT; // 2048
/** 1/exp(2 s / 10 s), 1/exp(2 s / 60 s), 1/exp(2 s / 300 s) in FIXED_1 units (psi.c). */
export const EXP_10S = 1677;
export const EXP_60S = 1981;
export const EXP_300S = 2034;
const EXPS = [EXP_10S, EXP_60S, EXP_300S] as const;

/** `calc_load` (loadavg.h): one fixed-point EMA step, rounding up while rising. */
export function calcLoad(load: number, exp: number, active: number): number {
  let next = load * exp + active * (FIXED_1 - exp);
  if (active >= load) next += FIXED_1 - 1;
  return Math.floor(next / FIXED_1);
}

/** `fixed_power_int(x, FSHIFT, n)`: x^n in fixed point with the kernel's rounding. */
export function fixedPowerInt(x: number, n: number): number {
  let result = FIXED_1;
  const half = FIXED_1 / 2;
  while (n > 0) {
    if (n & 1) result = Math.floor((result * x + half) / FIXED_1);
    n = Math.floor(n / 2);
    if (n === 0) break;
    x = Math.floor((x * x + half) / FIXED_1);
  }
  return result;
}

/** `calc_load_n`: n EMA steps towards `active` at once. */
export function calcLoadN(load: number, exp: number, active: number, n: number): number {
  return calcLoad(load, fixedPowerInt(exp, n), active);
}

/** A fixed-point average as /proc/pressure shows it: LOAD_INT.LOAD_FRAC, e.g. 18550 → 9.05. */
export function fixedToPct(avg: number): number {
  const int = Math.floor(avg / FIXED_1);
  const frac = Math.floor(((avg % FIXED_1) * 100) / FIXED_1);
  return int + frac / 100;
}

/** PSI_FREQ = 2·HZ + 1 jiffies, in µs. */
export function psiPeriodUs(hz: number): number {
  return ((2 * hz + 1) * 1e6) / hz;
}

export type PsiKind = 'some' | 'full';

/** What PSI reads of one process's tick, seconds of thread time (the kernel room's ProcStats). */
export interface TaskTickSec {
  cpuUserSec: number;
  cpuFaultSec: number;
  cpuReclaimSec: number;
  /** Thread time not running: device reads, reclaim, memory.high sleeps. */
  stallSec: number;
  /** Of stallSec: waiting for device reads (major faults, file reads, readahead under IO). */
  ioWaitSec: number;
  /** Of ioWaitSec: reads of refaulting working-set pages. */
  memstallIoSec: number;
}

/** One task's times in a tick, µs, as MemoryPsi.tick takes them. */
export interface TaskTimesUs {
  stalledUs: number;
  nonIdleUs: number;
  ioWaitUs: number;
}

/**
 * Each of a process's `threads` tasks in the tick, as psi.c's task states see it, from the
 * time the replay's clock gave the process (its CPU and its stalls: non-idle).
 * Productive: the task's own work and fault handling. Plain IO wait: reads of pages that
 * were not in the working set (non-idle, neither stalled nor productive). Memstall
 * (`psi_memstall_enter`), the rest: direct and memcg reclaim (`__perform_reclaim`,
 * `try_to_free_mem_cgroup_pages` in `try_charge_memcg`) with its CPU — a reclaiming task on
 * CPU is NR_MEMSTALL_RUNNING, not productive, so it does not break FULL (`test_state`, 6.x:
 * FULL while running == memstall_running) —, memory.high sleeps
 * (`mem_cgroup_handle_over_high`) and the waits for reads of working-set refaults
 * (`swap_read_folio`, `folio_wait_bit_common` on a PG_workingset folio).
 */
export function taskTimesUs(t: TaskTickSec, threads: number, tickUs: number, out: TaskTimesUs): TaskTimesUs {
  const perTask = 1e6 / Math.max(1, threads);
  const busy = (t.cpuUserSec + t.cpuFaultSec + t.cpuReclaimSec + t.stallSec) * perTask;
  const productive = Math.min(busy, (t.cpuUserSec + t.cpuFaultSec) * perTask);
  const io = Math.min(busy - productive, Math.max(0, t.ioWaitSec - t.memstallIoSec) * perTask);
  // A stall that runs past the tick's end (carried to the next) keeps the tick's proportions.
  const fit = busy > tickUs ? tickUs / busy : 1;
  out.nonIdleUs = Math.min(tickUs, busy * fit);
  out.ioWaitUs = io * fit;
  out.stalledUs = (busy - productive - io) * fit;
  return out;
}

export interface PsiLine {
  avg10Pct: number;
  avg60Pct: number;
  avg300Pct: number;
  totalUs: number;
}

export interface PsiOptions {
  cpus: number;
  /** Kernel HZ, for PSI_FREQ. Default 1000 [distribution-dependent: 250 or 1000]. */
  hz?: number;
  /** Overrides the averaging period (default PSI_FREQ at `hz`). */
  periodUs?: number;
}

/**
 * Memory PSI for a host and its cgroups. Groups are indexed 0..n−1; group 0 is the root
 * (the host, /proc/pressure/memory), `parents[g]` is g's parent (−1 for the root only).
 */
export class MemoryPsi {
  readonly groups: number;
  readonly cpus: number;
  readonly periodNs: number;
  /** SOME / FULL stall time of each group in the last tick, µs (for per-step series). */
  readonly lastSomeUs: Float64Array;
  readonly lastFullUs: Float64Array;
  private readonly parents: Int32Array;
  /** Cumulative totals, ns: index 2·g (some), 2·g + 1 (full). */
  private readonly totalNs: Float64Array;
  private readonly avgTotalNs: Float64Array;
  /** Fixed-point averages: index 6·g + 3·full + w. */
  private readonly avg: Float64Array;
  private nowNs = 0;
  private avgLastUpdateNs = 0;
  private avgNextUpdateNs: number;
  // Per-tick scratch: per (group, cpu) products and weights; per cpu placement load.
  private readonly noStall: Float64Array;
  private readonly noProd: Float64Array;
  private readonly noProdNoStall: Float64Array;
  private readonly idle: Float64Array;
  private readonly cpuLoad: Float64Array;
  private order = new Int32Array(0);
  private taskCpu = new Int32Array(0);

  constructor(parents: ArrayLike<number>, options: PsiOptions) {
    const n = parents.length;
    if (n < 1 || parents[0] !== -1) throw new RangeError('PSI groups: group 0 must be the root (parent −1)');
    for (let g = 1; g < n; g++) {
      const p = parents[g] as number;
      if (!(p >= 0 && p < g)) throw new RangeError(`PSI group ${g}: parent must be an earlier group, got ${p}`);
    }
    if (!(Number.isInteger(options.cpus) && options.cpus >= 1)) throw new RangeError('PSI needs cpus ≥ 1');
    this.groups = n;
    this.cpus = options.cpus;
    this.parents = Int32Array.from(parents);
    const periodUs = options.periodUs ?? psiPeriodUs(options.hz ?? 1000);
    if (!(periodUs > 0)) throw new RangeError('PSI period must be > 0');
    this.periodNs = Math.round(periodUs * 1000);
    this.avgNextUpdateNs = this.periodNs;
    this.lastSomeUs = new Float64Array(n);
    this.lastFullUs = new Float64Array(n);
    this.totalNs = new Float64Array(2 * n);
    this.avgTotalNs = new Float64Array(2 * n);
    this.avg = new Float64Array(6 * n);
    this.noStall = new Float64Array(n * this.cpus);
    this.noProd = new Float64Array(n * this.cpus);
    this.noProdNoStall = new Float64Array(n * this.cpus);
    this.idle = new Float64Array(n * this.cpus);
    this.cpuLoad = new Float64Array(this.cpus);
  }

  /** Simulated time fed so far, µs. */
  get nowUs(): number {
    return this.nowNs / 1000;
  }

  /**
   * Feeds one tick. For task i < `count`: `taskGroup[i]` its (leaf) group, `stalledUs[i]` its
   * memstall time, `nonIdleUs[i]` its non-idle time and `ioWaitUs[i]` (optional) its
   * non-memory IO wait in the tick (clamped to 0 ≤ stalled + ioWait ≤ nonIdle ≤ tickUs).
   */
  tick(
    tickUs: number,
    taskGroup: ArrayLike<number>,
    stalledUs: ArrayLike<number>,
    nonIdleUs: ArrayLike<number>,
    count = taskGroup.length,
    ioWaitUs?: ArrayLike<number>,
  ): void {
    if (!(tickUs > 0)) throw new RangeError(`PSI tick must be > 0 µs, got ${tickUs}`);
    this.placeTasks(nonIdleUs, count);
    this.noStall.fill(1);
    this.noProd.fill(1);
    this.noProdNoStall.fill(1);
    this.idle.fill(1);
    const cpus = this.cpus;
    for (let i = 0; i < count; i++) {
      const nonIdle = clamp01((nonIdleUs[i] as number) / tickUs);
      if (nonIdle === 0) continue;
      const stalled = Math.min(clamp01((stalledUs[i] as number) / tickUs), nonIdle);
      const ioWait = ioWaitUs ? Math.min(clamp01((ioWaitUs[i] as number) / tickUs), nonIdle - stalled) : 0;
      const productive = nonIdle - stalled - ioWait;
      const cpu = this.taskCpu[i] as number;
      let g = taskGroup[i] as number;
      if (!(g >= 0 && g < this.groups)) throw new RangeError(`PSI task ${i}: unknown group ${g}`);
      while (g >= 0) {
        const k = g * cpus + cpu;
        this.noStall[k]! *= 1 - stalled;
        this.noProd[k]! *= 1 - productive;
        this.noProdNoStall[k]! *= 1 - productive - stalled;
        this.idle[k]! *= 1 - nonIdle;
        g = this.parents[g] as number;
      }
    }
    const tickNs = tickUs * 1000;
    for (let g = 0; g < this.groups; g++) {
      let weights = 0;
      let some = 0;
      let full = 0;
      for (let c = 0; c < cpus; c++) {
        const k = g * cpus + c;
        const nonIdle = 1 - this.idle[k]!;
        if (nonIdle <= 0) continue;
        weights += nonIdle;
        some += (1 - this.noStall[k]!) * nonIdle;
        full += Math.max(0, this.noProd[k]! - this.noProdNoStall[k]!) * nonIdle;
      }
      const someNs = weights > 0 ? Math.round((some / weights) * tickNs) : 0;
      const fullNs = weights > 0 ? Math.min(someNs, Math.round((full / weights) * tickNs)) : 0;
      this.totalNs[2 * g]! += someNs;
      this.totalNs[2 * g + 1]! += fullNs;
      this.lastSomeUs[g] = someNs / 1000;
      this.lastFullUs[g] = fullNs / 1000;
    }
    this.nowNs += Math.round(tickNs);
    if (this.nowNs >= this.avgNextUpdateNs) this.updateAverages();
  }

  /** Raw fixed-point average of a group: percent × FIXED_1 (18550 = 9.05 %). */
  avgFixed(group: number, kind: PsiKind, window: 10 | 60 | 300): number {
    const w = window === 10 ? 0 : window === 60 ? 1 : 2;
    return this.avg[6 * group + (kind === 'full' ? 3 : 0) + w]!;
  }

  /** One line of the pressure file, as numbers: averages in percent (two decimals), total µs. */
  line(group: number, kind: PsiKind): PsiLine {
    return {
      avg10Pct: fixedToPct(this.avgFixed(group, kind, 10)),
      avg60Pct: fixedToPct(this.avgFixed(group, kind, 60)),
      avg300Pct: fixedToPct(this.avgFixed(group, kind, 300)),
      totalUs: Math.floor(this.totalNs[2 * group + (kind === 'full' ? 1 : 0)]! / 1000),
    };
  }

  /** The pressure file's text, e.g. `some avg10=9.05 avg60=1.63 avg300=0.34 total=1000000`. */
  format(group: number): string {
    return (['some', 'full'] as const)
      .map((kind) => {
        const l = this.line(group, kind);
        return `${kind} avg10=${l.avg10Pct.toFixed(2)} avg60=${l.avg60Pct.toFixed(2)} avg300=${l.avg300Pct.toFixed(2)} total=${l.totalUs}`;
      })
      .join('\n');
  }

  /** `update_averages` at the current time. */
  private updateAverages(): void {
    const now = this.nowNs;
    const expires = this.avgNextUpdateNs;
    const missed = now - expires >= this.periodNs ? Math.floor((now - expires) / this.periodNs) : 0;
    this.avgNextUpdateNs = expires + (1 + missed) * this.periodNs;
    const period = now - (this.avgLastUpdateNs + missed * this.periodNs);
    this.avgLastUpdateNs = now;
    for (let s = 0; s < 2 * this.groups; s++) {
      let sample = this.totalNs[s]! - this.avgTotalNs[s]!;
      if (sample > period) sample = period;
      this.avgTotalNs[s]! += sample;
      const pct = Math.floor((sample * 100) / period) * FIXED_1;
      const base = 3 * s; // 6·g + 3·full = 3·(2·g + full)
      for (let w = 0; w < 3; w++) {
        let a = this.avg[base + w]!;
        if (missed > 0) a = calcLoadN(a, EXPS[w]!, 0, missed);
        this.avg[base + w] = calcLoad(a, EXPS[w]!, pct);
      }
    }
  }

  /** Longest-non-idle-first onto the least loaded CPU (ties: lower index). */
  private placeTasks(nonIdleUs: ArrayLike<number>, count: number): void {
    if (this.taskCpu.length < count) {
      this.taskCpu = new Int32Array(count);
      this.order = new Int32Array(count);
    }
    // Insertion sort by non-idle time, longest first, ties by index: a total order, so the same
    // placement as any sort, without a comparator closure and a subarray every tick.
    const order = this.order;
    for (let i = 0; i < count; i++) {
      const w = nonIdleUs[i] as number;
      let j = i;
      while (j > 0 && (nonIdleUs[order[j - 1]!] as number) < w) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    }
    this.cpuLoad.fill(0);
    for (let k = 0; k < count; k++) {
      const i = order[k]!;
      let best = 0;
      for (let c = 1; c < this.cpus; c++) if (this.cpuLoad[c]! < this.cpuLoad[best]!) best = c;
      this.taskCpu[i] = best;
      this.cpuLoad[best]! += Math.max(nonIdleUs[i] as number, 0);
    }
  }
}

function clamp01(x: number): number {
  return x > 0 ? Math.min(x, 1) : 0;
}
