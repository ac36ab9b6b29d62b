/**
 * A real trace (LIRS multi1, see test/fixtures/traces/README.md) at 1, 5, 10, 25 and 50 % of
 * its distinct pages: every policy's optimised version must equal its naive reference, and
 * both must equal the reviewed golden counts in lirs-multi1.golden.json.
 * `UPDATE_GOLDEN=1 npx vitest run test/policies/trace.test.ts` rewrites the golden file
 * from the naive references; review the diff before committing it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICIES, parsePolicySpec } from '../../src/policies/registry.js';
import { simulate } from '../../src/policies/simulate.js';
import { NAIVE } from './naive.js';

const fixture = new URL('../fixtures/traces/lirs-multi1.txt', import.meta.url);
const goldenFile = new URL('./lirs-multi1.golden.json', import.meta.url);

function loadDense(): Int32Array {
  const ids = new Map<number, number>();
  const lines = readFileSync(fixture, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  return Int32Array.from(lines, (l) => {
    const id = Number(l);
    let dense = ids.get(id);
    if (dense === undefined) ids.set(id, (dense = ids.size));
    return dense;
  });
}

const stream = loadDense();
const distinct = new Set(stream).size;
const PERCENTS = [1, 5, 10, 25, 50];
const capacities = PERCENTS.map((p) => Math.floor((distinct * p) / 100));
const SPECS = POLICIES.map((f) => f.id);
type Golden = Record<string, Record<string, number>>;

describe('LIRS multi1 trace', () => {
  it('has the documented shape', () => {
    expect(stream.length).toBe(15858);
    expect(distinct).toBe(2606);
    expect(capacities).toEqual([26, 130, 260, 651, 1303]);
  });

  const update = process.env.UPDATE_GOLDEN === '1';
  const golden = update ? {} : (JSON.parse(readFileSync(goldenFile, 'utf8')) as Golden);
  const counts: Golden = {};
  for (const spec of SPECS) {
    it(`${spec}: optimised = naive = golden at ${capacities.join(', ')} frames`, () => {
      const { factory, params } = parsePolicySpec(spec);
      const naive = NAIVE[factory.id]!;
      const plain = Array.from(stream);
      const row: Record<string, number> = {};
      for (const c of capacities) {
        row[String(c)] = naive(plain, c, params, 0);
        expect(simulate(spec, stream, c).faults, `${spec} at ${c} frames`).toBe(row[String(c)]);
      }
      counts[spec] = row;
      if (!update) expect(row).toEqual(golden[spec]);
    });
  }

  afterAll(() => {
    if (update) writeFileSync(goldenFile, `${JSON.stringify(counts, null, 2)}\n`);
  });
});
