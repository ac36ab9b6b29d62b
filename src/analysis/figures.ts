/**
 * The summary figures of a run, one definition each: a name (the result.json field it is
 * read from), a label that says over what it is taken (the whole run, the worst step, or
 * a stretch of the run) and one way of printing it. The verdict, the report's key figures,
 * the checks, the sweep table and its exports, the heatmap, summary.md and junit.xml all
 * take their numbers and words from here, so the same label never shows two values.
 *
 * "CPU lost to faulting" (`faultCpuPct`) is split everywhere it is shown into the time
 * the CPUs were busy on it (fault handling and reclaim: `cpuFaultPct + cpuReclaimPct`) and
 * the time they sat idle while their tasks were stalled on memory — swap and file reads,
 * writeback in reclaim, throttling (`cpuIowaitPct`). The kernel model
 * writes those per-step series; the split's summary figures are derived from them here,
 * from the result alone, whenever a page needs them.
 */
import type { CheckResult, RunResult, Series } from '../result/types.js';
import { formatBytes, formatClock, formatDurationMs } from '../util/units.js';

/** `1234567.8` → `1,234,568`; small values keep up to three significant digits. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && a < 100) return String(Number(v.toPrecision(3)));
  return String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A value with its unit, in the words a person reads: `84%`, `9,003/s`, `4.1 min`, `64 GiB`. */
export function formatValue(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined) return '—';
  switch (unit) {
    case 'pct':
      return `${formatNumber(v)}%`;
    case 'perSec':
      return `${formatNumber(v)}/s`;
    case 'pagesPerSec':
      return `${formatNumber(v)} pages/s`;
    case 'bytes':
      return formatBytes(v);
    case 'pages':
      return `${formatNumber(v)} pages`;
    case 'ms':
      // Nothing at all reads better as "0 ms" than as "0 µs".
      return v === 0 ? '0 ms' : formatDurationMs(v);
    case 'clock':
      return formatClock(v);
    default:
      return formatNumber(v);
  }
}

/** CPU lost to faulting and its two parts, in percent of the host's CPU capacity. */
export interface FaultCpuSplit {
  /** `faultCpuPct`: all of it. */
  totalPct: number;
  /** Fault handling and reclaim (`cpuFaultPct + cpuReclaimPct`): CPUs busy on faulting. */
  busyPct: number;
  /** iowait (`cpuIowaitPct`): CPUs idle because their tasks are stalled on memory. */
  waitPct: number;
}

/** The same rounding the kernel applies to its series, so derived figures print like stored ones. */
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

const val = (s: Series | undefined, i: number): number => s?.[i] ?? 0;

/** The split at one step. */
export function faultCpuAt(host: Record<string, Series>, i: number): FaultCpuSplit {
  return {
    totalPct: val(host.faultCpuPct, i),
    busyPct: round3(val(host.cpuFaultPct, i) + val(host.cpuReclaimPct, i)),
    waitPct: val(host.cpuIowaitPct, i),
  };
}

/** The split averaged over the given steps (all steps weigh the same: steps have one length). */
export function faultCpuMean(host: Record<string, Series>, steps: Iterable<number>): FaultCpuSplit {
  let total = 0;
  let busy = 0;
  let wait = 0;
  let n = 0;
  for (const i of steps) {
    if (host.faultCpuPct?.[i] === null || host.faultCpuPct?.[i] === undefined) continue;
    total += val(host.faultCpuPct, i);
    busy += val(host.cpuFaultPct, i) + val(host.cpuReclaimPct, i);
    wait += val(host.cpuIowaitPct, i);
    n++;
  }
  return n === 0
    ? { totalPct: 0, busyPct: 0, waitPct: 0 }
    : { totalPct: round3(total / n), busyPct: round3(busy / n), waitPct: round3(wait / n) };
}

