/**
 * The contract of `faultline recommend`: the answer as engine/recommend.ts computes it, written to
 * recommend-<scenario>.json and rendered to recommend-<scenario>.html from that file's content.
 * Versioned on its own (RECOMMEND_SCHEMA_VERSION), upgraded on read (compat.ts).
 */
import { InputError } from '../util/errors.js';
import { stableStringify } from '../util/stable-json.js';
import { isObject, parseJson, schemaVersionOf } from './compat.js';
import type { CheckResult, Verdict } from './types.js';

/** 1: `schemaVersion` and `kind` added (version 0, written before, is otherwise the same). */
export const RECOMMEND_SCHEMA_VERSION = 1;

/** The sizes probed: low, low + step, …, capped by high (the last point). Bytes. */
export interface SizeGrid {
  low: number;
  high: number;
  step: number;
}

export interface Probe {
  /** The field's value, bytes. */
  value: number;
  /** Every check at level error passed. */
  passed: boolean;
  checks: CheckResult[];
  verdict: Verdict;
}

export interface Recommendation {
  /** RECOMMEND_SCHEMA_VERSION of the faultline that wrote it (absent before version 1). */
  schemaVersion: number;
  kind: 'recommendation';
  scenario: string;
  /** The variant of the scenario's sweep the search starts from (`base` without a sweep). */
  variantId: string;
  /** The field path varied, as given to `--vary`. */
  field: string;
  grid: SizeGrid;
  /** The smallest passing size; null when even `high` fails. */
  answer: number | null;
  /** The largest failing size probed below the answer (`high` when nothing passes; null when `low` passes). */
  lowerProbe: number | null;
  atAnswer: CheckResult[];
  atLower: CheckResult[];
  /** Every probe, by size. */
  probes: Probe[];
}

export function serializeRecommendation(r: Recommendation): string {
  return `${stableStringify(r)}\n`;
}

export function parseRecommendation(text: string, source = 'recommend.json'): Recommendation {
  return upgradeRecommendation(parseJson(text, source), source);
}

/** Validates and upgrades a parsed recommendation (not mutated). */
export function upgradeRecommendation(json: unknown, source = 'recommendation'): Recommendation {
  if (!isObject(json)) throw new InputError(`${source}: not a faultline recommendation`);
  // Version 0 had neither kind nor schemaVersion: it is known by its fields.
  const v0 = json.schemaVersion === undefined && json.kind === undefined && isObject(json.grid) && 'field' in json;
  if (!v0 && json.kind !== 'recommendation')
    throw new InputError(`${source}: not a faultline recommendation (kind is not "recommendation")`);
  if (!v0) schemaVersionOf(json, 'recommendation', source, RECOMMEND_SCHEMA_VERSION, 'recommendation');
  for (const [field, ok] of [
    ['grid', isObject],
    ['probes', Array.isArray],
    ['atAnswer', Array.isArray],
    ['atLower', Array.isArray],
  ] as const)
    if (!ok(json[field])) throw new InputError(`${source}: field "${field}" is missing or has the wrong type`);
  const r = structuredClone(json);
  // v0 → v1: only the version and kind fields are new.
  if (v0) r.kind = 'recommendation';
  r.schemaVersion = RECOMMEND_SCHEMA_VERSION;
  return r as unknown as Recommendation;
}
