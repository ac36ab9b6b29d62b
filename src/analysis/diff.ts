import {
  type Change,
  type CheckDiff,
  DIFF_SCHEMA_VERSION,
  type DiffReport,
  type MetricDiff,
  type VariantDiff,
} from '../result/diff.js';
import type { CheckResult, RunResult } from '../result/types.js';

/**
 * Compares two result sets metric by metric for CI: which variants got worse, which got
 * better. Every compared figure is one where higher is worse. A change counts only when
 * |candidate − baseline| exceeds max(tolerance × |baseline|, floor): the relative
 * tolerance absorbs noise on large figures, the absolute floor keeps a figure near zero
 * (3 → 4 major faults/s) from flagging a "33% regression". OOM kills have no tolerance:
 * one more kill is a regression.
 */

export interface DiffInput {
  label: string;
  results: readonly RunResult[];
}

/** Absolute floors, in each metric's unit (documented in docs/ci.md). */
export const DIFF_FLOORS = {
  faultCpuPctMax: 1,
  majorFaultsPerSecMax: 10,
  oomKills: 0,
  swapPages: 256,
  processMajorFaults: 100,
  latencyP99Ms: 1,
} as const;

interface Figure {
  metric: string;
  unit: string;
  floor: number;
  /** false: any change counts (counts of discrete disasters, such as OOM kills). */
  relative: boolean;
  value: (r: RunResult) => number | null;
}

function figures(baseline: RunResult, candidate: RunResult): Figure[] {
  const f = DIFF_FLOORS;
  const out: Figure[] = [
    {
      metric: 'host.faultCpuPctMax',
      unit: 'pct',
      floor: f.faultCpuPctMax,
      relative: true,
      value: (r) => r.summary.host.faultCpuPctMax,
    },
    {
      metric: 'host.majorFaultsPerSecMax',
      unit: 'perSec',
      floor: f.majorFaultsPerSecMax,
      relative: true,
      value: (r) => r.summary.host.majorFaultsPerSecMax,
    },
    {
      metric: 'host.oomKills',
      unit: 'count',
      floor: f.oomKills,
      relative: false,
      value: (r) => r.summary.host.oomKills,
    },
    {
      metric: 'host.swapInPages',
      unit: 'pages',
      floor: f.swapPages,
      relative: true,
      value: (r) => r.summary.host.swapInPages,
    },
    {
      metric: 'host.swapOutPages',
      unit: 'pages',
      floor: f.swapPages,
      relative: true,
      value: (r) => r.summary.host.swapOutPages,
    },
  ];
  const names = [
    ...new Set([...Object.keys(baseline.summary.processes), ...Object.keys(candidate.summary.processes)]),
  ].sort();
  for (const name of names) {
    out.push({
      metric: `processes.${name}.majorFaults`,
      unit: 'count',
      floor: f.processMajorFaults,
      relative: true,
      value: (r) => r.summary.processes[name]?.majorFaults ?? null,
    });
    out.push({
      metric: `processes.${name}.latencyMs.p99`,
      unit: 'ms',
      floor: f.latencyP99Ms,
      relative: true,
      value: (r) => r.summary.processes[name]?.latencyMs?.p99Ms ?? null,
    });
  }
  return out;
}

function compareFigure(fig: Figure, b: RunResult, c: RunResult, tolerance: number): MetricDiff | null {
  const baseline = fig.value(b);
  const candidate = fig.value(c);
  if (baseline === null && candidate === null) return null;
  const threshold = fig.relative ? Math.max(tolerance * Math.abs(baseline ?? 0), fig.floor) : fig.floor;
  if (baseline === null || candidate === null) {
    return {
      metric: fig.metric,
      unit: fig.unit,
      baseline,
      candidate,
      delta: null,
      deltaPct: null,
      threshold,
      change: 'n/a',
    };
  }
  const delta = candidate - baseline;
  const change: Change = Math.abs(delta) > threshold ? (delta > 0 ? 'regression' : 'improvement') : 'same';
  const deltaPct = baseline === 0 ? null : (delta / Math.abs(baseline)) * 100;
  return { metric: fig.metric, unit: fig.unit, baseline, candidate, delta, deltaPct, threshold, change };
}