/** The first step at which `faultCpuPct` takes its largest value; -1 when it has none. */
export function worstFaultCpuStep(host: Record<string, Series>): number {
  const s = host.faultCpuPct ?? [];
  let best = -1;
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (v !== null && v !== undefined && (best < 0 || v > (s[best] as number))) best = i;
  }
  return best;
}

/** The steps of a phase, as the kernel picks them: those ending in (startMs, endMs]. */
export function phaseSteps(timeMs: readonly number[], startMs: number, endMs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < timeMs.length; i++) if (timeMs[i]! > startMs && timeMs[i]! <= endMs) out.push(i);
  return out;
}

/** `0.8% busy, 87.9% waiting`: the two parts, as every page prints them. */
export function formatSplit(s: Pick<FaultCpuSplit, 'busyPct' | 'waitPct'>): string {
  return `${formatValue(s.busyPct, 'pct')} busy, ${formatValue(s.waitPct, 'pct')} waiting`;
}

/** One labelled number as every page prints it. */
export interface Figure {
  /** Where the number lives in result.json (`summary.host.faultCpuPctAvg`): its one name, used by the exports too. */
  id: string;
  /** What it is and over what it is taken: `CPU lost to faulting, run mean`. */
  label: string;
  unit: string;
  value: number | null;
  /** The value as printed (`75.5%`), the same on every page. */
  text: string;
  /** CPU lost to faulting only: its busy and waiting parts over the same steps. */
  split?: FaultCpuSplit;
  /** Context printed under the value (where a worst step was, the baseline, a count). */
  note?: string;
  severity: 'ok' | 'warn' | 'bad' | 'neutral';
}

type Result = Pick<RunResult, 'timeMs' | 'host' | 'summary' | 'verdict' | 'scenario'>;

function figure(f: Omit<Figure, 'text'> & { text?: string }): Figure {
  return { ...f, text: f.text ?? formatValue(f.value, f.unit) };
}

function cpuSeverity(v: number): Figure['severity'] {
  return v > 50 ? 'bad' : v > 20 ? 'warn' : 'ok';
}

/** Labels of the CPU-lost figures, by the steps they are taken over. */
const FAULT_CPU_LABEL = 'CPU lost to faulting';

/** CPU lost to faulting, mean over the run, with its parts. */
export function faultCpuRunFigure(r: Result): Figure {
  const total = r.summary.host.faultCpuPctAvg;
  const split = { ...faultCpuMean(r.host, r.timeMs.keys()), totalPct: total };
  return figure({
    id: 'summary.host.faultCpuPctAvg',
    label: `${FAULT_CPU_LABEL}, run mean`,
    unit: 'pct',
    value: total,
    split,
    note: formatSplit(split),
    severity: cpuSeverity(total),
  });
}

/** CPU lost to faulting at the worst step (the first step where it is largest), with its parts there. */
export function faultCpuWorstFigure(r: Result): Figure {
  const total = r.summary.host.faultCpuPctMax;
  const i = worstFaultCpuStep(r.host);
  const split = i < 0 ? { totalPct: total, busyPct: 0, waitPct: 0 } : { ...faultCpuAt(r.host, i), totalPct: total };
  return figure({
    id: 'summary.host.faultCpuPctMax',
    label: `${FAULT_CPU_LABEL}, worst step`,
    unit: 'pct',
    value: total,
    split,
    note: `${formatSplit(split)}${i < 0 ? '' : `; step ending ${formatClock(r.timeMs[i] ?? 0)}`}`,
    severity: cpuSeverity(total),
  });
}

