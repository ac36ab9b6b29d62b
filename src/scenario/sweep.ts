/**
 * Sweep expansion with GitHub Actions matrix semantics, and variant ids.
 *
 * Combinations: the cartesian product of `matrix`, first key varying slowest. Then every
 * `exclude` entry removes the combinations that match all of its keys. Then each `include`
 * entry is added to every combination whose *matrix* values it matches (its other keys
 * are added, later includes overriding earlier added keys, never matrix values); an entry
 * that matches no combination becomes a combination of its own.
 *
 * Variant ids: `<key>-<value>` pairs joined by `_`, in matrix key order (then keys only
 * includes bring, in order of appearance). `<key>` is the shortest dot-suffix of the path
 * that no other swept path shares (`host.sysctl.vm.swappiness` → `swappiness`; two
 * cgroups' `memory.max` → `batch.memory.max` and `db.memory.max`), with v1 file names
 * shortened (`soft_limit_in_bytes` → `soft-limit`). Characters outside `[A-Za-z0-9.]`
 * become `-`. An id longer than 100 characters keeps 90 and appends a hash of the whole.
 * Should two combinations still meet, the later ones get `-2`, `-3`, … in order.
 * So an id depends only on its own values and the set of swept paths: adding a value to
 * one key leaves every other id unchanged; adding a key changes them all.
 */

export type SweepValue = string | number | boolean | null;
export type Combination = Record<string, SweepValue>;

export interface SweepInput {
  matrix: Record<string, readonly SweepValue[]>;
  include?: readonly Combination[];
  exclude?: readonly Combination[];
}

export interface SweepPoint {
  id: string;
  params: Combination;
}

const same = (a: SweepValue | undefined, b: SweepValue | undefined) => a === b;

export function combinations(input: SweepInput): Combination[] {
  const keys = Object.keys(input.matrix);
  let combos: Combination[] = [{}];
  for (const key of keys) {
    const next: Combination[] = [];
    for (const c of combos) for (const v of input.matrix[key] ?? []) next.push({ ...c, [key]: v });
    combos = next;
  }
  if (keys.length === 0) combos = [];
  for (const ex of input.exclude ?? []) {
    combos = combos.filter((c) => !Object.entries(ex).every(([k, v]) => same(c[k], v)));
  }
  const original = combos.map((c) => ({ ...c }));
  for (const inc of input.include ?? []) {
    let matched = false;
    combos.forEach((c, i) => {
      const base = original[i] as Combination;
      const fits = Object.entries(inc).every(([k, v]) => !keys.includes(k) || same(base[k], v));
      if (!fits) return;
      matched = true;
      for (const [k, v] of Object.entries(inc)) if (!keys.includes(k)) c[k] = v;
    });
    if (!matched) {
      combos.push({ ...inc });
      original.push({ ...inc });
    }
  }
  return combos;
}

const LONG_NAMES: Record<string, string> = {
  'memory.limit_in_bytes': 'limit',
  'memory.soft_limit_in_bytes': 'soft-limit',
  'memory.memsw.limit_in_bytes': 'memsw-limit',
};

function sanitize(text: string): string {
  const s = text
    .replace(/[^A-Za-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .replace(/\.{2,}/g, '.');
  return s === '' ? 'empty' : s;
}

/** Short, unique names for swept paths (see the file comment). */
export function shortKeys(paths: readonly string[]): Map<string, string> {
  const shorten = (p: string) => {
    for (const [long, short] of Object.entries(LONG_NAMES)) {
      if (p.endsWith(long)) return `${p.slice(0, p.length - long.length)}${short}`;
    }
    return p;
  };
  const parts = new Map(paths.map((p) => [p, shorten(p).split('.')]));
  const out = new Map<string, string>();
  for (const p of paths) {
    const mine = parts.get(p) as string[];
    let n = 1;
    for (; n < mine.length; n++) {
      const suffix = mine.slice(-n).join('.');
      const clash = paths.some((q) => q !== p && (parts.get(q) as string[]).slice(-n).join('.') === suffix);
      if (!clash) break;
    }
    out.set(p, sanitize(mine.slice(-n).join('.')));
  }
  return out;
}

/** FNV-1a, 32 bits: a short, stable fingerprint for over-long ids. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

const MAX_ID = 100;

export function variantIds(combos: readonly Combination[], keyOrder: readonly string[]): string[] {
  const shorts = shortKeys(keyOrder);
  const used = new Map<string, number>();
  return combos.map((c) => {
    const pairs = keyOrder.filter((k) => k in c).map((k) => `${shorts.get(k)}-${sanitize(String(c[k]))}`);
    let id = pairs.length === 0 ? 'base' : pairs.join('_');
    if (id.length > MAX_ID) id = `${id.slice(0, MAX_ID - 10)}-${fnv1a(id)}`;
    const seen = used.get(id) ?? 0;
    used.set(id, seen + 1);
    return seen === 0 ? id : `${id}-${seen + 1}`;
  });
}

/** All keys in id order: matrix keys, then keys only includes bring. */
export function keyOrder(input: SweepInput): string[] {
  const keys = Object.keys(input.matrix);
  for (const inc of input.include ?? []) for (const k of Object.keys(inc)) if (!keys.includes(k)) keys.push(k);
  return keys;
}

/** The variants of a sweep: params and stable ids, in order. */
export function expandSweep(input: SweepInput): SweepPoint[] {
  const combos = combinations(input);
  const ids = variantIds(combos, keyOrder(input));
  return combos.map((params, i) => ({ id: ids[i] as string, params }));
}
