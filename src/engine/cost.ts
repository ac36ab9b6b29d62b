/**
 * What a scenario will cost, decided before any work starts: how many variants its sweep makes
 * (counted from the sweep as written, never by expanding it) and, per variant, the simulated
 * steps, ticks, touches and frames, the values its result holds and the wall time that takes on
 * this project's machines. `validate` prints it; `validate` and `run` refuse past the limits
 * unless `--max-variants` / `--allow-large` say otherwise.
 */
import { CGROUP_SERIES, HOST_SERIES, PROCESS_SERIES } from '../analysis/metrics.js';
import { chooseFidelity, exactSize } from '../kernel/fidelity.js';
import type { Scenario } from '../scenario/types.js';
import { formatDurationMs } from '../util/units.js';

/**
 * Wall time of one variant on one core of this project's 2-core machines, in two parts that run
 * on different threads: the simulation (a worker: ticks·(tickMs + tickTaskMs·(processes +
 * cgroups)) + simulated touches·touchMs + simulated pages·pageMs) and the rendering of its
 * outputs (the main thread, one variant at a time: renderMs + result values·valueMs). Fitted by
 * least squares on CPU time (`npx tsx bench/cost-model.ts --repeat 2`, 2026-12-06, load average
 * 3.1) over the bundled scenarios, the engine fixture and synthetic idle, touch-bound,
 * reclaim-bound and many-step scenarios: the estimates there range from 0.6× to 2.6× the measured
 * time (the script prints each). A touch costs about 0.08 µs without memory pressure and 0.3 µs
 * with it; the fit sits between, so treat an estimate as right within a factor of 2–3.
 */
export const COST_MODEL = {
  tickMs: 0.0034,
  tickTaskMs: 0.00031,
  touchMs: 0.00012,
  pageMs: 0.00069,
  renderMs: 230,
  valueMs: 0.00028,
} as const;

/** Starting node and loading the modules, once per command. */
const START_MS = 300;

/** Limits a run stays under unless told otherwise (docs/outputs.md, "Work bounds"). */
export interface WorkLimits {
  /** Variants a sweep may make (all of them are built in memory before the run). */
  maxVariants: number;
  /** Estimated wall time of the whole run at the chosen number of jobs. */
  maxWallMs: number;
  /** Values (steps × series) one result may hold: about 10 bytes of result.json each. */
  maxResultValues: number;
}

export const DEFAULT_LIMITS: WorkLimits = {
  maxVariants: 1000,
  maxWallMs: 3_600_000,
  maxResultValues: 10_000_000,
};

export interface VariantCost {
  steps: number;
  ticks: number;
  sampleRate: number;
  simulatedFrames: number;
  simulatedPages: number;
  simulatedTouches: number;
  /** Series values the result holds (steps × series). */
  resultValues: number;
  /** Estimated time of the simulation (in a worker). */
  simulateMs: number;
  /** Estimated time of rendering its outputs (on the main thread). */
  renderMs: number;
}

/**
 * The cost of one variant, from its resolved scenario alone (O(processes + cgroups)). Throws the
 * fidelity chooser's InputError when the scenario cannot be replayed at any sample rate.
 */
export function variantCost(sc: Scenario): VariantCost {
  const fidelity = chooseFidelity(sc);
  const size = exactSize(sc);
  const steps = Math.ceil(sc.durationMs / sc.stepMs);
  const ticksPerStep = Math.max(1, Math.round(sc.stepMs / Math.min(sc.host.kernel.tickMs, sc.stepMs)));
  const ticks = steps * ticksPerStep;
  const series =
    Object.keys(HOST_SERIES).length +
    sc.processes.length * Object.keys(PROCESS_SERIES).length +
    sc.cgroups.length * Object.keys(CGROUP_SERIES).length +
    1;
  const simulatedTouches = size.touches * fidelity.rate;
  const simulatedPages = size.pages * fidelity.rate;
  const resultValues = steps * series;
  const m = COST_MODEL;
  return {
    steps,
    ticks,
    sampleRate: fidelity.rate,
    simulatedFrames: Math.floor(size.frames * fidelity.rate),
    simulatedPages,
    simulatedTouches,
    resultValues,
    simulateMs:
      ticks * (m.tickMs + m.tickTaskMs * (sc.processes.length + sc.cgroups.length)) +
      simulatedTouches * m.touchMs +
      simulatedPages * m.pageMs,
    renderMs: m.renderMs + resultValues * m.valueMs,
  };
}

/**
 * Wall time of a run of these variants on `jobs` workers: the simulations share the workers, the
 * renderings queue on the main thread, and neither finishes before its longest variant.
 */