/** Whole-run p99 latency of a request-serving process: over every request, the number `p(99)` checks observe. */
export function latencyFigure(r: Result, process: string): Figure | undefined {
  const lat = r.summary.processes[process]?.latencyMs;
  if (!lat || lat.count === 0) return undefined;
  const pv = r.verdict.processes.find((p) => p.process === process);
  const notes = [
    pv?.baselineP99Ms === undefined ? undefined : `baseline ${formatValue(pv.baselineP99Ms, 'ms')}`,
    pv?.worstStepP99Ms === undefined ? undefined : `worst step ${formatValue(pv.worstStepP99Ms, 'ms')}`,
  ].filter((x) => x !== undefined);
  const base = pv?.baselineP99Ms;
  return figure({
    id: `summary.processes.${process}.latencyMs.p99Ms`,
    label: `${process} p99 latency, whole run`,
    unit: 'ms',
    value: lat.p99Ms,
    ...(notes.length ? { note: notes.join(' · ') } : {}),
    severity:
      base !== undefined && lat.p99Ms > 5 * base ? 'bad' : base !== undefined && lat.p99Ms > 2 * base ? 'warn' : 'ok',
  });
}

/** Processes whose requests are timed, in the result's order. */
export function latencyProcesses(r: Pick<RunResult, 'summary'>): string[] {
  return Object.entries(r.summary.processes)
    .filter(([, p]) => p.latencyMs && p.latencyMs.count > 0)
    .map(([n]) => n);
}

/** The CPU lost to faulting during the host's trouble, as the verdict tells it. */
export function troubleFigures(r: Result): Figure[] {
  const h = r.verdict.host;
  if (!h || h.state === 'healthy' || h.fromMs === undefined) return [];
  const split = { totalPct: h.faultCpuPct ?? 0, busyPct: h.faultCpuBusyPct ?? 0, waitPct: h.faultCpuWaitPct ?? 0 };
  const span =
    h.toMs === undefined
      ? `from ${formatClock(h.fromMs)} to the end`
      : `${formatClock(h.fromMs)}–${formatClock(h.toMs)}`;
  return [
    figure({
      id: 'verdict.host.fromMs',
      label: `host ${h.state} from`,
      unit: 'clock',
      value: h.fromMs,
      text: formatClock(h.fromMs),
      note:
        h.toMs === undefined
          ? 'simulated time (hh:mm:ss), to the end of the run'
          : `simulated time, to ${formatClock(h.toMs)}`,
      severity: h.state === 'thrashing' ? 'bad' : 'warn',
    }),
    figure({
      id: 'verdict.host.faultCpuPct',
      label: `${FAULT_CPU_LABEL}, while ${h.state}`,
      unit: 'pct',
      value: split.totalPct,
      split,
      note: `${formatSplit(split)}; mean ${span}`,
      severity: cpuSeverity(split.totalPct),
    }),
  ];
}

/** The key figures of a run, in the order the report and summary.md print them. */
export function keyFigures(r: Result): Figure[] {
  const s = r.summary.host;
  const pageBytes = r.scenario.host.pageSizeBytes;
  return [
    ...troubleFigures(r),
    faultCpuRunFigure(r),
    faultCpuWorstFigure(r),
    figure({
      id: 'summary.host.majorFaultsPerSecMax',
      label: 'major faults/s, worst step',
      unit: 'perSec',
      value: s.majorFaultsPerSecMax,
      note: `${formatNumber(s.majorFaults)} over the run`,
      severity: s.majorFaultsPerSecMax > 10 ? 'warn' : 'ok',
    }),
    ...latencyProcesses(r).flatMap((p) => latencyFigure(r, p) ?? []),
    figure({
      id: 'summary.host.oomKills',
      label: 'OOM kills',
      unit: 'count',
      value: s.oomKills,
      note: s.allocFailures ? `${formatNumber(s.allocFailures)} allocation failures` : 'no allocation failures',
      severity: s.oomKills > 0 ? 'bad' : 'ok',
    }),
    figure({
      id: 'summary.host.swapInPages',
      label: 'swapped in, whole run',
      unit: 'pages',
      value: s.swapInPages,
      text: formatValue(s.swapInPages * pageBytes, 'bytes'),
      note: `${formatNumber(s.swapInPages)} pages; ${formatNumber(s.swapOutPages)} swapped out`,
      severity: 'neutral',
    }),
    figure({
      id: 'summary.host.psiFullAvg10PctMax',
      label: 'PSI full avg10, worst step',
      unit: 'pct',
      value: s.psiFullAvg10PctMax,
      note: `some: ${formatValue(s.psiSomeAvg10PctMax, 'pct')}`,
      severity: s.psiFullAvg10PctMax > 10 ? 'warn' : 'ok',
    }),
  ];
}

