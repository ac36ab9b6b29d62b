/**
 * The verdict: the variant's top status, which follows its `expect:` checks, and the state
 * of each tenant told separately — the host, and every process — in one line of plain
 * words ("db healthy: whole-run p99 360 ms (baseline 225 ms); spark thrashing inside its
 * 36 GiB cap, causing 94% of major faults; host thrashing from 00:04:08: …"). A host can
 * thrash because one job thrashes inside its own cgroup while the tenant that matters is
 * fine; a single host-wide status would hide which fix works.
 *
 * Thresholds follow the incident's rules of thumb and are documented in docs/reports.md;
 * they name states in the headline, they are not `expect:` checks.
 */
import type {
  CheckResult,
  HealthState,
  HostVerdict,
  ProcessVerdict,
  RunResult,
  ScenarioInfo,
  Series,
  Verdict,
} from '../result/types.js';
import { formatClock } from '../util/units.js';
import { passesChecks } from './checks.js';
import { type FaultCpuSplit, faultCpuMean, formatNumber, formatSplit, formatValue } from './figures.js';

export const VERDICT_THRESHOLDS = {
  /** A condition counts only when it holds without a break for this long (one bad second is noise). */
  sustainedMs: 10_000,
  /** More than half of the CPU capacity lost to faulting means useful work is the minority: the host thrashes. */
  thrashingFaultCpuPct: 50,
  /** The article's rule of thumb: more than about 10 major faults per second, sustained, is a problem. */
  degradedMajorFaultsPerSec: 10,
  /** A fifth of the CPU capacity lost to faulting is already a visible tax on every tenant. */
  degradedFaultCpuPct: 20,
  /** A process whose threads are stalled on memory more than half of the time thrashes. */
  thrashingStallPct: 50,
  /** Stalled on memory a fifth of the time: degraded. */
  degradedStallPct: 20,
  /** A request-serving process whose step p99 exceeds this multiple of its baseline is degraded. */
  degradedLatencyFactor: 5,
  /** A troubled process's share of the host's major faults is told from this share up. */
  namedMajorFaultSharePct: 10,
} as const;

/** What the verdict reads: everything but the verdict itself. */
export type VerdictInput = Pick<
  RunResult,
  'status' | 'error' | 'timeMs' | 'host' | 'processes' | 'events' | 'checks'
> & {
  summary: Pick<RunResult['summary'], 'host' | 'processes'>;
  scenario: Pick<ScenarioInfo, 'cgroups' | 'processes'>;
};

/** A stretch of consecutive steps [from, to] (indices, inclusive) where a condition held. */
interface Stretch {
  from: number;
  to: number;
}

/** The top status from the checks alone (a run that failed has no checks worth reading). */
export function checkStatus(checks: readonly CheckResult[], runFailed = false): Verdict['status'] {
  if (runFailed) return 'failed';
  if (checks.length === 0) return 'unchecked';
  if (!passesChecks(checks)) return 'fail';
  return checks.every((c) => c.passed) ? 'pass' : 'warn';
}

/** The verdict of a run that could not be computed. */
export function failedVerdict(error: string | undefined): Verdict {
  const reason = (error ?? 'no error recorded').split('\n')[0];
  return { status: 'failed', headline: `run failed: ${reason}`, processes: [] };
}

export function computeVerdict(r: VerdictInput): Verdict {
  if (r.status === 'failed') return failedVerdict(r.error);
  const host = hostVerdict(r);
  const processes = Object.keys(r.processes).map((p) => processVerdict(r, p, host));
  return { status: checkStatus(r.checks), headline: headline(host, processes), host, processes };
}

function hostVerdict(r: VerdictInput): HostVerdict {
  const { thrash, faultTrouble } = faultStretches(r);
  const oomKills = Math.max(
    r.events.filter((e) => e.kind === 'oom-kill' || e.kind === 'oomd-kill').length,
    r.summary.host.oomKills,
  );
  const state: HealthState = thrash.length ? 'thrashing' : faultTrouble.length ? 'degraded' : 'healthy';
  if (state === 'healthy') return { state, oomKills };
  const stretches = thrash.length ? thrash : faultTrouble;
  const steps = stepsOf(stretches);
  const split = faultCpuMean(r.host, steps);
  const hostMajors = sumOver(r.host.majorFaultsPerSec, steps);
  const shares = Object.entries(r.processes)
    .map(([process, s]) => ({
      process,
      pct: hostMajors > 0 ? round3((sumOver(s.majorFaultsPerSec, steps) / hostMajors) * 100) : 0,
    }))
    .filter((s) => s.pct > 0)
    .sort((a, b) => b.pct - a.pct);
  const v: HostVerdict = {
    state,
    fromMs: stepStartMs(r.timeMs, stretches[0]!.from),
    faultCpuPct: split.totalPct,
    faultCpuBusyPct: split.busyPct,
    faultCpuWaitPct: split.waitPct,
    majorFaultsPerSec: round3(steps.length ? hostMajors / steps.length : 0),
    majorFaultShares: shares,
    oomKills,
  };
  const toMs = endMs(r.timeMs, stretches);
  if (toMs !== undefined) v.toMs = toMs;
  return v;
}

