import { describe, expect, it } from 'vitest';
import {
  calcLoad,
  calcLoadN,
  EXP_10S,
  EXP_60S,
  EXP_300S,
  FIXED_1,
  fixedPowerInt,
  fixedToPct,
  MemoryPsi,
  psiPeriodUs,
  type TaskTickSec,
  taskTimesUs,
} from '../../../src/kernel/mechanisms/psi.js';
import { Rng } from '../../../src/util/rng.js';

const SEC = 1e6;

/** One group (the host), `cpus` CPUs, a 2 s period to keep the hand arithmetic simple. */
function hostPsi(cpus = 1): MemoryPsi {
  return new MemoryPsi([-1], { cpus, periodUs: 2 * SEC });
}

/** Feeds `ticks` ticks of `tickUs` where one task in group 0 is non-idle all the tick and stalled `share` of it. */
function feed(psi: MemoryPsi, ticks: number, tickUs: number, share: number, nonIdle = 1): void {
  const group = Int32Array.of(0);
  const stalled = Float64Array.of(share * tickUs);
  const busy = Float64Array.of(nonIdle * tickUs);
  for (let i = 0; i < ticks; i++) psi.tick(tickUs, group, stalled, busy);
}

describe('fixed-point EMA (loadavg.h / loadavg.c)', () => {
  it('calc_load rounds up while rising and truncates while falling', () => {
    // (0·1677 + 102 400·371 + 2047) / 2048 = 37 992 447 / 2048 = 18 550.99 → 18 550
    expect(calcLoad(0, EXP_10S, 50 * FIXED_1)).toBe(18550);
    // 18 550·1677 / 2048 = 15 189.6 → 15 189 (active 0 < load: no round-up)
    expect(calcLoad(18550, EXP_10S, 0)).toBe(15189);
  });
  it('fixed_power_int and calc_load_n', () => {
    // 1677²: (2 812 329 + 1024) >> 11 = 1373; result = (2048·1373 + 1024) >> 11 = 1373.
    expect(fixedPowerInt(EXP_10S, 2)).toBe(1373);
    expect(fixedPowerInt(EXP_10S, 0)).toBe(FIXED_1);
    expect(fixedPowerInt(EXP_10S, 1)).toBe(EXP_10S);
    // 18 550·1373 / 2048 = 12 436.1 → 12 436
    expect(calcLoadN(18550, EXP_10S, 0, 2)).toBe(12436);
  });
  it('display is LOAD_INT.LOAD_FRAC, truncated', () => {
    // 18 550 = 9·2048 + 118; 118·100 >> 11 = 5 → 9.05
    expect(fixedToPct(18550)).toBe(9.05);
    expect(fixedToPct(100 * FIXED_1)).toBe(100);
    expect(fixedToPct(0)).toBe(0);
  });
  it('PSI_FREQ = 2·HZ + 1 jiffies', () => {
    expect(psiPeriodUs(1000)).toBe(2_001_000);
    expect(psiPeriodUs(250)).toBe(2_004_000);
  });
});