/**
 * The figures a sweep compares, by id: each request-serving process's whole-run p99, the
 * CPU lost to faulting (run mean, worst step), major faults/s at the worst step, OOM kills.
 */
export function sweepFigureIds(processes: readonly string[]): string[] {
  return [
    ...processes.map((p) => `summary.processes.${p}.latencyMs.p99Ms`),
    'summary.host.faultCpuPctAvg',
    'summary.host.faultCpuPctMax',
    'summary.host.majorFaultsPerSecMax',
    'summary.host.oomKills',
  ];
}

/** A figure of a run by id (the ids keyFigures gives); undefined when the run has none by that id. */
export function figureById(r: Result, id: string): Figure | undefined {
  return keyFigures(r).find((f) => f.id === id);
}

/** Over what a check's observed value was taken, in the words the figure labels use. */
export function checkScope(c: Pick<CheckResult, 'metric' | 'aggregation'>): string {
  if (!c.metric.includes('.')) return 'run total';
  if (c.metric.endsWith('.latencyMs'))
    return c.aggregation === 'avg' ? 'mean over the run' : c.aggregation === 'max' ? 'slowest request' : 'whole run';
  switch (c.aggregation) {
    case 'max':
      return 'worst step';
    case 'min':
      return 'lowest step';
    case 'avg':
      return 'run mean';
    case 'last':
      return 'last step';
    default:
      return `${c.aggregation} of the steps`;
  }
}

/**
 * The figure a check observes, when it is one of the key figures: `p(99)` of a process's
 * latency is its whole-run p99, `max`/`avg` of host.faultCpuPct the CPU lost to faulting
 * at the worst step / over the run, and so on. Its value is the check's observed value.
 */
export function checkFigureId(c: Pick<CheckResult, 'metric' | 'aggregation'>): string | undefined {
  const lat = /^processes\.(.+)\.latencyMs$/.exec(c.metric);
  if (lat && c.aggregation === 'p(99)') return `summary.processes.${lat[1]}.latencyMs.p99Ms`;
  const byMetric: Record<string, string> = {
    'host.faultCpuPct max': 'summary.host.faultCpuPctMax',
    'host.faultCpuPct avg': 'summary.host.faultCpuPctAvg',
    'host.majorFaultsPerSec max': 'summary.host.majorFaultsPerSecMax',
    'host.psiFullAvg10Pct max': 'summary.host.psiFullAvg10PctMax',
  };
  if (c.metric === 'oomKills') return 'summary.host.oomKills';
  return byMetric[`${c.metric} ${c.aggregation}`];
}

/** A check's observed value as printed: the value, and for the CPU lost to faulting its parts at the same steps. */
export function checkObserved(
  c: CheckResult,
  r: Pick<RunResult, 'timeMs' | 'host'>,
): { text: string; split?: FaultCpuSplit } {
  if (c.observed === null) return { text: 'no value' };
  const text = formatValue(c.observed, c.unit);
  if (c.metric !== 'host.faultCpuPct') return { text };
  const observed = c.observed;
  let split: FaultCpuSplit | undefined;
  if (c.aggregation === 'avg') split = { ...faultCpuMean(r.host, r.timeMs.keys()), totalPct: observed };
  else {
    // max, min, last and p(N) each pick one step's value: its parts are those of that step.
    const s = r.host.faultCpuPct ?? [];
    const i =
      c.aggregation === 'last' ? s.length - 1 - [...s].reverse().findIndex((v) => v !== null) : s.indexOf(observed);
    if (i >= 0 && i < s.length) split = { ...faultCpuAt(r.host, i), totalPct: observed };
  }
  return split ? { text, split } : { text };
}
