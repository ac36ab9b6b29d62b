/**
 * User-space OOM daemons: systemd-oomd and an oomd-style pressure rule.
 *
 * systemd-oomd follows systemd/systemd `src/oom/oomd-manager.c`
 * (`monitor_memory_pressure_contexts_handler`, `monitor_swap_contexts_handler`,
 * `recursively_get_cgroup_context`), `src/oom/oomd-util.c` / `oomd-util.h`
 * (`oomd_pressure_above`, `oomd_pgscan_rate`, `compare_pgscan_rate_and_memory_usage`,
 * `compare_swap_usage`, `oomd_mem_available_below`, `oomd_swap_free_below`),
 * `src/oom/oomd-manager.h` (intervals and defaults), `oomd.conf(5)`; kernel-model.md §10.
 *
 * ManagedOOMMemoryPressure=kill, polled every 1 s, per monitored cgroup M:
 * - M's memory PSI **full avg10** > limit (default 60 %) starts a "hit" clock; at or below
 *   it resets. When the clock reaches the duration (default 30 s) M is a target.
 * - Skipped while within POST_ACTION_DELAY (15 s) of the previous pressure kill, or when M
 *   has had no reclaim activity (pgscan growth) in the last RECLAIM_DURATION (30 s).
 * - Candidates: the leaf cgroups below M, or a cgroup with memory.oom.group set taken whole
 *   (M itself when it has no children); sorted by pgscan growth since the previous poll,
 *   then memory usage, both descending; cgroups with pgscan = 0 and usage = 0 skipped.
 *   The first is killed (its whole subtree), one kill per poll.
 * ManagedOOMSwap=kill, polled every 150 ms: when both MemAvailable < (100 − limit) % of
 * MemTotal and free swap < (100 − limit) % of swap (limit default 90 %), kill the
 * candidate with the most swap, among those using more than 5 % of swap.
 *
 * The oomd-style rule (Meta oomd's `pressure_above` + kill plugins, kernel-model.md §10):
 * PSI (`pressureKind`) avg10 above the threshold for the duration → kill the candidate
 * chosen by `victim`: `biggest` (memory usage), `fastest-growing` (usage relative to its
 * moving average), `most-reclaim` (as systemd-oomd). Same candidate set and post-action
 * delay; no reclaim-activity gate. Poll interval and growth window are [unverified].
 *
 * Simplification: a candidate with no live process is skipped (killing it frees nothing).
 * Time is simulated ms. Like sd-event timers re-armed relative to each run, a poll happens
 * at the first tick ending at or after the previous poll + interval (at most once per tick).
 * Several monitored cgroups over their limit are tried in configuration order.
 */

import type { OomDaemonConfig } from '../../scenario/types.js';

/** systemd-oomd constants (oomd-manager.h) and the oomd-style defaults. */
export interface OomdParams {
  /** MEM_PRESSURE_INTERVAL_USEC: 1 s. */
  pressurePollMs: number;
  /** SWAP_INTERVAL_USEC: 150 ms. */
  swapPollMs: number;
  /** POST_ACTION_DELAY_USEC: 15 s. */
  postActionDelayMs: number;
  /** RECLAIM_DURATION_USEC: 30 s (systemd-oomd only). */
  reclaimWindowMs: number;
  /** THRESHOLD_SWAP_USED_PERCENT: 5. */
  swapCandidateMinPct: number;
  /** oomd-style `fastest-growing`: time constant of the usage moving average [unverified]. */
  growthWindowMs: number;
}

export const DEFAULT_OOMD_PARAMS: Readonly<OomdParams> = Object.freeze({
  pressurePollMs: 1000,
  swapPollMs: 150,
  postActionDelayMs: 15_000,
  reclaimWindowMs: 30_000,
  swapCandidateMinPct: 5,
  growthWindowMs: 60_000,
});

/** The cgroup tree the daemon sees: parents before children, −1 for a top-level cgroup. */
export interface OomdCgroupTree {
  readonly names: readonly string[];
  readonly parent: ArrayLike<number>;
  readonly oomGroup: ArrayLike<number | boolean>;
}