describe('MemoryPsi averages', () => {
  it('first and second 2 s periods at 50 % stall (hand-computed)', () => {
    const psi = hostPsi();
    feed(psi, 20, 100_000, 0.5);
    // sample 1 s of 2 s → pct = 50 → active = 50·2048 = 102 400
    // avg10 = 18 550 (above); avg60 = (102 400·67 + 2047)/2048 = 3350; avg300 = (102 400·14 + 2047)/2048 = 700
    expect(psi.avgFixed(0, 'some', 10)).toBe(18550);
    expect(psi.avgFixed(0, 'some', 60)).toBe(3350);
    expect(psi.avgFixed(0, 'some', 300)).toBe(700);
    expect(psi.line(0, 'some')).toEqual({ avg10Pct: 9.05, avg60Pct: 1.63, avg300Pct: 0.34, totalUs: 1_000_000 });
    // One task alone on its CPU: whenever it stalls nothing is productive, so FULL = SOME.
    expect(psi.line(0, 'full')).toEqual(psi.line(0, 'some'));
    feed(psi, 20, 100_000, 0.5);
    // (18 550·1677 + 102 400·371 + 2047)/2048 = 69 100 797/2048 = 33 740.6 → 33 740 = 16.47 %
    expect(psi.avgFixed(0, 'some', 10)).toBe(33740);
    expect(psi.line(0, 'some').avg10Pct).toBe(16.47);
    // avg60: (3350·1981 + 102 400·67 + 2047)/2048 = 13 499 197/2048 → 6591 = 3 + (447·100 >> 11)/100 = 3.21
    // avg300: (700·2034 + 102 400·14 + 2047)/2048 = 2 859 447/2048 → 1396 = 0.68
    expect(psi.format(0)).toBe(
      'some avg10=16.47 avg60=3.21 avg300=0.68 total=2000000\nfull avg10=16.47 avg60=3.21 avg300=0.68 total=2000000',
    );
  });

  it('averages move only at period boundaries', () => {
    const psi = hostPsi();
    feed(psi, 19, 100_000, 1);
    expect(psi.avgFixed(0, 'some', 10)).toBe(0);
    expect(psi.line(0, 'some').totalUs).toBe(1_900_000);
    feed(psi, 1, 100_000, 1);
    expect(psi.avgFixed(0, 'some', 10)).toBeGreaterThan(0);
  });

  it('a constant 50 % stall converges to 50', () => {
    const psi = hostPsi();
    feed(psi, 600, SEC, 0.5); // 10 min
    const some = psi.line(0, 'some');
    expect(some.avg10Pct).toBeGreaterThanOrEqual(49.9);
    expect(some.avg10Pct).toBeLessThanOrEqual(50);
    expect(some.avg60Pct).toBeGreaterThanOrEqual(49.9);
    // 300 s window after 600 s: 50·(1 − (2034/2048)^300) ≈ 43.5
    expect(some.avg300Pct).toBeGreaterThan(42);
    expect(some.avg300Pct).toBeLessThan(45);
    expect(some.totalUs).toBe(300 * SEC);
  });

  it('idle time decays the averages, folding missed periods with calc_load_n', () => {
    const psi = hostPsi();
    feed(psi, 1, 2 * SEC, 0.5); // avg10 = 18 550 at t = 2 s
    feed(psi, 1, 6 * SEC, 0, 0); // idle until t = 8 s
    // expires = 4 s; (8 − 4)/2 = 2 missed periods; period = 8 − (2 + 2·2) = 2 s; sample 0.
    // calc_load_n(18 550, 1677, 0, 2) = 12 436; calc_load(12 436, 1677, 0) = 20 855 172/2048 → 10 183
    expect(psi.avgFixed(0, 'some', 10)).toBe(10183);
    expect(psi.line(0, 'some').avg10Pct).toBe(4.97);
    feed(psi, 300, SEC, 0, 0);
    expect(psi.avgFixed(0, 'some', 10)).toBe(0);
    expect(psi.avgFixed(0, 'some', 300)).toBeLessThan(700);
    expect(psi.line(0, 'some').totalUs).toBe(1_000_000);
  });

  it('a sample longer than the period is clamped and the excess carried over', () => {
    const psi = hostPsi();
    feed(psi, 1, 6 * SEC, 1); // 6 s fully stalled in one tick
    // missed = 2, period = 2 s, sample = 6 s → 2 s → 100 %: calc_load(0, 1677, 204 800) = 37 100
    expect(psi.avgFixed(0, 'some', 10)).toBe(37100);
    feed(psi, 1, 2 * SEC, 0, 0); // idle, but 4 s of stall are still owed to the averages
    // (37 100·1677 + 204 800·371 + 2047)/2048 = 138 199 547/2048 → 67 480
    expect(psi.avgFixed(0, 'some', 10)).toBe(67480);
    expect(psi.line(0, 'some').totalUs).toBe(6_000_000);
  });

  it('with the default period (HZ 1000) the update runs at the first tick after 2.001 s', () => {
    const psi = new MemoryPsi([-1], { cpus: 1 });
    feed(psi, 20, 100_000, 1);
    expect(psi.avgFixed(0, 'some', 10)).toBe(0); // 2.000 s < 2.001 s
    feed(psi, 1, 100_000, 1);
    // period = 2.1 s, sample 2.1 s → 100 %
    expect(psi.avgFixed(0, 'some', 10)).toBe(37100);
  });
});

