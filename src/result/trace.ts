/**
 * The result of `faultline replay` and `faultline mrc` (`--format json` of both): plain
 * JSON, and the only input of the trace report (the HTML is a pure function of it), so an
 * old result can be re-rendered or diffed. Versioned by `schema`; `upgradeTraceResult`
 * (result/trace-compat.ts) reads every version.
 */

export const TRACE_RESULT_VERSION = 1;
export const TRACE_RESULT_SCHEMA = `faultline/trace-result@${TRACE_RESULT_VERSION}` as const;

/** How the trace was read (traces/load.ts `TraceInfo`). */
export interface TraceSummary {
  file: string;
  format: string;
  compression: string;
  columns?: { key: string; time?: string; op?: string; size?: string };
  keyedBy: 'id' | 'offset' | 'pages';
  pageSize?: number;
  offsetUnit?: number;
  ids: string;
  ops?: string[];
  references: number;
  distinctPages: number;
  records: number;
  blankLines: number;
  filteredRecords: number;
  malformed: { count: number; examples: string[] };
  timeFirst?: number;
  timeLast?: number;
}

/** One policy at one size. */
export interface ReplayRow {
  /** Canonical policy spec with every effective parameter, e.g. `clock:bits=1`. */
  policy: string;
  frames: number;
  /** How the size was asked for: `10%` or `4096`. */
  framesSpec: string;
  references: number;
  faults: number;
  faultRatio: number;
}

export interface CurvePoint {
  frames: number;
  /** Estimated (not an integer) when the curve is sampled. */
  faults: number;
  faultRatio: number;
}

export type CurveMethod =
  | { method: 'exact-stack' }
  | { method: 'shards-fixed-rate'; rate: number; sampledPages: number; sampledReferences: number; seed: number }
  | { method: 'shards-fixed-size'; maxPages: number; finalRate: number; sampledReferences: number; seed: number }
  | { method: 'simulation' };

export type Curve = CurveMethod & {
  policy: string;
  references: number;
  points: CurvePoint[];
  /** Smallest size meeting `target`; exact for stack curves, among the points otherwise; null if none does. */
  targetFrames?: number | null;
};

export interface TraceResult {
  schema: typeof TRACE_RESULT_SCHEMA;
  command: 'replay' | 'mrc';
  trace: TraceSummary;
  warmup: number;
  rows: ReplayRow[];
  curves: Curve[];
  /** The host's RAM in frames, as given (`--ram`). */
  ram?: { frames: number; given: string };
  /** The fault ratio a size must meet (`--target`). */
  target?: number;
}
