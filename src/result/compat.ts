/**
 * Upgrade on read (Lighthouse's upgradeLhrForCompatibility): a result or manifest written
 * by an older faultline is brought to the current SCHEMA_VERSION, one commented step per
 * version bump, so that `faultline report` renders old runs. A result from a newer
 * faultline is refused: its fields may mean things this version does not know.
 */
import { InputError } from '../util/errors.js';
import { checkShape, RunResultShape, RunSetManifestShape } from './shape.js';
import { type RunResult, type RunSetManifest, SCHEMA_VERSION } from './types.js';

type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The schema version of a contract, refused when missing or newer than this faultline reads:
 * `current` and `schema` name the contract's own version (the result schema by default).
 */
export function schemaVersionOf(
  json: Json,
  what: string,
  source: string,
  current = SCHEMA_VERSION,
  schema = 'result',
): number {
  const v = json.schemaVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new InputError(`${source}: not a faultline ${what}: schemaVersion is missing or not a whole number`);
  if (v > current)
    throw new InputError(
      `${source}: written with ${schema} schema ${v}, this faultline reads up to ${current} (upgrade faultline to render it)`,
    );
  return v;
}

export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${source}: not valid JSON (${(err as Error).message})`);
  }
}

/** Fields every version has, checked so that a truncated or foreign file fails with a clear message. */
const REQUIRED_RUN: [string, (v: unknown) => boolean][] = [
  ['scenario', isObject],
  ['fidelity', isObject],
  ['timeMs', Array.isArray],
  ['host', isObject],
  ['processes', isObject],
  ['cgroups', isObject],
  ['events', Array.isArray],
  ['summary', isObject],
  ['checks', Array.isArray],
  ['verdict', isObject],
  ['warnings', Array.isArray],
];

/**
 * Validates and upgrades a parsed result.json. `source` (a path) only labels errors.
 * The input is not mutated.
 */
export function upgradeResult(json: unknown, source = 'result'): RunResult {
  if (!isObject(json) || json.kind !== 'run')
    throw new InputError(`${source}: not a faultline run result (kind is not "run")`);
  const version = schemaVersionOf(json, 'run result', source);
  const r = structuredClone(json);
  for (const [field, ok] of REQUIRED_RUN)
    if (!ok(r[field])) throw new InputError(`${source}: field "${field}" is missing or has the wrong type`);

  const missing: string[] = [];
  if (version < 1) {
    // v0 → v1: v0 had no per-phase summaries and no metric definitions. An empty phase list
    // renders as "no phases"; definitions fall back to this version's metric registry.
    const summary = r.summary as Json;
    summary.phases ??= [];
    r.metrics ??= {};
    missing.push("no phase summaries; metric definitions are this faultline's");
  }
  if (version < 2) {
    // v1 → v2: see upgradeVerdict.
    r.verdict = upgradeVerdict(r.verdict as Json, r.checks as Json[], r.status === 'failed');
    missing.push('the verdict judged the host only (no per-tenant states), as schema 1 wrote it');
    // Processes gained `touches`, `faultsPerTouch` and `majorFaultsPerTouch`, in the summary
    // and per phase. They were not counted: they stay absent, which reads as unknown.
    missing.push('no touch counts');
    // A process's scenario.processes[].startMs may be null (`start: never`, started by an event
    // only), which v1 could not write; v1 files hold numbers there, so nothing changes.
  }
  if (missing.length > 0)
    (r.warnings as unknown[]).push({
      code: 'upgraded-result',
      message: `Written with result schema ${version} and upgraded to ${SCHEMA_VERSION} on read: ${missing.join('; ')}.`,
    });
  r.schemaVersion = SCHEMA_VERSION;
  checkShape(RunResultShape, r, source, 'run result');
  return r as unknown as RunResult;
}

/**
 * v1 → v2 verdicts: v1 had one host-wide status (healthy, degraded, thrashing, oom, failed)
 * and `thrashingFromMs`. In v2 the top status follows the checks (the rule of
 * analysis/verdict.ts checkStatus: a failed error-level check fails, a failed warn-level one
 * warns) and each tenant has its own state. Tenant states cannot be recovered from a v1
 * verdict: `host` stays absent, `processes` empty, and the v1 headline is kept as written.
 */
function upgradeVerdict(v: Json, checks: Json[], runFailed: boolean): Json {
  const failed = (c: Json) => c.passed !== true;
  const status = runFailed
    ? 'failed'
    : checks.length === 0
      ? 'unchecked'
      : checks.some((c) => failed(c) && c.level !== 'warn')
        ? 'fail'
        : checks.some(failed)
          ? 'warn'
          : 'pass';
  return { status, headline: typeof v.headline === 'string' ? v.headline : '', processes: [] };
}

/** Validates and upgrades a parsed manifest.json (its entries carry verdicts: v1 → v2 as for results). */
export function upgradeManifest(json: unknown, source = 'manifest'): RunSetManifest {
  if (!isObject(json) || json.kind !== 'run-set')
    throw new InputError(`${source}: not a faultline run-set manifest (kind is not "run-set")`);
  const version = schemaVersionOf(json, 'manifest', source);
  if (!Array.isArray(json.entries)) throw new InputError(`${source}: field "entries" is missing or not a list`);
  if (typeof json.generatedAt !== 'string') throw new InputError(`${source}: field "generatedAt" is missing`);

  const m = structuredClone(json);
  // Manifests written before entries carried `order` list them in sweep order already.
  (m.entries as Json[]).forEach((e, i) => {
    if (isObject(e) && typeof e.order !== 'number') e.order = i;
    if (version < 2 && isObject(e) && isObject(e.verdict))
      e.verdict = upgradeVerdict(e.verdict, Array.isArray(e.checks) ? e.checks : [], e.status === 'failed');
  });
  m.schemaVersion = SCHEMA_VERSION;
  checkShape(RunSetManifestShape, m, source, 'run-set manifest');
  return m as unknown as RunSetManifest;
}
