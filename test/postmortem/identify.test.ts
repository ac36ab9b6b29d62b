/**
 * The identifiability profile of `faultline fit` (engine/fit.ts `identify`) on objectives
 * written down, so that which pairs trade off is known exactly: a valley along a line of any
 * slope in normalised coordinates is a trade-off, a bowl is not.
 */
import { describe, expect, it } from 'vitest';
import { type FitParam, identify, profileRuns, unbounded } from '../../src/engine/fit.js';

const param = (path: string): FitParam => ({
  path,
  segments: path.split('.'),
  low: 0,
  high: 1,
  unit: '',
  integer: false,
  scale: 'linear',
});
const PARAMS = [param('a'), param('b'), param('c')];
const CENTRE = [0.5, 0.5, 0.5];

/** Runs `identify` with `objective` standing for the simulation; returns its answer and the points it ran. */
async function profile(objective: (u: number[]) => number) {
  const key = (pt: readonly number[]) => pt.map((u) => u.toFixed(6)).join(',');
  const ran = new Map<string, number>();
  const found = await identify(
    PARAMS,
    { point: CENTRE, objective: objective(CENTRE) },
    async (points) => {
      for (const pt of points) ran.set(key(pt), objective(pt));
    },
    (pt) => ran.get(key(pt)),
  );
  return { ...found, runs: ran.size };
}

const d = (u: number[], j: number) => (u[j] as number) - 0.5;

describe('fit identifiability', () => {
  it('finds no trade-off in a bowl, and pins each parameter', async () => {
    const r = await profile((u) => 0.1 + d(u, 0) ** 2 + 4 * d(u, 1) ** 2 + 0.25 * d(u, 2) ** 2);
    expect(r.tradeOffs).toEqual([]);
    // 4 axis points, up to 2 further out per side, 1 pair step and 2 diagonals per pair: 33 at
    // most. Here a and c are still within 10 % at ±1/16 (rises 0.0039 and 0.0010 against 0.01)
    // and leave it at ±1/4 (0.0625, 0.0156): 4 far points; b's pair step is 1/64 and c's 1/16
    // (curvatures 8 and 0.5 about a's 2), points the axis profile ran already.
    expect(profileRuns(3)).toBe((4 + 4) * 3 + 3 + 3 * 2);
    expect(r.runs).toBe(4 * 3 + 4 + 3 + 3 * 2 - 2);
    expect(r.profiles.map((p) => [p.low, p.high, p.openLow, p.openHigh])).toEqual([
      [0.4375, 0.5625, false, false],
      [0.484375, 0.515625, false, false],
      [0.4375, 0.5625, false, false],
    ]);
  });

  it('finds a valley at 45°: a and b add up (raise both keeps the fit)', async () => {
    const r = await profile((u) => 0.1 + 4 * (d(u, 0) - d(u, 1)) ** 2 + d(u, 2) ** 2);
    expect(r.tradeOffs.map((t) => [t.a, t.b, t.direction])).toEqual([['a', 'b', 'together']]);
  });

  it('finds a valley whose slope is not 45° in normalised coordinates (b moves 1/4 as far as a)', async () => {
    // Along the valley b rises 0.25 for every 1 of a. At equal steps h the diagonal climbs the
    // wall (rise 4·9·h², 9 times a's own 4·h²); steps scaled by curvature (a h, b h/4) follow it.
    const r = await profile((u) => 0.1 + 4 * (d(u, 0) - 4 * d(u, 1)) ** 2 + d(u, 2) ** 2);
    expect(r.tradeOffs.map((t) => [t.a, t.b, t.direction])).toEqual([['a', 'b', 'together']]);
  });

  it('says opposite when raising one and lowering the other keeps the fit', async () => {
    const r = await profile((u) => 0.1 + 4 * (d(u, 1) + 2 * d(u, 2)) ** 2 + d(u, 0) ** 2);
    expect(r.tradeOffs.map((t) => [t.a, t.b, t.direction])).toEqual([['b', 'c', 'opposite']]);
  });

  it('follows a side the data do not bound out to the end of the range (a touch rate whose pages stay resident)', async () => {
    // c is free above the best point and rises steeply below it: its profile is the upper half.
    const r = await profile((u) => 0.1 + d(u, 0) ** 2 + d(u, 1) ** 2 + 4 * Math.max(0, -d(u, 2)));
    const c = r.profiles[2];
    expect([c?.low, c?.high, c?.openLow, c?.openHigh]).toEqual([0.5, 1, false, false]);
    expect(c?.points.map((q) => q.value)).toEqual([0.4375, 0.484375, 0.5, 0.515625, 0.5625, 0.75, 1]);
    // The report says so, and that the fitted value is no finding; a and b are bounded on both sides.
    expect(unbounded(PARAMS, r.profiles)).toEqual([
      'c is not identified: the data do not bound it above (its profile reaches 1); its fitted value is where the search stopped, not a finding',
    ]);
  });

  it('reads only points it ran (every single move a pair is compared with is run)', async () => {
    const key = (pt: readonly number[]) => pt.map((u) => u.toFixed(6)).join(',');
    const ran = new Set<string>();
    const asked: string[] = [];
    const objective = (u: number[]) => 0.1 + 4 * (d(u, 0) - d(u, 1)) ** 2 + d(u, 2) ** 2;
    await identify(
      PARAMS,
      { point: CENTRE, objective: objective(CENTRE) },
      async (points) => {
        for (const pt of points) ran.add(key(pt));
      },
      (pt) => {
        asked.push(key(pt));
        return ran.has(key(pt)) ? objective(pt) : undefined;
      },
    );
    expect(asked.filter((k) => !ran.has(k))).toEqual([]);
  });
});
