import { describe, expect, it } from 'vitest';
import { OomDaemon, type OomdCgroupTree, type OomdSample } from '../../../src/kernel/mechanisms/oomd.js';
import type { OomDaemonConfig } from '../../../src/scenario/types.js';

const GiB = 2 ** 30;

// 0 user.slice (monitored) ─ 1 app-a
//                          └ 2 app-b ─ 3 app-b/sub
// 4 system.slice
const TREE: OomdCgroupTree = {
  names: ['user.slice', 'user.slice/app-a', 'user.slice/app-b', 'user.slice/app-b/sub', 'system.slice'],
  parent: Int32Array.of(-1, 0, 0, 2, -1),
  oomGroup: new Uint8Array(5),
};

const SYSTEMD: OomDaemonConfig = {
  kind: 'systemd-oomd',
  cgroups: ['user.slice'],
  pressureLimitPct: 60,
  pressureKind: 'full',
  durationMs: 30_000,
  swapUsedLimitPct: null,
  victim: 'most-reclaim',
};

/** A sample at `nowMs`: full avg10 of user.slice = `pressure`; pgscan grows by `scanA`/`scanSub` per second. */
function sample(
  nowMs: number,
  pressure: number,
  over: Partial<OomdSample> = {},
  scanA = 100,
  scanSub = 500,
): OomdSample {
  const t = nowMs / 1000;
  return {
    nowMs,
    someAvg10Pct: [pressure, 0, 0, 0, 0],
    fullAvg10Pct: [pressure, 0, 0, 0, 0],
    usageBytes: [6 * GiB, 4 * GiB, 2 * GiB, 2 * GiB, GiB],
    swapBytes: [0, 0, 0, 0, 0],
    pgscan: [(scanA + scanSub) * t, scanA * t, scanSub * t, scanSub * t, 0],
    populated: [1, 1, 1, 1, 1],
    memTotalBytes: 16 * GiB,
    memAvailableBytes: 8 * GiB,
    swapTotalBytes: 4 * GiB,
    swapUsedBytes: 0,
    ...over,
  };
}

/** Runs 1 s ticks from 1 s to `untilMs`; returns [time, killed cgroup] pairs. */
function run(d: OomDaemon, untilMs: number, make: (nowMs: number) => OomdSample): [number, string][] {
  const out: [number, string][] = [];
  for (let now = 1000; now <= untilMs; now += 1000) for (const k of d.tick(make(now))) out.push([now, k.name]);
  return out;
}

describe('systemd-oomd ManagedOOMMemoryPressure', () => {
  it('candidates are the leaves below the monitored cgroup, or oom.group cgroups whole', () => {
    expect(new OomDaemon(SYSTEMD, TREE).candidates(0)).toEqual([1, 3]);
    const grouped = { ...TREE, oomGroup: Uint8Array.of(0, 0, 1, 0, 0) };
    expect(new OomDaemon(SYSTEMD, grouped).candidates(0)).toEqual([1, 2]);
    expect(new OomDaemon(SYSTEMD, TREE).candidates(4)).toEqual([4]);
  });

  it('kills after full avg10 > 60 % has lasted 30 s, choosing the most reclaim activity', () => {
    const d = new OomDaemon(SYSTEMD, TREE);
    // above from t = 1 s (hit start) → target once now − 1 s ≥ 30 s, i.e. at t = 31 s
    const kills = run(d, 31_000, (t) => sample(t, 70));
    expect(kills).toEqual([[31_000, 'user.slice/app-b/sub']]); // 500 pgscan/s beats 100/s
  });

  it('the victim follows pgscan growth, then usage', () => {
    const d = new OomDaemon(SYSTEMD, TREE);
    const kills = run(d, 31_000, (t) => sample(t, 70, {}, 900, 500));
    expect(kills).toEqual([[31_000, 'user.slice/app-a']]);
    // equal pgscan growth → larger memory usage (app-a, 4 GiB) wins
    const tie = run(new OomDaemon(SYSTEMD, TREE), 31_000, (t) => sample(t, 70, {}, 500, 500));
    expect(tie).toEqual([[31_000, 'user.slice/app-a']]);
  });

  it('the hit clock restarts when pressure is at or below the limit (strictly above counts)', () => {
    const d = new OomDaemon(SYSTEMD, TREE);
    // exactly 60.00 at t = 20 s resets the clock; above again from 21 s → kill at 51 s
    const kills = run(d, 60_000, (t) => sample(t, t === 20_000 ? 60 : 70));
    expect(kills[0]).toEqual([51_000, 'user.slice/app-b/sub']);
  });

  it('waits 15 s after a kill before the next one', () => {
    const d = new OomDaemon(SYSTEMD, TREE);
    const kills = run(d, 47_000, (t) => sample(t, 70));
    expect(kills.map(([t]) => t)).toEqual([31_000, 46_000]);
  });

  it('no reclaim activity in the last 30 s → no kill', () => {
    const d = new OomDaemon(SYSTEMD, TREE);
    const noScan = (t: number) => sample(t, 95, { pgscan: [0, 0, 0, 0, 0] });
    expect(run(d, 120_000, noScan)).toEqual([]);
    // reclaim once at the first poll (cumulative counter from 0), then flat: the gate closes 30 s later
    const flat = new OomDaemon(SYSTEMD, TREE);
    const once = (t: number) => sample(t, 95, { pgscan: [1000, 1000, 0, 0, 0] });
    expect(run(flat, 120_000, once)).toEqual([[31_000, 'user.slice/app-a']]);
  });

  it('skips candidates with no live process', () => {
    const d = new OomDaemon(SYSTEMD, TREE);
    const kills = run(d, 31_000, (t) => sample(t, 70, { populated: [1, 1, 0, 0, 1] }));
    expect(kills).toEqual([[31_000, 'user.slice/app-a']]);
  });

  it('polls every second even with faster ticks', () => {
    const d = new OomDaemon(SYSTEMD, TREE);
    let kills = 0;
    let firstMs = 0;
    for (let now = 100; now <= 40_000; now += 100) {
      const k = d.tick(sample(now, 70));
      if (k.length > 0 && firstMs === 0) firstMs = now;
      kills += k.length;
    }
    // first poll at 0.1 s (hit start), polls every 1 s: 30.1 s is the first poll with 30 s held
    expect(firstMs).toBe(30_100);
    expect(kills).toBe(1);
  });

  it('rejects an unknown monitored cgroup', () => {
    expect(() => new OomDaemon({ ...SYSTEMD, cgroups: ['nope'] }, TREE)).toThrow(RangeError);
  });
});

