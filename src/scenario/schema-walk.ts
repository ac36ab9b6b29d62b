/**
 * Walking the zod schemas by field path: which keys a map accepts (for "did you mean"),
 * and where a sweep path lands. Keys may contain dots (`vm.swappiness`, `memory.max`,
 * `system.slice/db.service`), so a dotted path is matched against the keys that exist,
 * longest first, rather than split on every dot.
 */
import { z } from 'zod';
import type { FieldPath } from './source.js';

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
};

const def = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema without optional/default/nullable wrappers. */
export function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const d = def(cur);
    if (WRAPPERS.has(d.type) && d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else return cur;
  }
}

export function kindOf(s: z.ZodType): string {
  return def(unwrap(s)).type;
}

export function shapeOf(s: z.ZodType): Record<string, z.ZodType> | undefined {
  return def(unwrap(s)).shape;
}

/** The schema of the values at `path` below `s` (record keys and list indices take any value). */
export function schemaAt(s: z.ZodType, path: FieldPath, data?: unknown): z.ZodType | undefined {
  let cur: z.ZodType | undefined = s;
  let value = data;
  for (const seg of path) {
    if (!cur) return undefined;
    const d = def(unwrap(cur));
    if (d.type === 'object') cur = d.shape?.[String(seg)];
    else if (d.type === 'record') cur = d.valueType;
    else if (d.type === 'array') cur = d.element;
    else if (d.type === 'union') cur = pickOption(d, value, String(seg));
    else return undefined;
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[String(seg)] : undefined;
  }
  return cur;
}

/** The option of a union that has `key` (by discriminator value when the data tells). */
function pickOption(d: Def, value: unknown, key?: string): z.ZodType | undefined {
  const options = d.options ?? [];
  const withShapes = options.filter((o) => shapeOf(o) !== undefined);
  if (d.discriminator && value && typeof value === 'object') {
    const tag = (value as Record<string, unknown>)[d.discriminator];
    const match = withShapes.find((o) => {
      const lit = shapeOf(o)?.[d.discriminator as string];
      const values = lit ? (def(lit) as { values?: unknown[] }).values : undefined;
      return values?.includes(tag);
    });
    if (match) return key === undefined ? match : shapeOf(match)?.[key];
  }
  if (key === undefined) return withShapes[0];
  for (const o of withShapes) {
    const f = shapeOf(o)?.[key];
    if (f) return f;
  }
  const list = options.find((o) => kindOf(o) === 'array');
  return list ? def(unwrap(list)).element : undefined;
}

/**
 * Keys the map at `path` accepts; empty for free-form maps. `here` is the map itself, which
 * picks the option of a tagged union (`kind: oomd`).
 */
export function knownKeys(s: z.ZodType, path: FieldPath, here?: unknown): string[] {
  const at = schemaAt(s, path);
  if (!at) return [];
  const d = def(unwrap(at));
  if (d.type === 'object') return Object.keys(d.shape ?? {});
  if (d.type === 'union') {
    const picked = pickOption(d, here);
    if (d.discriminator && picked && here && typeof here === 'object' && d.discriminator in here) {
      return Object.keys(shapeOf(picked) ?? {});
    }
    const keys = new Set<string>();
    for (const o of d.options ?? []) for (const k of Object.keys(shapeOf(o) ?? {})) keys.add(k);
    return [...keys];
  }
  return [];
}

export interface ResolvedPath {
  /** The path split into real keys (`['host', 'sysctl', 'vm.swappiness']`). */
  segments: string[];
  schema: z.ZodType;
}

/**
 * Splits a dotted path against the schema and the document's own keys (records), longest
 * key first. Returns a reason when it names nothing, with a suggestion.
 */
export function resolveDottedPath(
  root: z.ZodType,
  dotted: string,
  data: unknown,
): { ok: true; value: ResolvedPath } | { ok: false; at: string; known: string[] } {
  const segments: string[] = [];
  let schema: z.ZodType = root;
  let value = data;
  let rest = dotted;
  while (rest.length > 0) {
    const d = def(unwrap(schema));
    let candidates: string[];
    if (d.type === 'object') candidates = Object.keys(d.shape ?? {});
    else if (d.type === 'record') candidates = value && typeof value === 'object' ? Object.keys(value) : [];
    else if (d.type === 'array') candidates = Array.isArray(value) ? value.map((_, i) => String(i)) : [];
    else return { ok: false, at: segments.join('.'), known: [] };
    const key = candidates.filter((k) => rest === k || rest.startsWith(`${k}.`)).sort((a, b) => b.length - a.length)[0];
    if (key === undefined) return { ok: false, at: segments.join('.'), known: candidates };
    segments.push(key);
    const next = d.type === 'object' ? d.shape?.[key] : d.type === 'record' ? d.valueType : d.element;
    if (!next) return { ok: false, at: segments.join('.'), known: candidates };
    schema = next;
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    rest = rest.slice(key.length + 1);
  }
  return { ok: true, value: { segments, schema } };
}

/** True if the field may be left out (it is optional or has a default). */
export function isOptional(s: z.ZodType): boolean {
  const t = def(s).type;
  if (t === 'optional' || t === 'default' || t === 'prefault') return true;
  const d = def(s);
  return WRAPPERS.has(t) && d.innerType !== undefined && isOptional(d.innerType);
}

/** The first documented example of a field, looking through its wrappers. */
export function exampleOf(s: z.ZodType): unknown {
  let cur: z.ZodType | undefined = s;
  while (cur) {
    const examples = z.globalRegistry.get(cur)?.examples;
    if (Array.isArray(examples) && examples.length > 0) return examples[0];
    const d = def(cur);
    cur = WRAPPERS.has(d.type) ? d.innerType : undefined;
  }
  return undefined;
}

/** The tags a tagged union at `path` accepts (`kind: systemd-oomd | oomd`). */
export function discriminatorValues(s: z.ZodType, path: FieldPath): unknown[] {
  const at = schemaAt(s, path);
  const d = at ? def(unwrap(at)) : undefined;
  if (d?.type !== 'union' || !d.discriminator) return [];
  return (d.options ?? []).flatMap((o) => {
    const tag = shapeOf(o)?.[d.discriminator as string];
    return tag ? ((def(unwrap(tag)) as { values?: unknown[] }).values ?? []) : [];
  });
}
