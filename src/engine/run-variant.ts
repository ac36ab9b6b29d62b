import { evaluateChecks } from '../analysis/checks.js';
import { CGROUP_SERIES, HOST_SERIES, LATENCY_METRIC, PROCESS_SERIES, RUN_COUNTERS } from '../analysis/metrics.js';
import { computeVerdict, failedVerdict } from '../analysis/verdict.js';
import { fidelityWarnings, UNMEASURED_VERDICT_NOTE } from '../kernel/fidelity.js';
import { simulateHost } from '../kernel/simulate.js';
import { parseResult, serializeResult } from '../result/serialize.js';
import { type MetricInfo, type RunResult, SCHEMA_VERSION, type ScenarioInfo } from '../result/types.js';
import type { Scenario, Variant } from '../scenario/types.js';
import { VERSION } from '../version.js';
import { compareObserved } from './observed.js';

export interface RunOptions {
  /** Overrides the scenario's fidelity (e.g. `--fidelity exact`). */
  fidelity?: { mode: 'exact' | 'sampled'; sampleRate?: number };
}

/**
 * Runs one variant to a complete RunResult: simulate, then check expectations and
 * judge. A failure inside the simulation becomes a `failed` result carrying its message,
 * so that one bad variant never stops a sweep.
 */
export function runVariant(variant: Variant, opts: RunOptions = {}): RunResult {
  const scenario = variant.scenario;
  try {
    const out = simulateHost(scenario, opts.fidelity ? { fidelity: opts.fidelity } : undefined);
    const checks = evaluateChecks(scenario.expect, out);
    const info = describeScenario(variant);
    const sampling = fidelityWarnings(out.fidelity);
    const judged = computeVerdict({ ...out, status: 'ok', checks, scenario: info });
    // A verdict over figures of unknown error must say so where it is read, not only in the warnings.
    const verdict =
      sampling.length > 0 ? { ...judged, headline: `${judged.headline} (${UNMEASURED_VERDICT_NOTE})` } : judged;
    const comparison = scenario.observed.length > 0 ? compareObserved(scenario, out) : undefined;
    return canonical({
      schemaVersion: SCHEMA_VERSION,
      kind: 'run',
      tool: { name: 'faultline', version: VERSION },
      scenario: info,
      status: 'ok',
      ...out,
      checks,
      verdict,
      warnings: [...scenario.warnings.map((w) => ({ ...w })), ...sampling, ...(comparison?.warnings ?? [])],
      metrics: metricDefinitions(),
      ...(comparison ? { observed: comparison.observed } : {}),
    });
  } catch (err) {
    return failedResult(variant, err instanceof Error ? err.message : String(err));
  }
}

/**
 * The result exactly as result.json will hold it (keys sorted at every level). Reports
 * iterate keys, so rendering the in-memory object and re-rendering the file later
 * (`faultline report`, `merge`) must see the same order; this also refuses a
 * non-finite number here, inside the variant's isolation, rather than at write time.
 */
function canonical(result: RunResult): RunResult {
  return parseResult(serializeResult(result));
}

/** A result for a variant that could not be computed (exception, time-out, crashed worker). */
export function failedResult(variant: Variant, error: string): RunResult {
  return canonical({
    schemaVersion: SCHEMA_VERSION,
    kind: 'run',
    tool: { name: 'faultline', version: VERSION },
    scenario: describeScenario(variant),
    fidelity: { mode: 'exact', sampleRate: 1, simulatedFrames: 0, note: 'not run' },
    status: 'failed',
    error,
    timeMs: [],
    host: {},
    processes: {},
    cgroups: {},
    events: [],
    summary: {
      host: {
        faultCpuPctMax: 0,
        faultCpuPctAvg: 0,
        majorFaultsPerSecMax: 0,
        majorFaults: 0,
        minorFaults: 0,
        oomKills: 0,
        allocFailures: 0,
        swapInPages: 0,
        swapOutPages: 0,
        psiSomeAvg10PctMax: 0,
        psiFullAvg10PctMax: 0,
      },
      processes: {},
      phases: [],
    },
    checks: [],
    verdict: failedVerdict(error),
    warnings: variant.scenario.warnings.map((w) => ({ ...w })),
    metrics: metricDefinitions(),
  });
}

function finiteOrMax(v: number): number | 'max' {
  return Number.isFinite(v) ? v : 'max';
}

export function describeScenario(variant: Variant): ScenarioInfo {
  const s: Scenario = variant.scenario;
  return {
    name: s.name,
    title: s.title,
    description: s.description,
    file: s.file,
    variantId: variant.id,
    params: { ...variant.params },
    seed: s.seed,
    durationMs: s.durationMs,
    stepMs: s.stepMs,
    host: {
      ramBytes: s.host.ramBytes,
      cpus: s.host.cpus,
      pageSizeBytes: s.host.pageSizeBytes,
      swapBytes: s.host.swap.sizeBytes,
      swapDevice: s.host.swap.device,
      policy: s.host.policy,
      sysctl: { ...s.host.sysctl },
    },
    cgroups: s.cgroups.map((c) => {
      const limits: Record<string, number | 'max'> = {
        'memory.min': c.min,
        'memory.low': c.low,
        'memory.high': finiteOrMax(c.high),
        'memory.max': finiteOrMax(c.max),
        'memory.swap.max': finiteOrMax(c.swapMax),
      };
      if (Number.isFinite(c.softLimit)) limits['memory.soft_limit_in_bytes'] = c.softLimit;
      if (Number.isFinite(c.memswLimit)) limits['memory.memsw.limit_in_bytes'] = c.memswLimit;
      if (c.swappiness !== null) limits['memory.swappiness'] = c.swappiness;
      return { path: c.path, limits };
    }),
    processes: s.processes.map((p) => ({
      name: p.name,
      cgroup: p.cgroup,
      anonBytes: p.memory.anonBytes,
      fileBytes: p.memory.fileBytes,
      startMs: Number.isFinite(p.startMs) ? p.startMs : null,
      hasRequests: p.requests !== null,
    })),
  };
}

/** Every metric a result may name, keyed as a report looks them up (`host.x`, `process.x`, ...). */
export function metricDefinitions(): Record<string, MetricInfo> {
  const out: Record<string, MetricInfo> = {};
  for (const [k, v] of Object.entries(HOST_SERIES)) out[`host.${k}`] = { ...v };
  for (const [k, v] of Object.entries(PROCESS_SERIES)) out[`process.${k}`] = { ...v };
  for (const [k, v] of Object.entries(CGROUP_SERIES)) out[`cgroup.${k}`] = { ...v };
  for (const [k, v] of Object.entries(RUN_COUNTERS)) out[k] = { ...v };
  out['process.latencyMs'] = { ...LATENCY_METRIC };
  return out;
}