function compareChecks(b: readonly CheckResult[], c: readonly CheckResult[]): CheckDiff[] {
  const bySource = (list: readonly CheckResult[]) => new Map(list.map((k) => [k.source, k]));
  const bm = bySource(b);
  const cm = bySource(c);
  const sources = [...new Set([...bm.keys(), ...cm.keys()])];
  return sources.map((source) => {
    const bk = bm.get(source);
    const ck = cm.get(source);
    const level = (ck ?? bk)?.level ?? 'error';
    let change: Change = 'same';
    if (!bk || !ck) change = 'n/a';
    else if (bk.passed && !ck.passed) change = level === 'error' ? 'regression' : 'same';
    else if (!bk.passed && ck.passed) change = level === 'error' ? 'improvement' : 'same';
    return {
      source,
      level,
      baseline: bk ? { passed: bk.passed, observed: bk.observed } : null,
      candidate: ck ? { passed: ck.passed, observed: ck.observed } : null,
      change,
    };
  });
}

function compareVariant(b: RunResult, c: RunResult, tolerance: number): VariantDiff {
  const statusChange: Change = b.status === c.status ? 'same' : c.status === 'failed' ? 'regression' : 'improvement';
  const metrics =
    b.status === 'ok' && c.status === 'ok'
      ? figures(b, c)
          .map((fig) => compareFigure(fig, b, c, tolerance))
          .filter((m): m is MetricDiff => m !== null)
      : [];
  const checks = compareChecks(b.checks, c.checks);
  const changes = [statusChange, ...metrics.map((m) => m.change), ...checks.map((k) => k.change)];
  return {
    scenario: c.scenario.name,
    variantId: c.scenario.variantId,
    baselineStatus: b.status,
    candidateStatus: c.status,
    statusChange,
    baselineVerdict: b.verdict.headline,
    candidateVerdict: c.verdict.headline,
    metrics,
    checks,
    regressions: changes.filter((x) => x === 'regression').length,
    improvements: changes.filter((x) => x === 'improvement').length,
  };
}

const keyOf = (r: RunResult) => `${r.scenario.name}/${r.scenario.variantId}`;

function indexResults(side: DiffInput): Map<string, RunResult> {
  const map = new Map<string, RunResult>();
  for (const r of side.results) {
    const key = keyOf(r);
    if (map.has(key)) throw new Error(`${side.label}: variant ${key} appears twice`);
    map.set(key, r);
  }
  return map;
}

function toolVersion(side: DiffInput): string {
  const versions = [...new Set(side.results.map((r) => r.tool.version))].sort();
  return versions.join(', ');
}

/**
 * Pairs variants by scenario name and variant id, in the candidate's order, and compares
 * each pair; two sides of one result each are compared directly. `tolerancePct` is
 * relative, in percent.
 */
export function diffResultSets(baseline: DiffInput, candidate: DiffInput, tolerancePct: number): DiffReport {
  if (!(tolerancePct >= 0)) throw new RangeError(`tolerance must be ≥ 0%, got ${tolerancePct}%`);
  const tolerance = tolerancePct / 100;
  const [b0] = baseline.results;
  const [c0] = candidate.results;
  // Two single results are compared with each other whatever they are (e.g. two variants of a sweep).
  if (b0 && c0 && baseline.results.length === 1 && candidate.results.length === 1) {
    return report(baseline, candidate, tolerancePct, [compareVariant(b0, c0, tolerance)], [], []);
  }
  const bm = indexResults(baseline);
  const cm = indexResults(candidate);
  const variants: VariantDiff[] = [];
  const onlyInCandidate: string[] = [];
  for (const [key, c] of cm) {
    const b = bm.get(key);
    if (b) variants.push(compareVariant(b, c, tolerance));
    else onlyInCandidate.push(key);
  }
  const onlyInBaseline = [...bm.keys()].filter((k) => !cm.has(k));
  return report(baseline, candidate, tolerancePct, variants, onlyInBaseline, onlyInCandidate);
}

function report(
  baseline: DiffInput,
  candidate: DiffInput,
  tolerancePct: number,
  variants: VariantDiff[],
  onlyInBaseline: string[],
  onlyInCandidate: string[],
): DiffReport {
  return {
    schemaVersion: DIFF_SCHEMA_VERSION,
    kind: 'diff',
    tolerancePct,
    floors: { ...DIFF_FLOORS },
    baseline: { label: baseline.label, toolVersion: toolVersion(baseline) },
    candidate: { label: candidate.label, toolVersion: toolVersion(candidate) },
    variants,
    onlyInBaseline,
    onlyInCandidate,
    regressions: variants.reduce((n, v) => n + v.regressions, 0),
    improvements: variants.reduce((n, v) => n + v.improvements, 0),
  };
}
