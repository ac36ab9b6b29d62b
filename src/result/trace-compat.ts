/**
 * Upgrade on read for trace results (the run results' compat.ts, for `faultline/trace-result`):
 * a result written by an older faultline is brought to TRACE_RESULT_VERSION, one commented
 * step per version; one from a newer faultline is refused.
 */
import { InputError } from '../util/errors.js';
import { TRACE_RESULT_SCHEMA, TRACE_RESULT_VERSION, type TraceResult } from './trace.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const REQUIRED: [string, (v: unknown) => boolean][] = [
  ['command', (v) => v === 'replay' || v === 'mrc'],
  ['trace', isObject],
  ['warmup', (v) => Number.isInteger(v)],
  ['rows', Array.isArray],
  ['curves', Array.isArray],
];

/** Validates and upgrades a parsed trace result; `source` (a path) only labels errors. */
export function upgradeTraceResult(json: unknown, source = 'trace result'): TraceResult {
  if (Array.isArray(json)) {
    // Before version 1, `replay --format json` printed only its rows: no trace summary,
    // warm-up or sizes asked for, which a report needs and which cannot be recovered.
    throw new InputError(
      `${source}: a bare list of replay rows (written by faultline before trace results were versioned); ` +
        're-run faultline replay --format json to get a trace result',
    );
  }
  const m =
    isObject(json) && typeof json.schema === 'string' ? /^faultline\/trace-result@(\d+)$/.exec(json.schema) : null;
  if (!m) throw new InputError(`${source}: not a faultline trace result (schema is not "faultline/trace-result@N")`);
  const version = Number(m[1]);
  if (version > TRACE_RESULT_VERSION) {
    throw new InputError(
      `${source}: written as trace result version ${version}; this faultline reads up to ${TRACE_RESULT_VERSION}`,
    );
  }
  const r = structuredClone(json) as Json;
  for (const [field, ok] of REQUIRED) {
    if (!ok(r[field])) throw new InputError(`${source}: field "${field}" is missing or has the wrong type`);
  }
  // Version 1 is the first; each later bump adds its step here.
  r.schema = TRACE_RESULT_SCHEMA;
  return r as unknown as TraceResult;
}

export function parseTraceResult(text: string, source = 'trace result'): TraceResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  return upgradeTraceResult(json, source);
}
