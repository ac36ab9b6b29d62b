/**
 * Observed series into the result: each `observed:` file of the scenario is imported with
 * the telemetry importers (kind `csv`: the normalised CSV `faultline import` writes),
 * placed in simulated time, resampled onto the run's steps and compared with the
 * simulated host series it measures. The rules are documented in docs/postmortem.md,
 * "The `observed` field"; the report draws overlays from `RunResult.observed`.
 */

import { simulatedProcessSeries } from '../analysis/derived-series.js';
import type {
  EventRecord,
  ObservedComparison,
  ObservedError,
  ObservedEventRecord,
  ObservedOomComparison,
  ObservedScopedError,
  ResultWarning,
  RunResult,
  Series,
} from '../result/types.js';
import type { ObservedConfig, Scenario } from '../scenario/types.js';
import {
  importEventsFile,
  importTelemetryFile,
  isEventKind,
  type ObservedEvent,
  parseKind,
} from '../traces/telemetry/index.js';
import { InputError } from '../util/errors.js';

/** Kernel pages in telemetry: the importers keep page counts as the kernel printed them (docs/import.md). */
const OBSERVED_PAGE_BYTES = 4096;

const MIB = 1024 * 1024;

interface Candidate {
  /** Summed when several (v1 usage = rss + cache). */
  columns: string[];
  /** Factor from the column's unit to the metric's unit, given the scenario's page size. */
  scale: (pageSizeBytes: number) => number;
}

interface Mapping {
  metric: string;
  candidates: Candidate[];
  /**
   * Smallest observed magnitude that is not "near zero" for this unit: below it a relative
   * error measures noise, not the model (a 0.3 faults/s baseline against a simulated 0).
   */
  floor: number;
}

const pagesPerSec = (column: string): Candidate => ({ columns: [column], scale: (ps) => OBSERVED_PAGE_BYTES / ps });
const bytesToPages = (column: string): Candidate => ({ columns: [column], scale: (ps) => 1 / ps });
const same = (...columns: string[]): Candidate => ({ columns, scale: () => 1 });

/** Simulated host metric ← normalised columns that measure it, preferred first. */
export const OBSERVED_MAPPINGS: readonly Mapping[] = [
  { metric: 'majorFaultsPerSec', candidates: [same('major_faults_per_sec')], floor: 1 },
  {
    metric: 'swapInPagesPerSec',
    candidates: [pagesPerSec('swap_in_pages_per_sec'), bytesToPages('swap_in_bytes_per_sec')],
    floor: 1,
  },
  {
    metric: 'swapOutPagesPerSec',
    candidates: [pagesPerSec('swap_out_pages_per_sec'), bytesToPages('swap_out_bytes_per_sec')],
    floor: 1,
  },
  { metric: 'memFreeBytes', candidates: [same('free_bytes')], floor: MIB },
  { metric: 'swapUsedBytes', candidates: [same('swap_used_bytes')], floor: MIB },
  { metric: 'psiSomeAvg10Pct', candidates: [same('psi_some_avg10_pct')], floor: 0.5 },
  { metric: 'psiFullAvg10Pct', candidates: [same('psi_full_avg10_pct')], floor: 0.5 },
  // The share of each interval stalled, from PSI's cumulative total=: exact where avg10 is smoothed,
  // and free of what an earlier load left in the averages (a capture that starts after one).
  { metric: 'psiSomePct', candidates: [same('psi_some_stall_pct')], floor: 0.5 },
  { metric: 'psiFullPct', candidates: [same('psi_full_stall_pct')], floor: 0.5 },
  // vmstat's wa / sar's %iowait: time waiting for reads, which PSI's memory line leaves out
  // unless the page was in the working set.
  { metric: 'cpuIowaitPct', candidates: [same('cpu_iowait_pct')], floor: 0.5 },
];

/**
 * Share of a series' largest observed magnitude below which a point is near zero for
 * MAPE (together with the unit floor): the quiet minutes before an incident would
 * otherwise dominate the percentage.
 */
