import { describe, expect, it } from 'vitest';
import { percentileSorted } from '../../src/kernel/latency.js';
import { RequestQueue } from '../../src/kernel/requests.js';
import { emptyStats } from '../../src/kernel/state.js';
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
  faults: Faults = {
    majorPerPage: 0,
    majorCostSec: 0,
    reclaimsPerPage: 0,
    reclaimLumpSec: 0,
  },
  cores = 1,
) {
  const ticks = (seconds * 1000) / TICK_MS;
  const q = new RequestQueue(model, threads, cores, new Rng(1), ticks, TICK_MS, seconds, 1000);
  q.majorPerPage = faults.majorPerPage;
  q.majorCostSec = faults.majorCostSec;
  q.reclaimsPerPage = faults.reclaimsPerPage;
  q.reclaimLumpSec = faults.reclaimLumpSec;
  const endMs = seconds * 1000;
  for (let t = 0; t < ticks; t++) q.advance(t, t * TICK_MS, endMs);
  const lat = q.all.view();
  let sum = 0;
  for (const v of lat) sum += v;
  const sorted = lat.slice().sort();
  return {
    throughputPerSec: lat.length / seconds,
    meanLatencyMs: sum / lat.length,
    p50Ms: percentileSorted(sorted, 0.5),
    p99Ms: percentileSorted(sorted, 0.99),
  };
}

interface Faults {
  majorPerPage: number;
  majorCostSec: number;
  reclaimsPerPage: number;
  reclaimLumpSec: number;
}

const closed = (clients: number, thinkTimeMs: number, cpuMs: number, pagesPerRequest = 100): RequestModel => ({
  ratePerSec: clients / ((cpuMs + thinkTimeMs) / 1000),
  cpuMs,
  pagesPerRequest,
  closed: { clients, thinkTimeMs },
  wake: 'event',
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
    // S = 4 ms of CPU + 100 pages × (0.02 majors × 2 ms + 0.01 reclaims × 1 ms) = 9 ms.
    const faults = { majorPerPage: 0.02, majorCostSec: 0.002, reclaimsPerPage: 0.01, reclaimLumpSec: 0.001 };
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
      const faults = { majorPerPage: 0.02, majorCostSec: 0.002, reclaimsPerPage: 0, reclaimLumpSec: 0 };
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

  it('a thread woken onto an idle CPU pays the idle wakeup once, on requests that wait for a read', () => {
    // One client thinking 11 ms between requests of 4 ms CPU and 100 pages at 0.02 majors a page
    // (Poisson, mean 2) of 2 ms each: the thread sleeps before every request. With a 1 ms idle
    // wakeup the mean is 4 + 2 × 2 + P(≥ 1 major) × 1 = 8 + (1 − e^−2) ms; with every CPU busy
    // (woken onto a run queue, no CPU left idle) or no read, none is paid.
    const latency = (idleWakeReadSec: number, busy: number, majorPerPage: number) => {
      const q = new RequestQueue(closed(1, 11, 4), 1, 1, new Rng(1), 40_000, TICK_MS, 4000, 1000);
      q.majorPerPage = majorPerPage;
      q.majorCostSec = 0.002;
      q.idleWakeReadSec = idleWakeReadSec;
      q.wakeupBusyProb = busy;
      for (let t = 0; t < 40_000; t++) q.advance(t, t * TICK_MS, 4_000_000);
      const lat = q.all.view();
      let sum = 0;
      for (const v of lat) sum += v;
      return sum / lat.length;
    };
    const expected = 8 + (1 - Math.exp(-2));
    expect(latency(0.001, 0, 0.02) / expected).toBeGreaterThan(0.99);
    expect(latency(0.001, 0, 0.02) / expected).toBeLessThan(1.01);
    expect(latency(0.001, 0, 0.02) - latency(0, 0, 0.02)).toBeCloseTo(1 - Math.exp(-2), 1);
    // sliceMs 0: a busy wakeup costs no run-queue wait here, so only the idle wakeup differs.
    expect(latency(0.001, 1, 0.02)).toBeCloseTo(latency(0, 1, 0.02), 9);
    expect(latency(0.001, 0, 0)).toBeCloseTo(4, 9);
  });

  it('without think time the server never idles: throughput 1/S and latency N·S', () => {
    const got = run(closed(5, 0, 4), 1, 200);
    expect(got.throughputPerSec).toBeCloseTo(250, 0);
    expect(got.meanLatencyMs).toBeCloseTo(20, 1);
  });
});

