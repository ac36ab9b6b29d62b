import type { RequestModel } from '../scenario/types.js';
import type { Rng } from '../util/rng.js';
import { F64Buf } from './latency.js';
import type { ProcStats } from './state.js';

/**
 * The request model of one process: requests served FIFO by the process's threads, arriving
 * either open loop (seeded Poisson arrivals, an M/G/N queue) or closed loop (N clients that
 * each send a request, wait for its reply, think for an exponential time and send the next:
 * a finite-source queue, whose throughput falls as requests slow down instead of a queue
 * growing). A request's service time is set when a thread takes it, from
 * the page-level replay's current figures for this process (§11 "fraction of time
 * faulting"): its CPU (stretched when more threads run than the process has cores) + its
 * major faults (drawn for its pages at the replay's fault rate) × the device response time
 * + the reclaims it runs into (drawn for its pages at the replay's rate of reclaim
 * invocations) × the stall of one. The pages it touches are then fed to the replay spread
 * over its service interval, which closes the loop.
 */
export class RequestQueue {
  readonly model: RequestModel;
  private readonly rng: Rng;
  private readonly freeAt: Float64Array;
  private readonly cores: number;
  private queue = new F64Buf();
  private head = 0;
  /** Closed loop: each client's next arrival time, a binary min-heap; null for open loop. */
  private readonly clients: Float64Array | null;
  private clientsStarted = false;
  /** Pages to replay per tick: `direct[t]` plus a running rate from `rateDiff` (pages per ms). */
  private readonly direct: Float64Array;
  private readonly rateDiff: Float64Array;
  private rate = 0;
  private readonly tickMs: number;
  /** Completed latencies per output step, and all of them. */
  readonly byStep: F64Buf[];
  readonly all = new F64Buf();
  private readonly completedAt = new F64Buf();
  private readonly stepMs: number;
  /** Replay figures the next services are computed from (`observe`). */
  majorPerPage = 0;
  minorPerPage = 0;
  /** Seconds per major fault (device response + fault CPU), CPU seconds per minor fault. */
  majorCostSec = 0;
  minorCostSec = 0;
  /**
   * Direct/memcg reclaim invocations per page touched, and the stall of one (its scan, its
   * writes and waits, memory.high sleeps), seconds. A reclaim is a lump that lands on the
   * request whose charge ran into the limit (`try_charge_memcg` → `try_to_free_mem_cgroup_pages`),
   * not a cost shared by every page: it shows in the tail, not in the median.
   */
  reclaimsPerPage = 0;
  reclaimLumpSec = 0;
  /**
   * A thread that wakes for a request finds every CPU busy with other tasks with this
   * probability, and then waits for the rest of the running task's slice, uniform up to
   * `sliceMs` (run-queue.ts).
   */
  wakeupBusyProb = 0;
  sliceMs = 0;
  /**
   * A thread that wakes for a request onto an idle CPU: its first read's completion finds
   * that CPU idle again and waits for it to leave its idle state, seconds (`costs.idleWakeRead`).
   * Later reads of the same request follow busy moments and do not pay it.
   */
  idleWakeReadSec = 0;
  /**
   * `wake: timer`: how late a thread's sleep until a request's due time ends (the timer slack),
   * ms; and the wait of the request being served before its thread ran (`service`).
   */
  timerSlackMs = 0;
  private wakeWaitMs = 0;
  cpuShare: number;

  constructor(
    model: RequestModel,
    threads: number,
    cores: number,
    rng: Rng,
    ticks: number,
    tickMs: number,
    steps: number,
    stepMs: number,
  ) {
    this.model = model;
    this.rng = rng;
    this.freeAt = new Float64Array(Math.max(1, threads));
    this.cores = Math.max(1, Math.min(cores, threads));
    this.cpuShare = this.cores;
    this.direct = new Float64Array(ticks + 1);
    this.rateDiff = new Float64Array(ticks + 2);
    this.tickMs = tickMs;
    this.stepMs = stepMs;
    this.byStep = Array.from({ length: steps }, () => new F64Buf());
    this.clients = model.closed ? new Float64Array(model.closed.clients) : null;
  }

  /** Dispatch of every request a thread can start in [nowMs, nowMs + tickMs), after that tick's arrivals. */
  advance(tick: number, nowMs: number, endMs: number): void {
    if (this.clients) this.advanceClosed(tick, nowMs, endMs, this.clients);
    else this.advanceOpen(tick, nowMs, endMs);
  }