export const MAPE_NEAR_ZERO_SHARE = 0.05;

/**
 * Simulated cgroup metric ← memory.stat (sizes: v1 hierarchical `total_` fields first, as the
 * simulated usage includes child cgroups, then the cgroup's own, then v2) or memory.pressure
 * columns of a file given `cgroup:`.
 */
export const CGROUP_MAPPINGS: readonly Mapping[] = [
  {
    metric: 'usageBytes',
    // v1 counts pages in the swap cache apart from rss, though they are charged (and resident).
    candidates: [
      same('total_rss_bytes', 'total_cache_bytes', 'total_swapcached_bytes'),
      same('rss_bytes', 'cache_bytes', 'swapcached_bytes'),
      same('anon_bytes', 'file_bytes'),
    ],
    floor: MIB,
  },
  { metric: 'swapBytes', candidates: [same('total_swap_bytes'), same('swap_bytes')], floor: MIB },
  {
    metric: 'majorFaultsPerSec',
    // The simulated series counts the cgroup's own processes (not its children's): v1's own field first.
    candidates: [same('major_faults_per_sec'), same('total_major_faults_per_sec')],
    floor: 1,
  },
  { metric: 'psiSomeAvg10Pct', candidates: [same('psi_some_avg10_pct')], floor: 0.5 },
  { metric: 'psiFullAvg10Pct', candidates: [same('psi_full_avg10_pct')], floor: 0.5 },
];

/**
 * Simulated process metric ← suffixes of per-process columns of ps or /proc/<pid>/stat
 * (`<name>_<pid>_...`, summed when several).
 */
export const PROCESS_MAPPINGS: readonly Mapping[] = [
  { metric: 'rssBytes', candidates: [same('rss_bytes')], floor: MIB },
  { metric: 'majorFaultsPerSec', candidates: [same('major_faults_per_sec')], floor: 1 },
  { metric: 'minorFaultsPerSec', candidates: [same('minor_faults_per_sec')], floor: 1 },
  // Every fault of the process: first touches, swap-cache hits and swap reads. How a page that
  // was reclaimed comes back (read by its own fault, a major one, or ahead of it, a minor one)
  // is the readahead model's; that it comes back, once per touch that finds it gone, is the
  // touch rate's: a process's rate shows here even when its majors are few.
  { metric: 'faultsPerSec', candidates: [same('major_faults_per_sec', 'minor_faults_per_sec')], floor: 1 },
];

/**
 * Files that measure the whole host. ps and pid-stat measure processes, memory-stat cgroups,
 * and a psi file given `cgroup:` is that cgroup's memory.pressure: none of them is compared
 * with host totals.
 */
const HOST_KINDS = new Set(['vmstat', 'sar', 'sadf', 'psi', 'proc-vmstat', 'csv']);
const PROCESS_KINDS = new Set(['ps', 'pid-stat']);

/** An observed file's samples: the importers' `ObservedTable` without what only messages need. */
export interface ObservedData {
  /** Median spacing of the samples in seconds; undefined with fewer than two rows. */
  intervalSec: number | undefined;
  /** Normalised column names (docs/import.md). */
  columns: string[];
  /** UTC epoch milliseconds of each row, strictly increasing. */
  timeMs: number[];
  /** Column-major, NaN where unknown. */
  values: number[][];
  /** Columns that never change (frozen): left out of every comparison. */
  constant: string[];
}

