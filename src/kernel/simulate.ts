/**
 * simulateHost: one Linux host replayed tick by tick at page level (docs/kernel.md).
 *
 * Each tick: events and process starts and stops (lifecycle.ts); CPU shared among the
 * processes; then the processes and kswapd interleaved, always running whoever is furthest
 * behind in the tick, each process touching pages of its access streams through the host
 * (host.ts and the kernel modules behind it), requests served with the fault figures of the
 * replay (requests.ts); at the end of the tick the swap device (device-tick.ts), PSI,
 * user-space OOM daemons and throttle episodes, and the step's figures (recorder.ts).
 */
import type { Scenario } from '../scenario/types.js';
import { TraceStream } from '../workload/trace-stream.js';
import { DeviceTick } from './device-tick.js';
import { chooseFidelity, fidelityInfo, selfQueueUs } from './fidelity.js';
import { Host } from './host.js';
import { Lifecycle } from './lifecycle.js';
import { DEFAULT_MEMCG_CHARGE_BATCH, overHighPenalty } from './mechanisms/memcg-high.js';
import { OomDaemon } from './mechanisms/oomd.js';
import { CommitAccountant } from './mechanisms/overcommit.js';
import { MemoryPsi, type TaskTimesUs, taskTimesUs } from './mechanisms/psi.js';
import { type KernelOutput, Recorder } from './recorder.js';
import { RequestQueue } from './requests.js';
import { allCpusBusy, baseSliceMs } from './run-queue.js';
import { bytesOf, type SimContext } from './sim-context.js';
import { EV_HIGH, emptyStats, type ProcRt } from './state.js';
import { ENDED, nextPage } from './touch-choice.js';

export type { KernelOutput } from './recorder.js';

export interface SimulateOptions {
  fidelity?: { mode: 'exact' | 'sampled'; sampleRate?: number };
  /** Called after every tick with the host (tests check invariants such as page conservation). */
  onTick?: (host: Host, timeMs: number) => void;
}

/**
 * Real touches a process replays before the scheduler looks at who is furthest behind in time.
 * A sampled replay runs CHUNK · R of them (`chunk`, at least one): a sampled touch stands for
 * 1/R real ones, and 32 sampled touches were 32/R real ones in one go (4096 at 1/128, 40 % of
 * the incident's Spark tick), every fault of the chunk stalling ahead of the other tasks and of
 * the device. That coarse interleaving made the sampled replay oscillate (device busy 99 ± 1 ms
 * per 100 ms tick exact, 41 ± 43 ms at 1/128 on incident/16) and undercount major faults.
 */
const CHUNK = 32;

export function simulateHost(scenario: Scenario, opts: SimulateOptions = {}): KernelOutput {
  return new Simulation(scenario, opts).run();
}

class Simulation {
  private readonly ctx: SimContext;
  private readonly opts: SimulateOptions;
  private readonly host: Host;
  /** Touches per scheduling chunk: CHUNK real touches in sampled pages, at least one. */
  private readonly chunk: number;
  private readonly ticksPerStep: number;
  private readonly steps: number;
  private readonly fidelity: ReturnType<typeof chooseFidelity>;
  private readonly lifecycle: Lifecycle;
  private readonly recorder: Recorder;
  private readonly device: DeviceTick;
  private readonly psi: MemoryPsi;
  private readonly daemons: OomDaemon[];
  // per-process tick state
  private readonly carry: Float64Array;
  private readonly cpuShare: Float64Array;
  private readonly reqTarget: Float64Array;
  private readonly reqDone: Float64Array;
  private readonly reqFrac: Float64Array;
  /** Wall-clock pacing: touches owed (simulated pages) and the time they were counted to, s (NaN: not started). */
  private readonly paceDebt: Float64Array;
  private readonly paceClock: Float64Array;
  private kswapdCpuSec = 0;
  private kswapdCpuLast = 0;
  private kswapdClock = 0;
  private readonly taskGroup: Int32Array;
  private readonly taskStall: Float64Array;
  private readonly taskNonIdle: Float64Array;
  private readonly taskIoWait: Float64Array;
  private readonly psiTask: TaskTimesUs = { stalledUs: 0, nonIdleUs: 0, ioWaitUs: 0 };
  /** Share of the tick each task (threads, then kswapd) was on a CPU, for run-queue waits. */
  private readonly taskBusy: Float64Array;
  private readonly busyScratch: Float64Array;
  /**
   * Each process's position in the tick (`position`), kept while others run: it changes only
   * when the process itself runs (its own tick figures and chunk), so the scheduler recomputes
   * the runner's alone after each chunk instead of every process's before each one.
   */
  private readonly pos: Float64Array;

