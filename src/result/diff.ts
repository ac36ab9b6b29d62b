/**
 * The contract of `faultline diff`: a comparison of two result sets, as analysis/diff.ts computes
 * it and the Markdown, HTML and JSON renderings print it (`--format json` writes it as is). Every
 * number a rendering shows is here: the renderings only format. Versioned on its own
 * (DIFF_SCHEMA_VERSION), upgraded on read like result.json (compat.ts).
 */
import { InputError } from '../util/errors.js';
import { stableStringify } from '../util/stable-json.js';
import { isObject, parseJson, schemaVersionOf } from './compat.js';

/** 1: `schemaVersion` added (version 0, written before, is otherwise the same). */
export const DIFF_SCHEMA_VERSION = 1;

export type Change = 'regression' | 'improvement' | 'same' | 'n/a';

export interface MetricDiff {
  /** Stable key, e.g. `host.faultCpuPctMax`, `processes.db.latencyMs.p99`. */
  metric: string;
  unit: string;
  baseline: number | null;
  candidate: number | null;
  /** candidate − baseline; null when either side has no value. */
  delta: number | null;
  /** delta relative to |baseline| in percent; null when the baseline is 0 or missing. */
  deltaPct: number | null;
  /** The smallest |delta| that counts as a change here: max(tolerance × |baseline|, floor). */
  threshold: number;
  change: Change;
}

export interface CheckDiff {
  source: string;
  level: 'warn' | 'error';
  /** Pass/fail on each side; null when the check does not exist on that side. */
  baseline: { passed: boolean; observed: number | null } | null;
  candidate: { passed: boolean; observed: number | null } | null;
  /** A check at level error that passed and now fails is a regression; warn-level flips never are. */
  change: Change;
}

export interface VariantDiff {
  scenario: string;
  variantId: string;
  baselineStatus: 'ok' | 'failed';
  candidateStatus: 'ok' | 'failed';
  /** ok → failed is a regression, failed → ok an improvement. */
  statusChange: Change;
  baselineVerdict: string;
  candidateVerdict: string;
  /** Empty when either run failed: a failed run has no figures to compare. */
  metrics: MetricDiff[];
  checks: CheckDiff[];
  regressions: number;
  improvements: number;
}

export interface DiffReport {
  /** DIFF_SCHEMA_VERSION of the faultline that wrote it (absent before version 1). */
  schemaVersion: number;
  kind: 'diff';
  /** Relative tolerance in percent (`--tolerance 5%` → 5). */
  tolerancePct: number;
  /** Absolute floors by metric family, in the metric's unit, as applied. */
  floors: Record<string, number>;
  baseline: { label: string; toolVersion: string };
  candidate: { label: string; toolVersion: string };
  variants: VariantDiff[];
  /** `scenario/variantId` present on one side only (not counted as regressions). */
  onlyInBaseline: string[];
  onlyInCandidate: string[];
  regressions: number;
  improvements: number;
}

export function serializeDiffReport(d: DiffReport): string {
  return `${stableStringify(d)}\n`;
}

export function parseDiffReport(text: string, source = 'diff.json'): DiffReport {
  return upgradeDiffReport(parseJson(text, source), source);
}

/** Validates and upgrades a parsed diff report (not mutated). */
export function upgradeDiffReport(json: unknown, source = 'diff report'): DiffReport {
  if (!isObject(json) || json.kind !== 'diff')
    throw new InputError(`${source}: not a faultline diff report (kind is not "diff")`);
  // Version 0 carried no schemaVersion.
  if (json.schemaVersion !== undefined)
    schemaVersionOf(json, 'diff report', source, DIFF_SCHEMA_VERSION, 'diff report');
  for (const field of ['variants', 'onlyInBaseline', 'onlyInCandidate'])
    if (!Array.isArray(json[field])) throw new InputError(`${source}: field "${field}" is missing or not a list`);
  const d = structuredClone(json);
  // v0 → v1: only the version field is new, so the upgrade is stamping it.
  d.schemaVersion = DIFF_SCHEMA_VERSION;
  return d as unknown as DiffReport;
}