/** Reads one observed file with the telemetry importer of its kind (`csv`: the normalised CSV). */
export function loadObservedData(kind: string, file: string): ObservedData {
  const k = parseKind(kind);
  if (isEventKind(k)) throw new InputError(`${file}: a ${k} log holds events, not series`);
  const { table, constant } = importTelemetryFile(k, file, { file, lenient: false });
  return {
    intervalSec: table.source.intervalSec,
    columns: table.columns.map((c) => c.name),
    timeMs: table.timeMs,
    values: table.values,
    constant,
  };
}
/**
 * Time-weighted average of a step function onto the run's steps. Row r of the observed
 * table holds its value over (s[r−1], s[r]] in simulated time (the interval a rate covers;
 * a gauge is taken to hold over the interval it closes), the first row over one median
 * spacing before it. Step i covers (ends[i−1], ends[i]]; its value is the mean of the
 * finite observed values weighted by overlap, or null when they cover under half the step.
 */
export function resampleOnto(
  simMs: readonly number[],
  values: readonly number[],
  firstSpanMs: number,
  ends: readonly number[],
): Series {
  const out: Series = [];
  let r = 0;
  for (let i = 0; i < ends.length; i++) {
    const lo = i === 0 ? 0 : (ends[i - 1] as number);
    const hi = ends[i] as number;
    while (r < simMs.length && (simMs[r] as number) <= lo) r++;
    let sum = 0;
    let covered = 0;
    for (let k = r; k < simMs.length; k++) {
      const end = simMs[k] as number;
      const start = k === 0 ? end - firstSpanMs : (simMs[k - 1] as number);
      if (start >= hi) break;
      const v = values[k] as number;
      const overlap = Math.min(hi, end) - Math.max(lo, start);
      if (overlap > 0 && Number.isFinite(v)) {
        sum += v * overlap;
        covered += overlap;
      }
    }
    out.push(covered > 0 && covered >= (hi - lo) / 2 ? sum / covered : null);
  }
  return out;
}

/** Error figures of one simulated series against its observed series (docs/postmortem.md). */
export function seriesError(
  simulated: Series,
  observed: Series,
  floor: number,
): Omit<ObservedError, 'metric' | 'source' | 'observedColumn'> {
  const pairs: [number, number][] = [];
  observed.forEach((o, i) => {
    const s = simulated[i];
    if (o !== null && s !== null && s !== undefined && Number.isFinite(s)) pairs.push([s, o]);
  });
  const maxObs = pairs.reduce((m, [, o]) => Math.max(m, Math.abs(o)), 0);
  const nearZero = Math.max(floor, MAPE_NEAR_ZERO_SHARE * maxObs);
  let abs = 0;
  let absObs = 0;
  let pct = 0;
  let mapePoints = 0;
  for (const [s, o] of pairs) {
    abs += Math.abs(s - o);
    absObs += Math.abs(o);
    if (Math.abs(o) >= nearZero) {
      pct += Math.abs(s - o) / Math.abs(o);
      mapePoints++;
    }
  }
  const n = pairs.length;
  const mae = n > 0 ? abs / n : 0;
  return {
    points: n,
    maeValue: mae,
    mapePct: mapePoints > 0 ? (100 * pct) / mapePoints : null,
    mapePoints,
    normalisedError: n > 0 ? mae / Math.max(absObs / n, floor) : 0,
  };
}

type Simulated = Pick<RunResult, 'timeMs' | 'host'> &
  Partial<Pick<RunResult, 'processes' | 'cgroups' | 'events' | 'scenario'>>;

type Loaded = { data: ObservedData } | { events: ObservedEvent[] } | undefined;

/** Simulated time of a row: by the wall clock against the scenario's startTime, else by offset from the first row. */
function placer(cfg: ObservedConfig, firstMs: number): (t: number) => number {
  return cfg.startTimeMs !== undefined
    ? (t) => t - (cfg.startTimeMs as number) + cfg.offsetMs
    : (t) => cfg.offsetMs + (t - firstMs);
}

/**
 * The comparison for a run of `scenario`. A file that cannot be read or imported becomes a
 * warning, not a failed run: the simulation stands on its own.
 */