  private advanceOpen(tick: number, nowMs: number, endMs: number): void {
    const n = poisson(this.rng, (this.model.ratePerSec * this.tickMs) / 1000);
    const first = this.queue.length;
    for (let i = 0; i < n; i++) this.queue.push(nowMs + this.rng.nextFloat() * this.tickMs);
    this.queue.view().subarray(first).sort();
    const tickEnd = nowMs + this.tickMs;
    while (this.head < this.queue.length) {
      const th = this.earliestThread();
      const arrival = this.queue.data[this.head]!;
      const start = Math.max(arrival, this.freeAt[th]!);
      if (start >= tickEnd) break;
      this.head++;
      this.serve(tick, th, arrival, start, endMs);
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      const rest = this.queue.view().slice(this.head);
      this.queue = new F64Buf();
      for (const v of rest) this.queue.push(v);
      this.head = 0;
    }
  }

  /**
   * Closed loop: the earliest pending request goes to the earliest free thread while it can
   * start in the tick; its client's next request arrives a think time after the reply. The
   * clients start thinking when the process starts.
   */
  private advanceClosed(tick: number, nowMs: number, endMs: number, heap: Float64Array): void {
    if (!this.clientsStarted) {
      this.clientsStarted = true;
      for (let i = 0; i < heap.length; i++) heap[i] = nowMs + this.think();
      heap.sort();
    }
    const tickEnd = nowMs + this.tickMs;
    for (;;) {
      const th = this.earliestThread();
      const arrival = heap[0]!;
      const start = Math.max(arrival, this.freeAt[th]!);
      if (start >= tickEnd) break;
      const done = this.serve(tick, th, arrival, start, endMs);
      replaceTop(heap, done + this.think());
    }
  }

  /** Serves one request on thread `th` from `start`; returns when it completes. */
  private serve(tick: number, th: number, arrival: number, start: number, endMs: number): number {
    let busy = 0;
    for (let i = 0; i < this.freeAt.length; i++) if (this.freeAt[i]! > start) busy++;
    // A thread that was idle wakes for the request; one that was busy goes on running.
    const woken = this.freeAt[th]! < arrival;
    // wake: timer: the thread slept on its own timer until the request was due, which ends a
    // timer slack late (hrtimer_nanosleep sets the range [due, due + timer_slack_ns] and the
    // hrtimer's interrupt is programmed for its end), then waits for a CPU; the request counts
    // from when the thread ran, as the process itself takes the time after waking.
    const timer = woken && this.model.wake === 'timer';
    this.wakeWaitMs = timer ? this.timerSlackMs : 0;
    const run = this.service(busy + 1, woken, timer);
    const begin = start + this.wakeWaitMs;
    const done = begin + run;
    this.freeAt[th] = done;
    this.schedulePages(tick, begin, done);
    if (done < endMs) {
      const from = timer ? begin : arrival;
      this.completedAt.push(done);
      this.all.push(done - from);
      const step = Math.floor(done / this.stepMs);
      if (step < this.byStep.length) this.byStep[step]!.push(done - from);
    }
    return done;
  }

  private earliestThread(): number {
    let th = 0;
    for (let i = 1; i < this.freeAt.length; i++) if (this.freeAt[i]! < this.freeAt[th]!) th = i;
    return th;
  }

  /** A client's pause before its next request, ms: exponential with the think time as mean. */
  private think(): number {
    const z = this.model.closed?.thinkTimeMs ?? 0;
    return z > 0 ? -z * Math.log(1 - this.rng.nextFloat()) : 0;
  }

  /** Real pages the process's requests touch in tick `t`. */
  pagesInTick(t: number): number {
    this.rate += this.rateDiff[t]!;
    return this.direct[t]! + this.rate * this.tickMs;
  }

  /** Forgets completions after `atMs` (the process was killed): those requests never finished. */
  truncate(atMs: number): void {
    const keepAll = new F64Buf();
    const keepAt = new F64Buf();
    for (let i = 0; i < this.all.length; i++) {
      if (this.completedAt.data[i]! <= atMs) {
        keepAll.push(this.all.data[i]!);
        keepAt.push(this.completedAt.data[i]!);
      }
    }
    this.all.data = keepAll.data;
    this.all.length = keepAll.length;
    this.completedAt.data = keepAt.data;
    this.completedAt.length = keepAt.length;
    for (let s = Math.floor(atMs / this.stepMs) + 1; s < this.byStep.length; s++) this.byStep[s]!.length = 0;
  }

