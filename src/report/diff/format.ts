import type { CheckDiff, DiffReport, MetricDiff, VariantDiff } from '../../result/diff.js';
import { formatValue as formatMetric, formatNumber } from '../format.js';

/** Formatting shared by the Markdown and HTML renderings of a diff. */

export function formatValue(v: number | null, unit: string): string {
  return v === null ? '–' : formatMetric(v, unit);
}

export function formatDelta(m: MetricDiff): string {
  if (m.delta === null) return '–';
  const sign = m.delta > 0 ? '+' : m.delta < 0 ? '−' : '±';
  // A change of a percentage is in percentage points, not percent.
  const abs = m.unit === 'pct' ? `${formatNumber(Math.abs(m.delta))} pt` : formatValue(Math.abs(m.delta), m.unit);
  const rel = m.deltaPct === null ? '' : ` (${sign}${formatNumber(Math.abs(m.deltaPct))}%)`;
  return `${sign}${abs}${rel}`;
}

export function checkState(s: CheckDiff['baseline']): string {
  if (s === null) return '–';
  return `${s.passed ? '✓' : '✗'} ${s.observed === null ? 'no value' : formatValue(s.observed, '')}`;
}

export function headline(d: DiffReport): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(d.regressions, 'regression')}, ${plural(d.improvements, 'improvement')} in ${plural(d.variants.length, 'variant')}`;
}

export function floorsText(d: DiffReport): string {
  const f = d.floors;
  return [
    `fault CPU ${f.faultCpuPctMax} pt`,
    `major faults ${f.majorFaultsPerSecMax}/s`,
    `OOM kills ${f.oomKills} (any change)`,
    `swap ${f.swapPages} pages`,
    `process major faults ${f.processMajorFaults}`,
    `p99 latency ${f.latencyP99Ms} ms`,
  ].join(', ');
}

/** One row per change that counts (status, metric or check), regressions first. */
export interface ChangeRow {
  variant: string;
  what: string;
  baseline: string;
  candidate: string;
  delta: string;
  change: 'regression' | 'improvement';
}

export function changeRows(d: DiffReport): ChangeRow[] {
  const rows: ChangeRow[] = [];
  for (const v of d.variants) rows.push(...variantRows(v));
  return [...rows.filter((r) => r.change === 'regression'), ...rows.filter((r) => r.change === 'improvement')];
}

function variantRows(v: VariantDiff): ChangeRow[] {
  const variant = `${v.scenario}/${v.variantId}`;
  const rows: ChangeRow[] = [];
  if (v.statusChange === 'regression' || v.statusChange === 'improvement') {
    rows.push({
      variant,
      what: 'run status',
      baseline: v.baselineStatus,
      candidate: `${v.candidateStatus}: ${v.candidateVerdict}`,
      delta: '',
      change: v.statusChange,
    });
  }
  for (const m of v.metrics) {
    if (m.change !== 'regression' && m.change !== 'improvement') continue;
    rows.push({
      variant,
      what: m.metric,
      baseline: formatValue(m.baseline, m.unit),
      candidate: formatValue(m.candidate, m.unit),
      delta: formatDelta(m),
      change: m.change,
    });
  }
  for (const k of v.checks) {
    if (k.change !== 'regression' && k.change !== 'improvement') continue;
    rows.push({
      variant,
      what: `check ${k.source}`,
      baseline: checkState(k.baseline),
      candidate: checkState(k.candidate),
      delta: '',
      change: k.change,
    });
  }
  return rows;
}
