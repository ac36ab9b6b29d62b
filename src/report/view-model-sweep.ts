/**
 * The view model of a sweep report: a decision table (status and tenants' states first, then
 * the figures compared, then each check, then the swept values as short columns), the
 * variants that pass every check, and the comparison charts. All formatting happens here.
 */
import { formatSplit } from '../analysis/figures.js';
import type { RunResult, RunSetManifest } from '../result/types.js';
import { formatTimestamp } from './format.js';
import { metricInfo } from './metric-info.js';
import { RUN_REPORT_FILE, relativeHref } from './paths.js';
import { type SweepTable, shortLabel } from './sweep-table.js';
import type { ChartView } from './view-model-run.js';

export interface SweepCell {
  text: string;
  sort: string;
  cssClass: string;
  href?: string;
  /** A second, smaller line (the tenants' states, the busy/waiting parts). */
  sub?: string;
  /** Shown on hover: the full headline, the check as written. */
  title?: string;
  /** The figure's one name, for data-figure (tests and scripts read the page by it). */
  figure?: string;
  /** Colour class of a status pill. */
  pill?: string;
}

export interface SweepColumn {
  label: string;
  title: string;
  numeric: boolean;
  cssClass: string;
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
    variants: { label: string; href: string; states: string }[];
  };
  /** `max = cgroups.batch.memory.max`: what each short column name stands for. */
  legend: { short: string; name: string }[];
  columns: SweepColumn[];
  rows: { cssClass: string; variant: string; cells: SweepCell[] }[];
  /** The same table as files beside the page. */
  exports: { label: string; href: string }[];
  charts: ChartView[];
  provenance: string;
  backLinks: { href: string; label: string }[];
}

export interface SweepViewOptions {
  /** Folder of the sweep report relative to the run-set folder (links to variants are made relative to it). */
  reportDir?: string;
  backLinks?: { href: string; label: string }[];
  /** File names of the table's exports, written beside the page. */
  exports?: { csv: string; md: string; json: string };
}

export function sweepViewModel(
  manifest: RunSetManifest,
  table: SweepTable,
  results: RunResult[],
  charts: ChartView[],
  opts: SweepViewOptions = {},
): SweepViewModel {
  const first = results[0];
  const hrefOf = (dir: string) => relativeHref(opts.reportDir ?? '', `${dir}/${RUN_REPORT_FILE}`);
  const dims = table.dimensions;
  const definition = (id: string) => {
    if (!first) return '';
    if (id.endsWith('.latencyMs.p99Ms')) return metricInfo(first, 'process', 'latencyMs').description;
    if (id === 'summary.host.oomKills') return metricInfo(first, 'run', 'oomKills').description;
    const name = /^summary\.host\.(\w+?)(Max|Avg)$/.exec(id)?.[1];
    return name ? metricInfo(first, 'host', name).description : '';
  };

  const columns: SweepColumn[] = [
    {
      label: 'status',
      title: 'The top status follows the checks; below it, each tenant’s state. Links to the variant’s report.',
      numeric: true,
      cssClass: 'status-col',
    },
    ...table.figures.map((f) => ({ label: f.label, title: definition(f.id), numeric: true, cssClass: 'fig-col' })),
    ...table.checks.map((c) => ({
      label: c.level === 'warn' ? `${c.header} (warn)` : c.header,
      title: `expect: ${c.source} (level ${c.level})`,
      numeric: true,
      cssClass: 'check-col',
    })),
    ...dims.map((d) => ({ label: d.short, title: d.name, numeric: false, cssClass: 'dim-col' })),
  ];

  const rows = table.rows.map((row) => {
    const e = row.entry;
    const cells: SweepCell[] = [
      {
        text: row.status.label,
        sort: String(row.status.rank),
        cssClass: 'status-cell',
        pill: row.status.cssClass,
        href: hrefOf(e.dir),
        sub: row.states,
        title: e.verdict.headline,
      },
      ...table.figures.map((f): SweepCell => {
        const fig = row.figures[f.id];
        if (!fig) return { text: '—', sort: '', cssClass: 'num' };
        return {
          text: fig.text,
          sort: fig.value === null ? '' : String(fig.value),
          cssClass: 'num',
          figure: f.id,
          ...(fig.split ? { sub: formatSplit(fig.split) } : {}),
        };
      }),
      ...table.checks.map((col): SweepCell => {
        const c = row.checks[col.source];
        if (!c) return { text: '—', sort: '', cssClass: '' };
        const mark = c.check.passed ? '✓' : c.check.level === 'error' ? '✗' : '!';
        return {
          text: `${mark} ${c.text}`,
          sort: c.check.observed === null ? '' : String(c.check.observed),
          cssClass: `num ${c.check.passed ? 'pass' : c.check.level === 'error' ? 'fail' : 'warn'}`,
          title: `${c.check.source}: ${c.check.passed ? 'passed' : c.check.level === 'error' ? 'failed' : 'failed (warning)'}`,
          ...(col.figureId ? { figure: col.figureId } : {}),
          ...(c.split ? { sub: formatSplit(c.split) } : {}),
        };
      }),
      ...dims.map((d): SweepCell => {
        const raw = e.params[d.name];
        return raw === undefined
          ? { text: '—', sort: '', cssClass: 'dim' }
          : { text: String(raw), sort: String(raw), cssClass: 'dim' };
      }),
    ];
    return { cssClass: row.status.rank <= 1 ? 'pass-all' : '', variant: e.variantId, cells };
  });

  const passing = table.rows.filter((r) => r.status.status === 'pass' || r.status.status === 'warn');
  const anyChecks = table.rows.some((r) => r.entry.checks.length > 0);
  const n = table.rows.length;
  const passingText = !anyChecks
    ? 'This scenario has no expect: checks; compare the tenants’ states below.'
    : passing.length === 0
      ? `None of the ${n} variants passes every check.`
      : `${passing.length} of ${n} variants pass every check (warn-level checks aside):`;
  const exportFiles = opts.exports;
  return {
    pageTitle: `${first?.scenario.title ?? table.scenario} · sweep · faultline`,
    scenarioTitle: first?.scenario.title ?? table.scenario,
    description: first?.scenario.description ?? '',
    scenarioName: table.scenario,
    generatedAt: formatTimestamp(manifest.generatedAt),
    variantCount: n,
    passing: {
      label: anyChecks ? `${passing.length} of ${n} pass` : 'no checks',
      text: passingText,
      cssClass: !anyChecks ? 'status-unchecked' : passing.length > 0 ? 'pass-all' : 'pass-none',
      variants: passing.map((r) => ({
        label: shortLabel(r.entry.params, dims) || r.entry.variantId,
        href: hrefOf(r.entry.dir),
        states: r.states,
      })),
    },
    legend: dims.map((d) => ({ short: d.short, name: d.name })),
    columns,
    rows,
    exports: exportFiles
      ? [
          { label: 'CSV', href: relativeHref(opts.reportDir ?? '', exportFiles.csv) },
          { label: 'Markdown', href: relativeHref(opts.reportDir ?? '', exportFiles.md) },
          { label: 'JSON', href: relativeHref(opts.reportDir ?? '', exportFiles.json) },
        ]
      : [],
    charts,
    provenance: `${manifest.tool.name} ${manifest.tool.version}, run set written ${formatTimestamp(manifest.generatedAt)}`,
    backLinks: opts.backLinks ?? [],
  };
}