export function compareObserved(
  scenario: Pick<Scenario, 'observed' | 'host'> & Partial<Pick<Scenario, 'durationMs'>>,
  run: Simulated,
): { observed: ObservedComparison; warnings: ResultWarning[] } {
  const warnings: ResultWarning[] = [];
  const loaded: Loaded[] = scenario.observed.map((o) => {
    try {
      const k = parseKind(o.kind);
      if (isEventKind(k)) return { events: importEventsFile(k, o.file, { file: o.file, lenient: false }).events };
      return { data: loadObservedData(o.kind, o.file) };
    } catch (err) {
      warnings.push({
        code: 'observed-unreadable',
        message: `observed ${o.kind} ${o.file}: ${(err as Error).message}`,
      });
      return undefined;
    }
  });
  const tables = loaded.map((l) => (l && 'data' in l ? l.data : undefined));
  for (const [i, t] of tables.entries()) {
    if (t && t.constant.length > 0) {
      warnings.push({
        code: 'observed-constant',
        message: `observed ${scenario.observed[i]?.kind} ${scenario.observed[i]?.file}: ${t.constant.join(', ')} never change (frozen or constant); left out of the comparison`,
      });
    }
  }
  warnings.push(...windowWarnings(scenario.observed, tables, run.timeMs.at(-1) ?? 0));
  const observed = compareTables(scenario.observed, tables, scenario.host.pageSizeBytes, run);
  const events = placeEvents(scenario.observed, loaded, tables);
  if (events.length > 0) observed.events = events;
  const oom = compareOom(events, run.events ?? [], run.timeMs.at(-1) ?? 0);
  if (oom) observed.oom = oom;
  return { observed, warnings };
}

