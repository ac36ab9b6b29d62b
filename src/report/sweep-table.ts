/**
 * The comparison of a sweep's variants as plain data: one row per variant with its top
 * status, its tenants' states, the figures a sweep compares and every check, then the
 * swept values under short names. The HTML decision table and the CSV, Markdown and JSON
 * exports beside it are all written from this, so they hold the same values under the
 * same labels as each variant's own report (analysis/figures.ts).
 */
import {
  checkFigureId,
  checkObserved,
  type FaultCpuSplit,
  type Figure,
  figureById,
  latencyProcesses,
  sweepFigureIds,
} from '../analysis/figures.js';
import type { CheckResult, RunResult, RunSetEntry } from '../result/types.js';
import { InputError } from '../util/errors.js';
import { formatValue } from './format.js';
import { type StatusView, statusView, tenantStates } from './status.js';
import { expectedText } from './view-model-run.js';

export interface SweptDimension {
  /** The swept field's path (`cgroups.batch.memory.soft_limit_in_bytes`). */
  name: string;
  /** Its short name (`soft`): the shortest dot-suffix no other swept path shares, v1 file names shortened. */
  short: string;
  /** The values it takes, in the order the variants first show them. */
  values: string[];
}

export interface SweepCheckColumn {
  source: string;
  level: CheckResult['level'];
  /** The column's header: the label of the figure it observes and the condition (`db p99 latency, whole run < 1 s`), else the check as written. */
  header: string;
  /** The key figure the check observes, if any (its value is then the check's observed value). */
  figureId?: string;
}

export interface SweepRow {
  entry: RunSetEntry;
  /** Absent for a variant whose result file is missing (it failed before writing one). */
  result?: RunResult;
  status: StatusView;
  /** `db healthy · spark thrashing · host thrashing`. */
  states: string;
  figures: Record<string, Figure | undefined>;
  checks: Record<string, { check: CheckResult; text: string; split?: FaultCpuSplit } | undefined>;
}

export interface SweepTable {
  scenario: string;
  dimensions: SweptDimension[];
  /** The figures compared, minus those a check already observes (shown once, in the check's column). */
  figures: Pick<Figure, 'id' | 'label' | 'unit'>[];
  checks: SweepCheckColumn[];
  rows: SweepRow[];
}

const LONG_NAMES: [string, string][] = [
  ['memory.soft_limit_in_bytes', 'soft'],
  ['memory.memsw.limit_in_bytes', 'memsw'],
  ['memory.limit_in_bytes', 'limit'],
];

/** Short, unique names for swept paths: `processes.spark.stop` → `stop`, two cgroups' `memory.max` → `batch.memory.max`, `db.memory.max`. */
export function shortNames(paths: readonly string[]): Map<string, string> {
  const parts = new Map(
    paths.map((p) => {
      const long = LONG_NAMES.find(([l]) => p.endsWith(l));
      return [p, (long ? `${p.slice(0, p.length - long[0].length)}${long[1]}` : p).split('.')];
    }),
  );
  const out = new Map<string, string>();
  for (const p of paths) {
    const mine = parts.get(p) as string[];
    let n = 1;
    while (
      n < mine.length &&
      paths.some((q) => q !== p && (parts.get(q) as string[]).slice(-n).join('.') === mine.slice(-n).join('.'))
    )
      n++;
    out.set(p, mine.slice(-n).join('.'));
  }
  return out;
}

/**
 * Swept dimensions by name, with the values each takes in sweep order. By name, because
 * result.json and manifest.json store params with sorted keys: a re-rendered report must
 * match the first one.
 */
