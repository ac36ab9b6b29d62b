/**
 * The view model of a sweep report: one row per variant, the variants that pass every
 * expectation, and the data of the comparison charts. All formatting happens here.
 */

import { passesChecks } from '../analysis/checks.js';
import type { CheckResult, RunResult, RunSetEntry, RunSetManifest } from '../result/types.js';
import { InputError } from '../util/errors.js';
import type { HeatCell } from './charts/sweep-charts.js';
import { formatParam, formatTimestamp, formatValue } from './format.js';
import { metricInfo } from './metric-info.js';
import { RUN_REPORT_FILE, relativeHref } from './paths.js';
import type { ChartView } from './view-model-run.js';
import { verdictView } from './view-model-run.js';

/** A figure compared across variants; `get` reads it from the entry's summary. */
export interface SweepMetric {
  id: string;
  label: string;
  unit: string;
  log: boolean;
  /** Where its definition lives (metric-info scope and name). */
  scope: 'host' | 'process' | 'run';
  name: string;
  get(e: RunSetEntry): number | null;
}

export function sweepMetrics(entries: RunSetEntry[]): SweepMetric[] {
  const latencyProcs = [
    ...new Set(
      entries.flatMap((e) =>
        Object.entries(e.summary?.processes ?? {})
          .filter(([, p]) => p.latencyMs)
          .map(([n]) => n),
      ),
    ),
  ];
  const host = (
    id: keyof NonNullable<RunSetEntry['summary']>['host'],
    label: string,
    unit: string,
    name: string,
    log = false,
  ): SweepMetric => ({
    id,
    label,
    unit,
    log,
    scope: id === 'oomKills' ? 'run' : 'host',
    name,
    get: (e) => e.summary?.host[id] ?? null,
  });
  return [
    ...latencyProcs.map(
      (p): SweepMetric => ({
        id: `p99:${p}`,
        label: `${p} p99 latency`,
        unit: 'ms',
        log: true,
        scope: 'process',
        name: 'latencyMs',
        get: (e) => e.summary?.processes[p]?.latencyMs?.p99Ms ?? null,
      }),
    ),
    host('faultCpuPctMax', 'CPU on faults, peak', 'pct', 'faultCpuPct'),
    host('majorFaultsPerSecMax', 'major faults/s, peak', 'perSec', 'majorFaultsPerSec', true),
    host('oomKills', 'OOM kills', 'count', 'oomKills'),
  ];
}

export function passesAll(e: RunSetEntry): boolean {
  return e.status === 'ok' && passesChecks(e.checks);
}

export interface SweepCell {
  text: string;
  sort: string;
  cssClass: string;
  href?: string;
  sub?: string;
}

export interface SweepViewModel {
  pageTitle: string;
  scenarioTitle: string;
  /** The scenario's own description: what is swept and what the author expects of it. */
  description: string;
  scenarioName: string;
  generatedAt: string;
  variantCount: number;
  passing: {
    label: string;
    text: string;
    cssClass: string;
    variants: { label: string; href: string; headline: string }[];
  };
  columns: { label: string; title: string; numeric: boolean; cssClass: string }[];
  rows: { cssClass: string; cells: SweepCell[] }[];
  charts: ChartView[];
  provenance: string;
  backLinks: { href: string; label: string }[];
}

/**
 * Swept dimensions by name, with the values each takes in sweep order. By name, because
 * result.json and manifest.json store params with sorted keys: a re-rendered report must
 * match the first one.
 */
export function dimensions(entries: RunSetEntry[]): { name: string; values: string[] }[] {
  const dims = new Map<string, string[]>();
  for (const e of entries)
    for (const [k, v] of Object.entries(e.params)) {
      const vals = dims.get(k) ?? [];
      if (!vals.includes(String(v))) vals.push(String(v));
      dims.set(k, vals);
    }
  return [...dims].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, values]) => ({ name, values }));
}

export function heatCells(
  entries: RunSetEntry[],
  metric: SweepMetric,
): { cells: HeatCell[]; x: string; y: string } | null {
  const varying = dimensions(entries).filter((d) => d.values.length > 1);
  if (varying.length === 0) return null;
  const [first, ...rest] = varying;
  const cells = entries.map((e) => {
    const value = metric.get(e);
    return {
      x: String(e.params[first!.name]),
      y: rest.length ? rest.map((d) => `${d.name}=${String(e.params[d.name])}`).join(', ') : 'all',
      variant: e.variantId,
      value,
      label: formatValue(value, metric.unit),
      passAll: passesAll(e),
    };
  });
  return { cells, x: first!.name, y: rest.length ? rest.map((d) => d.name).join(', ') : 'all' };
}

