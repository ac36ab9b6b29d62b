/**
 * The sweep's comparison table as files beside its HTML page, hyperfine-style: CSV (one
 * row per variant, raw numbers with the unit in each column's name), Markdown (the table
 * as the page prints it, for a CI summary or a pull request) and JSON (`{ results: [...] }`
 * with each variant's parameters, status, verdict, figures and checks). Every value comes
 * from the same SweepTable as the page, so the files and the page never disagree.
 */
import { type FaultCpuSplit, formatSplit } from '../../analysis/figures.js';
import type { SweepRow, SweepTable } from '../sweep-table.js';
import { mdText, STATUS_ICONS } from './markdown.js';

function csvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function raw(v: number | null | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

function checkResult(row: SweepRow, source: string): string {
  const c = row.checks[source]?.check;
  return c === undefined ? '' : c.passed ? 'pass' : c.level === 'error' ? 'fail' : 'warn';
}

/**
 * CSV columns: `variant`, each swept field by its path, `status` (pass, warn, fail,
 * unchecked, failed), `verdict` (the headline), then each figure by its result.json path
 * with its unit (`summary.host.faultCpuPctAvg_pct`, and for the CPU lost to faulting its
 * `.busy_pct` and `.waiting_pct` parts), then per check its result and observed value.
 */
export function sweepCsv(t: SweepTable): string {
  const header = [
    'variant',
    ...t.dimensions.map((d) => d.name),
    'status',
    'verdict',
    ...t.figures.flatMap((f) => {
      const split = t.rows.some((r) => r.figures[f.id]?.split);
      return [`${f.id}_${f.unit}`, ...(split ? [`${f.id}.busy_pct`, `${f.id}.waiting_pct`] : [])];
    }),
    ...t.checks.flatMap((c) => {
      const unit = t.rows.map((r) => r.checks[c.source]?.check.unit).find((u) => u) ?? '';
      return [`check: ${c.source}`, `check: ${c.source} observed${unit ? `_${unit}` : ''}`];
    }),
  ];
  const lines = [header.map(csvField).join(',')];
  for (const row of t.rows) {
    const cells = [
      row.entry.variantId,
      ...t.dimensions.map((d) => (d.name in row.entry.params ? String(row.entry.params[d.name]) : '')),
      row.entry.verdict.status,
      row.entry.verdict.headline,
      ...t.figures.flatMap((f) => {
        const fig = row.figures[f.id];
        const split = t.rows.some((r) => r.figures[f.id]?.split);
        return [raw(fig?.value), ...(split ? [raw(fig?.split?.busyPct), raw(fig?.split?.waitPct)] : [])];
      }),
      ...t.checks.flatMap((c) => [checkResult(row, c.source), raw(row.checks[c.source]?.check.observed)]),
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function withSplit(text: string, split: FaultCpuSplit | undefined): string {
  return split ? `${text} (${formatSplit(split)})` : text;
}

/** The table as the page prints it: status, figures, checks, swept values, variant id. */
export function sweepMarkdown(t: SweepTable, title: string): string {
  const header = [
    'status',
    ...t.figures.map((f) => f.label),
    ...t.checks.map((c) => (c.level === 'warn' ? `${c.header} (warn)` : c.header)),
    ...t.dimensions.map((d) => d.short),
    'variant',
  ];
  const out = [
    `### ${mdText(title)}: ${t.rows.length} variants compared`,
    '',
    `| ${header.map(mdText).join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 || i > t.figures.length + t.checks.length ? '---' : '---:')).join(' | ')} |`,
  ];
  for (const row of t.rows) {
    const cells = [
      `${STATUS_ICONS[row.entry.verdict.status]} ${mdText(row.status.label)}`,
      ...t.figures.map((f) => {
        const fig = row.figures[f.id];
        return fig ? withSplit(fig.text, fig.split) : '—';
      }),
      ...t.checks.map((c) => {
        const cell = row.checks[c.source];
        if (!cell) return '—';
        return `${cell.check.passed ? '✓' : cell.check.level === 'error' ? '✗' : '!'} ${withSplit(cell.text, cell.split)}`;
      }),
      ...t.dimensions.map((d) => mdText(d.name in row.entry.params ? String(row.entry.params[d.name]) : '—')),
      mdText(row.entry.variantId),
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  if (t.dimensions.length > 0) out.push('', t.dimensions.map((d) => `\`${d.short}\` = \`${d.name}\``).join(' · '));
  return `${out.join('\n')}\n`;
}

/** `{ scenario, parameters, results: [...] }`, one result per variant (hyperfine's --export-json shape). */
export function sweepJson(t: SweepTable): string {
  const doc = {
    scenario: t.scenario,
    parameters: t.dimensions.map((d) => ({ name: d.name, short: d.short, values: d.values })),
    results: t.rows.map((row) => ({
      variant: row.entry.variantId,
      report: `${row.entry.dir}/report.html`,
      parameters: row.entry.params,
      status: row.entry.verdict.status,
      statusLabel: row.status.label,
      verdict: row.entry.verdict.headline,
      tenants: row.states,
      figures: Object.fromEntries(
        t.figures.map((f) => {
          const fig = row.figures[f.id];
          return [
            f.id,
            {
              label: f.label,
              unit: f.unit,
              value: fig?.value ?? null,
              text: fig?.text ?? null,
              ...(fig?.split ? { busyPct: fig.split.busyPct, waitPct: fig.split.waitPct } : {}),
            },
          ];
        }),
      ),
      checks: t.checks.map((c) => {
        const cell = row.checks[c.source];
        return {
          source: c.source,
          level: c.level,
          result: checkResult(row, c.source) || null,
          observed: cell?.check.observed ?? null,
          unit: cell?.check.unit ?? null,
          text: cell?.text ?? null,
          ...(cell?.split ? { busyPct: cell.split.busyPct, waitPct: cell.split.waitPct } : {}),
        };
      }),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