  constructor(sc: Scenario, opts: SimulateOptions) {
    this.opts = opts;
    this.fidelity = chooseFidelity(sc, opts.fidelity);
    const rate = this.fidelity.rate;
    this.chunk = Math.max(1, Math.round(CHUNK * rate));
    const stepMs = sc.stepMs;
    this.ticksPerStep = Math.max(1, Math.round(stepMs / Math.min(sc.host.kernel.tickMs, stepMs)));
    const tickMs = stepMs / this.ticksPerStep;
    this.steps = Math.ceil(sc.durationMs / stepMs);
    const h = sc.host;
    const commit = new CommitAccountant({
      ramBytes: h.ramBytes,
      swapBytes: h.swap.device === 'none' ? 0 : h.swap.sizeBytes,
      pageSizeBytes: h.pageSizeBytes,
      mode: h.sysctl['vm.overcommit_memory'],
      ratio: h.sysctl['vm.overcommit_ratio'],
      kbytes: h.sysctl['vm.overcommit_kbytes'],
    });
    // The host's events reach the lifecycle, which needs the context the host is part of.
    let lifecycle: Lifecycle | undefined;
    this.host = new Host(sc, rate, {
      oomKill: (p, badness, reason, scopeCg) => lifecycle!.onOomKill(p, badness, reason, scopeCg),
      swapFull: () => lifecycle!.onSwapFull(),
    });
    const procs = this.host.state.procs;
    const ticks = this.steps * this.ticksPerStep;
    this.ctx = {
      sc,
      host: this.host,
      rate,
      scale: 1 / rate,
      tickMs,
      tickSec: tickMs / 1000,
      stepMs,
      nowMs: 0,
      events: [],
      phaseMarks: [{ name: 'start', startMs: 0 }],
      req: procs.map((p) =>
        p.cfg.requests
          ? new RequestQueue(
              p.cfg.requests,
              p.cfg.cpu.threads,
              p.cfg.cpu.cores,
              p.rng.fork(3),
              ticks,
              tickMs,
              this.steps,
              stepMs,
            )
          : null,
      ),
      commit,
      oomKills: 0,
    };
    lifecycle = new Lifecycle(this.ctx);
    this.lifecycle = lifecycle;
    const tree = this.host.oomCgroups();
    this.daemons = sc.oomDaemons.map(
      (d) => new OomDaemon({ ...d, cgroups: d.cgroups.map((c) => c.replace(/^\/+|\/+$/g, '')) }, tree),
    );
    const n = procs.length;
    this.carry = new Float64Array(n);
    this.cpuShare = new Float64Array(n);
    this.reqTarget = new Float64Array(n);
    this.reqDone = new Float64Array(n);
    this.reqFrac = new Float64Array(n);
    this.paceDebt = new Float64Array(n);
    this.paceClock = new Float64Array(n).fill(Number.NaN);
    this.pos = new Float64Array(n);
    this.psi = new MemoryPsi(
      this.host.state.cgs.map((c) => c.parent),
      { cpus: sc.host.cpus },
    );
    this.recorder = new Recorder(this.ctx, this.psi, this.ticksPerStep);
    this.device = new DeviceTick(this.ctx);
    // Every process's threads, and kswapd.
    let tasks = 1;
    for (const p of procs) tasks += Math.max(1, p.cfg.cpu.threads);
    this.taskGroup = new Int32Array(tasks);
    this.taskStall = new Float64Array(tasks);
    this.taskNonIdle = new Float64Array(tasks);
    this.taskIoWait = new Float64Array(tasks);
    this.taskBusy = new Float64Array(tasks);
    this.busyScratch = new Float64Array(sc.host.cpus + 1);
    // The slice a woken request waits out is the host's (sysctl_sched_base_slice), set once.
    const sliceMs = baseSliceMs(sc.host.cpus);
    for (const rq of this.ctx.req) {
      if (!rq) continue;
      rq.sliceMs = sliceMs;
      rq.timerSlackMs = sc.host.kernel.timerSlackMs;
      rq.idleWakeReadSec = sc.host.costs.idleWakeReadUs * 1e-6;
    }
  }