/** Files that cover different windows, or none of the run: said, since the comparison then rests on fewer files. */
function windowWarnings(
  configs: readonly ObservedConfig[],
  tables: readonly (ObservedData | undefined)[],
  runEndMs: number,
): ResultWarning[] {
  const out: ResultWarning[] = [];
  const spans: { i: number; from: number; to: number }[] = [];
  tables.forEach((t, i) => {
    const cfg = configs[i] as ObservedConfig;
    if (!t || t.timeMs.length === 0) return;
    const place = placer(cfg, t.timeMs[0] as number);
    const from = place(t.timeMs[0] as number);
    const to = place(t.timeMs.at(-1) as number);
    spans.push({ i, from, to });
    if (to <= 0 || from >= runEndMs) {
      out.push({
        code: 'observed-window',
        message: `observed ${cfg.kind} ${cfg.file} covers ${fmtS(from)}..${fmtS(to)} of simulated time, outside the run (0..${fmtS(runEndMs)}): check startTime / offset`,
      });
    }
  });
  if (spans.length > 1) {
    const from = Math.max(...spans.map((s) => s.from));
    const to = Math.min(...spans.map((s) => s.to));
    const union = Math.max(...spans.map((s) => s.to)) - Math.min(...spans.map((s) => s.from));
    if (union > 0 && (to - from) / union < 0.9) {
      out.push({
        code: 'observed-window',
        message: `the observed files cover different windows (${spans.map((s) => `${configs[s.i]?.kind} ${fmtS(s.from)}..${fmtS(s.to)}`).join(', ')}); ${to > from ? `they overlap only over ${fmtS(from)}..${fmtS(to)}` : 'they do not overlap'}`,
      });
    }
  }
  return out;
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

function placeEvents(
  configs: readonly ObservedConfig[],
  loaded: readonly Loaded[],
  tables: readonly (ObservedData | undefined)[],
): ObservedEventRecord[] {
  const nameOfPid = new Map<number, string>();
  configs.forEach((cfg, i) => {
    const t = tables[i];
    if (!t || !PROCESS_KINDS.has(cfg.kind)) return;
    for (const [name, prefix] of Object.entries(processPrefixes(cfg, t))) {
      const pid = Number(/_(\d+)$/.exec(prefix)?.[1]);
      if (Number.isFinite(pid)) nameOfPid.set(pid, name);
    }
  });
  const out: ObservedEventRecord[] = [];
  loaded.forEach((l, source) => {
    if (!l || !('events' in l) || l.events.length === 0) return;
    const cfg = configs[source] as ObservedConfig;
    const place = placer(cfg, (l.events[0] as ObservedEvent).timeMs);
    for (const e of l.events) {
      const process = (e.pid !== undefined ? nameOfPid.get(e.pid) : undefined) ?? e.process;
      out.push({
        timeMs: place(e.timeMs),
        kind: e.kind,
        ...(process !== undefined ? { process } : {}),
        ...(e.pid !== undefined ? { pid: e.pid } : {}),
        ...(e.cgroup !== undefined ? { cgroup: e.cgroup } : {}),
        source,
        message: e.message,
      });
    }
  });
  return out.sort((a, b) => a.timeMs - b.timeMs);
}

/** The OOM term (ObservedOomComparison); undefined when neither side killed anything. */
export function compareOom(
  events: readonly ObservedEventRecord[],
  simulatedEvents: readonly EventRecord[],
  runEndMs: number,
): ObservedOomComparison | undefined {
  const observed = events
    .filter((e) => e.kind === 'oom-kill' && e.timeMs >= 0 && e.timeMs <= runEndMs)
    .map((e) => ({ timeMs: e.timeMs, process: e.process ?? '' }));
  const simulated = simulatedEvents
    .filter((e) => e.kind === 'oom-kill')
    .map((e) => ({ timeMs: e.timeMs, process: e.process ?? '' }));
  if (observed.length === 0 && simulated.length === 0) return undefined;
  const used = new Set<number>();
  let sum = 0;
  const timeErrorMs = observed.map((o) => {
    const k = simulated.findIndex((s, j) => !used.has(j) && s.process === o.process);
    if (k < 0) {
      sum += 1;
      return null;
    }
    used.add(k);
    const dt = o.timeMs - (simulated[k] as { timeMs: number }).timeMs;
    sum += Math.min(1, Math.abs(dt) / Math.max(o.timeMs, 1000));
    return dt;
  });
  sum += simulated.length - used.size;
  return {
    observed,
    simulated,
    timeErrorMs,
    victimsMatch: observed.length === simulated.length && timeErrorMs.every((t) => t !== null),
    normalisedError: sum / Math.max(observed.length, simulated.length),
  };
}

/**
 * Scenario process → column prefix (`<name>_<pid>`) in a ps / pid-stat table: as the source's
 * `processes:` maps it (a pid or a prefix), else the one observed process whose name is the
 * scenario process's name (several with that name and no mapping: none).
 */
function processPrefixes(cfg: ObservedConfig, table: ObservedData): Record<string, string> {
  const prefixes = [
    ...new Set(table.columns.filter((c) => c.endsWith('_rss_bytes')).map((c) => c.slice(0, -'_rss_bytes'.length))),
  ];
  const out: Record<string, string> = {};
  for (const [name, target] of Object.entries(cfg.processes ?? {})) {
    const hit = /^\d+$/.test(target)
      ? prefixes.find((p) => p.endsWith(`_${target}`))
      : prefixes.find((p) => p === target);
    if (hit) out[name] = hit;
  }
  const byName = new Map<string, string[]>();
  for (const p of prefixes) {
    const name = p.replace(/_\d+$/, '');
    byName.set(name, [...(byName.get(name) ?? []), p]);
  }
  for (const [name, list] of byName) {
    if (list.length === 1 && !(name in out) && !Object.values(out).includes(list[0] as string))
      out[name] = list[0] as string;
  }
  return out;
}

function seriesFor(
  cfg: ObservedConfig,
  table: ObservedData,
  candidate: Candidate,
  pageSizeBytes: number,
  run: Simulated,
): Series | undefined {
  const idx = candidate.columns.map((c) => table.columns.indexOf(c));
  if (idx.some((i) => i < 0) || candidate.columns.some((c) => table.constant.includes(c))) return undefined;
  const place = placer(cfg, table.timeMs[0] as number);
  const simMs = table.timeMs.map(place);
  const firstSpan = (table.intervalSec ?? 0) * 1000 || (simMs[1] ?? 0) - (simMs[0] as number) || 1;
  const factor = candidate.scale(pageSizeBytes);
  const summed = table.timeMs.map((_, r) => idx.reduce((s, i) => s + (table.values[i]?.[r] as number), 0) * factor);
  return resampleOnto(simMs, summed, firstSpan, run.timeMs);
}

function compareTables(
  configs: readonly ObservedConfig[],
  tables: readonly (ObservedData | undefined)[],
  pageSizeBytes: number,
  run: Simulated,
): ObservedComparison {
  const host: Record<string, Series> = {};
  const errors: ObservedError[] = [];
  for (const m of OBSERVED_MAPPINGS) {
    const found = first(
      configs,
      tables,
      m,
      (cfg) => HOST_KINDS.has(cfg.kind) && cfg.cgroup === undefined,
      pageSizeBytes,
      run,
    );
    if (!found) continue;
    host[m.metric] = found.series;
    errors.push({
      metric: m.metric,
      source: found.source,
      observedColumn: found.column,
      ...seriesError(run.host[m.metric] ?? [], found.series, m.floor),
    });
  }
  const cgroups: Record<string, Record<string, Series>> = {};
  const processes: Record<string, Record<string, Series>> = {};
  const scopedErrors: ObservedScopedError[] = [];
  const simCgroups = run.cgroups ?? {};
  for (const path of Object.keys(simCgroups)) {
    for (const m of CGROUP_MAPPINGS) {
      const found = first(configs, tables, m, (cfg) => cfg.cgroup === path, pageSizeBytes, run);
      if (!found) continue;
      (cgroups[path] ??= {})[m.metric] = found.series;
      scopedErrors.push({
        scope: 'cgroup',
        owner: path,
        metric: m.metric,
        source: found.source,
        observedColumn: found.column,
        ...seriesError(simCgroups[path]?.[m.metric] ?? [], found.series, m.floor),
      });
    }
  }
  const simProcesses = run.processes ?? {};
  configs.forEach((cfg, source) => {
    const table = tables[source];
    if (!table || !PROCESS_KINDS.has(cfg.kind)) return;
    for (const [name, prefix] of Object.entries(processPrefixes(cfg, table))) {
      if (!simProcesses[name] || processes[name]) continue;
      for (const m of PROCESS_MAPPINGS) {
        const candidate = m.candidates[0] as Candidate;
        const columns = candidate.columns.map((c) => `${prefix}_${c}`);
        const series = seriesFor(cfg, table, { ...candidate, columns }, pageSizeBytes, run);
        if (!series) continue;
        (processes[name] ??= {})[m.metric] = series;
        scopedErrors.push({
          scope: 'process',
          owner: name,
          metric: m.metric,
          source,
          observedColumn: columns.join('+'),
          ...seriesError(simulatedProcessSeries(simProcesses[name], m.metric) ?? [], series, m.floor),
        });
      }
    }
  });
  return {
    sources: configs.map((c, i) => ({
      kind: c.kind,
      file: c.file,
      offsetMs: c.offsetMs,
      rows: tables[i]?.timeMs.length ?? 0,
    })),
    timeMs: [...run.timeMs],
    host,
    errors,
    ...(Object.keys(cgroups).length > 0 ? { cgroups } : {}),
    ...(Object.keys(processes).length > 0 ? { processes } : {}),
    ...(scopedErrors.length > 0 ? { scopedErrors } : {}),
  };
}

/** The first source (scenario order) that `accepts` and has the columns of a candidate, preferred candidates first in each. */
function first(
  configs: readonly ObservedConfig[],
  tables: readonly (ObservedData | undefined)[],
  m: Mapping,
  accepts: (cfg: ObservedConfig) => boolean,
  pageSizeBytes: number,
  run: Simulated,
): { source: number; column: string; series: Series } | undefined {
  for (let source = 0; source < tables.length; source++) {
    const table = tables[source];
    const cfg = configs[source] as ObservedConfig;
    if (!table || !accepts(cfg)) continue;
    for (const candidate of m.candidates) {
      const series = seriesFor(cfg, table, candidate, pageSizeBytes, run);
      if (series) return { source, column: candidate.columns.join('+'), series };
    }
  }
  return undefined;
}

/** Onset, peak and steady level of one series (docs/postmortem.md, "Shape"). */
export interface Shape {
  /** First time the 5 s mean reaches 10 % of the observed peak; null if never. */
  onsetMs: number | null;
  /** Largest 5 s mean. */
  peak: number;
  /** Median over the steps where the observed 5 s mean is at least half its peak. */
  steady: number | null;
}

/** Width of the moving mean the shape is read from: 1 s samples are noisy, 5 s is what a person reads off a chart. */
const SHAPE_WINDOW_STEPS = 5;

function movingMean(s: Series): (number | null)[] {
  return s.map((_, i) => {
    const w = s.slice(Math.max(0, i - SHAPE_WINDOW_STEPS + 1), i + 1).filter((v): v is number => v !== null);
    return w.length === 0 ? null : w.reduce((a, b) => a + b, 0) / w.length;
  });
}

/**
 * The shape of a simulated series and of its observed one, read the same way: the observed
 * series sets the onset level (10 % of its peak) and the steady window (where it is at least
 * half its peak), so the two are compared at the same level and over the same steps.
 */
export function compareShape(
  timeMs: readonly number[],
  simulated: Series,
  observed: Series,
): { simulated: Shape; observed: Shape } {
  const obs = movingMean(observed);
  const sim = movingMean(simulated);
  const peakOf = (s: (number | null)[]) => s.reduce<number>((m, v) => (v !== null && v > m ? v : m), 0);
  const obsPeak = peakOf(obs);
  const steadySteps = obs.flatMap((v, i) => (v !== null && v >= obsPeak / 2 && obsPeak > 0 ? [i] : []));
  const shape = (s: (number | null)[]): Shape => {
    const onset = s.findIndex((v) => v !== null && obsPeak > 0 && v >= obsPeak / 10);
    const inWindow = steadySteps.map((i) => s[i]).filter((v): v is number => v !== null && v !== undefined);
    inWindow.sort((a, b) => a - b);
    return {
      onsetMs: onset < 0 ? null : (timeMs[onset] as number),
      peak: peakOf(s),
      steady: inWindow.length === 0 ? null : (inWindow[Math.floor(inWindow.length / 2)] as number),
    };
  };
  return { simulated: shape(sim), observed: shape(obs) };
}

/** Host series whose shape the worked post-mortems compare (docs/postmortem.md, "Shape"), in print order. */
export const SHAPE_METRICS = [
  'majorFaultsPerSec',
  'swapInPagesPerSec',
  'swapOutPagesPerSec',
  'psiSomePct',
  'psiFullPct',
] as const;

/**
 * The shape of every SHAPE_METRICS series the run has observed, fitted against observed. PSI
 * falls back on avg10 when the logs have no `total=` to take the stall share from.
 */
export function shapesOf(
  result: Pick<RunResult, 'timeMs' | 'host' | 'observed'>,
): { metric: string; simulated: Shape; observed: Shape }[] {
  const o = result.observed;
  if (!o) return [];
  const fallback: Record<string, string> = { psiSomePct: 'psiSomeAvg10Pct', psiFullPct: 'psiFullAvg10Pct' };
  return SHAPE_METRICS.flatMap((name) => {
    const metric = o.host[name] ? name : (fallback[name] ?? name);
    const obs = o.host[metric];
    if (!obs) return [];
    return [{ metric, ...compareShape(result.timeMs, result.host[metric] ?? [], obs) }];
  });
}