describe('systemd-oomd ManagedOOMSwap', () => {
  const cfg: OomDaemonConfig = { ...SYSTEMD, swapUsedLimitPct: 90 };
  const swapSample = (t: number, memAvail: number, swapUsed: number) =>
    sample(t, 0, {
      memAvailableBytes: memAvail,
      swapUsedBytes: swapUsed,
      swapBytes: [3.9 * GiB, 0.1 * GiB, 3.8 * GiB, 3.8 * GiB, 0],
    });

  it('kills the candidate with most swap when memory and swap are both > 90 % used', () => {
    const d = new OomDaemon(cfg, TREE);
    const k = d.tick(swapSample(150, 1 * GiB, 3.9 * GiB)); // 93.75 % and 97.5 % used
    expect(k.map((x) => [x.trigger, x.name])).toEqual([['swap', 'user.slice/app-b/sub']]);
    expect(k[0]!.reason).toContain('swap used 97.5%');
  });
  it('does nothing while memory is still available, or swap has room', () => {
    expect(new OomDaemon(cfg, TREE).tick(swapSample(150, 4 * GiB, 3.9 * GiB))).toEqual([]);
    expect(new OomDaemon(cfg, TREE).tick(swapSample(150, 1 * GiB, 3 * GiB))).toEqual([]);
  });
  it('ignores candidates using ≤ 5 % of swap', () => {
    const d = new OomDaemon(cfg, TREE);
    const s = swapSample(150, 1 * GiB, 3.9 * GiB);
    const k = d.tick({ ...s, swapBytes: [0.4 * GiB, 0.2 * GiB, 0.1 * GiB, 0.1 * GiB, 0] });
    expect(k).toEqual([]);
  });
});

describe('oomd-style rule', () => {
  const base: OomDaemonConfig = {
    kind: 'oomd',
    cgroups: ['user.slice'],
    pressureLimitPct: 40,
    pressureKind: 'some',
    durationMs: 10_000,
    swapUsedLimitPct: null,
    victim: 'biggest',
  };
  const someSample = (t: number, usage: number[]) =>
    sample(t, 0, { someAvg10Pct: [50, 0, 0, 0, 0], usageBytes: usage, pgscan: [0, 0, 0, 0, 0] });

  it('biggest: kills the largest candidate, needs no reclaim activity', () => {
    const kills = run(new OomDaemon(base, TREE), 11_000, (t) => someSample(t, [6 * GiB, 1 * GiB, 5 * GiB, 5 * GiB, 0]));
    expect(kills).toEqual([[11_000, 'user.slice/app-b/sub']]);
  });
  it('fastest-growing: kills the candidate growing fastest relative to its average', () => {
    const cfg = { ...base, victim: 'fastest-growing' as const };
    // app-a is large but flat; sub doubles over the run
    const grow = (t: number) => someSample(t, [0, 4 * GiB, 0, GiB * (1 + t / 11_000), 0]);
    expect(run(new OomDaemon(cfg, TREE), 11_000, grow)).toEqual([[11_000, 'user.slice/app-b/sub']]);
    const big = run(new OomDaemon(base, TREE), 11_000, grow);
    expect(big).toEqual([[11_000, 'user.slice/app-a']]);
  });
  it('uses the configured PSI kind', () => {
    // full stays 0 → a `full` rule never fires
    const cfg = { ...base, pressureKind: 'full' as const };
    expect(run(new OomDaemon(cfg, TREE), 30_000, (t) => someSample(t, [6, 1, 5, 5, 0]))).toEqual([]);
  });
});

describe('both systemd-oomd rules in one poll', () => {
  it('a cgroup chosen by the swap rule is not killed twice by the pressure rule', () => {
    const cfg: OomDaemonConfig = { ...SYSTEMD, swapUsedLimitPct: 90, durationMs: 0 };
    const d = new OomDaemon(cfg, TREE);
    const s = sample(1000, 70, {
      memAvailableBytes: GiB,
      swapUsedBytes: 3.9 * GiB,
      swapBytes: [3.9 * GiB, 0, 3.8 * GiB, 3.8 * GiB, 0],
    });
    const kills = d.tick(s);
    expect(kills.map((k) => [k.trigger, k.name])).toEqual([['swap', 'user.slice/app-b/sub']]);
  });
});
