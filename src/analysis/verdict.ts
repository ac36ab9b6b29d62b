/**
 * The verdict: one status and one line in plain words that say what went wrong, when,
 * and how badly, computed from a run's series and summary. Thresholds follow the
 * incident's rules of thumb (docs: shared/docs/incident.md) and are documented in
 * docs/reports.md; they are defaults for the headline, not `expect:` checks.
 */
import type { RunResult, Series, Verdict } from '../result/types.js';
import { formatClock, formatDurationMs } from '../util/units.js';

export const VERDICT_THRESHOLDS = {
  /** A condition counts only when it holds without a break for this long (one bad second is noise). */
  sustainedMs: 10_000,
  /** More than half of the CPU on faulting means useful work is the minority: thrashing. */
  thrashingFaultCpuPct: 50,
  /** The article's rule of thumb: more than about 10 major faults per second, sustained, is a problem. */
  degradedMajorFaultsPerSec: 10,
  /** A fifth of the CPU on faulting is already a visible tax on every tenant. */
  degradedFaultCpuPct: 20,
  /** A request-serving process whose step p99 exceeds this multiple of its baseline is degraded. */
  degradedLatencyFactor: 5,
  /** Latency is named in the headline once its peak exceeds this multiple of its baseline. */
  notableLatencyFactor: 2,
} as const;

/** What the verdict reads: everything but the verdict itself and what is derived from it. */
export type VerdictInput = Pick<RunResult, 'status' | 'error' | 'timeMs' | 'host' | 'processes' | 'events'> & {
  summary: Pick<RunResult['summary'], 'host'>;
};

/** A stretch of consecutive steps [from, to] (indices, inclusive) where a condition held. */
interface Stretch {
  from: number;
  to: number;
}

