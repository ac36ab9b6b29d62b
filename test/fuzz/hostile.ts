import fc from 'fast-check';

/**
 * Hostile inputs shared by the fuzz suites: values that have broken parsers before, and
 * mutations of a parsed document (set a value, delete or misspell a key, add one).
 */

/** Values that have broken parsers before: bounds, units, types, sizes of things. */
export const hostile = fc.oneof(
  fc.constantFrom<unknown>(
    0,
    -1,
    1,
    0.5,
    1e9,
    1e15,
    1e308,
    -1e308,
    2 ** 53,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '0',
    '',
    ' ',
    'max',
    'none',
    'never',
    '1us',
    '0s',
    '0.0001ms',
    '744h',
    '876000h',
    '1000Pi',
    '99999999999999999999Pi',
    '-1Gi',
    '1e400',
    '64',
    '64Gi',
    '1Ki',
    '100%',
    '-5%',
    'a'.repeat(300),
    'x/../y',
    '__proto__',
    null,
    true,
    [],
    {},
    [1, 2],
    { a: 1 },
  ),
  fc.integer({ min: -1e6, max: 1e12 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 12 }),
);

/** Every path in a document: map keys and list indices, leaves and inner nodes. */
export function paths(node: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  const entries: [string | number, unknown][] = Array.isArray(node)
    ? node.map((v, i) => [i, v])
    : node && typeof node === 'object'
      ? Object.entries(node)
      : [];
  for (const [k, v] of entries) out.push([...prefix, k], ...paths(v, [...prefix, k]));
  return out;
}

export type Mutation = { at: number; op: 'set' | 'delete' | 'rename' | 'add'; value: unknown; key: string };

export function mutate(doc: Record<string, unknown>, ms: Mutation[]): Record<string, unknown> {
  const d = structuredClone(doc);
  for (const m of ms) {
    const all = paths(d);
    if (all.length === 0) break;
    const path = all[m.at % all.length] as (string | number)[];
    const parent = path.slice(0, -1).reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], d) as
      | Record<string | number, unknown>
      | unknown[];
    const last = path[path.length - 1] as string | number;
    if (m.op === 'set') (parent as Record<string | number, unknown>)[last] = m.value;
    else if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (m.op === 'rename' && !Array.isArray(parent) && typeof last === 'string') {
      parent[`${last.slice(0, -1)}${m.key}`] = parent[last];
      delete parent[last];
    } else if (m.op === 'add' && !Array.isArray(parent)) parent[m.key] = m.value;
  }
  return d;
}

export const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Mutation['op']>('set', 'set', 'set', 'delete', 'rename', 'add'),
  value: hostile,
  key: fc.constantFrom('x', 's', 'Max', 'memory.max', 'ram', 'name'),
});