export function pickHeatmapMetric(metrics: SweepMetric[], id: string | undefined): SweepMetric {
  if (id === undefined) return metrics[0]!;
  const m = metrics.find((x) => x.id === id);
  if (!m)
    throw new InputError(`unknown heatmap metric "${id}" (choose one of: ${metrics.map((x) => x.id).join(', ')})`);
  return m;
}

function checkCell(c: CheckResult | undefined): SweepCell {
  if (!c) return { text: '—', sort: '', cssClass: '' };
  const observed = c.observed === null ? 'no value' : formatValue(c.observed, c.unit);
  const verdict = c.passed ? 'pass' : c.level === 'error' ? 'FAIL' : 'warn';
  return {
    text: `${verdict}: ${observed}`,
    sort: c.observed === null ? '' : String(c.observed),
    cssClass: c.passed ? 'pass' : c.level === 'error' ? 'fail' : 'warn',
  };
}

export interface SweepViewOptions {
  /** Folder of the sweep report relative to the run-set folder (links to variants are made relative to it). */
  reportDir?: string;
  backLinks?: { href: string; label: string }[];
}

export function sweepViewModel(
  manifest: RunSetManifest,
  entries: RunSetEntry[],
  results: RunResult[],
  charts: ChartView[],
  opts: SweepViewOptions = {},
): SweepViewModel {
  const first = results[0];
  const scenarioName = entries[0]?.scenario ?? '';
  const dims = dimensions(entries);
  const metrics = sweepMetrics(entries);
  const checkSources = [...new Set(entries.flatMap((e) => e.checks.map((c) => c.source)))];
  const hrefOf = (e: RunSetEntry) => relativeHref(opts.reportDir ?? '', `${e.dir}/${RUN_REPORT_FILE}`);
  const metricTitle = (m: SweepMetric) => (first ? metricInfo(first, m.scope, m.name).description : '');

  const columns = [
    { label: 'variant', title: 'Variant id; links to its report', numeric: false, cssClass: 'variant-col' },
    ...dims.map((d) => ({ label: d.name, title: 'swept value', numeric: false, cssClass: '' })),
    // The verdict column sorts by severity: its data-sort is the status rank.
    { label: 'verdict', title: 'Status and headline of the variant', numeric: true, cssClass: 'verdict-col' },
    ...metrics.map((m) => ({ label: m.label, title: metricTitle(m), numeric: true, cssClass: '' })),
    ...checkSources.map((s) => ({ label: s, title: 'expect: check', numeric: true, cssClass: '' })),
  ];
  const statusRank = { healthy: 0, degraded: 1, thrashing: 2, oom: 3, failed: 4 };
  const rows = entries.map((e) => {
    const v = verdictView(e.verdict);
    const cells: SweepCell[] = [
      { text: e.variantId, sort: e.variantId, cssClass: 'variant', href: hrefOf(e) },
      ...dims.map((d) => {
        const raw = e.params[d.name];
        return raw === undefined
          ? { text: '—', sort: '', cssClass: '' }
          : { text: formatParam(raw, d.name), sort: String(raw), cssClass: '' };
      }),
      {
        text: v.label,
        sort: String(statusRank[e.verdict.status]),
        cssClass: `verdict-cell ${v.cssClass}`,
        sub: e.verdict.headline,
      },
      ...metrics.map((m) => {
        const val = m.get(e);
        return { text: formatValue(val, m.unit), sort: val === null ? '' : String(val), cssClass: 'num' };
      }),
      ...checkSources.map((s) => checkCell(e.checks.find((c) => c.source === s))),
    ];
    return { cssClass: passesAll(e) ? 'pass-all' : '', cells };
  });

  const passing = entries.filter(passesAll);
  const anyChecks = entries.some((e) => e.checks.length > 0);
  const passingText = !anyChecks
    ? 'This scenario has no expect: checks; compare the verdicts below.'
    : passing.length === 0
      ? `None of the ${entries.length} variants passes every expectation.`
      : `${passing.length} of ${entries.length} variants pass every expectation (warn-level checks aside):`;
  return {
    pageTitle: `${first?.scenario.title ?? scenarioName} · sweep · faultline`,
    scenarioTitle: first?.scenario.title ?? scenarioName,
    description: first?.scenario.description ?? '',
    scenarioName,
    generatedAt: formatTimestamp(manifest.generatedAt),
    variantCount: entries.length,
    passing: {
      label: anyChecks ? `${passing.length} of ${entries.length} pass` : 'no checks',
      text: passingText,
      cssClass: passing.length > 0 ? 'pass-all' : 'pass-none',
      variants: passing.map((e) => ({ label: e.variantId, href: hrefOf(e), headline: e.verdict.headline })),
    },
    columns,
    rows,
    charts,
    provenance: `${manifest.tool.name} ${manifest.tool.version}, run set written ${formatTimestamp(manifest.generatedAt)}`,
    backLinks: opts.backLinks ?? [],
  };
}