  /**
   * Takes the replay's figures of the tick just run (`st`, simulated counts standing for
   * `scale` real ones each) for the next requests. They are averaged over about the last
   * request's worth of pages replayed (weight 1 − e^(−touches / pagesPerRequest)): a request
   * meets the fault and reclaim rates of the moment it is served. A long average would lag a
   * surge by its whole window and hide it (a 1 s one halved the service's fill p50 in the
   * matrix's shared arrangement and kept its recovery slow for a second after the faults
   * stopped). A sampled replay counts its sampled touches, so that each estimate rests on as
   * many observations as in an exact one and sampling noise does not widen the tail.
   */
  observe(st: ProcStats, scale: number, majorFaultCpuUs: number, minorFaultCpuUs: number): void {
    if (st.touches <= 0) return;
    const real = st.touches * scale;
    const a = 1 - Math.exp(-st.touches / Math.max(1, this.model.pagesPerRequest));
    this.majorPerPage += a * (st.major / st.touches - this.majorPerPage);
    this.minorPerPage += a * (st.minor / st.touches - this.minorPerPage);
    if (st.major > 0) {
      const majorCost = (st.ioWaitSec + majorFaultCpuUs * 1e-6 * st.major * scale) / (st.major * scale);
      this.majorCostSec += a * (majorCost - this.majorCostSec);
    }
    this.minorCostSec = minorFaultCpuUs * 1e-6;
    this.reclaimsPerPage += a * (st.reclaimCalls / real - this.reclaimsPerPage);
    if (st.reclaimCalls > 0) this.reclaimLumpSec += a * (st.reclaimStallSec / st.reclaimCalls - this.reclaimLumpSec);
  }

  /** The request's time once its thread runs, ms; a timer thread's run-queue wait goes to `wakeWaitMs`. */
  private service(running: number, woken: boolean, timer: boolean): number {
    const m = this.model;
    const pages = m.pagesPerRequest;
    // More runnable threads than cores: each request's CPU is stretched (CFS time sharing).
    const stretch = Math.max(1, running / this.cpuShare);
    let cpuMs = m.cpuMs * stretch;
    // Woken into a host whose CPUs all run other tasks: the wait for the rest of a slice. A
    // request shorter than a slice then runs it through; a longer one's share of the waits is
    // the stretch already.
    const busyCpu = woken && this.wakeupBusyProb > 0 && this.rng.nextFloat() < this.wakeupBusyProb;
    if (busyCpu) {
      const waitMs = this.rng.nextFloat() * this.sliceMs;
      if (timer) this.wakeWaitMs += waitMs;
      else cpuMs = Math.max(cpuMs, m.cpuMs + waitMs);
    }
    const majors = poisson(this.rng, pages * this.majorPerPage);
    const minors = poisson(this.rng, pages * this.minorPerPage);
    const reclaims = poisson(this.rng, pages * this.reclaimsPerPage);
    // Woken onto an idle CPU: the first read's completion waits for that CPU to leave idle.
    const idleWake = woken && !busyCpu && majors > 0 ? this.idleWakeReadSec : 0;
    const sec = majors * this.majorCostSec + minors * this.minorCostSec + reclaims * this.reclaimLumpSec + idleWake;
    return cpuMs + sec * 1000;
  }

  private schedulePages(tick: number, startMs: number, doneMs: number): void {
    const pages = this.model.pagesPerRequest;
    const t0 = Math.max(tick, Math.floor(startMs / this.tickMs));
    const t1 = Math.floor(doneMs / this.tickMs);
    const last = this.direct.length - 1;
    if (t1 <= t0 || doneMs - startMs <= 0) {
      this.direct[Math.min(t0, last)]! += pages;
      return;
    }
    const r = pages / (doneMs - startMs);
    this.direct[Math.min(t0, last)]! += r * ((t0 + 1) * this.tickMs - startMs);
    if (t0 + 1 <= last) {
      this.rateDiff[t0 + 1]! += r;
      this.rateDiff[Math.min(t1, last + 1)]! -= r;
      if (t1 <= last) this.direct[t1]! += r * (doneMs - t1 * this.tickMs);
    }
  }
}

/** Replaces the smallest of a binary min-heap by `v` and restores the heap. */
function replaceTop(heap: Float64Array, v: number): void {
  const n = heap.length;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && heap[c + 1]! < heap[c]!) c++;
    if (heap[c]! >= v) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = v;
}

/** Poisson(mean) draw: inversion for small means, a rounded normal beyond 30. */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const u1 = Math.max(rng.nextFloat(), 1e-12);
    const u2 = rng.nextFloat();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.max(0, Math.round(mean + z * Math.sqrt(mean)));
  }
  const l = Math.exp(-mean);
  let k = 0;
  let p = rng.nextFloat();
  while (p > l) {
    k++;
    p *= rng.nextFloat();
  }
  return k;
}