  run(): KernelOutput {
    const ctx = this.ctx;
    const evs = [...ctx.sc.events].sort((a, b) => a.atMs - b.atMs);
    let nextEv = 0;
    const ticks = this.steps * this.ticksPerStep;
    for (let t = 0; t < ticks; t++) {
      ctx.nowMs = t * ctx.tickMs;
      while (nextEv < evs.length && evs[nextEv]!.atMs <= ctx.nowMs) this.lifecycle.applyEvent(evs[nextEv++]!);
      this.lifecycle.startAndStop();
      this.tick(t);
      this.opts.onTick?.(this.host, ctx.nowMs + ctx.tickMs);
      if ((t + 1) % this.ticksPerStep === 0) this.recorder.endStep((t + 1) / this.ticksPerStep - 1);
    }
    return this.recorder.output(fidelityInfo(this.fidelity, this.host.state.frames));
  }

  // ------------------------------------------------------------------ one tick

  private tick(t: number): void {
    const ctx = this.ctx;
    const host = this.host;
    const state = host.state;
    const procs = state.procs;
    const tickSec = ctx.tickSec;
    host.beginTick(ctx.nowMs * 1000);
    const writeBudget = this.device.kswapdWriteBudgetPages();
    let kswapdWritten = 0;
    this.allocateCpu();
    for (const p of procs) {
      p.tick = emptyStats();
      p.idle = false;
      if (!p.alive) continue;
      this.lifecycle.advance(p);
      const rq = ctx.req[p.idx];
      if (rq) {
        rq.cpuShare = this.cpuShare[p.idx]!;
        rq.advance(t, ctx.nowMs, ctx.sc.durationMs);
        const want = rq.pagesInTick(t) * ctx.rate + this.reqFrac[p.idx]!;
        this.reqTarget[p.idx] = Math.floor(want);
        this.reqFrac[p.idx] = want - Math.floor(want);
        this.reqDone[p.idx] = 0;
      }
    }
    this.kswapdCpuSec = 0;
    this.kswapdClock = 0;
    let kswapdStuck = false;
    const pos = this.pos;
    for (let i = 0; i < procs.length; i++) if (procs[i]!.alive) pos[i] = this.position(procs[i]!);
    // Interleave: always run the entity furthest behind in simulated time.
    for (;;) {
      let best = -1;
      let bestPos = tickSec;
      for (let i = 0; i < procs.length; i++) {
        if (!procs[i]!.alive) continue;
        if (pos[i]! < bestPos) {
          bestPos = pos[i]!;
          best = i;
        }
      }
      const kswapdPos = state.kswapdAwake && !kswapdStuck ? this.kswapdClock : tickSec;
      if (kswapdPos < bestPos) {
        // The tick's write budget is paced over the tick: kswapd blocks on a full device queue
        // as it goes, it does not queue the whole tick's writes at its start (ahead of every read).
        // zram has no write queue: its budget is unbounded and not paced.
        host.setKswapdWriteBudget(
          Number.isFinite(writeBudget)
            ? Math.min(writeBudget, (writeBudget * this.kswapdClock) / tickSec + state.clusterPages) - kswapdWritten
            : writeBudget,
        );
        const before = state.kswapdWriteBudget;
        const cpu = host.kswapdRun(4);
        if (Number.isFinite(writeBudget)) kswapdWritten += before - state.kswapdWriteBudget;
        this.kswapdCpuSec += cpu;
        this.kswapdClock += cpu + 1e-6;
        // Balanced, kswapd sleeps (awake false) until an allocation below the low watermark
        // wakes it again (`kswapd_try_to_sleep`, `wakeup_kswapd`), in this tick too.
        if (!state.kswapdProgress && state.kswapdAwake) {
          // Waiting for its writes in flight (vmscan.ts kswapdRun): resume when they are done.
          // The reclaim clock is the host's, kswapdClock kswapd's own: the wait is what they share.
          if (state.kswapdWakeUs > 0) this.kswapdClock += (state.kswapdWakeUs - state.reclaimClockUs) * 1e-6;
          // Throttled on writeback while the tick's budget lasts: resume when the next batch fits.
          else if (state.kswapdWriteBudget <= 0 && kswapdWritten + state.clusterPages <= writeBudget)
            this.kswapdClock = Math.max(
              this.kswapdClock,
              ((kswapdWritten + state.clusterPages) / writeBudget) * tickSec,
            );
          // Nothing reclaimable, or the tick's budget spent: kswapd sleeps until the next tick.
          else kswapdStuck = true;
        }
        continue;
      }
      if (best < 0) break;
      this.runChunk(procs[best]!);
      pos[best] = this.position(procs[best]!);
    }
    // Carry over what overshot the tick (a long stall spans ticks).
    for (const p of procs) {
      if (!p.alive) {
        this.carry[p.idx] = 0;
        this.paceClock[p.idx] = Number.NaN;
        continue;
      }
      this.carry[p.idx] = ctx.req[p.idx] ? 0 : Math.max(0, this.position(p) - tickSec);
      this.updateRequestFigures(p);
    }
    this.runQueueTick();
    this.kswapdCpuLast = this.kswapdCpuSec;
    this.device.endTick(this.recorder);
    this.psiTick();
    this.oomdTick();
    this.recorder.throttleTick();
    this.recorder.accumulate(this.kswapdCpuSec);
  }