describe('MemoryPsi multi-CPU aggregation and groups', () => {
  const tick = 100_000;
  it('4 CPUs, 4 busy tasks, one stalled: SOME = FULL = 25 %', () => {
    const psi = hostPsi(4);
    psi.tick(tick, new Int32Array(4), Float64Array.of(tick, 0, 0, 0), new Float64Array(4).fill(tick));
    // CPU 0: SOME and FULL all tick; CPUs 1–3: none; all non-idle → (1 + 0 + 0 + 0)/4
    expect(psi.lastSomeUs[0]).toBeCloseTo(tick / 4, 6);
    expect(psi.lastFullUs[0]).toBeCloseTo(tick / 4, 6);
  });
  it('8 busy tasks on 4 CPUs, one stalled: SOME 25 %, FULL 0 (a productive task shares its CPU)', () => {
    // threads = min(8, 4) = 4; SOME = min(1/4, 1); FULL = (4 − min(7, 4))/4 = 0
    const psi = hostPsi(4);
    const stalled = new Float64Array(8);
    stalled[5] = tick;
    psi.tick(tick, new Int32Array(8), stalled, new Float64Array(8).fill(tick));
    expect(psi.lastSomeUs[0]).toBeCloseTo(tick / 4, 6);
    expect(psi.lastFullUs[0]).toBe(0);
  });
  it('one CPU: a stalled task and a task productive half the tick → FULL half the tick', () => {
    const psi = hostPsi(1);
    psi.tick(tick, new Int32Array(2), Float64Array.of(tick, 0), Float64Array.of(tick, tick / 2));
    expect(psi.lastSomeUs[0]).toBeCloseTo(tick, 6);
    expect(psi.lastFullUs[0]).toBeCloseTo(tick / 2, 6);
  });
  it('a task in non-memory IO wait is non-idle but not productive: it does not prevent FULL', () => {
    // one CPU; A memstalled all tick; B non-idle all tick. B running → FULL 0; B in iowait → FULL all tick
    const running = hostPsi(1);
    running.tick(tick, new Int32Array(2), Float64Array.of(tick, 0), Float64Array.of(tick, tick));
    expect(running.lastFullUs[0]).toBe(0);
    const iowait = hostPsi(1);
    iowait.tick(
      tick,
      new Int32Array(2),
      Float64Array.of(tick, 0),
      Float64Array.of(tick, tick),
      2,
      Float64Array.of(0, tick),
    );
    expect(iowait.lastSomeUs[0]).toBeCloseTo(tick, 6);
    expect(iowait.lastFullUs[0]).toBeCloseTo(tick, 6);
  });
  it('idle CPUs do not dilute pressure (weights are non-idle time)', () => {
    const psi = hostPsi(64);
    psi.tick(tick, Int32Array.of(0), Float64Array.of(tick / 2), Float64Array.of(tick));
    expect(psi.lastSomeUs[0]).toBeCloseTo(tick / 2, 6);
  });
  it('a task counts in its group and every ancestor, not in siblings', () => {
    // 0 = host; 1 and 2 under the host; 3 under 1. Task A (group 3) stalled; task B (group 2) productive.
    const psi = new MemoryPsi([-1, 0, 0, 1], { cpus: 2, periodUs: 2 * SEC });
    psi.tick(tick, Int32Array.of(3, 2), Float64Array.of(tick, 0), Float64Array.of(tick, tick));
    expect(psi.lastSomeUs[3]).toBeCloseTo(tick, 6);
    expect(psi.lastSomeUs[1]).toBeCloseTo(tick, 6);
    expect(psi.lastSomeUs[2]).toBe(0);
    // host: CPU 0 stalled, CPU 1 productive, both non-idle → 50 %
    expect(psi.lastSomeUs[0]).toBeCloseTo(tick / 2, 6);
    expect(psi.lastFullUs[0]).toBeCloseTo(tick / 2, 6);
  });
  it('rejects a malformed hierarchy', () => {
    expect(() => new MemoryPsi([0], { cpus: 1 })).toThrow(RangeError);
    expect(() => new MemoryPsi([-1, 2, 0], { cpus: 1 })).toThrow(RangeError);
    expect(() => new MemoryPsi([-1], { cpus: 0 })).toThrow(RangeError);
  });
  it('full ≤ some ≤ tick, for random loads, per tick and in the averages', () => {
    const rng = new Rng(42);
    const psi = new MemoryPsi([-1, 0, 0, 1], { cpus: 3, periodUs: 2 * SEC });
    const n = 9;
    const groups = new Int32Array(n);
    const stalled = new Float64Array(n);
    const busy = new Float64Array(n);
    for (let t = 0; t < 400; t++) {
      for (let i = 0; i < n; i++) {
        groups[i] = rng.nextInt(4);
        busy[i] = rng.nextFloat() * tick;
        stalled[i] = rng.nextFloat() * busy[i]!;
      }
      psi.tick(tick, groups, stalled, busy);
      for (let g = 0; g < 4; g++) {
        expect(psi.lastFullUs[g]).toBeLessThanOrEqual(psi.lastSomeUs[g]!);
        expect(psi.lastSomeUs[g]).toBeLessThanOrEqual(tick);
        for (const w of [10, 60, 300] as const) {
          expect(psi.avgFixed(g, 'full', w)).toBeLessThanOrEqual(psi.avgFixed(g, 'some', w));
        }
      }
    }
    expect(psi.avgFixed(0, 'some', 10)).toBeGreaterThan(0);
    expect(EXP_60S).toBe(1981);
    expect(EXP_300S).toBe(2034);
  });
});