export function dimensions(entries: readonly RunSetEntry[]): SweptDimension[] {
  const dims = new Map<string, string[]>();
  for (const e of entries)
    for (const [k, v] of Object.entries(e.params)) {
      const vals = dims.get(k) ?? [];
      if (!vals.includes(String(v))) vals.push(String(v));
      dims.set(k, vals);
    }
  const names = [...dims.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const shorts = shortNames(names);
  return names.map((name) => ({ name, short: shorts.get(name) as string, values: dims.get(name) as string[] }));
}

/** `max=36Gi · soft=8Gi · stop=never`: a variant's swept values under their short names. */
export function shortLabel(params: RunSetEntry['params'], dims: readonly SweptDimension[]): string {
  return dims
    .filter((d) => d.name in params)
    .map((d) => `${d.short}=${String(params[d.name])}`)
    .join(' · ');
}

export function sweepTable(entries: readonly RunSetEntry[], results: readonly RunResult[]): SweepTable {
  const byVariant = new Map(results.map((r) => [r.scenario.variantId, r]));
  const processes = [...new Set(results.flatMap((r) => latencyProcesses(r)))];
  const sources = [...new Set(entries.flatMap((e) => e.checks.map((c) => c.source)))];
  const checks: SweepCheckColumn[] = sources.map((source) => {
    const c = entries.flatMap((e) => e.checks).find((x) => x.source === source) as CheckResult;
    const figureId = checkFigureId(c);
    const label = figureId === undefined ? undefined : labelOf(results, figureId);
    return {
      source,
      level: c.level,
      header: label === undefined ? shortCheck(c) : `${label} ${expectedText(c).replace(/^\S+ /, '')}`,
      ...(figureId === undefined ? {} : { figureId }),
    };
  });
  const observedByCheck = new Set(checks.map((c) => c.figureId));
  const figures = sweepFigureIds(processes)
    .filter((id) => !observedByCheck.has(id))
    .flatMap((id) => {
      const any = results.map((r) => figureById(r, id)).find((f) => f !== undefined);
      return any ? [{ id, label: any.label, unit: any.unit }] : [];
    });
  const rows = entries.map((entry): SweepRow => {
    const result = byVariant.get(entry.variantId);
    return {
      entry,
      ...(result ? { result } : {}),
      status: statusView(entry.verdict, entry.checks),
      states: tenantStates(entry.verdict),
      figures: Object.fromEntries(
        figures.map((f) => [f.id, result && entry.status === 'ok' ? figureById(result, f.id) : undefined]),
      ),
      checks: Object.fromEntries(
        sources.map((s) => {
          const c = entry.checks.find((x) => x.source === s);
          return [
            s,
            c && result
              ? { check: c, ...checkObserved(c, result) }
              : c
                ? { check: c, text: formatValue(c.observed, c.unit) }
                : undefined,
          ];
        }),
      ),
    };
  });
  return { scenario: entries[0]?.scenario ?? '', dimensions: dimensions(entries), figures, checks, rows };
}

/**
 * A check's column header when it observes no key figure: its owner's last name, the metric
 * and the condition (`cache throttledMsPerSec max < 500 ms` for
 * `cgroups.kubepods/burstable/cache.throttledMsPerSec: max < 500`); the column's title has it whole.
 */
function shortCheck(c: CheckResult): string {
  // A run counter (`allocFailures`) has no aggregation worth naming: `allocFailures = 0`.
  if (!c.metric.includes('.')) return `${c.metric} ${expectedText(c).replace(/^\S+ /, '')}`;
  const subject = c.metric.replace(/^(processes|cgroups|host)\./, '');
  const dot = subject.lastIndexOf('.');
  const owner = dot < 0 ? '' : `${subject.slice(0, dot).split('/').pop()} `;
  return `${owner}${subject.slice(dot + 1)} ${expectedText(c)}`;
}

function labelOf(results: readonly RunResult[], id: string): string | undefined {
  for (const r of results) {
    const f = figureById(r, id);
    if (f) return f.label;
  }
  return undefined;
}

/** The figure a heatmap colours by: `p99:<process>` or a host figure's field name (`faultCpuPctMax`). */
export function heatmapFigureId(table: SweepTable, name: string | undefined): string {
  const processes = table.rows.flatMap((r) => (r.result ? latencyProcesses(r.result) : []));
  const choices = new Map<string, string>([
    ...[...new Set(processes)].map((p): [string, string] => [`p99:${p}`, `summary.processes.${p}.latencyMs.p99Ms`]),
    ['faultCpuPctMax', 'summary.host.faultCpuPctMax'],
    ['faultCpuPctAvg', 'summary.host.faultCpuPctAvg'],
    ['majorFaultsPerSecMax', 'summary.host.majorFaultsPerSecMax'],
    ['oomKills', 'summary.host.oomKills'],
  ]);
  if (name === undefined) return choices.values().next().value as string;
  const id = choices.get(name);
  if (id === undefined)
    throw new InputError(`unknown heatmap metric "${name}" (choose one of: ${[...choices.keys()].join(', ')})`);
  return id;
}
