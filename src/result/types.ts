/**
 * THE contract between computing and rendering (architecture.md). Reports, CSV, JUnit
 * and diffs are pure functions of these objects. Every number has its unit in its name
 * or in `metrics`. Change a field only together with SCHEMA_VERSION and an upgrade step
 * in compat.ts, so that results written by an older version still render.
 *
 * result.json holds no wall-clock time: the same scenario, seed and faultline version
 * give byte-identical files. Run dates live in the run-set manifest (`RunSetManifest`).
 */

export const SCHEMA_VERSION = 2;

/** A series value per step; null where the value is undefined (e.g. no request completed). */
export type Series = (number | null)[];

export interface MetricInfo {
  unit: string;
  description: string;
}

export interface EventRecord {
  timeMs: number;
  kind:
    | 'oom-kill'
    | 'oomd-kill'
    | 'alloc-fail'
    | 'throttle'
    | 'scenario'
    | 'process-start'
    | 'process-exit'
    | 'swap-full';
  /** Process name, where one is concerned. */
  process?: string;
  cgroup?: string;
  /** One line a person can read, e.g. "global OOM: killed spark (badness 912, oom_score_adj 0)". */
  message: string;
  /**
   * Kind-specific numbers (badness score, bytes requested, ...), units in the keys. A
   * `throttle` event is one memory.high throttling episode of `cgroup`, at its start:
   * `throttledMs` (sleep imposed on its tasks) and `durationMs` (start to end; an episode
   * still open at the end of the run ends there).
   */
  detail?: Record<string, number | string>;
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Log-bucketed latency histogram: bucket i holds values in [base·ratio^i, base·ratio^(i+1)).
 * Kept so that any `p(N)` can be evaluated after the run; relative error ≤ ratio − 1.
 */
export interface LatencyHistogram {
  baseMs: number;
  ratio: number;
  /** Sparse: bucket index → count. */
  counts: Record<string, number>;
}

export interface ProcessSummary {
  minorFaults: number;
  majorFaults: number;
  swapInPages: number;
  oomKilled: boolean;
  /** Simulated time of the kill, if killed. */
  oomKilledAtMs?: number;
  allocFailures: number;
  peakRssBytes: number;
  stallPct: number;
  /** Pages touched (a sampled replay's touches scaled to real ones); absent before schema 2. */
  touches?: number;
  /** (minor + major faults) / touches, and major faults / touches; 0 without touches. Absent before schema 2. */
  faultsPerTouch?: number;
  majorFaultsPerTouch?: number;
  latencyMs?: LatencySummary;
  latencyHistogram?: LatencyHistogram;
}

/** A process's touches and faults per touch, as the summary and each phase give them. */
export type TouchFigures = Pick<ProcessSummary, 'touches' | 'faultsPerTouch' | 'majorFaultsPerTouch'>;

export interface HostSummary {
  faultCpuPctMax: number;
  faultCpuPctAvg: number;
  majorFaultsPerSecMax: number;
  majorFaults: number;
  minorFaults: number;
  oomKills: number;
  allocFailures: number;
  swapInPages: number;
  swapOutPages: number;
  psiSomeAvg10PctMax: number;
  psiFullAvg10PctMax: number;
}

/**
 * One cgroup over the whole run (`summary.cgroups`, optional: results written before it
 * existed, and failed runs, lack it). Counts are whole-run totals.
 */
export interface CgroupSummary {
  /**
   * memory.events as the cgroup v2 file shows it (hierarchical: a child's event counts in its
   * ancestors too): `low` reclaimed below memory.low, `high` memory.high reclaim-and-throttle
   * entries, `max` charges that hit memory.max (each reclaim round), `oom` memory.max reclaim
   * gave up, `oomKill` processes in it killed by the kernel OOM killer (memcg or global).
   * `high` and `max` count the model's reclaim entries, one per scheduling turn of 32 touches
   * that charged over the limit (the kernel counts one per return to user space / charge).
   */
  memoryEvents: { low: number; high: number; max: number; oom: number; oomKill: number };
  /** memory.high throttling sleep imposed on tasks, ms over the run (the sum of `throttledMsPerSec`). */
  throttledMs: number;
  /** Throttling episodes (one `throttle` event each). */
  throttleEpisodes: number;
}

/** The same figures over one interval between scenario events (a "phase"). */
export interface PhaseSummary {
  name: string;
  startMs: number;
  endMs: number;
  host: Pick<
    HostSummary,
    'faultCpuPctMax' | 'faultCpuPctAvg' | 'majorFaultsPerSecMax' | 'swapInPages' | 'swapOutPages'
  >;
  processes: Record<string, { majorFaults: number; minorFaults: number; latencyMs?: LatencySummary } & TouchFigures>;
}

export interface CheckResult {
  /** The check as written, e.g. `processes.db.latencyMs: p(99) < 1000`. */
  source: string;
  metric: string;
  aggregation: string;
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  threshold: number;
  level: 'warn' | 'error';
  /** The observed value; null when the metric has no value in this run (e.g. no requests). */
  observed: number | null;
  passed: boolean;
  unit: string;
}

/** A tenant's state (the host's, or one process's), from mild to severe. */
export type HealthState = 'healthy' | 'degraded' | 'thrashing';

/**
 * The host's state. When it is not healthy, the figures are means over the steps of its
 * trouble (the sustained stretches that made the state), and `majorFaultShares` says whose
 * faults they were.
 */
export interface HostVerdict {
  state: HealthState;
  /** Start of the first stretch of trouble; absent when healthy. */
  fromMs?: number;
  /** End of the last stretch; absent when healthy or when it lasted to the end of the run. */
  toMs?: number;
  /** CPU lost to faulting (`faultCpuPct`) during the trouble, and its two parts (busy: fault handling + reclaim; waiting: iowait). */
  faultCpuPct?: number;
  faultCpuBusyPct?: number;
  faultCpuWaitPct?: number;
  majorFaultsPerSec?: number;
  /** Each process's share of the host's major faults during the trouble, largest first (none below 0.001%). */
  majorFaultShares?: { process: string; pct: number }[];
  /** OOM kills over the run (kernel and userspace OOM killers). */
  oomKills: number;
}

/** One process's state over the run. */
export interface ProcessVerdict {
  process: string;
  state: HealthState | 'oom-killed';
  /** Start and end of its trouble (sustained memory stalls, or request latency far above its baseline). */
  fromMs?: number;
  toMs?: number;
  killedAtMs?: number;
  /** Share of its thread time stalled on memory over the run (= summary.processes.<name>.stallPct). */
  stallPct: number;
  /** Request-serving processes: p99 over every request of the run (= summary.processes.<name>.latencyMs.p99Ms). */
  latencyP99Ms?: number;
  /** The largest step p99. */
  worstStepP99Ms?: number;
  /** Median step p99 before the host's first fault trouble (the whole run when there is none). */
  baselineP99Ms?: number;
  /** Its share of the host's major faults during the host's trouble. */
  majorFaultSharePct?: number;
  /** The memory limit it runs inside: its cgroup's, or the nearest ancestor's with one. */
  limit?: { cgroup: string; file: 'memory.max' | 'memory.high' | 'memory.soft_limit_in_bytes'; bytes: number };
}

export interface Verdict {
  /**
   * The variant's top status, from its checks: `pass` every check passed, `warn` only
   * warn-level checks failed, `fail` an error-level check failed, `unchecked` the scenario
   * has no checks, `failed` the run itself failed.
   */
  status: 'pass' | 'warn' | 'fail' | 'unchecked' | 'failed';
  /**
   * One line in plain words, each tenant told separately, e.g. "db healthy: whole-run p99
   * 360 ms (baseline 225 ms); spark thrashing inside its 36 GiB cap, causing 94% of major
   * faults; host thrashing from 00:04:08: 75% of CPU time lost to faulting (0.6% busy, 74.4% waiting)".
   */
  headline: string;
  /** Absent for a failed run, and for results upgraded from schema 1 (which judged the host only). */
  host?: HostVerdict;
  /** One per process, in the result's process order; empty for a failed or upgraded run. */
  processes: ProcessVerdict[];
}

export interface ResultWarning {
  code: string;
  message: string;
  /** file:line:col when it comes from the scenario. */
  where?: string;
}

/** How the run was computed: exact page-level replay or spatial sampling (architecture.md, "Time and scale"). */
export interface FidelityInfo {
  mode: 'exact' | 'sampled';
  /** Fraction of pages simulated (1 when exact); counts are scaled by 1/sampleRate. */
  sampleRate: number;
  /** Simulated page frames after sampling. */
  simulatedFrames: number;
  /**
   * Relative error (%) of the run's total major faults, sampled vs exact, measured in tests at
   * `measuredAtRate`; absent when exact, or when the rate is below every measured rate.
   */
  measuredErrorPct?: number;
  /** The measured rate the error figures come from: the nearest one at or below `sampleRate` (conservative). */
  measuredAtRate?: number;
  /** What `measuredErrorPct` measures (`total major faults`). */
  errorMetric?: string;
  /**
   * Errors (%) measured at `measuredAtRate`, per metric: total major faults, average host
   * faultCpuPct, p99 request latency. Maxima over the scaled-down scenarios of docs/kernel.md.
   */
  measuredErrorsPct?: { majorFaults: number; faultCpuPctAvg: number; latencyP99: number };
  note: string;
}

export interface ScenarioInfo {
  name: string;
  title: string;
  description: string;
  /** Path of the scenario file as given. */
  file: string;
  /** Stable, readable variant id (`base` when the scenario has no sweep). */
  variantId: string;
  /** Swept field path → value for this variant. */
  params: Record<string, string | number | boolean | null>;
  seed: number;
  durationMs: number;
  stepMs: number;
  host: {
    ramBytes: number;
    cpus: number;
    pageSizeBytes: number;
    swapBytes: number;
    swapDevice: string;
    policy: string;
    sysctl: Record<string, number>;
  };
  cgroups: { path: string; limits: Record<string, number | 'max'> }[];
  processes: {
    name: string;
    cgroup: string;
    anonBytes: number;
    fileBytes: number;
    /** When the process starts by itself; null when only an event can start it (`start: never`). Schema 2. */
    startMs: number | null;
    hasRequests: boolean;
  }[];
}

/**
 * Measured series of a post-mortem laid over the run (scenario `observed:`), resampled onto
 * the run's steps and compared with the simulated host series of the same name. Optional:
 * results of scenarios without `observed:` (and results written before it existed) lack it.
 * Written by engine/observed.ts; the rules (alignment, units, the near-zero MAPE rule) are
 * in docs/postmortem.md, "The `observed` field".
 */
export interface ObservedComparison {
  /** The files as the scenario named them, in scenario order; `offsetMs` is the simulated time of the first sample. */
  sources: { kind: string; file: string; offsetMs: number; rows: number }[];
  /** The run's own `timeMs`, repeated so an overlay needs nothing else. */
  timeMs: number[];
  /** Simulated host metric name (HOST_SERIES) → observed series in that metric's unit; null where samples cover under half the step. */
  host: Record<string, Series>;
  /** One entry per metric in `host`, in HOST_SERIES order. */
  errors: ObservedError[];
  /** Scenario cgroup path → CGROUP_SERIES metric → observed series (memory.stat, memory.pressure files). */
  cgroups?: Record<string, Record<string, Series>>;
  /** Scenario process name → PROCESS_SERIES metric → observed series (ps, /proc/<pid>/stat files). */
  processes?: Record<string, Record<string, Series>>;
  /** Error figures of the cgroup and process series, as `errors` for the host. */
  scopedErrors?: ObservedScopedError[];
  /** Kernel-log events (dmesg, journal) in simulated time. */
  events?: ObservedEventRecord[];
  /** Observed OOM kills against the simulated ones, when either happened. */
  oom?: ObservedOomComparison;
}

export interface ObservedScopedError extends ObservedError {
  scope: 'cgroup' | 'process';
  /** Scenario cgroup path or process name. */
  owner: string;
}

export interface ObservedEventRecord {
  /** Simulated time (wall-clock time minus the scenario's startTime, or by the source's offset). */
  timeMs: number;
  kind: string;
  /** The scenario process it concerns (mapped from the observed pid or name), else the observed name. */
  process?: string;
  pid?: number;
  cgroup?: string;
  source: number;
  message: string;
}

/**
 * OOM kills: each observed kill paired in order with the simulated kill of the same process.
 * `normalisedError` is the fit objective's OOM term: per pair |Δt| over the observed time of
 * the kill (capped at 1), 1 for a kill on one side only or a different victim, averaged over
 * the larger number of kills.
 */
export interface ObservedOomComparison {
  observed: { timeMs: number; process: string }[];
  simulated: { timeMs: number; process: string }[];
  /** Observed kill time minus simulated, per observed kill with a same-victim simulated kill; null when unmatched. */
  timeErrorMs: (number | null)[];
  victimsMatch: boolean;
  normalisedError: number;
}

export interface ObservedError {
  /** Host metric name (`majorFaultsPerSec`). */
  metric: string;
  /** Index into `sources` of the file the observed series came from. */
  source: number;
  /** The normalised column it was read from (`swap_in_bytes_per_sec`). */
  observedColumn: string;
  /** Steps where both the run and the observation have a value. */
  points: number;
  /** Mean absolute error over those points, in the metric's unit. */
  maeValue: number;
  /** Mean absolute percentage error over the points whose observed value is not near zero; null when none is. */
  mapePct: number | null;
  /** Points that entered mapePct. */
  mapePoints: number;
  /** maeValue over the mean absolute observed value (floored per unit): the fit objective's term. */
  normalisedError: number;
}

export interface RunResult {
  schemaVersion: number;
  kind: 'run';
  tool: { name: 'faultline'; version: string };
  scenario: ScenarioInfo;
  fidelity: FidelityInfo;
  status: 'ok' | 'failed';
  /** Present when status is failed: what went wrong, in one paragraph. */
  error?: string;
  /** End time of each step, ms of simulated time from the start. */
  timeMs: number[];
  /** Host series by metric name (analysis/metrics.ts HOST_SERIES). */
  host: Record<string, Series>;
  /** Process name → metric name → series (PROCESS_SERIES). */
  processes: Record<string, Record<string, Series>>;
  /** Cgroup path → metric name → series (CGROUP_SERIES). */
  cgroups: Record<string, Record<string, Series>>;
  events: EventRecord[];
  summary: {
    host: HostSummary;
    processes: Record<string, ProcessSummary>;
    phases: PhaseSummary[];
    /** Cgroup path (as in `cgroups`) → whole-run memory.events and throttling (CgroupSummary). */
    cgroups?: Record<string, CgroupSummary>;
  };
  checks: CheckResult[];
  verdict: Verdict;
  warnings: ResultWarning[];
  /** Definitions of every metric name used above, so that a report can explain each number. */
  metrics: Record<string, MetricInfo>;
  /** Observed series and error figures, when the scenario has `observed:` (ObservedComparison). */
  observed?: ObservedComparison;
}

/** One entry of a run set (a scenario's variants, or several scenarios). */
export interface RunSetEntry {
  scenario: string;
  /** Position of the variant in the scenario's full sweep, so shards merge back in order. */
  order: number;
  variantId: string;
  params: Record<string, string | number | boolean | null>;
  /** Path of the variant's folder relative to the run-set folder. */
  dir: string;
  status: 'ok' | 'failed';
  verdict: Verdict;
  checks: CheckResult[];
  summary?: { host: HostSummary; processes: Record<string, ProcessSummary> };
  error?: string;
}

/** `manifest.json` at the top of an output folder: what ran, when, and where each result is. */
export interface RunSetManifest {
  schemaVersion: number;
  kind: 'run-set';
  tool: { name: 'faultline'; version: string };
  /** Wall-clock time the set was written (ISO 8601): the only date in the outputs. */
  generatedAt: string;
  entries: RunSetEntry[];
  /**
   * Set when the set was written by `run --shard K/N`: which shard (1-based `index` K of
   * `count` N) and how many variants the whole sweep has, so that an empty shard says so.
   */
  shard?: { index: number; count: number; sweepVariants: number };
}
