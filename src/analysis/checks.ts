/**
 * Evaluates `expect:` checks (parsed and validated by scenario/expect.ts) against a run.
 * Series aggregate over time, ignoring null steps; `latencyMs` aggregates over every
 * request of the run (the summary's exact p50/p95/p99/max, other percentiles from the
 * latency histogram); run counters read `summary.host`. A check whose metric has
 * no value in the run (no requests completed, a process that never ran) fails: a metric
 * that never reported cannot show the threshold was kept.
 */
import type { CheckResult, LatencyHistogram, RunResult, Series } from '../result/types.js';
import type { ExpectConfig } from '../scenario/types.js';
import { CGROUP_SERIES, HOST_SERIES, LATENCY_METRIC, type MetricDef, PROCESS_SERIES, RUN_COUNTERS } from './metrics.js';

export type CheckInput = Pick<RunResult, 'host' | 'processes' | 'cgroups' | 'summary' | 'timeMs'>;

/**
 * A run passes when no error-level check failed. A failed `warn` check is reported but
 * fails neither the run nor the exit code (k6's abortOnFail=false / non-blocking thresholds).
 */
export function passesChecks(checks: readonly CheckResult[]): boolean {
  return checks.every((c) => c.passed || c.level === 'warn');
}

export function evaluateChecks(expect: readonly ExpectConfig[], result: CheckInput): CheckResult[] {
  return expect.map((e) => {
    const { value, unit } = observe(e, result);
    return {
      source: e.source,
      metric: e.metric,
      aggregation: e.aggregation,
      op: e.op,
      threshold: e.threshold,
      level: e.level,
      observed: value,
      passed: value !== null && compare(value, e.op, e.threshold),
      unit,
    };
  });
}

export function compare(a: number, op: ExpectConfig['op'], b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

function percentileOf(aggregation: string): number | undefined {
  const m = /^p\(([0-9.]+)\)$/.exec(aggregation);
  return m ? Number(m[1]) : undefined;
}

/** Nearest-rank percentile of the non-null values. */
export function seriesPercentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function aggregateSeries(series: Series | undefined, aggregation: string): number | null {
  if (!series) return null;
  const values = series.filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return null;
  switch (aggregation) {
    case 'max':
      return values.reduce((a, b) => Math.max(a, b));
    case 'min':
      return values.reduce((a, b) => Math.min(a, b));
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'last':
      return values[values.length - 1] as number;
    default: {
      const p = percentileOf(aggregation);
      return p === undefined ? null : seriesPercentile(values, p);
    }
  }
}

/**
 * p(N) from a log-bucketed histogram: the upper edge of the bucket holding the rank, so
 * the answer errs high by at most the bucket ratio (a `<` threshold is never passed by luck).
 */
export function histogramPercentile(h: LatencyHistogram, p: number): number | null {
  const buckets = Object.entries(h.counts)
    .map(([i, c]) => [Number(i), c] as const)
    .filter(([, c]) => c > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, c]) => s + c, 0);
  if (total === 0) return null;
  const rank = Math.min(total, Math.max(1, Math.ceil((p / 100) * total)));
  let seen = 0;
  for (const [i, c] of buckets) {
    seen += c;
    if (seen >= rank) return h.baseMs * h.ratio ** (i + 1);
  }
  return null;
}

/**
 * A latency aggregate over every request of the run. The percentiles the summary holds
 * exactly (p50, p95, p99, max) are read from it, so that a check on `p(99)` observes the
 * very number the reports print as the whole-run p99; any other percentile comes from the
 * histogram (see histogramPercentile).
 */
function latency(result: CheckInput, process: string, aggregation: string): number | null {
  const s = result.summary.processes[process];
  const lat = s?.latencyMs;
  if (!s || !lat || lat.count === 0) return null;
  if (aggregation === 'avg') return lat.meanMs;
  if (aggregation === 'max') return lat.maxMs;
  const p = percentileOf(aggregation);
  if (p === undefined) return null;
  const exact: Record<number, number> = { 50: lat.p50Ms, 95: lat.p95Ms, 99: lat.p99Ms, 100: lat.maxMs };
  if (exact[p] !== undefined) return exact[p];
  if (!s.latencyHistogram) return null;
  const v = histogramPercentile(s.latencyHistogram, p);
  return v === null ? null : Math.min(v, lat.maxMs);
}

function observe(e: ExpectConfig, result: CheckInput): { value: number | null; unit: string } {
  const m = e.metric;
  if (m in RUN_COUNTERS) {
    const v = (result.summary.host as unknown as Record<string, number | undefined>)[m];
    return { value: typeof v === 'number' ? v : null, unit: RUN_COUNTERS[m as keyof typeof RUN_COUNTERS].unit };
  }
  if (m.startsWith('host.')) {
    const name = m.slice(5);
    return { value: aggregateSeries(result.host[name], e.aggregation), unit: unitOf(HOST_SERIES, name) };
  }
  // Names may contain dots: match the owners the result knows, longest first.
  for (const [prefix, owners, registry] of [
    ['processes.', result.processes, PROCESS_SERIES],
    ['cgroups.', result.cgroups, CGROUP_SERIES],
  ] as const) {
    if (!m.startsWith(prefix)) continue;
    const rest = m.slice(prefix.length);
    const names =
      prefix === 'processes.'
        ? [...Object.keys(owners), ...Object.keys(result.summary.processes)]
        : Object.keys(owners);
    const owner = names.filter((n) => rest.startsWith(`${n}.`)).sort((a, b) => b.length - a.length)[0];
    if (owner === undefined) return { value: null, unit: '' };
    const metric = rest.slice(owner.length + 1);
    if (prefix === 'processes.' && metric === 'latencyMs') {
      return { value: latency(result, owner, e.aggregation), unit: LATENCY_METRIC.unit };
    }
    return { value: aggregateSeries(owners[owner]?.[metric], e.aggregation), unit: unitOf(registry, metric) };
  }
  return { value: null, unit: '' };
}

function unitOf(registry: Record<string, MetricDef>, name: string): string {
  return registry[name]?.unit ?? '';
}