export function wallMs(costs: readonly Pick<VariantCost, 'simulateMs' | 'renderMs'>[], jobs: number): number {
  let simulate = 0;
  let render = 0;
  let longest = 0;
  for (const c of costs) {
    simulate += c.simulateMs;
    render += c.renderMs;
    longest = Math.max(longest, c.simulateMs + c.renderMs);
  }
  return START_MS + Math.max(longest, render, simulate / Math.max(1, Math.min(jobs, costs.length)));
}

/** wallMs of `n` variants costing `each`, without building a list of n. */
export function sameWallMs(each: Pick<VariantCost, 'simulateMs' | 'renderMs'>, n: number, jobs: number): number {
  return (
    START_MS +
    Math.max(each.simulateMs + each.renderMs, n * each.renderMs, (n * each.simulateMs) / Math.max(1, Math.min(jobs, n)))
  );
}

export function formatEstimate(ms: number): string {
  if (!Number.isFinite(ms)) return 'longer than anyone can wait';
  if (ms >= 86_400_000 * 365) return `about ${formatCount(ms / (86_400_000 * 365))} years`;
  if (ms >= 86_400_000) return `about ${formatCount(ms / 86_400_000)} days`;
  return `about ${formatDurationMs(ms)}`;
}

/** 1234567 → "1 234 567"; beyond 10^15, "10^17". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return 'more than 10^300';
  if (n >= 1e15) return `10^${Math.floor(Math.log10(n))}`;
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

// ---------------------------------------------------------------------------------------
// Counting a sweep without expanding it

type Scalar = string | number | boolean | null;

/** The number of variants a sweep makes; `exact` false when it is an upper bound. */
export interface SweepCount {
  count: number;
  exact: boolean;
  /** The matrix's list lengths, in key order (for messages: 10 × 10 × 100). */
  factors: number[];
}

/** Beyond this many excludes the inclusion–exclusion count (2^n terms) gives way to an upper bound. */
const MAX_EXACT_EXCLUDES = 12;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Counts the combinations of a sweep section (`matrix`, `include`, `exclude`, with the semantics of
 * scenario/sweep.ts) in O(keys × values + 2^excludes) time, without building them. Undefined when
 * the section is not shaped like a sweep (the loader reports that).
 */
export function countSweep(sweep: unknown): SweepCount | undefined {
  if (!isRecord(sweep) || !isRecord(sweep.matrix)) return undefined;
  const matrix = new Map<string, Scalar[]>();
  for (const [k, v] of Object.entries(sweep.matrix)) {
    if (!Array.isArray(v)) return undefined;
    matrix.set(k, v as Scalar[]);
  }
  const list = (v: unknown): Record<string, Scalar>[] | undefined =>
    v === undefined ? [] : Array.isArray(v) && v.every(isRecord) ? (v as Record<string, Scalar>[]) : undefined;
  const includes = list(sweep.include);
  const excludes = list(sweep.exclude);
  if (!includes || !excludes) return undefined;
  const factors = [...matrix.values()].map((l) => l.length);

  /** Matrix combinations matching every key of `c` (keys outside the matrix match nothing). */
  const matching = (c: Record<string, Scalar>): number => {
    if (matrix.size === 0) return 0;
    let n = 1;
    for (const [k, values] of matrix) n *= k in c ? values.filter((v) => v === c[k]).length : values.length;
    for (const k of Object.keys(c)) if (!matrix.has(k)) return 0;
    return n;
  };
  /** Matrix combinations matching `c` and no exclude entry (inclusion–exclusion over the excludes). */
  const exact = excludes.length <= MAX_EXACT_EXCLUDES;
  const surviving = (c: Record<string, Scalar>): number => {
    if (!exact) return matching(c);
    let total = 0;
    for (let mask = 0; mask < 1 << excludes.length; mask++) {
      const merged: Record<string, Scalar> = { ...c };
      let sign = 1;
      let empty = false;
      for (let i = 0; i < excludes.length && !empty; i++) {
        if (!(mask & (1 << i))) continue;
        sign = -sign;
        for (const [k, v] of Object.entries(excludes[i] as Record<string, Scalar>)) {
          if (k in merged && merged[k] !== v) empty = true;
          merged[k] = v;
        }
      }
      if (!empty) total += sign * matching(merged);
    }
    return total;
  };

  let count = surviving({});
  // An include adds a combination of its own when it matches no combination so far: no surviving
  // matrix combination and no combination an earlier include added (on the matrix keys it names).
  const added: Record<string, Scalar>[] = [];
  for (const inc of includes) {
    const onMatrix: Record<string, Scalar> = {};
    for (const [k, v] of Object.entries(inc)) if (matrix.has(k)) onMatrix[k] = v;
    const matchesAdded = added.some((a) => Object.entries(onMatrix).every(([k, v]) => a[k] === v));
    // Without an exact count of what the excludes left, assume the include adds one (an upper bound).
    if (matchesAdded || (exact && surviving(onMatrix) > 0)) continue;
    added.push({ ...inc });
    count++;
  }
  return { count, exact, factors };
}
