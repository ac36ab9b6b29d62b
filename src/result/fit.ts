/**
 * The contract of `faultline fit` (fit.json), between the search (engine/fit.ts) and its page
 * (report/fit/). Versioned on its own: FIT_SCHEMA_VERSION, and `upgradeFit` brings a file
 * written by an older faultline to it on read. Version 1 files (before the version field)
 * compared host series only and had no identifiability report; version 2 files searched every
 * parameter on a linear scale.
 */
import { InputError } from '../util/errors.js';
import type { ObservedOomComparison } from './types.js';

export const FIT_SCHEMA_VERSION = 3;

export interface FitIteration {
  run: number;
  phase: 'start' | 'grid' | 'search' | 'profile';
  /** Varied path → value as written into the scenario. */
  params: Record<string, string | number>;
  /** null for +∞ (the candidate failed). */
  objective: number | null;
  bestObjective: number | null;
}

/** One term of the objective in the best run. */
export interface FitTerm {
  /** `majorFaultsPerSec` (host), `cgroups.<path>.<metric>`, `processes.<name>.<metric>`, or `oom`. */
  name: string;
  /** The observed column(s) it was compared with; absent for `oom`. */
  observedColumn?: string;
  points: number;
  mapePct: number | null;
  /** The term's value in the objective (docs/postmortem.md, "Objective"). */
  normalisedError: number;
}

export interface FitProfile {
  /** Values within `tolerancePct` of the best objective when only this parameter moves. */
  low: string | number;
  high: string | number;
  /** The profile reached the edge of what was probed on that side: the true range is wider. */
  openLow: boolean;
  openHigh: boolean;
  points: { value: string | number; objective: number | null }[];
}

export interface FitParameter {
  path: string;
  low: number;
  high: number;
  unit: string;
  /** The search's scale over the range: `log` for a rate spanning a factor of 4 or more (docs/postmortem.md, "Search"). */
  scale: 'linear' | 'log';
  start: string | number;
  /** Where the start came from: the scenario as written, a device preset or schema default, or the middle of the range. */
  startFrom: 'scenario' | 'default' | 'middle';
  value: string | number;
  /** null when the profile was not computed (budget spent, or an older file). */
  profile: FitProfile | null;
}

/** Two parameters the data cannot tell apart near the best point: moving both changes the objective less than moving either. */
export interface FitTradeOff {
  a: string;
  b: string;
  /** `together`: raising both keeps the fit (a and b add up); `opposite`: raising one and lowering the other does. */
  direction: 'together' | 'opposite';
  /** Objective rise along the pair's diagonal over the smaller rise along either axis, each parameter at its pair step (docs/postmortem.md); below 0.5 counts. */
  ratio: number;
}

export interface FitResult {
  schemaVersion: number;
  kind: 'fit';
  scenario: string;
  objective: { definition: string; terms: string[] };
  parameters: FitParameter[];
  best: { objective: number | null; terms: FitTerm[]; oom?: ObservedOomComparison };
  /** The hard cap on simulation runs for the search. */
  budget: number;
  runs: number;
  stoppedBecause: 'budget' | 'converged';
  identifiability: { tolerancePct: number; tradeOffs: FitTradeOff[]; note: string };
  iterations: FitIteration[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates and upgrades a parsed fit.json; `source` only labels errors. */
export function upgradeFit(json: unknown, source = 'fit.json'): FitResult {
  if (!isObject(json) || json.kind !== 'fit')
    throw new InputError(`${source}: not a faultline fit result (kind is not "fit")`);
  const version = json.schemaVersion === undefined ? 1 : json.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw new InputError(`${source}: schemaVersion is not a whole number`);
  if (version > FIT_SCHEMA_VERSION)
    throw new InputError(
      `${source}: written with fit schema ${version}, this faultline reads up to ${FIT_SCHEMA_VERSION} (upgrade faultline)`,
    );
  for (const f of ['parameters', 'iterations'])
    if (!Array.isArray(json[f])) throw new InputError(`${source}: field "${f}" is missing or not a list`);
  if (!isObject(json.best) || !isObject(json.objective))
    throw new InputError(`${source}: field "best" or "objective" is missing`);
  const r = structuredClone(json);
  if (version < 2) {
    // v1 → v2: host metrics were the only terms (best.errors, objective.metrics); parameters had
    // no start origin or profile; no identifiability report.
    const best = r.best as Json;
    const errors = (best.errors as Json[] | undefined) ?? [];
    best.terms = errors.map((e) => ({
      name: e.metric,
      observedColumn: e.observedColumn,
      points: e.points,
      mapePct: e.mapePct,
      normalisedError: e.normalisedError,
    }));
    delete best.errors;
    const objective = r.objective as Json;
    objective.terms = objective.metrics ?? [];
    delete objective.metrics;
    for (const p of r.parameters as Json[]) {
      p.startFrom ??= 'scenario';
      p.profile ??= null;
    }
    r.identifiability = {
      tolerancePct: 10,
      tradeOffs: [],
      note: 'not computed: written by faultline before fit schema 2',
    };
  }
  if (version < 3) {
    // v2 → v3: every parameter was searched on a linear scale.
    for (const p of r.parameters as Json[]) p.scale ??= 'linear';
  }
  r.schemaVersion = FIT_SCHEMA_VERSION;
  return r as unknown as FitResult;
}
