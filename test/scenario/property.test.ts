import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadScenarioText } from '../../src/scenario/load.js';
import { DiagnosticsError } from '../../src/util/errors.js';

const files = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join('scenarios', f));
const scenarios = files.map((f) => readFileSync(f, 'utf8'));

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let cur = root as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  return cur;
}

const REPLACEMENTS: unknown[] = [
  0,
  -1,
  1.5,
  1e308,
  'x',
  '',
  '64',
  '64Gi',
  'max',
  'never',
  true,
  null,
  [],
  {},
  [1, 'a'],
  { a: 1 },
];

type Op = { kind: 'delete' | 'replace' | 'swap' | 'rename'; a: number; b: number };

function mutate(doc: unknown, ops: Op[]): unknown {
  const root = structuredClone(doc);
  for (const op of ops) {
    const all = paths(root);
    if (all.length === 0) break;
    const p = all[op.a % all.length] as Path;
    const parent = parentOf(root, p);
    const key = p[p.length - 1] as string | number;
    if (op.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (op.kind === 'replace') {
      parent[key] = structuredClone(REPLACEMENTS[op.b % REPLACEMENTS.length]);
    } else if (op.kind === 'swap') {
      const q = all[op.b % all.length] as Path;
      const qParent = parentOf(root, q);
      const qKey = q[q.length - 1] as string | number;
      if (p.join('.').startsWith(q.join('.')) || q.join('.').startsWith(p.join('.'))) continue;
      const tmp = parent[key];
      parent[key] = qParent[qKey];
      qParent[qKey] = tmp;
    } else if (!Array.isArray(parent)) {
      const value = parent[key];
      delete parent[key];
      parent[`${String(key)}${['x', '.max', 's', '_'][op.b % 4]}`] = value;
    }
  }
  return root;
}

/** Loading either succeeds or throws DiagnosticsError whose every line has a position. */
function loadsOrDiagnoses(text: string): void {
  try {
    loadScenarioText(text, 'mutant.yaml');
  } catch (err) {
    if (!(err instanceof DiagnosticsError)) throw err;
    expect(err.diagnostics.length).toBeGreaterThan(0);
    for (const d of err.diagnostics) expect(d.pos?.line).toBeGreaterThan(0);
  }
}

const opArb = fc.record({
  kind: fc.constantFrom('delete' as const, 'replace' as const, 'swap' as const, 'rename' as const),
  a: fc.nat(),
  b: fc.nat(),
});

describe('mutated scenarios', () => {
  it('never make the loader throw anything but DiagnosticsError', () => {
    const docs = scenarios.map((t) => parse(t));
    fc.assert(
      fc.property(fc.nat({ max: docs.length - 1 }), fc.array(opArb, { minLength: 1, maxLength: 4 }), (i, ops) => {
        loadsOrDiagnoses(stringify(mutate(docs[i], ops)));
      }),
      { numRuns: 300 },
    );
  });

  it('never make it throw on text edits either (lines deleted, duplicated, cut)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: scenarios.length - 1 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom(0, 1, 2),
        (i, a, b, kind) => {
          const lines = (scenarios[i] as string).split('\n');
          const at = a % lines.length;
          if (kind === 0) lines.splice(at, 1);
          else if (kind === 1) lines.splice(at, 0, lines[b % lines.length] as string);
          else lines[at] = (lines[at] as string).slice(0, b % ((lines[at] as string).length + 1));
          loadsOrDiagnoses(lines.join('\n'));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('load unchanged', () => {
    // Under their own names: a scenario's files (traces, curves) are found beside it.
    scenarios.forEach((text, i) => {
      expect(loadScenarioText(text, files[i] as string).variants.length).toBeGreaterThan(0);
    });
  });
});