describe('a process tick as PSI tasks (taskTimesUs)', () => {
  const tick = 10_000;
  const zero: TaskTickSec = {
    cpuUserSec: 0,
    cpuFaultSec: 0,
    cpuReclaimSec: 0,
    stallSec: 0,
    ioWaitSec: 0,
    memstallIoSec: 0,
  };
  const out = () => ({ stalledUs: 0, nonIdleUs: 0, ioWaitUs: 0 });

  it('reclaim CPU is a memory stall, not productive work (NR_MEMSTALL_RUNNING)', () => {
    // 2 ms of own work, 3 ms of reclaim CPU, 1 ms of plain read, 1 ms of working-set read.
    const t = {
      ...zero,
      cpuUserSec: 0.002,
      cpuReclaimSec: 0.003,
      stallSec: 0.002,
      ioWaitSec: 0.002,
      memstallIoSec: 0.001,
    };
    const r = taskTimesUs(t, 1, tick, out());
    expect(r.nonIdleUs).toBeCloseTo(7000, 6);
    expect(r.ioWaitUs).toBeCloseTo(1000, 6);
    expect(r.stalledUs).toBeCloseTo(4000, 6);
    // Alone on a CPU with a task that only runs: the reclaimer's CPU time is FULL while the other sleeps.
    const psi = new MemoryPsi([-1], { cpus: 1, periodUs: 2 * SEC });
    const reclaimer = taskTimesUs({ ...zero, cpuReclaimSec: 0.004, stallSec: 0.004 }, 1, tick, out());
    psi.tick(tick, Int32Array.of(0), Float64Array.of(reclaimer.stalledUs), Float64Array.of(reclaimer.nonIdleUs));
    expect(psi.lastSomeUs[0]).toBeCloseTo(psi.lastFullUs[0]!, 6);
    expect(psi.lastFullUs[0]).toBeGreaterThan(0);
  });

  it('splits a process over its threads and never exceeds the tick', () => {
    const t = { ...zero, cpuUserSec: 0.03, stallSec: 0.05, ioWaitSec: 0.05 };
    const r = taskTimesUs(t, 4, tick, out());
    expect(r.nonIdleUs).toBe(tick);
    expect(r.stalledUs + r.ioWaitUs).toBeLessThanOrEqual(r.nonIdleUs);
    expect(r.stalledUs).toBe(0);
    const rng = new Rng(7);
    for (let i = 0; i < 500; i++) {
      const x = {
        cpuUserSec: rng.nextFloat() * 0.01,
        cpuFaultSec: rng.nextFloat() * 0.01,
        cpuReclaimSec: rng.nextFloat() * 0.01,
        stallSec: 0,
        ioWaitSec: rng.nextFloat() * 0.01,
        memstallIoSec: 0,
      };
      x.memstallIoSec = x.ioWaitSec * rng.nextFloat();
      x.stallSec = x.ioWaitSec + x.cpuReclaimSec;
      const y = taskTimesUs(x, 1 + (i % 3), tick, out());
      expect(y.stalledUs).toBeGreaterThanOrEqual(0);
      expect(y.ioWaitUs).toBeGreaterThanOrEqual(0);
      expect(y.stalledUs + y.ioWaitUs).toBeLessThanOrEqual(y.nonIdleUs + 1e-9);
      expect(y.nonIdleUs).toBeLessThanOrEqual(tick);
    }
  });
});
