/**
 * JSON with object keys sorted at every level, so that the same result always
 * serialises to the same bytes (diffable, hashable). Non-finite numbers have no JSON
 * form: they are refused rather than silently written as null.
 */
export function stableStringify(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value, '$'), null, indent);
}

function sortKeys(value: unknown, path: string): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`cannot serialise non-finite number ${value} at ${path}`);
  }
  if (Array.isArray(value)) return value.map((v, i) => sortKeys(v, `${path}[${i}]`));
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v, `${path}.${k}`);
    }
    return out;
  }
  if (ArrayBuffer.isView(value))
    return Array.from(value as unknown as ArrayLike<number>).map((v, i) => sortKeys(v, `${path}[${i}]`));
  return value;
}