  /** Host CPU shared by water-filling: each process up to min(threads, cores), kswapd first. */
  private allocateCpu(): void {
    const procs = this.host.state.procs;
    let avail = Math.max(0, this.ctx.sc.host.cpus - Math.min(1, this.kswapdCpuLast / this.ctx.tickSec));
    const want = procs.map((p) => (p.alive ? Math.max(0, Math.min(p.cfg.cpu.threads, p.cfg.cpu.cores)) : 0));
    const open = new Set(procs.filter((p) => p.alive).map((p) => p.idx));
    this.cpuShare.fill(0);
    while (open.size > 0 && avail > 1e-9) {
      const each = avail / open.size;
      let used = 0;
      for (const i of [...open]) {
        const give = Math.min(each, want[i]! - this.cpuShare[i]!);
        this.cpuShare[i]! += give;
        used += give;
        if (this.cpuShare[i]! >= want[i]! - 1e-12) open.delete(i);
      }
      avail -= used;
      if (used < 1e-12) break;
    }
  }

  /** Where process `p` stands in the tick, seconds: the later of its thread-time and CPU clocks. */
  private position(p: ProcRt): number {
    const i = p.idx;
    const tickSec = this.ctx.tickSec;
    if (p.idle) return tickSec;
    if (this.ctx.req[i]) {
      const target = this.reqTarget[i]!;
      return target > 0 ? (this.reqDone[i]! / target) * tickSec : tickSec;
    }
    const st = p.tick;
    const cpu = st.cpuUserSec + st.cpuFaultSec + st.cpuReclaimSec;
    const threads = Math.max(1, p.cfg.cpu.threads);
    const share = this.cpuShare[i]!;
    const byThreads = (cpu + st.stallSec + st.idleSec) / threads;
    const byCpu = share > 0 ? cpu / share : tickSec;
    return this.carry[i]! + Math.max(byThreads, byCpu);
  }