/** What the daemon reads at a poll: per-cgroup files (hierarchical values) and /proc/meminfo. */
export interface OomdSample {
  nowMs: number;
  /** memory.pressure avg10 per cgroup, percent. */
  someAvg10Pct: ArrayLike<number>;
  fullAvg10Pct: ArrayLike<number>;
  /** memory.current, memory.swap.current per cgroup. */
  usageBytes: ArrayLike<number>;
  swapBytes: ArrayLike<number>;
  /** memory.stat pgscan per cgroup (cumulative). */
  pgscan: ArrayLike<number>;
  /** Non-zero when the cgroup subtree has a live process. */
  populated: ArrayLike<number>;
  memTotalBytes: number;
  memAvailableBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

export interface OomdKill {
  /** The cgroup to kill, with its whole subtree. */
  cgroup: number;
  name: string;
  trigger: 'memory-pressure' | 'swap';
  /** The monitored cgroup whose rule fired (−1 for the swap rule). */
  monitored: number;
  /** One line for the event message. */
  reason: string;
}

export class OomDaemon {
  readonly config: OomDaemonConfig;
  private readonly tree: OomdCgroupTree;
  private readonly params: OomdParams;
  private readonly monitored: number[];
  private readonly children: number[][];
  private readonly hitStartMs: Float64Array;
  private readonly lastReclaimMs: Float64Array;
  private readonly prevPgscan: Float64Array;
  private readonly avgUsage: Float64Array;
  private nextPressurePollMs = 0;
  private nextSwapPollMs = 0;
  private lastPollMs = Number.NaN;
  private postActionStartMs = Number.NEGATIVE_INFINITY;

  constructor(config: OomDaemonConfig, tree: OomdCgroupTree, params: Partial<OomdParams> = {}) {
    this.config = config;
    this.tree = tree;
    this.params = { ...DEFAULT_OOMD_PARAMS, ...params };
    const n = tree.names.length;
    this.monitored = config.cgroups.map((path) => {
      const i = tree.names.indexOf(path);
      if (i < 0) throw new RangeError(`${config.kind}: monitored cgroup ${path} is not in the cgroup tree`);
      return i;
    });
    this.children = Array.from({ length: n }, () => []);
    for (let c = 0; c < n; c++) {
      const p = tree.parent[c] as number;
      if (p >= 0) this.children[p]!.push(c);
    }
    this.hitStartMs = new Float64Array(n).fill(Number.NaN);
    this.lastReclaimMs = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.prevPgscan = new Float64Array(n).fill(Number.NaN);
    this.avgUsage = new Float64Array(n).fill(Number.NaN);
  }

  /**
   * Feeds the state at the end of a tick; returns the cgroups to kill now (at most one per
   * rule and poll). The caller kills every process of each returned cgroup's subtree.
   */
  tick(sample: OomdSample): OomdKill[] {
    const kills: OomdKill[] = [];
    const now = sample.nowMs;
    if (this.config.swapUsedLimitPct !== null && now >= this.nextSwapPollMs) {
      this.nextSwapPollMs = now + this.params.swapPollMs;
      const kill = this.swapRule(sample, this.config.swapUsedLimitPct);
      if (kill) kills.push(kill);
    }
    if (now >= this.nextPressurePollMs) {
      this.nextPressurePollMs = now + this.params.pressurePollMs;
      const kill = this.pressureRule(sample);
      if (kill && !kills.some((k) => k.cgroup === kill.cgroup)) kills.push(kill);
      this.remember(sample);
    }
    return kills;
  }

  /** Leaf cgroups below `root`, or oom.group cgroups taken whole; `root` itself if it has no children. */
  candidates(root: number): number[] {
    const out: number[] = [];
    const walk = (c: number, isRoot: boolean) => {
      const kids = this.children[c]!;
      if (kids.length === 0 || (!isRoot && this.tree.oomGroup[c])) {
        out.push(c);
        return;
      }
      for (const k of kids) walk(k, false);
    };
    walk(root, true);
    return out;
  }

  private pgscanDelta(sample: OomdSample, c: number): number {
    const prev = this.prevPgscan[c]!;
    const cur = sample.pgscan[c] as number;
    // oomd_pgscan_rate: no previous reading, or the counter went backwards (cgroup recreated) → from 0.
    return Number.isNaN(prev) || prev > cur ? cur : cur - prev;
  }

