/**
 * Metric definitions for captions and tables: from the result itself (what the run that
 * wrote it meant), else from this version's registry (results upgraded from schema 0
 * carry no definitions).
 */
import { CGROUP_SERIES, HOST_SERIES, LATENCY_METRIC, PROCESS_SERIES, RUN_COUNTERS } from '../analysis/metrics.js';
import type { MetricInfo, RunResult } from '../result/types.js';

export type MetricScope = 'host' | 'process' | 'cgroup' | 'run';

const REGISTRY: Record<MetricScope, Record<string, MetricInfo>> = {
  host: HOST_SERIES,
  process: { ...PROCESS_SERIES, latencyMs: LATENCY_METRIC },
  cgroup: CGROUP_SERIES,
  run: RUN_COUNTERS,
};

/**
 * Looks a metric up as `<scope>.<name>` (e.g. `host.majorFaultsPerSec`, `process.latencyP99Ms`),
 * then as the bare name, then in the registry.
 */
export function metricInfo(result: Pick<RunResult, 'metrics'>, scope: MetricScope, name: string): MetricInfo {
  return (
    result.metrics[`${scope}.${name}`] ??
    result.metrics[name] ??
    REGISTRY[scope][name] ?? { unit: '', description: 'No definition recorded for this metric.' }
  );
}
