import { describe, expect, it } from 'vitest';
import {
  calculateHighDelayJiffies,
  calculateOverage,
  findMaxOverage,
  overHighPenalty,
} from '../../../src/kernel/mechanisms/memcg-high.js';

const MiB = 256; // pages of 4 KiB
const HIGH = 100 * MiB; // 25 600 pages

/** One top-level cgroup with memory.high = 100 MiB at `usageMiB`, a batch-sized (64-page) charge. */
function single(usagePages: number, nrPages = 64, hz?: number) {
  return overHighPenalty(
    { cgroup: 0, parent: [-1], usagePages: [usagePages], highPages: [HIGH], nrPages },
    hz === undefined ? {} : { hz },
  );
}

describe('calculate_overage', () => {
  it('is (usage − high)·2^20/high, floored; 0 at or below high', () => {
    // 105 MiB: 1280·1 048 576/25 600 = 52 428.8 → 52 428
    expect(calculateOverage(105 * MiB, HIGH)).toBe(52_428);
    expect(calculateOverage(HIGH, HIGH)).toBe(0);
    expect(calculateOverage(10, Number.POSITIVE_INFINITY)).toBe(0);
    // high 0 acts as 1 page: (10 − 1)·2^20
    expect(calculateOverage(10, 0)).toBe(9 * 2 ** 20);
  });
});

describe('calculate_high_delay: the kernel comment table (high = 100 MiB, HZ 1000, 64-page charges)', () => {
  it('101 MiB → 6 jiffies, under the 10 ms cut: no sleep', () => {
    // overage = 256·2^20/25 600 = 10 485; 10 485²·1000 >> 34 = 109 935 225 000/2^34 = 6.4 → 6
    const p = single(101 * MiB);
    expect(p.penaltyJiffies).toBe(6);
    expect(p.sleepMs).toBe(0);
  });
  it('105 MiB → 159 ms, 110 MiB → 639 ms, 115 MiB → 1439 ms', () => {
    // 52 428²·1000/2^34 = 159.99 → 159; 104 857²·1000/2^34 = 639.97 → 639; 157 286²·1000/2^34 = 1439.98 → 1439
    expect(single(105 * MiB).sleepMs).toBe(159);
    expect(single(110 * MiB).sleepMs).toBe(639);
    expect(single(115 * MiB).sleepMs).toBe(1439);
  });
  it('≥ 118 MiB is capped at 2 s', () => {
    // 188 743²·1000/2^34 = 2073.6 → capped at 2·HZ = 2000
    const p = single(118 * MiB);
    expect(p.sleepMs).toBe(2000);
    expect(p.capped).toBe(true);
    expect(single(1000 * MiB).sleepMs).toBe(2000);
  });
  it('scales with the task own charge: nr_pages / 64', () => {
    expect(calculateHighDelayJiffies(32, 104_857)).toBe(319); // 639·32/64 = 319.5
    expect(calculateHighDelayJiffies(128, 104_857)).toBe(1278);
    expect(single(110 * MiB, 512).sleepMs).toBe(2000); // THP charge: 8× → capped
    expect(calculateHighDelayJiffies(64, 0)).toBe(0);
  });
  it('in jiffies of the configured HZ', () => {
    // HZ 250: 104 857²·250/2^34 = 159.99 → 159 jiffies = 636 ms
    const p = single(110 * MiB, 64, 250);
    expect(p.penaltyJiffies).toBe(159);
    expect(p.sleepMs).toBe(636);
    // HZ 250: the cut is HZ/100 = 2 jiffies (8 ms). 101 MiB: 10 485²·250/2^34 = 1.6 → 1 → no sleep
    expect(single(101 * MiB, 64, 250).sleepMs).toBe(0);
  });
  it('grows monotonically with usage until the cap', () => {
    let prev = 0;
    for (let u = HIGH; u <= 130 * MiB; u += 64) {
      const p = single(u);
      expect(p.penaltyJiffies).toBeGreaterThanOrEqual(prev);
      expect(p.sleepMs).toBeLessThanOrEqual(2000);
      prev = p.penaltyJiffies;
    }
  });
});

describe('hierarchy and swap.high', () => {
  // 0 parent (high 100 MiB), 1 child (high unlimited), 2 grandchild (high 200 MiB)
  const parent = Int32Array.of(-1, 0, 1);
  it('the worst ancestor overage counts', () => {
    const usage = [110 * MiB, 110 * MiB, 110 * MiB];
    const high = [HIGH, Number.POSITIVE_INFINITY, 200 * MiB];
    expect(findMaxOverage(2, parent, usage, high)).toBe(104_857);
    const p = overHighPenalty({ cgroup: 2, parent, usagePages: usage, highPages: high, nrPages: 64 });
    expect(p.sleepMs).toBe(639);
    // the sibling-free top-level cgroup alone under its own high: nothing
    expect(findMaxOverage(0, parent, [50 * MiB], [HIGH])).toBe(0);
  });
  it('swap.high overage adds its own penalty', () => {
    // memory at 105 MiB (159 jiffies) + swap 105 of 100 MiB swap.high (159 jiffies) = 318 ms
    const p = overHighPenalty({
      cgroup: 0,
      parent: [-1],
      usagePages: [105 * MiB],
      highPages: [HIGH],
      swapUsagePages: [105 * MiB],
      swapHighPages: [HIGH],
      nrPages: 64,
    });
    expect(p.sleepMs).toBe(318);
  });
  it('the cap is a parameter', () => {
    const p = overHighPenalty(
      { cgroup: 0, parent: [-1], usagePages: [200 * MiB], highPages: [HIGH], nrPages: 64 },
      { maxDelayMs: 500 },
    );
    expect(p.sleepMs).toBe(500);
  });
});