describe('reclaim lumps and the replay figures', () => {
  const open = (ratePerSec: number, cpuMs: number, pagesPerRequest: number): RequestModel => ({
    ratePerSec,
    cpuMs,
    pagesPerRequest,
    closed: null,
    wake: 'event',
  });

  it('a reclaim is a lump on the request that meets it: in p99, not in p50', () => {
    // 32 pages a request, one reclaim per 1 600 pages: 2 % of requests meet one (Poisson,
    // P(≥ 1) = 1 − e^−0.02 = 1.98 %) and wait 20 ms for it; 50 requests/s of 1 ms CPU keep
    // the queue short (utilisation 6 %). Mean stall per request 0.4 ms.
    const faults = { majorPerPage: 0, majorCostSec: 0, reclaimsPerPage: 1 / 1600, reclaimLumpSec: 0.02 };
    const got = run(open(50, 1, 32), 1, 400, faults);
    expect(got.p50Ms).toBeLessThan(1.1);
    expect(got.p99Ms).toBeGreaterThanOrEqual(21);
    expect(got.meanLatencyMs).toBeGreaterThan(1.3);
    // The same mean stall spread evenly over every page would put no request near 21 ms.
    const flat = run(open(50, 1, 32), 1, 400, { ...faults, reclaimsPerPage: 1 / 32, reclaimLumpSec: 0.0004 });
    expect(flat.p99Ms).toBeLessThan(8);
  });

  it('the figures follow the replay within about one request’s worth of pages', () => {
    const q = new RequestQueue(open(100, 1, 32), 1, 1, new Rng(1), 10, 10, 1, 100);
    const st = emptyStats();
    // A tick of 320 touches (ten requests' worth), 96 major faults with 8 ms of waits, 5 reclaims of 2 ms.
    st.touches = 320;
    st.major = 96;
    st.ioWaitSec = 0.008;
    st.reclaimCalls = 5;
    st.reclaimStallSec = 0.01;
    q.observe(st, 1, 0, 0);
    const w = 1 - Math.exp(-10);
    expect(q.majorPerPage).toBeCloseTo(0.3 * w, 9);
    expect(q.majorCostSec).toBeCloseTo((0.008 / 96) * w, 9);
    expect(q.reclaimsPerPage).toBeCloseTo((5 / 320) * w, 9);
    expect(q.reclaimLumpSec).toBeCloseTo(0.002 * w, 9);
    // A tick of 32 touches (one request's worth) without faults moves the estimate by 1 − 1/e.
    const quiet = emptyStats();
    quiet.touches = 32;
    q.observe(quiet, 1, 0, 0);
    expect(q.majorPerPage).toBeCloseTo(0.3 * w * Math.exp(-1), 9);
    // The lump size is kept while no reclaim happens: the next one costs what the last did.
    expect(q.reclaimLumpSec).toBeCloseTo(0.002 * w, 9);
    // Sampled at 1/128: 10 sampled touches stand for 1 280 pages but weigh as 10 observations.
    const sampled = new RequestQueue(open(100, 1, 32), 1, 1, new Rng(1), 10, 10, 1, 100);
    const few = emptyStats();
    few.touches = 10;
    few.major = 5;
    sampled.observe(few, 128, 0, 0);
    expect(sampled.majorPerPage).toBeCloseTo(0.5 * (1 - Math.exp(-10 / 32)), 9);
  });
});

describe('wake: timer (a process that sleeps until each request is due)', () => {
  // One thread, 1 ms of CPU, 300 requests/s (utilisation 30 %), no faults: the same seed gives
  // the same arrivals in both modes, as serving draws nothing else.
  const model = (wake: 'event' | 'timer'): RequestModel => ({
    ratePerSec: 300,
    cpuMs: 1,
    pagesPerRequest: 8,
    closed: null,
    wake,
  });
  const latencies = (wake: 'event' | 'timer', slackMs: number) => {
    const q = new RequestQueue(model(wake), 1, 1, new Rng(7), 200, 10, 2, 1000);
    q.timerSlackMs = slackMs;
    for (let t = 0; t < 200; t++) q.advance(t, t * 10, 2000);
    return Array.from(q.all.view());
  };

  it('without slack it is the event model, request for request', () => {
    expect(latencies('timer', 0)).toEqual(latencies('event', 0));
  });

  it('a request it woke for counts from the wake; one queued behind a late wake waits up to the slack longer', () => {
    const slack = 0.25;
    const ev = latencies('event', slack);
    const tm = latencies('timer', slack);
    const n = Math.min(ev.length, tm.length);
    expect(n).toBeGreaterThan(500);
    let later = 0;
    for (let i = 0; i < n; i++) {
      // Each busy period starts with one late wake, so no completion moves by more than the slack,
      // and none moves earlier; a request the thread woke for takes its CPU time exactly.
      const d = tm[i]! - ev[i]!;
      expect(d).toBeGreaterThanOrEqual(-1e-9);
      expect(d).toBeLessThanOrEqual(slack + 1e-9);
      expect(tm[i]!).toBeGreaterThanOrEqual(1 - 1e-9);
      if (d > 1e-9) later++;
    }
    // At 30 % utilisation about a third of the requests queue, and those behind a wake wait longer.
    expect(later).toBeGreaterThan(n * 0.1);
    expect(percentileSorted(Float64Array.from(tm).sort(), 0.5)).toBeCloseTo(1, 9);
  });
});
