import { describe, expect, it } from 'vitest';
import { RequestQueue } from '../../src/kernel/requests.js';
import type { RequestModel } from '../../src/scenario/types.js';
import { Rng } from '../../src/util/rng.js';

const TICK_MS = 100;

/**
 * Drives a queue alone for `seconds` of simulated time with fixed fault figures, as the host
 * model would with a steady replay: completed requests per second and their mean latency, ms.
 */
function run(
  model: RequestModel,
  threads: number,
  seconds: number,
  faults: { majorPerPage: number; majorCostSec: number; stallPerPageSec: number } = {
    majorPerPage: 0,
    majorCostSec: 0,
    stallPerPageSec: 0,
  },
  cores = 1,
) {
  const ticks = (seconds * 1000) / TICK_MS;
  const q = new RequestQueue(model, threads, cores, new Rng(1), ticks, TICK_MS, seconds, 1000);
  q.majorPerPage = faults.majorPerPage;
  q.majorCostSec = faults.majorCostSec;
  q.stallPerPageSec = faults.stallPerPageSec;
  const endMs = seconds * 1000;
  for (let t = 0; t < ticks; t++) q.advance(t, t * TICK_MS, endMs);
  const lat = q.all.view();
  let sum = 0;
  for (const v of lat) sum += v;
  return { throughputPerSec: lat.length / seconds, meanLatencyMs: sum / lat.length };
}

const closed = (clients: number, thinkTimeMs: number, cpuMs: number, pagesPerRequest = 100): RequestModel => ({
  ratePerSec: clients / ((cpuMs + thinkTimeMs) / 1000),
  cpuMs,
  pagesPerRequest,
  closed: { clients, thinkTimeMs },
});

/** Mean-value analysis of N clients (think time Z) on one FCFS server with exponential service S: exact. */
function mva(n: number, s: number, z: number) {
  let queue = 0;
  let r = 0;
  let x = 0;
  for (let k = 1; k <= n; k++) {
    r = s * (1 + queue);
    x = k / (r + z);
    queue = x * r;
  }
  return { throughput: x, latency: r };
}

/**
 * The finite-source M/G/1//N queue (Takács 1962): N clients with exponential think time Z on
 * one FCFS server whose service time has mean S and Laplace–Stieltjes transform `lst`:
 * P(server idle) = 1 / (1 + N·S/Z · Σ_{j<N} C(N−1, j) Π_{i≤j} (1 − β(i/Z)) / β(i/Z)),
 * throughput X = (1 − P0) / S, latency R = N/X − Z. Exact for any service distribution
 * (MVA's recurrence is the exponential case only).
 */
function finiteSource(n: number, s: number, z: number, lst: (x: number) => number) {
  let sum = 0;
  let choose = 1;
  let product = 1;
  for (let j = 0; j < n; j++) {
    if (j > 0) {
      choose = (choose * (n - j)) / j;
      const b = lst(j / z);
      product *= (1 - b) / b;
    }
    sum += choose * product;
  }
  const idle = 1 / (1 + ((n * s) / z) * sum);
  const throughput = (1 - idle) / s;
  return { throughput, latency: n / throughput - z };
}

describe('closed-loop requests', () => {
  it('the finite-source formula is MVA when service is exponential (a check of the reference itself)', () => {
    for (const [n, s, z] of [
      [4, 1, 3],
      [8, 1, 5],
      [2, 1, 1],
    ] as const) {
      const exact = finiteSource(n, s, z, (x) => 1 / (1 + x * s));
      const m = mva(n, s, z);
      expect(exact.throughput).toBeCloseTo(m.throughput, 12);
      expect(exact.latency).toBeCloseTo(m.latency, 12);
    }
  });

  it('one client, fixed CPU plus fault stalls: throughput 1/(S+Z), latency S', () => {
    // S = 4 ms of CPU + 100 pages × (0.02 majors × 2 ms + 10 µs of reclaim stall) = 9 ms.
    const faults = { majorPerPage: 0.02, majorCostSec: 0.002, stallPerPageSec: 10e-6 };
    const s = 4 + 100 * (0.02 * 2 + 0.01);
    expect(s).toBeCloseTo(9, 12);
    const { throughputPerSec, meanLatencyMs } = run(closed(1, 11, 4), 1, 4000, faults);
    expect(meanLatencyMs / s).toBeGreaterThan(0.99);
    expect(meanLatencyMs / s).toBeLessThan(1.01);
    expect(throughputPerSec / (1000 / (s + 11))).toBeGreaterThan(0.99);
    expect(throughputPerSec / (1000 / (s + 11))).toBeLessThan(1.01);
    // Without faults the same client completes more: latency 4 ms, 1000/15 per second.
    const free = run(closed(1, 11, 4), 1, 4000);
    expect(free.meanLatencyMs).toBeCloseTo(4, 9);
    expect(free.throughputPerSec / (1000 / 15)).toBeGreaterThan(0.99);
    expect(free.throughputPerSec / (1000 / 15)).toBeLessThan(1.01);
  });

  it('N clients on one thread follow the exact finite-source queue, and its latency rises with faults', () => {
    for (const [n, z] of [
      [4, 12],
      [8, 20],
    ] as const) {
      // Fixed 4 ms of CPU: β(x) = e^{−4x}.
      const free = finiteSource(n, 4, z, (x) => Math.exp(-4 * x));
      const got = run(closed(n, z, 4), 1, 4000);
      expect(got.throughputPerSec / (free.throughput * 1000)).toBeCloseTo(1, 1.7);
      expect(got.meanLatencyMs / free.latency).toBeCloseTo(1, 1.7);
      // Faults: 4 ms + 2 ms × Poisson(100 × 0.02 = 2 majors) a request, mean 8 ms:
      // β(x) = e^{−4x} · exp(2 (e^{−2x} − 1)).
      const faults = { majorPerPage: 0.02, majorCostSec: 0.002, stallPerPageSec: 0 };
      const slow = finiteSource(n, 8, z, (x) => Math.exp(-4 * x) * Math.exp(2 * (Math.exp(-2 * x) - 1)));
      const gotSlow = run(closed(n, z, 4), 1, 4000, faults);
      expect(gotSlow.throughputPerSec / (slow.throughput * 1000)).toBeCloseTo(1, 1.7);
      expect(gotSlow.meanLatencyMs / slow.latency).toBeCloseTo(1, 1.7);
      expect(slow.latency).toBeGreaterThan(2 * free.latency);
    }
  });

  it('N clients with a thread and a core each never queue: latency S, throughput N/(S+Z)', () => {
    const got = run(closed(6, 20, 5), 6, 2000, undefined, 6);
    expect(got.meanLatencyMs).toBeCloseTo(5, 9);
    expect(got.throughputPerSec / (6000 / 25)).toBeGreaterThan(0.99);
    expect(got.throughputPerSec / (6000 / 25)).toBeLessThan(1.01);
  });

  it('without think time the server never idles: throughput 1/S and latency N·S', () => {
    const got = run(closed(5, 0, 4), 1, 200);
    expect(got.throughputPerSec).toBeCloseTo(250, 0);
    expect(got.meanLatencyMs).toBeCloseTo(20, 1);
  });
});
