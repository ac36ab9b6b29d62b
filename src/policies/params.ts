/**
 * Policy parameters: `name[:key=value]...`. The separator is `:` because the CLI takes
 * several policies as a comma list (`--policy lru,clock:bits=2,arc`), so a comma inside one
 * policy's parameters would be ambiguous. Values are validated against each policy's
 * declared parameters; the canonical spec lists every parameter in declaration order.
 */
import { InputError } from '../util/errors.js';
import type { PolicyContext, ReplacementPolicy } from './types.js';

export type ParamValue = number | string;
export type Params = Readonly<Record<string, ParamValue>>;

export interface ParamDef {
  readonly key: string;
  readonly kind: 'int' | 'float' | 'enum';
  readonly default: ParamValue;
  /** Inclusive bounds for numbers. */
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  readonly doc: string;
}

export interface PolicyFactory {
  readonly id: string;
  readonly aliases?: readonly string[];
  readonly params: readonly ParamDef[];
  /** Needs the whole stream in `ctx.stream` (OPT). */
  readonly needsStream?: boolean;
  /**
   * Fills per-page arrays of `ctx.maxPageId` entries when created (not left to the zeroed pages
   * the OS maps lazily): given only a bound on the page ids, as while a text trace is still read,
   * it would touch memory for the whole bound.
   */
  readonly fillsPageState?: boolean;
  /** `params` holds every declared key, validated; `spec` is the canonical spec. */
  create(capacity: number, ctx: PolicyContext, params: Params, spec: string): ReplacementPolicy;
}

export function num(params: Params, key: string): number {
  const v = params[key];
  if (typeof v !== 'number') throw new Error(`internal: parameter ${key} is not a number`);
  return v;
}

export function str(params: Params, key: string): string {
  const v = params[key];
  if (typeof v !== 'string') throw new Error(`internal: parameter ${key} is not a string`);
  return v;
}

export function describeParams(defs: readonly ParamDef[]): string {
  return defs.length === 0 ? 'none' : defs.map((d) => `${d.key}=${d.default}`).join(':');
}

/** Validates `raw` key/value strings against `defs`, filling defaults; throws InputError. */
export function parseParams(policy: string, defs: readonly ParamDef[], raw: readonly string[]): Params {
  const out: Record<string, ParamValue> = {};
  for (const d of defs) out[d.key] = d.default;
  const seen = new Set<string>();
  for (const item of raw) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new InputError(
        `policy ${policy}: parameter "${item}" is not key=value (example: ${policy}:${describeParams(defs)})`,
      );
    }
    const key = item.slice(0, eq).trim();
    const text = item.slice(eq + 1).trim();
    const def = defs.find((d) => d.key === key);
    if (def === undefined) {
      const valid = defs.length === 0 ? 'it takes no parameters' : `valid keys: ${defs.map((d) => d.key).join(', ')}`;
      throw new InputError(`policy ${policy} has no parameter "${key}"; ${valid} (defaults ${describeParams(defs)})`);
    }
    if (seen.has(key)) throw new InputError(`policy ${policy}: parameter "${key}" given twice`);
    seen.add(key);
    out[key] = parseValue(policy, def, text);
  }
  return out;
}

function parseValue(policy: string, def: ParamDef, text: string): ParamValue {
  if (def.kind === 'enum') {
    const values = def.values ?? [];
    if (!values.includes(text)) {
      throw new InputError(`policy ${policy}: ${def.key}=${text} is not one of ${values.join(', ')}`);
    }
    return text;
  }
  const v = text === '' ? Number.NaN : Number(text);
  const range = `${def.min ?? '-inf'}..${def.max ?? 'inf'}`;
  if (!Number.isFinite(v) || (def.kind === 'int' && !Number.isInteger(v))) {
    throw new InputError(
      `policy ${policy}: ${def.key}=${text} is not ${def.kind === 'int' ? 'an integer' : 'a number'} in ${range}`,
    );
  }
  if ((def.min !== undefined && v < def.min) || (def.max !== undefined && v > def.max)) {
    throw new InputError(`policy ${policy}: ${def.key}=${text} is outside ${range}`);
  }
  return v;
}

/** Canonical spec: the id, then every parameter in declaration order. */
export function canonicalSpec(id: string, defs: readonly ParamDef[], params: Params): string {
  return [id, ...defs.map((d) => `${d.key}=${params[d.key]}`)].join(':');
}
