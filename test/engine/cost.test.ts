import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSweep, formatCount, sameWallMs, variantCost, wallMs } from '../../src/engine/cost.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import { combinations, type SweepInput } from '../../src/scenario/sweep.js';

const BASE = `name: c
duration: 60s
step: 1s
host: { ram: 1Gi, cpus: 2, kernel: { tick: 100ms } }
cgroups: { a: {} }
processes:
  p: { cgroup: a, memory: { anon: 256Mi }, touchesPerSec: 1000 }
`;

describe('countSweep', () => {
  it('counts what the loader would expand, for any matrix, include and exclude (against combinations())', () => {
    const value = fc.constantFrom<string | number | null>(1, 2, 3, 'x', null);
    const key = fc.constantFrom('a', 'b', 'c', 'd');
    const entry = fc.dictionary(key, value, { maxKeys: 3 });
    const sweep = fc.record({
      matrix: fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.array(value, { minLength: 1, maxLength: 4 }), {
        maxKeys: 3,
      }),
      include: fc.array(entry, { maxLength: 4 }),
      exclude: fc.array(entry, { maxLength: 5 }),
    });
    fc.assert(
      fc.property(sweep, (s) => {
        const c = countSweep(s);
        expect(c?.exact).toBe(true);
        expect(c?.count).toBe(combinations(s as SweepInput).length);
      }),
      { numRuns: 2000, seed: 16 },
    );
  });

  it('counts a sweep far too large to build, without building it', () => {
    const matrix: Record<string, number[]> = {};
    for (let k = 0; k < 100; k++) matrix[`k${k}`] = [1, 2];
    const c = countSweep({ matrix });
    expect(c).toEqual({ count: 2 ** 100, exact: true, factors: new Array(100).fill(2) });
    expect(formatCount(c?.count as number)).toBe('10^30');
    expect(countSweep({ matrix: { a: [1, 2, 3] }, exclude: [{ a: 1 }, { a: 2 }] })?.count).toBe(1);
  });

  it('gives an upper bound past 12 excludes (2^n terms), and undefined for what is not a sweep', () => {
    const exclude = Array.from({ length: 13 }, (_, i) => ({ a: i }));
    expect(countSweep({ matrix: { a: [0, 100], b: [1, 2] }, exclude })).toEqual({
      count: 4,
      exact: false,
      factors: [2, 2],
    });
    expect(countSweep({ matrix: { a: 'not a list' } })).toBeUndefined();
    expect(countSweep([1, 2])).toBeUndefined();
    expect(countSweep({ matrix: { a: [1] }, include: 'x' })).toBeUndefined();
  });
});

describe('variantCost', () => {
  it('counts steps, ticks and result values of a scenario by hand', () => {
    const sc = loadScenarioText(BASE, 'c.yaml').scenario;
    const c = variantCost(sc);
    expect(c.steps).toBe(60);
    // 100 ms ticks in 1 s steps: 10 per step.
    expect(c.ticks).toBe(600);
    expect(c.sampleRate).toBe(1);
    expect(c.simulatedTouches).toBe(60_000);
    expect(c.simulatedPages).toBe(65_536);
    // Per step: time, 20 host series, 10 of the process, 6 of the cgroup (a result.json of this
    // shape, with a request model, holds these 37).
    expect(c.resultValues).toBe(60 * 37);
  });

  it('refuses, with the reason and the field to change, a scenario the replay cannot hold', () => {
    const sc = loadScenarioText(BASE.replace('ram: 1Gi', 'ram: 4Mi').replace('256Mi', '2Mi'), 'c.yaml').scenario;
    expect(() => variantCost(sc)).toThrow(
      expect.objectContaining({
        field: 'host.ram',
        message: 'RAM of 1024 page frames is too small to replay (minimum 2048 frames, 8 MiB of 4 KiB pages)',
      }),
    );
  });

  it('estimates a run: simulations share the jobs, renderings queue on the main thread', () => {
    const a = { simulateMs: 1000, renderMs: 100 };
    expect(wallMs([a, a, a, a], 2)).toBe(300 + 2000);
    expect(wallMs([a], 8)).toBe(300 + 1100);
    const renderBound = { simulateMs: 10, renderMs: 500 };
    expect(wallMs([renderBound, renderBound, renderBound], 2)).toBe(300 + 1500);
    expect(sameWallMs(a, 4, 2)).toBe(wallMs([a, a, a, a], 2));
    expect(sameWallMs(renderBound, 3, 2)).toBe(wallMs([renderBound, renderBound, renderBound], 2));
  });
});
