import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type VariantCost, variantCost } from '../../src/engine/cost.js';
import { runVariant } from '../../src/engine/run-variant.js';
import { FidelityError } from '../../src/kernel/fidelity.js';
import { type LoadedScenario, loadScenarioText } from '../../src/scenario/load.js';
import { DiagnosticsError } from '../../src/util/errors.js';
import { parseDuration, parseSize } from '../../src/util/units.js';
import { mutate, mutation, paths } from './hostile.js';

/**
 * Property tests over the scenario loader and what follows it (issue #16): scenarios made by
 * mutating real ones with hostile values. Whatever the input, the loader reports problems as
 * diagnostics (never another exception), the cost estimate either prices a variant or refuses it
 * as input (exit 2), and a variant that passes both runs to an `ok` result, never a failed one
 * (exit 3 is for bugs only). Seeded, so a failure names its counterexample and replays.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const BASES = [
  'test/engine/fixtures/tiny-sweep.yaml',
  'test/engine/fixtures/quick-sweep.yaml',
  'scenarios/leak-to-oom-kill.yaml',
  'scenarios/zram-laptop.yaml',
  'scenarios/k8s-node-requests-limits.yaml',
].map((f) => ({ file: f, doc: loadYaml(readFileSync(`${ROOT}${f}`, 'utf8')) }));

function loadYaml(text: string): Record<string, unknown> {
  // Each base loads as it is: the mutations, not the bases, are what is being tested.
  expect(loadScenarioText(text, 'base.yaml').variants.length).toBeGreaterThan(0);
  return parse(text) as Record<string, unknown>;
}

const scenarioText = fc
  .record({ base: fc.constantFrom(...BASES), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }) })
  .map(({ base, mutations }) => stringify(mutate(base.doc, mutations)));

/**
 * The bases cut to a few simulated seconds, without their sweeps and timed events, so that a
 * mutated scenario that still validates runs in a moment; one or two mutations each, so that
 * most still validate.
 */
const CHEAP = BASES.map(({ file, doc }) => {
  const d = structuredClone(doc);
  d.duration = '3s';
  delete d.sweep;
  delete d.events;
  delete d.observed;
  expect(loadScenarioText(stringify(d), file).variants).toHaveLength(1);
  return d;
});
/** Extreme values of the same kind as the value they replace, so that many mutants still validate. */
const EXTREMES = {
  size: ['0', '1', '4Ki', '1Mi', '1000Pi', '99999Ti', '0.5Gi', 'max', 'none'],
  duration: ['0s', '1us', '1ms', '3s', '744h', '0.001ms', 'never'],
  number: [0, 1, 0.001, 0.999, 100, 4096, 1e6, 1e9, -1, 200, 1000],
  boolean: [true, false],
} as const;

function kindOf(v: unknown): keyof typeof EXTREMES | undefined {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v !== 'string') return undefined;
  if (parseDuration(v) !== undefined && /[a-z]$/.test(v.trim())) return 'duration';
  if (parseSize(v) !== undefined || v === 'max' || v === 'none') return 'size';
  return undefined;
}

/** Leaf paths whose values have a kind, each replaced by an extreme of that kind. */
function mutateLeaves(doc: Record<string, unknown>, picks: { at: number; which: number }[]): Record<string, unknown> {
  const d = structuredClone(doc);
  for (const { at, which } of picks) {
    const leaves = paths(d).filter((p) => kindOf(p.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], d)));
    if (leaves.length === 0) break;
    const path = leaves[at % leaves.length] as (string | number)[];
    const parent = path.slice(0, -1).reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], d) as Record<
      string | number,
      unknown
    >;
    const last = path[path.length - 1] as string | number;
    const options = EXTREMES[kindOf(parent[last]) as keyof typeof EXTREMES];
    parent[last] = options[which % options.length];
  }
  return d;
}

const cheapScenarioText = fc
  .record({
    base: fc.constantFrom(...CHEAP),
    picks: fc.array(fc.record({ at: fc.nat(), which: fc.nat() }), { minLength: 1, maxLength: 3 }),
  })
  .map(({ base, picks }) => stringify(mutateLeaves(base, picks)));

function load(text: string): LoadedScenario | undefined {
  try {
    return loadScenarioText(text, 'fuzz.yaml');
  } catch (err) {
    if (err instanceof DiagnosticsError) {
      // Every diagnostic is a finished sentence with a place: never an empty or undefined message.
      for (const d of err.diagnostics) expect(d.message).toMatch(/\S/);
      return undefined;
    }
    throw err;
  }
}

function cost(loaded: LoadedScenario): VariantCost[] | undefined {
  try {
    return loaded.variants.map((v) => variantCost(v.scenario));
  } catch (err) {
    if (err instanceof FidelityError) return undefined;
    throw err;
  }
}

describe('scenario fuzzing', () => {
  it('the loader reports every hostile scenario as diagnostics, and the cost estimate prices or refuses it', () => {
    fc.assert(
      fc.property(scenarioText, (text) => {
        const loaded = load(text);
        if (loaded) cost(loaded);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 600), seed: Number(process.env.FUZZ_SEED ?? 1616) },
    );
  });

  it('arbitrary text is refused as diagnostics, never as an exception', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        load(text);
      }),
      { numRuns: 400, seed: 1617 },
    );
  });

  it('a scenario that passes validation runs to an ok result, never a failed one (exit 3 is for bugs)', () => {
    const runs = Number(process.env.FUZZ_RUNS ?? 300);
    let ran = 0;
    fc.assert(
      fc.property(cheapScenarioText, (text) => {
        const loaded = load(text);
        const costs = loaded && loaded.variants.length <= 8 ? cost(loaded) : undefined;
        // Only what runs in a moment: the property is about failing, not about slow inputs (bounded elsewhere).
        if (!loaded || !costs || costs.some((c) => c.simulateMs > 3000 || c.resultValues > 200_000)) return;
        for (const v of loaded.variants) {
          const r = runVariant(v);
          ran++;
          expect(r.error, `${v.id}:\n${text}`).toBeUndefined();
          expect(r.status).toBe('ok');
        }
      }),
      { numRuns: runs, seed: Number(process.env.FUZZ_SEED ?? 1618) },
    );
    // The filter must leave a real sample, or the property says nothing.
    expect(ran).toBeGreaterThan(runs / 4);
  });
});