  private runChunk(p: ProcRt): void {
    const ctx = this.ctx;
    const host = this.host;
    const rq = ctx.req[p.idx];
    const touchCost = rq
      ? (rq.model.cpuMs / 1000 / Math.max(1, rq.model.pagesPerRequest)) * ctx.scale
      : this.touchCostSec(p);
    let n = Math.min(this.chunk, p.touchLimit - p.touched);
    if (rq) n = Math.min(n, this.reqTarget[p.idx]! - this.reqDone[p.idx]!);
    const timed = this.timedTrace(p);
    const paced = !rq && p.cfg.pacing.mode === 'wall-clock';
    for (let k = 0; k < n; k++) {
      if (timed && this.waitForTimestamp(p, timed)) break;
      if (paced && this.waitForPace(p)) break;
      // A task whose stalls took it past the tick's end stops there: the rest of its chunk is
      // the next tick's (a random mmap reader's 32 touches are ~23 read-around windows, 1.6 s
      // of device work, which would all be queued at the tick's end at once).
      const pos = this.position(p);
      if (k > 0 && pos >= ctx.tickSec) break;
      const page = nextPage(p);
      if (page < 0) {
        if (page === ENDED) this.lifecycle.stop(p, false, 'at the end of its trace');
        else p.idle = true;
        break;
      }
      host.setClock(Math.min(ctx.tickSec, pos) * 1e6);
      const r = p.cowParent >= 0 && page < p.fileBase ? host.touchCow(p, page) : host.touch(p, page);
      if (r < 0) return;
      p.tick.touches++;
      p.touched++;
      // A leaked page is allocated at the leak's own rate: its cost is the fault, not a touch of
      // the access stream (leakPerSec would otherwise be capped by touchesPerSec).
      if (page < p.leakBase) {
        p.tick.cpuUserSec += touchCost;
        if (paced) this.paceDebt[p.idx]! -= 1;
      }
    }
    if (!p.alive) return;
    if (rq) this.reqDone[p.idx]! += Math.max(1, n);
    if (p.overHighPages > 0) this.overHigh(p);
    if (p.touched >= p.touchLimit) {
      this.lifecycle.touchesReached(p, ctx.nowMs + Math.min(ctx.tickSec, this.position(p)) * 1000);
    }
  }

  /**
   * CPU per simulated touch without requests: a rate spends min(threads, cores) cores on that
   * many touches a second; `max` costs cpu.perTouch a touch, so the CPU share and the stalls
   * set the rate.
   */
  private touchCostSec(p: ProcRt): number {
    const rate = p.cfg.access[p.phase]!.touchesPerSec ?? p.cfg.touchesPerSec;
    if (rate === Number.POSITIVE_INFINITY || p.cfg.pacing.mode === 'wall-clock') {
      return p.cfg.cpu.perTouchUs * 1e-6 * this.ctx.scale;
    }
    return (Math.max(1, Math.min(p.cfg.cpu.threads, p.cfg.cpu.cores)) / Math.max(1e-9, rate)) * this.ctx.scale;
  }

  /**
   * Pacing wall-clock: touches fall due at touchesPerSec of wall time from the process's start;
   * one that is not due yet waits (idle, as `waitForTimestamp`), and after a stall those owed
   * run back to back at cpu.perTouch each, at most catchUp's worth (older ones are dropped, as
   * a rate limiter that forgets its backlog). True when `p` waits.
   */
  private waitForPace(p: ProcRt): boolean {
    const i = p.idx;
    const rate = (p.cfg.access[p.phase]!.touchesPerSec ?? p.cfg.touchesPerSec) * this.ctx.rate;
    const now = this.ctx.nowMs / 1000 + this.position(p);
    if (Number.isNaN(this.paceClock[i]!)) {
      this.paceClock[i] = now;
      this.paceDebt[i] = 0;
    }
    const cap = Math.max(1, (rate * p.cfg.pacing.catchUpMs) / 1000);
    const debt = Math.min(cap, this.paceDebt[i]! + rate * (now - this.paceClock[i]!));
    this.paceDebt[i] = debt;
    this.paceClock[i] = now;
    // Due within a billionth of a touch counts as due (the clock is a sum of floating-point seconds).
    if (debt >= 1 - 1e-9) return false;
    p.tick.idleSec += ((1 - debt) / rate + 1e-9) * Math.max(1, p.cfg.cpu.threads);
    return true;
  }

  /** The phase's trace when it is replayed at its own timestamps. */
  private timedTrace(p: ProcRt): TraceStream | null {
    const stream = p.streams[p.phase];
    const pattern = p.cfg.access[p.phase]!.pattern;
    return stream instanceof TraceStream && pattern.kind === 'trace' && pattern.timing === 'timestamps' ? stream : null;
  }