function faultStretches(r: Pick<VerdictInput, 'timeMs' | 'host'>): { thrash: Stretch[]; faultTrouble: Stretch[] } {
  const t = VERDICT_THRESHOLDS;
  const faultCpu = r.host.faultCpuPct ?? [];
  const majors = r.host.majorFaultsPerSec ?? [];
  const thrash = sustained(r.timeMs, faultCpu, (v) => v > t.thrashingFaultCpuPct);
  const faultTrouble = earliest(
    thrash,
    sustained(r.timeMs, faultCpu, (v) => v > t.degradedFaultCpuPct),
    sustained(r.timeMs, majors, (v) => v > t.degradedMajorFaultsPerSec),
  );
  return { thrash, faultTrouble };
}

function processVerdict(r: VerdictInput, name: string, host: HostVerdict): ProcessVerdict {
  const t = VERDICT_THRESHOLDS;
  const series = r.processes[name] ?? {};
  const summary = r.summary.processes[name];
  const stall = series.stallPct ?? [];
  const thrash = sustained(r.timeMs, stall, (v) => v > t.thrashingStallPct);
  const stalled = sustained(r.timeMs, stall, (v) => v > t.degradedStallPct);
  const v: ProcessVerdict = { process: name, state: 'healthy', stallPct: summary?.stallPct ?? 0 };

  let slow: Stretch[] = [];
  const p99 = series.latencyP99Ms;
  const lat = summary?.latencyMs;
  if (p99 && lat && lat.count > 0) {
    v.latencyP99Ms = lat.p99Ms;
    const worst = maxOf(p99);
    if (worst !== undefined) v.worstStepP99Ms = worst;
    // The baseline is taken before the host's first fault trouble (the whole run when there is none).
    const troubleFrom = faultStretches(r).faultTrouble[0]?.from;
    const before = p99.slice(0, troubleFrom ?? p99.length).filter((x): x is number => x !== null);
    if (before.length) {
      const baselineMs = median(before);
      v.baselineP99Ms = baselineMs;
      slow = sustained(r.timeMs, p99, (x) => x > t.degradedLatencyFactor * baselineMs);
    }
  }

  const trouble = thrash.length ? thrash : earliest(stalled, slow);
  if (summary?.oomKilled) {
    v.state = 'oom-killed';
    if (summary.oomKilledAtMs !== undefined) v.killedAtMs = summary.oomKilledAtMs;
  } else if (thrash.length) v.state = 'thrashing';
  else if (trouble.length) v.state = 'degraded';
  if (trouble.length && v.state !== 'oom-killed') {
    v.fromMs = stepStartMs(r.timeMs, trouble[0]!.from);
    const toMs = endMs(r.timeMs, trouble);
    if (toMs !== undefined) v.toMs = toMs;
  }
  const share = host.majorFaultShares?.find((s) => s.process === name);
  if (share) v.majorFaultSharePct = share.pct;
  const limit = limitOf(r.scenario, name);
  if (limit) v.limit = limit;
  return v;
}

/** The memory limit a process runs inside: its cgroup's or the nearest ancestor's, hard cap first. */
function limitOf(scenario: VerdictInput['scenario'], process: string): ProcessVerdict['limit'] {
  const cgroup = scenario.processes.find((p) => p.name === process)?.cgroup;
  if (cgroup === undefined) return undefined;
  const chain = scenario.cgroups
    .filter((c) => c.path === cgroup || cgroup.startsWith(`${c.path}/`))
    .sort((a, b) => b.path.length - a.path.length);
  for (const file of ['memory.max', 'memory.high', 'memory.soft_limit_in_bytes'] as const)
    for (const c of chain) {
      const bytes = c.limits[file];
      if (typeof bytes === 'number') return { cgroup: c.path, file, bytes };
    }
  return undefined;
}

const LIMIT_WORDS: Record<NonNullable<ProcessVerdict['limit']>['file'], string> = {
  'memory.max': 'inside its {} cap',
  'memory.high': 'at its {} memory.high',
  'memory.soft_limit_in_bytes': 'under its {} soft limit',
};

/** How long a stretch lasted: "from 00:05:12", "from 00:05:12 to 00:10:03". */
export function spanWords(fromMs: number, toMs: number | undefined): string {
  return toMs === undefined ? `from ${formatClock(fromMs)}` : `from ${formatClock(fromMs)} to ${formatClock(toMs)}`;
}

/** "88.7% of CPU time lost to faulting (0.8% busy, 87.9% waiting)": the same words wherever the split is told. */
export function faultCpuWords(s: FaultCpuSplit): string {
  return `${formatValue(s.totalPct, 'pct')} of CPU time lost to faulting (${formatSplit(s)})`;
}