export function computeVerdict(r: VerdictInput): Verdict {
  if (r.status === 'failed') {
    const reason = (r.error ?? 'no error recorded').split('\n')[0];
    return { status: 'failed', headline: `run failed: ${reason}` };
  }
  const t = VERDICT_THRESHOLDS;
  const faultCpu = r.host.faultCpuPct ?? [];
  const majors = r.host.majorFaultsPerSec ?? [];
  const { thrash, faultTrouble } = faultStretches(r);
  const latencies = latencyStories(r, faultTrouble[0]?.from);
  const latencyTrouble = latencies.flatMap((l) => l.degraded);
  const trouble = earliest(faultTrouble, latencyTrouble);
  const kills = r.events.filter((e) => e.kind === 'oom-kill' || e.kind === 'oomd-kill');
  const oomKills = Math.max(kills.length, r.summary.host.oomKills);

  const parts: string[] = [];
  let status: Verdict['status'] = 'healthy';
  let thrashingFromMs: number | undefined;
  if (thrash.length > 0) {
    status = 'thrashing';
    thrashingFromMs = stepStartMs(r.timeMs, thrash[0]!.from);
    parts.push(`thrashing ${span(r.timeMs, thrash)}: ${pct(meanOver(faultCpu, thrash))} of CPU on faults`);
  } else if (trouble.length > 0) {
    status = 'degraded';
    const detail = faultTrouble.length
      ? `${round(meanOver(majors, faultTrouble))} major faults/s, ${pct(meanOver(faultCpu, faultTrouble))} of CPU on faults`
      : 'request latency far above its baseline';
    parts.push(`degraded ${span(r.timeMs, trouble)}: ${detail}`);
  } else {
    parts.push(
      `healthy: at most ${pct(maxOf(faultCpu) ?? 0)} of CPU on faults, ${round(maxOf(majors) ?? 0)} major faults/s`,
    );
  }
  if (oomKills > 0) {
    status = 'oom';
    const named = kills
      .slice(0, 2)
      .map((e) => `${e.process ?? e.cgroup ?? 'a process'} at ${formatClock(e.timeMs)}`)
      .join(', ');
    const more = oomKills > 2 ? ` and ${oomKills - 2} more` : '';
    const killed = named ? `OOM killed ${named}${more}` : `${oomKills} OOM kill${oomKills > 1 ? 's' : ''}`;
    // A kill with no fault trouble must not read "healthy: …" first: the kill is the news.
    if (thrash.length === 0 && trouble.length === 0) parts.unshift(killed, `otherwise ${parts.shift()}`);
    else parts.push(killed);
  }
  const notable = latencies
    .filter(
      (l) => status === 'healthy' || l.baselineMs === undefined || l.peakMs > t.notableLatencyFactor * l.baselineMs,
    )
    .sort((a, b) => b.peakMs / (b.baselineMs ?? b.peakMs) - a.peakMs / (a.baselineMs ?? a.peakMs))
    .slice(0, 2);
  for (const l of notable) {
    if (status === 'healthy') parts.push(`${l.process} p99 ${formatDurationMs(l.peakMs)} at worst`);
    else {
      const base = l.baselineMs === undefined ? '' : ` (baseline ${formatDurationMs(l.baselineMs)})`;
      parts.push(`${l.process} p99 reached ${formatDurationMs(l.peakMs)}${base}`);
    }
  }
  const verdict: Verdict = { status, headline: parts.join('; ') };
  if (thrashingFromMs !== undefined) verdict.thrashingFromMs = thrashingFromMs;
  return verdict;
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

/** Each request-serving process's latency story, with the baseline the verdict uses. */
export function latencyBaselines(r: Pick<VerdictInput, 'timeMs' | 'host' | 'processes'>): LatencyStory[] {
  return latencyStories(r, faultStretches(r).faultTrouble[0]?.from);
}

export interface LatencyStory {
  process: string;
  /** Median of the step p99 before the first sustained fault trouble (the whole run when there is none). */
  baselineMs?: number;
  peakMs: number;
  degraded: Stretch[];
}

/** Per request-serving process: its baseline, its worst step p99, and when it stayed far above the baseline. */
function latencyStories(r: Pick<VerdictInput, 'timeMs' | 'processes'>, troubleFrom?: number): LatencyStory[] {
  const out: LatencyStory[] = [];
  for (const [name, series] of Object.entries(r.processes)) {
    const p99 = series.latencyP99Ms;
    const peakMs = p99 ? maxOf(p99) : undefined;
    if (!p99 || peakMs === undefined) continue;
    const before = p99.slice(0, troubleFrom ?? p99.length).filter((v): v is number => v !== null);
    const baselineMs = before.length ? median(before) : undefined;
    const degraded =
      baselineMs === undefined
        ? []
        : sustained(r.timeMs, p99, (v) => v > VERDICT_THRESHOLDS.degradedLatencyFactor * baselineMs);
    out.push(
      baselineMs === undefined ? { process: name, peakMs, degraded } : { process: name, baselineMs, peakMs, degraded },
    );
  }
  return out;
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

/** The stretches of whichever list starts first (ties: the first list given). */
function earliest(...lists: Stretch[][]): Stretch[] {
  let best: Stretch[] = [];
  for (const l of lists) if (l.length && (!best.length || l[0]!.from < best[0]!.from)) best = l;
  return best;
}

/** "from 00:05:12", or "from 00:05:12 to 00:10:03" when it ended well before the run did. */
function span(timeMs: number[], stretches: Stretch[]): string {
  const from = formatClock(stepStartMs(timeMs, stretches[0]!.from));
  const endIdx = stretches[stretches.length - 1]!.to;
  const endMs = timeMs[endIdx] ?? 0;
  const runEnd = timeMs[timeMs.length - 1] ?? 0;
  return runEnd - endMs >= VERDICT_THRESHOLDS.sustainedMs ? `from ${from} to ${formatClock(endMs)}` : `from ${from}`;
}

function meanOver(series: Series, stretches: Stretch[]): number {
  let sum = 0;
  let n = 0;
  for (const s of stretches)
    for (let i = s.from; i <= s.to; i++) {
      const v = series[i];
      if (v !== null && v !== undefined) {
        sum += v;
        n++;
      }
    }
  return n ? sum / n : 0;
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

function pct(v: number): string {
  return `${Math.round(v)}%`;
}

function round(v: number): string {
  if (v < 10) return String(Number(v.toPrecision(2)));
  return String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