  /**
   * Timing timestamps: when the next reference is not due yet, `p`'s threads wait until it is
   * (idle: neither running nor stalled, past the tick's end if need be); true when they do.
   */
  private waitForTimestamp(p: ProcRt, trace: TraceStream): boolean {
    const due = trace.peekTimeMs();
    if (due < 0) return false;
    const nowMs = this.ctx.nowMs + this.position(p) * 1000;
    const dueMs = p.phaseStartMs + due;
    // Due within a nanosecond counts as due (the clock is a sum of floating-point seconds), but
    // a reference due at the tick's end belongs to the next tick.
    if (dueMs <= nowMs + 1e-6 && dueMs < this.ctx.nowMs + this.ctx.tickMs) return false;
    // At least a microsecond, so that the clock moves whatever the rounding.
    p.tick.idleSec += (Math.max(1e-3, dueMs - nowMs) / 1000) * Math.max(1, p.cfg.cpu.threads);
    return true;
  }

  /** memory.high: reclaim what was charged over, then sleep the penalty (`mem_cgroup_handle_over_high`). */
  private overHigh(p: ProcRt): void {
    const host = this.host;
    const cgs = host.state.cgs;
    const nrReal = p.overHighPages;
    p.overHighPages = 0;
    let worst = -1;
    let worstOver = 0;
    for (const c of cgs[p.cg]!.chain) {
      const cg = cgs[c]!;
      if (cg.usage > cg.high) {
        // reclaim_high: every ancestor over its memory.high counts a `high` event.
        host.memoryEvent(c, EV_HIGH);
        const over = (cg.usage - cg.high) / Math.max(1, cg.high);
        if (over > worstOver) {
          worstOver = over;
          worst = c;
        }
      }
    }
    if (worst < 0) return;
    const cg = cgs[worst]!;
    host.reclaimCgroup(worst, Math.max(1, Math.round(nrReal * this.ctx.rate)), p);
    if (cg.usage <= cg.high) return;
    // mem_cgroup_handle_over_high: one sleep per MEMCG_CHARGE_BATCH pages charged over.
    const rest = cgs.slice(1);
    const batches = Math.max(1, Math.round(nrReal / DEFAULT_MEMCG_CHARGE_BATCH));
    const pen = overHighPenalty(
      {
        cgroup: p.cg - 1,
        parent: rest.map((c) => c.parent - 1),
        usagePages: rest.map((c) => c.usage),
        highPages: rest.map((c) => Math.min(c.high, Number.MAX_SAFE_INTEGER)),
        nrPages: DEFAULT_MEMCG_CHARGE_BATCH,
      },
      { maxDelayMs: this.ctx.sc.host.kernel.memoryHighMaxDelayMs },
    );
    if (pen.sleepMs <= 0) return;
    const sleep = (pen.sleepMs / 1000) * batches;
    p.tick.stallSec += sleep;
    p.tick.throttleSec += sleep;
    p.tick.reclaimStallSec += sleep;
    cg.throttleSec += sleep;
  }

  private updateRequestFigures(p: ProcRt): void {
    const costs = this.ctx.sc.host.costs;
    const rq = this.ctx.req[p.idx];
    if (!rq) return;
    rq.observe(p.tick, this.ctx.scale, costs.majorFaultCpuUs, costs.minorFaultCpuUs);
    const s = this.host.state;
    if (this.ctx.rate < 1)
      p.selfQueueUs = selfQueueUs(rq.majorPerPage, CHUNK, this.chunk, this.ctx.scale, s.occReadUs / s.channels);
  }

  /**
   * How likely a request thread that wakes in the next tick is to find every CPU busy with
   * other tasks (the other processes' threads and kswapd, each on a CPU the share of this
   * tick it ran), and the slice it then waits out (run-queue.ts).
   */
  private runQueueTick(): void {
    const procs = this.host.state.procs;
    const tickSec = this.ctx.tickSec;
    let k = 0;
    for (const p of procs) {
      const threads = Math.max(1, p.cfg.cpu.threads);
      const st = p.tick;
      const u = p.alive ? (st.cpuUserSec + st.cpuFaultSec + st.cpuReclaimSec) / threads / tickSec : 0;
      for (let i = 0; i < threads; i++) this.taskBusy[k++] = u;
    }
    this.taskBusy[k++] = this.kswapdCpuSec / tickSec;
    const cpus = this.ctx.sc.host.cpus;
    let start = 0;
    for (const p of procs) {
      const threads = Math.max(1, p.cfg.cpu.threads);
      const rq = this.ctx.req[p.idx];
      if (rq) {
        rq.wakeupBusyProb = allCpusBusy(this.taskBusy, k, cpus, start, start + threads, this.busyScratch);
      }
      start += threads;
    }
  }