  private pressureRule(s: OomdSample): OomdKill | null {
    const now = s.nowMs;
    const limit = this.config.pressureLimitPct;
    const pressure = this.config.pressureKind === 'full' ? s.fullAvg10Pct : s.someAvg10Pct;
    const systemd = this.config.kind === 'systemd-oomd';
    for (const m of this.monitored) {
      if (systemd && this.pgscanDelta(s, m) > 0) this.lastReclaimMs[m] = now;
    }
    const targets: number[] = [];
    for (const m of this.monitored) {
      if ((pressure[m] as number) > limit) {
        if (Number.isNaN(this.hitStartMs[m]!)) this.hitStartMs[m] = now;
        if (now - this.hitStartMs[m]! >= this.config.durationMs) targets.push(m);
      } else {
        this.hitStartMs[m] = Number.NaN;
      }
    }
    if (targets.length === 0 || now < this.postActionStartMs + this.params.postActionDelayMs) return null;
    for (const m of targets) {
      if (systemd && now - this.lastReclaimMs[m]! > this.params.reclaimWindowMs) continue;
      const victim = this.pickByPressureVictim(s, m);
      if (victim < 0) continue;
      this.postActionStartMs = now;
      const kind = this.config.pressureKind;
      const p = (pressure[m] as number).toFixed(2);
      const held = ((now - this.hitStartMs[m]!) / 1000).toFixed(0);
      return {
        cgroup: victim,
        name: this.tree.names[victim]!,
        trigger: 'memory-pressure',
        monitored: m,
        reason:
          `${this.config.kind}: killed ${this.tree.names[victim]} because memory pressure (${kind} avg10) of ` +
          `${this.tree.names[m]} was ${p}% > ${limit}% for ${held} s` +
          (systemd ? ' with reclaim activity' : ` (victim: ${this.victimRule()})`),
      };
    }
    return null;
  }

  private victimRule(): OomDaemonConfig['victim'] {
    return this.config.kind === 'systemd-oomd' ? 'most-reclaim' : this.config.victim;
  }

  private pickByPressureVictim(s: OomdSample, m: number): number {
    const rule = this.victimRule();
    let best = -1;
    let bestKey = Number.NEGATIVE_INFINITY;
    let bestUsage = Number.NEGATIVE_INFINITY;
    for (const c of this.candidates(m)) {
      if (!s.populated[c]) continue;
      const usage = s.usageBytes[c] as number;
      let key: number;
      if (rule === 'most-reclaim') {
        if ((s.pgscan[c] as number) === 0 && usage === 0) continue;
        key = this.pgscanDelta(s, c);
      } else if (rule === 'biggest') {
        key = usage;
      } else {
        const avg = this.avgUsage[c]!;
        key = Number.isNaN(avg) || avg <= 0 ? 1 : usage / avg;
      }
      if (key > bestKey || (key === bestKey && usage > bestUsage)) {
        best = c;
        bestKey = key;
        bestUsage = usage;
      }
    }
    return best;
  }

  private swapRule(s: OomdSample, limitPct: number): OomdKill | null {
    const freeShare = (100 - limitPct) / 100;
    const memBelow = s.memAvailableBytes < s.memTotalBytes * freeShare;
    const swapBelow = s.swapTotalBytes - s.swapUsedBytes < s.swapTotalBytes * freeShare;
    if (!memBelow || !swapBelow) return null;
    const threshold = (s.swapTotalBytes * this.params.swapCandidateMinPct) / 100;
    let best = -1;
    for (const m of this.monitored) {
      for (const c of this.candidates(m)) {
        if (!s.populated[c] || (s.swapBytes[c] as number) <= threshold) continue;
        if (best < 0 || (s.swapBytes[c] as number) > (s.swapBytes[best] as number)) best = c;
      }
    }
    if (best < 0) return null;
    const pct = (v: number, t: number) => ((100 * v) / t).toFixed(1);
    return {
      cgroup: best,
      name: this.tree.names[best]!,
      trigger: 'swap',
      monitored: -1,
      reason:
        `${this.config.kind}: killed ${this.tree.names[best]} (most swap) because memory used ` +
        `${pct(s.memTotalBytes - s.memAvailableBytes, s.memTotalBytes)}% and swap used ` +
        `${pct(s.swapUsedBytes, s.swapTotalBytes)}% exceed ${limitPct}%`,
    };
  }

  /** Keeps this poll's readings for the next one: pgscan baseline and the usage moving average. */
  private remember(s: OomdSample): void {
    const dt = Number.isNaN(this.lastPollMs) ? this.params.pressurePollMs : s.nowMs - this.lastPollMs;
    const alpha = 1 - Math.exp(-dt / this.params.growthWindowMs);
    for (let c = 0; c < this.tree.names.length; c++) {
      this.prevPgscan[c] = s.pgscan[c] as number;
      const u = s.usageBytes[c] as number;
      const avg = this.avgUsage[c]!;
      this.avgUsage[c] = Number.isNaN(avg) ? u : avg + alpha * (u - avg);
    }
    this.lastPollMs = s.nowMs;
  }
}
