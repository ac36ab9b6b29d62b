/**
 * Observed series into the result: each `observed:` file of the scenario is imported with
 * the telemetry importers (kind `csv`: the normalised CSV `faultline import` writes),
 * placed in simulated time, resampled onto the run's steps and compared with the
 * simulated host series it measures. The rules are documented in docs/postmortem.md,
 * "The `observed` field"; the report draws overlays from `RunResult.observed`.
 */
import { readFileSync } from 'node:fs';
import type { ObservedComparison, ObservedError, ResultWarning, RunResult, Series } from '../result/types.js';
import type { ObservedConfig, Scenario } from '../scenario/types.js';
import { importTelemetry, parseKind } from '../traces/telemetry/index.js';
import { InputError } from '../util/errors.js';

/** Kernel pages in telemetry: the importers keep page counts as the kernel printed them (docs/import.md). */
const OBSERVED_PAGE_BYTES = 4096;

const MIB = 1024 * 1024;

interface Candidate {
  column: string;
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

const pagesPerSec = (column: string): Candidate => ({ column, scale: (ps) => OBSERVED_PAGE_BYTES / ps });
const bytesToPages = (column: string): Candidate => ({ column, scale: (ps) => 1 / ps });
const same = (column: string): Candidate => ({ column, scale: () => 1 });

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
];

/**
 * Share of a series' largest observed magnitude below which a point is near zero for
 * MAPE (together with the unit floor): the quiet minutes before an incident would
 * otherwise dominate the percentage.
 */
export const MAPE_NEAR_ZERO_SHARE = 0.05;

/**
 * ps and memory-stat measure processes and cgroups, not the host: their fault columns
 * would be compared with host totals, so they are not mapped onto host metrics.
 */
const HOST_KINDS = new Set(['vmstat', 'sar', 'psi', 'proc-vmstat', 'csv']);

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
}

/** Reads one observed file with the telemetry importer of its kind (`csv`: the normalised CSV). */
export function loadObservedData(kind: string, file: string): ObservedData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read observed file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const { table } = importTelemetry(parseKind(kind), text, { file, lenient: false });
  return {
    intervalSec: table.source.intervalSec,
    columns: table.columns.map((c) => c.name),
    timeMs: table.timeMs,
    values: table.values,
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

type Simulated = Pick<RunResult, 'timeMs' | 'host'>;

/**
 * The comparison for a run of `scenario`. A file that cannot be read or imported becomes a
 * warning, not a failed run: the simulation stands on its own.
 */
export function compareObserved(
  scenario: Pick<Scenario, 'observed' | 'host'>,
  run: Simulated,
): { observed: ObservedComparison; warnings: ResultWarning[] } {
  const warnings: ResultWarning[] = [];
  const tables: (ObservedData | undefined)[] = scenario.observed.map((o) => {
    try {
      return loadObservedData(o.kind, o.file);
    } catch (err) {
      warnings.push({
        code: 'observed-unreadable',
        message: `observed ${o.kind} ${o.file}: ${(err as Error).message}`,
      });
      return undefined;
    }
  });
  return { observed: compareTables(scenario.observed, tables, scenario.host.pageSizeBytes, run), warnings };
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
    const found = findColumn(configs, tables, m);
    if (!found) continue;
    const { source, candidate, table, index } = found;
    const cfg = configs[source] as ObservedConfig;
    const t0 = table.timeMs[0] as number;
    const simMs = table.timeMs.map((t) => cfg.offsetMs + (t - t0));
    const firstSpan = (table.intervalSec ?? 0) * 1000 || (simMs[1] ?? 0) - (simMs[0] as number) || 1;
    const factor = candidate.scale(pageSizeBytes);
    const scaled = (table.values[index] as number[]).map((v) => v * factor);
    const series = resampleOnto(simMs, scaled, firstSpan, run.timeMs);
    host[m.metric] = series;
    errors.push({
      metric: m.metric,
      source,
      observedColumn: candidate.column,
      ...seriesError(run.host[m.metric] ?? [], series, m.floor),
    });
  }
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
  };
}

/** The first source (scenario order) with a column for the metric, trying the preferred column first in each. */
function findColumn(
  configs: readonly ObservedConfig[],
  tables: readonly (ObservedData | undefined)[],
  m: Mapping,
): { source: number; candidate: Candidate; table: ObservedData; index: number } | undefined {
  for (let source = 0; source < tables.length; source++) {
    const table = tables[source];
    if (!table || !HOST_KINDS.has((configs[source] as ObservedConfig).kind)) continue;
    for (const candidate of m.candidates) {
      const index = table.columns.indexOf(candidate.column);
      if (index >= 0) return { source, candidate, table, index };
    }
  }
  return undefined;
}