  private psiTick(): void {
    let k = 0;
    const tickUs = this.ctx.tickMs * 1000;
    const t = this.psiTask;
    for (const p of this.host.state.procs) {
      const threads = Math.max(1, p.cfg.cpu.threads);
      if (p.alive || p.tick.touches > 0) taskTimesUs(p.tick, threads, tickUs, t);
      else t.nonIdleUs = t.stalledUs = t.ioWaitUs = 0;
      for (let i = 0; i < threads; i++) {
        this.taskGroup[k] = p.cg;
        this.taskStall[k] = t.stalledUs;
        this.taskNonIdle[k] = t.nonIdleUs;
        this.taskIoWait[k] = t.ioWaitUs;
        k++;
      }
    }
    // kswapd, a task of the root cgroup: balance_pgdat runs inside psi_memstall_enter, so its
    // reclaim is memory pressure on the host (memstall running: never productive).
    const kswapdUs = Math.min(tickUs, this.kswapdCpuSec * 1e6);
    this.taskGroup[k] = 0;
    this.taskStall[k] = kswapdUs;
    this.taskNonIdle[k] = kswapdUs;
    this.taskIoWait[k] = 0;
    k++;
    this.psi.tick(tickUs, this.taskGroup, this.taskStall, this.taskNonIdle, k, this.taskIoWait);
    this.recorder.pressure(this.psi.lastSomeUs[0]!, this.psi.lastFullUs[0]!);
  }

  /** User-space OOM daemons read PSI, usage and swap at the end of the tick (mechanisms/oomd.ts). */
  private oomdTick(): void {
    if (this.daemons.length === 0) return;
    const ctx = this.ctx;
    const host = this.host;
    const state = host.state;
    const cgs = state.cgs.slice(1);
    const populated = cgs.map(() => 0);
    for (const p of state.procs) {
      if (!p.alive) continue;
      for (const c of state.cgs[p.cg]!.chain) if (c > 0) populated[c - 1] = 1;
    }
    const split = host.residentSplit();
    const sample = {
      nowMs: ctx.nowMs + ctx.tickMs,
      someAvg10Pct: cgs.map((_, i) => this.psi.line(i + 1, 'some').avg10Pct),
      fullAvg10Pct: cgs.map((_, i) => this.psi.line(i + 1, 'full').avg10Pct),
      usageBytes: cgs.map((c) => bytesOf(ctx, c.usage)),
      swapBytes: cgs.map((c) => bytesOf(ctx, c.swap)),
      pgscan: cgs.map((c) => c.pgscan * ctx.scale),
      populated,
      memTotalBytes: ctx.sc.host.ramBytes,
      memAvailableBytes: bytesOf(ctx, host.freeFrames() + split.file),
      swapTotalBytes: ctx.sc.host.swap.device === 'none' ? 0 : ctx.sc.host.swap.sizeBytes,
      swapUsedBytes: bytesOf(ctx, state.device.usedSlots),
    };
    for (const d of this.daemons) {
      for (const k of d.tick(sample)) {
        for (const p of state.procs) {
          if (!p.alive || !state.cgs[p.cg]!.chain.includes(k.cgroup + 1)) continue;
          ctx.oomKills++;
          p.killedAtMs = ctx.nowMs;
          ctx.req[p.idx]?.truncate(ctx.nowMs);
          ctx.events.push({
            timeMs: ctx.nowMs,
            kind: 'oomd-kill',
            process: p.cfg.name,
            cgroup: p.cfg.cgroup,
            message: `${k.reason}: killed ${p.cfg.name}`,
            detail: { trigger: k.trigger, cgroup: k.name },
          });
          this.lifecycle.exit(p, true);
        }
      }
    }
  }
}