/** One tenant's words: "db healthy: whole-run p99 360 ms (baseline 225 ms)". */
export function processWords(p: ProcessVerdict, host: HostVerdict | undefined): string {
  if (p.state === 'oom-killed')
    return p.killedAtMs === undefined
      ? `${p.process} OOM-killed`
      : `${p.process} OOM-killed at ${formatClock(p.killedAtMs)}`;
  const parts = [p.process, p.state];
  if (p.state !== 'healthy' && p.limit)
    parts.push(LIMIT_WORDS[p.limit.file].replace('{}', formatValue(p.limit.bytes, 'bytes')));
  if (p.fromMs !== undefined) parts.push(spanWords(p.fromMs, p.toMs));
  let text = parts.join(' ');
  if (p.latencyP99Ms !== undefined) {
    const base = p.baselineP99Ms === undefined ? '' : ` (baseline ${formatValue(p.baselineP99Ms, 'ms')})`;
    text += `: whole-run p99 ${formatValue(p.latencyP99Ms, 'ms')}${base}`;
  } else if (p.state !== 'healthy')
    text += `: stalled ${formatValue(p.stallPct, 'pct')} of its thread time over the run`;
  if (
    p.state !== 'healthy' &&
    host &&
    host.state !== 'healthy' &&
    p.majorFaultSharePct !== undefined &&
    p.majorFaultSharePct >= VERDICT_THRESHOLDS.namedMajorFaultSharePct
  )
    text += `, causing ${formatValue(p.majorFaultSharePct, 'pct')} of major faults`;
  return text;
}

/** The host's words: "host thrashing from 00:04:45: 88.7% of CPU time lost to faulting (…)". */
export function hostWords(h: HostVerdict): string {
  if (h.state === 'healthy' || h.fromMs === undefined) return `host ${h.state}`;
  let text = `host ${h.state} ${spanWords(h.fromMs, h.toMs)}: ${faultCpuWords({
    totalPct: h.faultCpuPct ?? 0,
    busyPct: h.faultCpuBusyPct ?? 0,
    waitPct: h.faultCpuWaitPct ?? 0,
  })}`;
  if (h.state === 'degraded') text += `, ${formatNumber(h.majorFaultsPerSec ?? 0)} major faults/s`;
  return text;
}

/**
 * Killed processes first (the kill is the news), then request-serving ones (whose
 * latency the checks usually guard), then the others that are not healthy, then the host.
 */
function headline(host: HostVerdict, processes: ProcessVerdict[]): string {
  const rank = (p: ProcessVerdict) => (p.state === 'oom-killed' ? 0 : p.latencyP99Ms !== undefined ? 1 : 2);
  const told = processes
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => rank(p) < 2 || p.state !== 'healthy')
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map(({ p }) => processWords(p, host));
  if (host.oomKills > processes.filter((p) => p.state === 'oom-killed').length && host.oomKills > 0)
    told.unshift(`${formatNumber(host.oomKills)} OOM kill${host.oomKills > 1 ? 's' : ''}`);
  return [...told, hostWords(host)].join('; ');
}

/**
 * Stretches where `test` holds on every step for at least `sustainedMs`. A null step
 * (no value) breaks a stretch: the model says nothing about it.
 */
export function sustained(timeMs: number[], series: Series, test: (v: number) => boolean): Stretch[] {
  const out: Stretch[] = [];
  let from = -1;
  const close = (to: number) => {
    if (from >= 0 && (timeMs[to] ?? 0) - stepStartMs(timeMs, from) >= VERDICT_THRESHOLDS.sustainedMs)
      out.push({ from, to });
    from = -1;
  };
  for (let i = 0; i < series.length; i++) {
    const v = series[i];
    if (v !== null && v !== undefined && test(v)) {
      if (from < 0) from = i;
    } else close(i - 1);
  }
  close(series.length - 1);
  return out;
}

/** `timeMs` holds step end times; a step starts where the previous one ended. */
function stepStartMs(timeMs: number[], i: number): number {
  if (i > 0) return timeMs[i - 1] ?? 0;
  const first = timeMs[0] ?? 0;
  const step = (timeMs[1] ?? first * 2) - first;
  return Math.max(0, first - step);
}

/** The end of the last stretch, when it ended at least `sustainedMs` before the run did. */
function endMs(timeMs: number[], stretches: Stretch[]): number | undefined {
  const end = timeMs[stretches[stretches.length - 1]!.to] ?? 0;
  const runEnd = timeMs[timeMs.length - 1] ?? 0;
  return runEnd - end >= VERDICT_THRESHOLDS.sustainedMs ? end : undefined;
}

/** The stretches of whichever list starts first (ties: the first list given). */
function earliest(...lists: Stretch[][]): Stretch[] {
  let best: Stretch[] = [];
  for (const l of lists) if (l.length && (!best.length || l[0]!.from < best[0]!.from)) best = l;
  return best;
}

function stepsOf(stretches: Stretch[]): number[] {
  const out: number[] = [];
  for (const s of stretches) for (let i = s.from; i <= s.to; i++) out.push(i);
  return out;
}

function sumOver(series: Series | undefined, steps: number[]): number {
  let sum = 0;
  for (const i of steps) sum += series?.[i] ?? 0;
  return sum;
}

function maxOf(series: Series): number | undefined {
  let m: number | undefined;
  for (const v of series) if (v !== null && (m === undefined || v > m)) m = v;
  return m;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
