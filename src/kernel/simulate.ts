/**
 * simulateHost: one Linux host replayed tick by tick at page level (kernel-model.md).
 *
 * Status: implemented: workload streams (uniform, zipf, hot/cold, scan, loop; phases;
 * growth; leaks; anon/file), closed-loop thread time and CPU split, classic two-list LRU
 * per cgroup with second chance, inactive_is_low, refault distance, get_scan_count
 * swappiness/cost balancing, watermarks with kswapd vs direct reclaim, the swap device as
 * an in-tick fluid queue (backlog and statistics from mechanisms/swap-device.ts), swap
 * cache + readahead, dirty file writeback, zram CPU, memory.max / high (memcg-high.ts) /
 * min / low / swap.max / oom.group, v1 soft limit, memsw and swappiness, OOM kills
 * (oom.ts), overcommit and RLIMIT_AS alloc-fail (overcommit.ts), PSI (psi.ts), user-space
 * OOM daemons (oomd.ts), requests with latency, spatial sampling, registry policies as one
 * global list (simple path, no cgroup limits), MGLRU (mglru.ts: generations per cgroup and
 * type, aging as a sweep of accessed bits, tiers, the refault PID controller, swappiness
 * as type choice), memory.high throttle episodes as `throttle` events and memory.events
 * counters per cgroup (summary.cgroups), fork with copy-on-write sharing (forkOf,
 * cowWriteFraction), THP `always` as 2 MiB first-touch faults with bloat and fallbacks.
 * Not implemented: MGLRU min_ttl_ms (no scenario field), OPT (offline), khugepaged and THP
 * swap, madvise (no scenario field: `madvise` acts as `never`), trace-driven access.
 * See docs/kernel.md for the model, its parameters and its deviations from the kernel.
 */
import { CGROUP_SERIES, HOST_SERIES, PROCESS_SERIES } from '../analysis/metrics.js';
import type { CgroupSummary, EventRecord, PhaseSummary, ProcessSummary, RunResult, Series } from '../result/types.js';
import type { Scenario } from '../scenario/types.js';
import { InputError } from '../util/errors.js';
import { phaseAt } from '../workload/stream.js';
import { chooseFidelity, fidelityInfo } from './fidelity.js';
import { EV_HIGH, EV_LOW, EV_MAX, EV_OOM, EV_OOM_KILL, emptyStats, Host, type ProcRt, type ProcStats } from './host.js';
import { F64Buf, histogram, percentileSorted, round3, summarize } from './latency.js';
import { DEFAULT_MEMCG_CHARGE_BATCH, overHighPenalty } from './mechanisms/memcg-high.js';
import { OomDaemon } from './mechanisms/oomd.js';
import { CommitAccountant } from './mechanisms/overcommit.js';
import { MemoryPsi } from './mechanisms/psi.js';
import { RequestQueue } from './requests.js';

export type KernelOutput = Pick<
  RunResult,
  'fidelity' | 'timeMs' | 'host' | 'processes' | 'cgroups' | 'events' | 'summary'
>;

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

interface ProcAcc {
  stats: ProcStats;
  ticks: number;
  threadSec: number;
}

class Simulation {
  private readonly sc: Scenario;
  private readonly opts: SimulateOptions;
  private readonly host: Host;
  private readonly rate: number;
  private readonly scale: number;
  /** Touches per scheduling chunk: CHUNK real touches in sampled pages, at least one. */
  private readonly chunk: number;
  private readonly tickMs: number;
  private readonly tickSec: number;
  private readonly ticksPerStep: number;
  private readonly steps: number;
  private readonly events: EventRecord[] = [];
  private readonly req: (RequestQueue | null)[];
  private readonly psi: MemoryPsi;
  private readonly commit: CommitAccountant;
  private readonly daemons: OomDaemon[];
  private readonly fidelity: ReturnType<typeof chooseFidelity>;
  private nowMs = 0;
  // per-process tick state
  private readonly carry: Float64Array;
  private readonly cpuShare: Float64Array;
  private readonly reqTarget: Float64Array;
  private readonly reqDone: Float64Array;
  private readonly reqFrac: Float64Array;
  private kswapdCpuSec = 0;
  private kswapdCpuLast = 0;
  private kswapdClock = 0;
  private lastReadIos = 0;
  private backlogReadIos = 0;
  private backlogWritePages = 0;
  // step accumulators
  private readonly stepProc: ProcAcc[];
  private stepKswapdCpu = 0;
  private stepSwapIn = 0;
  private stepSwapOut = 0;
  private stepDevBusy = 0;
  private stepReadLatSum = 0;
  private stepReadLatN = 0;
  private stepPsiSome = 0;
  private stepPsiFull = 0;
  private readonly stepCgMajor: Float64Array;
  private readonly stepCgThrottle: Float64Array;
  // memory.high throttling episodes per cgroup: the open episode's event, start and sleep, run totals
  private readonly thrEvent: (EventRecord | null)[];
  private readonly thrStartMs: Float64Array;
  private readonly thrSec: Float64Array;
  private readonly thrTotalSec: Float64Array;
  private readonly thrEpisodes: Int32Array;
  // output
  private readonly hostSeries: Record<string, Series> = {};
  private readonly procSeries: Record<string, Record<string, Series>> = {};
  private readonly cgSeries: Record<string, Record<string, Series>> = {};
  private readonly timeMs: number[] = [];
  private readonly phaseMarks: { name: string; startMs: number }[] = [{ name: 'start', startMs: 0 }];
  private readonly stepFaultCpu: number[] = [];
  private totalSwapIn = 0;
  private totalSwapOut = 0;
  private oomKills = 0;
  private readonly taskGroup: Int32Array;
  private readonly taskStall: Float64Array;
  private readonly taskNonIdle: Float64Array;

  constructor(sc: Scenario, opts: SimulateOptions) {
    this.sc = sc;
    this.opts = opts;
    this.fidelity = chooseFidelity(sc, opts.fidelity);
    this.rate = this.fidelity.rate;
    this.scale = 1 / this.rate;
    this.chunk = Math.max(1, Math.round(CHUNK * this.rate));
    const stepMs = sc.stepMs;
    this.ticksPerStep = Math.max(1, Math.round(stepMs / Math.min(sc.host.kernel.tickMs, stepMs)));
    this.tickMs = stepMs / this.ticksPerStep;
    this.tickSec = this.tickMs / 1000;
    this.steps = Math.ceil(sc.durationMs / stepMs);
    this.host = new Host(sc, this.rate, {
      oomKill: (p, badness, reason, scopeCg) => {
        this.oomKills++;
        p.killedAtMs = this.nowMs;
        this.req[p.idx]?.truncate(this.nowMs);
        this.commit.release(p.committedBytes);
        p.committedBytes = 0;
        this.phaseMarks.push({ name: `${p.cfg.name} OOM-killed`, startMs: this.nowMs });
        this.events.push({
          timeMs: this.nowMs,
          kind: 'oom-kill',
          process: p.cfg.name,
          cgroup: p.cfg.cgroup,
          message: `${scopeCg === 0 ? 'global' : 'memcg'} OOM: killed ${p.cfg.name} (badness ${badness}, oom_score_adj ${p.cfg.oomScoreAdj}): ${reason}`,
          detail: { badness, oomScoreAdj: p.cfg.oomScoreAdj, rssBytes: this.bytes(this.host.rss(p)) },
        });
      },
      swapFull: () => {
        this.events.push({
          timeMs: this.nowMs,
          kind: 'swap-full',
          message: 'swap space exhausted: anonymous memory can no longer be reclaimed',
        });
      },
    });
    const h = sc.host;
    this.commit = new CommitAccountant({
      ramBytes: h.ramBytes,
      swapBytes: h.swap.device === 'none' ? 0 : h.swap.sizeBytes,
      pageSizeBytes: h.pageSizeBytes,
      mode: h.sysctl['vm.overcommit_memory'],
      ratio: h.sysctl['vm.overcommit_ratio'],
      kbytes: h.sysctl['vm.overcommit_kbytes'],
    });
    const tree = this.host.oomCgroups();
    this.daemons = sc.oomDaemons.map(
      (d) => new OomDaemon({ ...d, cgroups: d.cgroups.map((c) => c.replace(/^\/+|\/+$/g, '')) }, tree),
    );
    const ticks = this.steps * this.ticksPerStep;
    this.req = this.host.procs.map((p) =>
      p.cfg.requests
        ? new RequestQueue(
            p.cfg.requests,
            p.cfg.cpu.threads,
            p.cfg.cpu.cores,
            p.rng.fork(3),
            ticks,
            this.tickMs,
            this.steps,
            stepMs,
          )
        : null,
    );
    const n = this.host.procs.length;
    this.carry = new Float64Array(n);
    this.cpuShare = new Float64Array(n);
    this.reqTarget = new Float64Array(n);
    this.reqDone = new Float64Array(n);
    this.reqFrac = new Float64Array(n);
    this.stepProc = this.host.procs.map(() => ({ stats: emptyStats(), ticks: 0, threadSec: 0 }));
    this.stepCgMajor = new Float64Array(this.host.cgs.length);
    this.stepCgThrottle = new Float64Array(this.host.cgs.length);
    const ncg = this.host.cgs.length;
    this.thrEvent = this.host.cgs.map(() => null);
    this.thrStartMs = new Float64Array(ncg);
    this.thrSec = new Float64Array(ncg);
    this.thrTotalSec = new Float64Array(ncg);
    this.thrEpisodes = new Int32Array(ncg);
    this.psi = new MemoryPsi(
      this.host.cgs.map((c) => c.parent),
      { cpus: sc.host.cpus },
    );
    let tasks = 0;
    for (const p of this.host.procs) tasks += Math.max(1, p.cfg.cpu.threads);
    this.taskGroup = new Int32Array(tasks);
    this.taskStall = new Float64Array(tasks);
    this.taskNonIdle = new Float64Array(tasks);
    for (const name of Object.keys(HOST_SERIES)) this.hostSeries[name] = [];
    for (const p of this.host.procs) {
      const s: Record<string, Series> = {};
      for (const name of Object.keys(PROCESS_SERIES)) s[name] = [];
      this.procSeries[p.cfg.name] = s;
    }
    for (const c of this.host.cgs) {
      if (!c.cfg) continue;
      const s: Record<string, Series> = {};
      for (const name of Object.keys(CGROUP_SERIES)) s[name] = [];
      this.cgSeries[c.path] = s;
    }
  }

  private bytes(simPages: number): number {
    return Math.round(simPages * this.scale * this.sc.host.pageSizeBytes);
  }

  run(): KernelOutput {
    const evs = [...this.sc.events].sort((a, b) => a.atMs - b.atMs);
    let nextEv = 0;
    const ticks = this.steps * this.ticksPerStep;
    for (let t = 0; t < ticks; t++) {
      this.nowMs = t * this.tickMs;
      while (nextEv < evs.length && evs[nextEv]!.atMs <= this.nowMs) this.applyEvent(evs[nextEv++]!);
      this.lifecycle();
      this.tick(t);
      this.opts.onTick?.(this.host, this.nowMs + this.tickMs);
      if ((t + 1) % this.ticksPerStep === 0) this.endStep((t + 1) / this.ticksPerStep - 1);
    }
    return this.output();
  }

  // ------------------------------------------------------------------ events and lifecycle

  private applyEvent(ev: Scenario['events'][number]): void {
    this.phaseMarks.push({ name: ev.label, startMs: ev.atMs });
    const rec = (message: string, extra: Partial<EventRecord> = {}) =>
      this.events.push({ timeMs: this.nowMs, kind: 'scenario', message, ...extra });
    switch (ev.action) {
      case 'start': {
        const p = this.procByName(ev.process);
        rec(`${ev.label}: start ${ev.process}`, { process: ev.process });
        if (!p.started) this.startProcess(p);
        break;
      }
      case 'kill': {
        const p = this.procByName(ev.process);
        rec(`${ev.label}: kill ${ev.process}`, { process: ev.process });
        this.stopProcess(p, true);
        break;
      }
      case 'sysctl': {
        rec(`${ev.label}: ${ev.name} = ${ev.value}`);
        (this.sc.host.sysctl as unknown as Record<string, number>)[ev.name] = ev.value;
        if (ev.name === 'vm.swappiness') this.host.swappiness = ev.value;
        else if (ev.name === 'vm.page-cluster') this.host.pageCluster = ev.value;
        else if (ev.name === 'vm.min_free_kbytes' || ev.name === 'vm.watermark_scale_factor') this.host.setWatermarks();
        else if (ev.name === 'vm.overcommit_memory') this.commit.reconfigure({ mode: ev.value as 0 | 1 | 2 });
        else if (ev.name === 'vm.overcommit_ratio') this.commit.reconfigure({ ratio: ev.value });
        else if (ev.name === 'vm.overcommit_kbytes') this.commit.reconfigure({ kbytes: ev.value });
        break;
      }
      case 'cgroup': {
        const cg = this.host.cgroupIndex(ev.cgroup);
        if (cg < 0) throw new InputError(`event ${ev.label}: unknown cgroup ${ev.cgroup}`);
        rec(`${ev.label}: ${ev.cgroup}/${ev.file} = ${ev.value === null ? 'max' : String(ev.value)}`, {
          cgroup: ev.cgroup,
        });
        this.host.setCgroupField(cg, ev.field, ev.value);
        break;
      }
    }
  }

  private procByName(name: string): ProcRt {
    const p = this.host.procs.find((q) => q.cfg.name === name);
    if (!p) throw new InputError(`scenario event names unknown process ${name}`);
    return p;
  }

  private lifecycle(): void {
    for (const p of this.host.procs) {
      if (!p.started && p.cfg.startMs <= this.nowMs) this.startProcess(p);
      if (p.alive && p.cfg.stopMs <= this.nowMs) this.stopProcess(p, false);
    }
  }

  private startProcess(p: ProcRt): void {
    p.started = true;
    // The heap is mapped at start (mmap/brk): RLIMIT_AS and overcommit admission (§7).
    const m = p.cfg.memory;
    const res = this.commit.tryCommit(m.anonInitialBytes, m.fileBytes, p.cfg.rlimitAsBytes);
    if (!res.ok) {
      this.allocFail(p, m.anonInitialBytes, res.detail);
      return;
    }
    p.committedBytes = m.anonInitialBytes;
    p.virtBytes = m.anonInitialBytes + m.fileBytes;
    p.alive = true;
    const elapsed = 0;
    p.anon.configure(phaseAt(p.cfg.access, elapsed), this.anonTarget(p, elapsed));
    p.file.configure(phaseAt(p.cfg.access, elapsed), p.fileCap);
    if (this.nowMs > 0) this.phaseMarks.push({ name: `${p.cfg.name} started`, startMs: this.nowMs });
    this.events.push({
      timeMs: this.nowMs,
      kind: 'process-start',
      process: p.cfg.name,
      cgroup: p.cfg.cgroup,
      message: `${p.cfg.name} started`,
    });
    const parent = p.cfg.forkOf === null ? null : this.procByName(p.cfg.forkOf);
    if (parent && !parent.started && parent.cfg.startMs <= this.nowMs) this.startProcess(parent);
    if (parent?.alive) {
      // A forked child starts with its parent's image mapped: its first touches find the
      // shared pages (or copy the ones it writes) instead of allocating.
      this.host.fork(p, parent);
      p.growthPending = p.anon.current;
    } else if (this.nowMs === 0) this.warmStart(p);
    else p.growthPending = p.anon.current;
  }

  /** An allocation refused with ENOMEM (overcommit or RLIMIT_AS): recorded, not an OOM kill. */
  private allocFail(p: ProcRt, bytes: number, detail: string): void {
    p.allocFailures++;
    this.events.push({
      timeMs: this.nowMs,
      kind: 'alloc-fail',
      process: p.cfg.name,
      cgroup: p.cfg.cgroup,
      message: `${p.cfg.name}: allocation of ${bytes} bytes refused (ENOMEM): ${detail}`,
      detail: { bytes },
    });
  }

  /** Admission of `bytes` more anonymous memory; false (and an alloc-fail event) when refused. */
  private admit(p: ProcRt, bytes: number): boolean {
    if (bytes <= 0) return true;
    const res = this.commit.tryCommit(bytes, p.virtBytes, p.cfg.rlimitAsBytes);
    if (!res.ok) {
      this.allocFail(p, Math.round(bytes), res.detail);
      return false;
    }
    p.committedBytes += bytes;
    p.virtBytes += bytes;
    return true;
  }

  private stopProcess(p: ProcRt, killed: boolean): void {
    if (!p.alive) return;
    this.exit(p, killed);
    p.killedAtMs = this.nowMs;
    this.req[p.idx]?.truncate(this.nowMs);
    this.events.push({
      timeMs: this.nowMs,
      kind: 'process-exit',
      process: p.cfg.name,
      cgroup: p.cfg.cgroup,
      message: `${p.cfg.name} ${killed ? 'killed' : 'exited'}`,
    });
  }

  private exit(p: ProcRt, killed: boolean): void {
    this.phaseMarks.push({ name: `${p.cfg.name} ${killed ? 'killed' : 'exited'}`, startMs: this.nowMs });
    this.host.exitProcess(p, killed);
    this.commit.release(p.committedBytes);
    p.committedBytes = 0;
  }

  /**
   * Processes running when the replay starts have their initial working set resident (a
   * host in steady state, not a cold boot): hottest pages first, the hottest on the active
   * lists, until the high watermark.
   */
  private warmStart(p: ProcRt): void {
    const fill = (stream: typeof p.anon, base: number) => {
      const n = stream.current;
      // The inactive_is_low balance: inactive ≈ 1/(1 + ratio) of the pair.
      const gb = Math.floor((n * this.scale * this.sc.host.pageSizeBytes) / 2 ** 30);
      const ratio = gb > 0 ? Math.floor(Math.sqrt(10 * gb)) : 1;
      const activeShare = ratio / (1 + ratio);
      for (let r = 0; r < n; r++) {
        if (!this.host.warmInsert(p, base + stream.offsetOfRank(r), r < n * activeShare)) return;
      }
    };
    fill(p.anon, p.anonBase);
    fill(p.file, p.fileBase);
  }

  private anonTarget(p: ProcRt, elapsedMs: number): number {
    const m = p.cfg.memory;
    const bytes = Math.min(m.anonBytes, m.anonInitialBytes + (m.growthBytesPerSec * elapsedMs) / 1000);
    return Math.min(p.anonCap, Math.round((bytes / this.sc.host.pageSizeBytes) * this.rate));
  }

  // ------------------------------------------------------------------ one tick

  private tick(t: number): void {
    const host = this.host;
    const procs = host.procs;
    const tickSec = this.tickSec;
    host.swapInPages = 0;
    host.swapReadIos = 0;
    host.swapOutPages = 0;
    host.fileReadPages = 0;
    host.fileWritePages = 0;
    host.scanKswapd = 0;
    host.scanDirect = 0;
    const writeBudget = this.kswapdWriteBudgetPages();
    let kswapdWritten = 0;
    for (const c of host.cgs) {
      c.majorTick = 0;
      c.throttleSec = 0;
    }
    this.allocateCpu();
    for (const p of procs) {
      p.tick = emptyStats();
      p.idle = false;
      if (!p.alive) continue;
      const elapsed = this.nowMs - p.cfg.startMs;
      const pattern = phaseAt(p.cfg.access, elapsed);
      const before = p.anon.current;
      // After a refused allocation (ENOMEM) the process stops growing and leaking.
      const target = Math.max(before, this.anonTarget(p, elapsed + this.tickMs));
      const grow = p.allocFailures === 0 && this.admit(p, (target - before) * this.scale * this.sc.host.pageSizeBytes);
      p.anon.configure(pattern, grow ? target : before);
      p.growthPending += p.anon.current - before;
      p.file.configure(pattern, p.fileCap);
      const leakBytes = p.cfg.memory.leakBytesPerSec * tickSec;
      if (p.allocFailures === 0 && this.admit(p, leakBytes)) {
        p.leakFrac += (leakBytes / this.sc.host.pageSizeBytes) * this.rate;
        const whole = Math.floor(p.leakFrac);
        p.leakFrac -= whole;
        p.leakPending += whole;
      }
      const rq = this.req[p.idx];
      if (rq) {
        rq.cpuShare = this.cpuShare[p.idx]!;
        rq.advance(t, this.nowMs, this.sc.durationMs);
        const want = rq.pagesInTick(t) * this.rate + this.reqFrac[p.idx]!;
        this.reqTarget[p.idx] = Math.floor(want);
        this.reqFrac[p.idx] = want - Math.floor(want);
        this.reqDone[p.idx] = 0;
      }
    }
    this.kswapdCpuSec = 0;
    this.kswapdClock = 0;
    let kswapdStuck = false;
    // Interleave: always run the entity furthest behind in simulated time.
    for (;;) {
      let best = -1;
      let bestPos = tickSec;
      for (let i = 0; i < procs.length; i++) {
        const p = procs[i]!;
        if (!p.alive) continue;
        const pos = this.position(p);
        if (pos < bestPos) {
          bestPos = pos;
          best = i;
        }
      }
      const kswapdPos = host.kswapdAwake && !kswapdStuck ? this.kswapdClock : tickSec;
      if (kswapdPos < bestPos) {
        // The tick's write budget is paced over the tick: kswapd blocks on a full device queue
        // as it goes, it does not queue the whole tick's writes at its start (ahead of every read).
        // zram has no write queue: its budget is unbounded and not paced.
        host.kswapdWriteBudget = Number.isFinite(writeBudget)
          ? Math.min(writeBudget, (writeBudget * this.kswapdClock) / tickSec + host.clusterPages) - kswapdWritten
          : writeBudget;
        const before = host.kswapdWriteBudget;
        const cpu = host.kswapdRun(4);
        if (Number.isFinite(writeBudget)) kswapdWritten += before - host.kswapdWriteBudget;
        this.kswapdCpuSec += cpu;
        this.kswapdClock += cpu + 1e-6;
        if (!host.kswapdProgress) {
          // Throttled on writeback while the tick's budget lasts: resume when the next batch fits.
          if (host.kswapdWriteBudget <= 0 && kswapdWritten + host.clusterPages <= writeBudget)
            this.kswapdClock = Math.max(
              this.kswapdClock,
              ((kswapdWritten + host.clusterPages) / writeBudget) * tickSec,
            );
          // Nothing reclaimable, or the tick's budget spent: kswapd sleeps until the next tick.
          else kswapdStuck = true;
        }
        continue;
      }
      if (best < 0) break;
      this.runChunk(procs[best]!);
    }
    // Carry over what overshot the tick (a long stall spans ticks).
    for (const p of procs) {
      if (!p.alive) {
        this.carry[p.idx] = 0;
        continue;
      }
      this.carry[p.idx] = this.req[p.idx] ? 0 : Math.max(0, this.position(p) - tickSec);
      this.updateRequestFigures(p);
    }
    this.kswapdCpuLast = this.kswapdCpuSec;
    this.deviceTick();
    this.psiTick();
    this.oomdTick();
    this.throttleTick();
    this.accumulate();
  }

  /**
   * Coalesces memory.high throttling into episodes, one `throttle` event each: an episode
   * opens at the first tick with a throttle sleep in the cgroup and stays open while sleeps
   * go on or the cgroup stays above memory.high (its tasks are still paying the penalty);
   * the event, recorded at the start, gets its totals when the episode ends.
   */
  private throttleTick(): void {
    const cgs = this.host.cgs;
    const endMs = this.nowMs + this.tickMs;
    for (let c = 1; c < cgs.length; c++) {
      const cg = cgs[c]!;
      const sleep = cg.throttleSec;
      this.thrTotalSec[c]! += sleep;
      if (sleep > 0) {
        if (!this.thrEvent[c]) {
          const ev: EventRecord = {
            timeMs: this.nowMs,
            kind: 'throttle',
            cgroup: cg.path,
            message: `memory.high of ${cg.path} exceeded: its tasks are throttled`,
          };
          this.events.push(ev);
          this.thrEvent[c] = ev;
          this.thrStartMs[c] = this.nowMs;
          this.thrSec[c] = 0;
          this.thrEpisodes[c]!++;
        }
        this.thrSec[c]! += sleep;
      } else if (this.thrEvent[c] && cg.usage <= cg.high) this.closeThrottle(c, endMs, false);
    }
  }

  private closeThrottle(c: number, endMs: number, atEnd: boolean): void {
    const ev = this.thrEvent[c]!;
    const ms = Math.round(this.thrSec[c]! * 1000);
    const durationMs = endMs - this.thrStartMs[c]!;
    ev.message =
      `memory.high of ${ev.cgroup} exceeded: tasks throttled ${ms} ms over ${round3(durationMs / 1000)} s` +
      (atEnd ? ' (still throttled at the end of the run)' : '');
    ev.detail = { throttledMs: ms, durationMs };
    this.thrEvent[c] = null;
  }

  /**
   * Pages kswapd may write to swap this tick (sampled): the device time left after the
   * backlog and the reads of the last tick. Beyond it, too many pages would be under
   * writeback and kswapd throttles (`reclaim_throttle`), leaving reclaim to the allocators.
   */
  private kswapdWriteBudgetPages(): number {
    const s = this.sc.host.swap;
    if (s.device === 'none') return 0;
    if (s.device === 'zram') return Number.POSITIVE_INFINITY;
    const cluster = this.sc.host.kernel.swapClusterMax;
    const page = this.sc.host.pageSizeBytes;
    const occ = (latUs: number, pages: number) =>
      Math.max(latUs, (s.queueDepth / s.iops) * 1e6, ((s.queueDepth * pages * page) / s.bandwidthBytesPerSec) * 1e6);
    const occRead = occ(s.readLatencyUs, 1);
    const occWrite = occ(s.writeLatencyUs, cluster);
    const capacityUs = s.queueDepth * this.tickMs * 1000;
    const busyUs = (this.lastReadIos + this.backlogReadIos) * occRead + (this.backlogWritePages / cluster) * occWrite;
    const freeUs = Math.max(0, capacityUs - busyUs);
    return (freeUs / occWrite) * cluster * this.rate;
  }

  /** Host CPU shared by water-filling: each process up to min(threads, cores), kswapd first. */
  private allocateCpu(): void {
    const procs = this.host.procs;
    let avail = Math.max(0, this.sc.host.cpus - Math.min(1, this.kswapdCpuLast / this.tickSec));
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
    if (p.idle) return this.tickSec;
    if (this.req[i]) {
      const target = this.reqTarget[i]!;
      return target > 0 ? (this.reqDone[i]! / target) * this.tickSec : this.tickSec;
    }
    const st = p.tick;
    const cpu = st.cpuUserSec + st.cpuFaultSec + st.cpuReclaimSec;
    const threads = Math.max(1, p.cfg.cpu.threads);
    const share = this.cpuShare[i]!;
    const byThreads = (cpu + st.stallSec) / threads;
    const byCpu = share > 0 ? cpu / share : this.tickSec;
    return this.carry[i]! + Math.max(byThreads, byCpu);
  }

  private runChunk(p: ProcRt): void {
    const host = this.host;
    const rq = this.req[p.idx];
    const fileShare = p.fileCap > 0 ? p.cfg.fileTouchFraction : 0;
    const touchCost = rq
      ? (rq.model.cpuMs / 1000 / Math.max(1, rq.model.pagesPerRequest)) * this.scale
      : (Math.max(1, Math.min(p.cfg.cpu.threads, p.cfg.cpu.cores)) / Math.max(1e-9, p.cfg.touchesPerSec)) * this.scale;
    let n = this.chunk;
    if (rq) n = Math.min(n, this.reqTarget[p.idx]! - this.reqDone[p.idx]!);
    for (let k = 0; k < n; k++) {
      let page: number;
      if (p.growthPending > 0) {
        page = p.anonBase + p.anon.offsetOfRank(p.anon.current - p.growthPending);
        p.growthPending--;
      } else if (p.leakPending > 0 && p.leakUsed < p.leakCap) {
        page = p.leakBase + p.leakUsed++;
        p.leakPending--;
      } else if (fileShare > 0 && (p.anon.current === 0 || p.rng.nextFloat() < fileShare)) {
        page = p.fileBase + p.file.next();
      } else if (p.anon.current > 0) {
        page = p.anonBase + p.anon.next();
      } else {
        p.idle = true;
        break;
      }
      host.nowUs = Math.min(this.tickSec, this.position(p)) * 1e6;
      const r = p.cowParent >= 0 && page < p.fileBase ? host.touchCow(p, page) : host.touch(p, page);
      if (r < 0) return;
      p.tick.touches++;
      p.tick.cpuUserSec += touchCost;
    }
    if (rq) this.reqDone[p.idx]! += Math.max(1, n);
    if (p.overHighPages > 0) this.overHigh(p);
  }

  /** memory.high: reclaim what was charged over, then sleep the penalty (`mem_cgroup_handle_over_high`). */
  private overHigh(p: ProcRt): void {
    const host = this.host;
    const nrReal = p.overHighPages;
    p.overHighPages = 0;
    let worst = -1;
    let worstOver = 0;
    for (const c of host.cgs[p.cg]!.chain) {
      const cg = host.cgs[c]!;
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
    const cg = host.cgs[worst]!;
    host.reclaimCgroup(worst, Math.max(1, Math.round(nrReal * this.rate)), p);
    if (cg.usage <= cg.high) return;
    // mem_cgroup_handle_over_high: one sleep per MEMCG_CHARGE_BATCH pages charged over.
    const cgs = host.cgs.slice(1);
    const batches = Math.max(1, Math.round(nrReal / DEFAULT_MEMCG_CHARGE_BATCH));
    const pen = overHighPenalty(
      {
        cgroup: p.cg - 1,
        parent: cgs.map((c) => c.parent - 1),
        usagePages: cgs.map((c) => c.usage),
        highPages: cgs.map((c) => Math.min(c.high, Number.MAX_SAFE_INTEGER)),
        nrPages: DEFAULT_MEMCG_CHARGE_BATCH,
      },
      { maxDelayMs: this.sc.host.kernel.memoryHighMaxDelayMs },
    );
    if (pen.sleepMs <= 0) return;
    const sleep = (pen.sleepMs / 1000) * batches;
    p.tick.stallSec += sleep;
    p.tick.throttleSec += sleep;
    p.tick.reclaimStallSec += sleep;
    cg.throttleSec += sleep;
  }

  private updateRequestFigures(p: ProcRt): void {
    const rq = this.req[p.idx];
    if (!rq) return;
    const st = p.tick;
    if (st.touches <= 0) return;
    const a = Math.min(1, this.tickSec / 1);
    const realTouches = st.touches * this.scale;
    rq.majorPerPage += a * (st.major / st.touches - rq.majorPerPage);
    rq.minorPerPage += a * (st.minor / st.touches - rq.minorPerPage);
    const majorCost =
      st.major > 0
        ? (st.ioWaitSec + this.sc.host.costs.majorFaultCpuUs * 1e-6 * st.major * this.scale) / (st.major * this.scale)
        : rq.majorCostSec;
    rq.majorCostSec += a * (majorCost - rq.majorCostSec);
    rq.minorCostSec = this.sc.host.costs.minorFaultCpuUs * 1e-6;
    rq.stallPerPageSec += a * (st.reclaimStallSec / realTouches - rq.stallPerPageSec);
  }

  private deviceTick(): void {
    const host = this.host;
    if (this.sc.host.swap.device === 'none') return;
    const cluster = this.sc.host.kernel.swapClusterMax;
    const disk = this.sc.host.swap.device !== 'zram';
    const readPages = (host.swapInPages + (disk ? host.fileReadPages : 0)) * this.scale;
    const readIos = (host.swapReadIos + (disk ? host.fileReadPages : 0)) * this.scale;
    const writePages = (host.swapOutPages + (disk ? host.fileWritePages : 0)) * this.scale;
    const writeIos = writePages / cluster;
    const r = host.device.tick(this.tickMs * 1000, readIos, Math.max(readPages, readIos), writeIos, writePages);
    this.lastReadIos = readIos;
    this.backlogReadIos = r.readIosBacklog;
    this.backlogWritePages = r.writeIosBacklog * cluster;
    host.devQueueUs = r.readIosBacklog * host.occReadUs + r.writeIosBacklog * host.occWriteUs;
    this.stepDevBusy += r.utilisation;
    if (readIos > 0) {
      this.stepReadLatSum += r.meanReadLatencyUs * readIos;
      this.stepReadLatN += readIos;
    }
  }

  private psiTick(): void {
    let k = 0;
    const tickUs = this.tickMs * 1000;
    for (const p of this.host.procs) {
      const threads = Math.max(1, p.cfg.cpu.threads);
      const st = p.tick;
      const cpu = st.cpuUserSec + st.cpuFaultSec + st.cpuReclaimSec;
      const nonIdle = p.alive || st.touches > 0 ? Math.min(tickUs, ((cpu + st.stallSec) / threads) * 1e6) : 0;
      const stalled = Math.min(nonIdle, (st.stallSec / threads) * 1e6);
      for (let i = 0; i < threads; i++) {
        this.taskGroup[k] = p.cg;
        this.taskStall[k] = stalled;
        this.taskNonIdle[k] = nonIdle;
        k++;
      }
    }
    this.psi.tick(tickUs, this.taskGroup, this.taskStall, this.taskNonIdle, k);
    this.stepPsiSome += this.psi.lastSomeUs[0]!;
    this.stepPsiFull += this.psi.lastFullUs[0]!;
  }

  /** User-space OOM daemons read PSI, usage and swap at the end of the tick (mechanisms/oomd.ts). */
  private oomdTick(): void {
    if (this.daemons.length === 0) return;
    const host = this.host;
    const cgs = host.cgs.slice(1);
    const populated = cgs.map(() => 0);
    for (const p of host.procs) {
      if (!p.alive) continue;
      for (const c of host.cgs[p.cg]!.chain) if (c > 0) populated[c - 1] = 1;
    }
    const split = host.residentSplit();
    const sample = {
      nowMs: this.nowMs + this.tickMs,
      someAvg10Pct: cgs.map((_, i) => this.psi.line(i + 1, 'some').avg10Pct),
      fullAvg10Pct: cgs.map((_, i) => this.psi.line(i + 1, 'full').avg10Pct),
      usageBytes: cgs.map((c) => this.bytes(c.usage)),
      swapBytes: cgs.map((c) => this.bytes(c.swap)),
      pgscan: cgs.map((c) => c.pgscan * this.scale),
      populated,
      memTotalBytes: this.sc.host.ramBytes,
      memAvailableBytes: this.bytes(host.freeFrames + split.file),
      swapTotalBytes: this.sc.host.swap.device === 'none' ? 0 : this.sc.host.swap.sizeBytes,
      swapUsedBytes: this.bytes(host.device.usedSlots),
    };
    for (const d of this.daemons) {
      for (const k of d.tick(sample)) {
        for (const p of host.procs) {
          if (!p.alive || !host.cgs[p.cg]!.chain.includes(k.cgroup + 1)) continue;
          this.oomKills++;
          p.killedAtMs = this.nowMs;
          this.req[p.idx]?.truncate(this.nowMs);
          this.events.push({
            timeMs: this.nowMs,
            kind: 'oomd-kill',
            process: p.cfg.name,
            cgroup: p.cfg.cgroup,
            message: `${k.reason}: killed ${p.cfg.name}`,
            detail: { trigger: k.trigger, cgroup: k.name },
          });
          this.exit(p, true);
        }
      }
    }
  }

  private accumulate(): void {
    const host = this.host;
    for (const p of host.procs) {
      const acc = this.stepProc[p.idx]!;
      addStats(acc.stats, p.tick);
      addStats(p.total, p.tick);
      if (p.alive) {
        acc.ticks++;
        acc.threadSec += this.tickSec * Math.max(1, p.cfg.cpu.threads);
        p.totalThreadSec += this.tickSec * Math.max(1, p.cfg.cpu.threads);
      }
    }
    this.stepKswapdCpu += this.kswapdCpuSec;
    this.stepSwapIn += host.swapInPages;
    this.stepSwapOut += host.swapOutPages;
    for (let c = 0; c < host.cgs.length; c++) {
      this.stepCgMajor[c]! += host.cgs[c]!.majorTick;
      this.stepCgThrottle[c]! += host.cgs[c]!.throttleSec;
    }
  }

  // ------------------------------------------------------------------ output

  private endStep(step: number): void {
    const host = this.host;
    const stepSec = this.sc.stepMs / 1000;
    const cap = this.sc.host.cpus * stepSec;
    const sc = this.scale;
    this.timeMs.push(Math.min(this.sc.durationMs, (step + 1) * this.sc.stepMs));
    let user = 0;
    let fault = 0;
    let reclaim = this.stepKswapdCpu;
    let iowait = 0;
    let minor = 0;
    let major = 0;
    for (const p of host.procs) {
      const acc = this.stepProc[p.idx]!;
      const st = acc.stats;
      user += st.cpuUserSec;
      fault += st.cpuFaultSec;
      reclaim += st.cpuReclaimSec;
      minor += st.minor;
      major += st.major;
      const cpu = st.cpuUserSec + st.cpuFaultSec + st.cpuReclaimSec;
      const runnable = Math.min(p.cfg.cpu.threads, p.cfg.cpu.cores) * (acc.ticks * this.tickSec);
      iowait += Math.max(0, Math.min(st.stallSec, runnable - cpu));
      const ps = this.procSeries[p.cfg.name]!;
      ps.minorFaultsPerSec!.push(round3((st.minor * sc) / stepSec));
      ps.majorFaultsPerSec!.push(round3((st.major * sc) / stepSec));
      // Pages shared copy-on-write with a parent count in the child's RSS too (RssAnon).
      const shared = host.cowSharedResident(p);
      const rss = p.rssAnon + p.rssFile + shared;
      if (rss > p.peakRss) p.peakRss = rss;
      ps.rssBytes!.push(this.bytes(rss));
      ps.anonBytes!.push(this.bytes(p.rssAnon + shared));
      ps.swapBytes!.push(this.bytes(p.swap));
      ps.stallPct!.push(acc.threadSec > 0 ? round3(Math.min(100, (st.stallSec / acc.threadSec) * 100)) : 0);
      ps.cpuUserPct!.push(round3((st.cpuUserSec / cap) * 100));
      const rq = this.req[p.idx];
      const lat = rq ? rq.byStep[step]!.view().slice().sort() : null;
      ps.latencyP50Ms!.push(lat && lat.length > 0 ? round3(percentileSorted(lat, 0.5)) : null);
      ps.latencyP99Ms!.push(lat && lat.length > 0 ? round3(percentileSorted(lat, 0.99)) : null);
      ps.requestsPerSec!.push(rq ? round3((lat?.length ?? 0) / stepSec) : null);
      acc.stats = emptyStats();
      acc.ticks = 0;
      acc.threadSec = 0;
    }
    const busy = user + fault + reclaim;
    if (busy + iowait > cap) iowait = Math.max(0, cap - busy);
    const pct = (x: number) => round3(Math.min(100, (x / cap) * 100));
    const hs = this.hostSeries;
    const faultCpu = pct(fault + reclaim + iowait);
    this.stepFaultCpu.push(faultCpu);
    hs.minorFaultsPerSec!.push(round3((minor * sc) / stepSec));
    hs.majorFaultsPerSec!.push(round3((major * sc) / stepSec));
    hs.swapInPagesPerSec!.push(round3((this.stepSwapIn * sc) / stepSec));
    hs.swapOutPagesPerSec!.push(round3((this.stepSwapOut * sc) / stepSec));
    hs.faultCpuPct!.push(faultCpu);
    hs.cpuUserPct!.push(pct(user));
    hs.cpuFaultPct!.push(pct(fault));
    hs.cpuReclaimPct!.push(pct(reclaim));
    hs.cpuIowaitPct!.push(pct(iowait));
    hs.cpuIdlePct!.push(round3(Math.max(0, 100 - pct(user) - pct(fault) - pct(reclaim) - pct(iowait))));
    hs.memFreeBytes!.push(this.bytes(host.freeFrames));
    const split = host.residentSplit();
    hs.memAnonBytes!.push(this.bytes(split.anon));
    hs.memFileBytes!.push(this.bytes(split.file));
    hs.swapUsedBytes!.push(this.bytes(host.device.usedSlots));
    hs.psiSomeAvg10Pct!.push(round3(this.psi.line(0, 'some').avg10Pct));
    hs.psiFullAvg10Pct!.push(round3(this.psi.line(0, 'full').avg10Pct));
    hs.psiSomePct!.push(round3(Math.min(100, (this.stepPsiSome / (stepSec * 1e6)) * 100)));
    hs.psiFullPct!.push(round3(Math.min(100, (this.stepPsiFull / (stepSec * 1e6)) * 100)));
    hs.swapDeviceUtilPct!.push(round3((this.stepDevBusy / this.ticksPerStep) * 100));
    hs.swapReadLatencyMs!.push(this.stepReadLatN > 0 ? round3(this.stepReadLatSum / this.stepReadLatN / 1000) : null);
    for (let c = 0; c < host.cgs.length; c++) {
      const cg = host.cgs[c]!;
      const s = this.cgSeries[cg.path];
      if (!s) continue;
      s.usageBytes!.push(this.bytes(cg.usage));
      s.swapBytes!.push(this.bytes(cg.swap));
      s.majorFaultsPerSec!.push(round3((this.stepCgMajor[c]! * sc) / stepSec));
      s.throttledMsPerSec!.push(round3((this.stepCgThrottle[c]! * 1000) / stepSec));
      s.psiSomeAvg10Pct!.push(round3(this.psi.line(c, 'some').avg10Pct));
      s.psiFullAvg10Pct!.push(round3(this.psi.line(c, 'full').avg10Pct));
    }
    this.totalSwapIn += this.stepSwapIn;
    this.totalSwapOut += this.stepSwapOut;
    this.stepKswapdCpu = 0;
    this.stepSwapIn = 0;
    this.stepSwapOut = 0;
    this.stepDevBusy = 0;
    this.stepReadLatSum = 0;
    this.stepReadLatN = 0;
    this.stepPsiSome = 0;
    this.stepPsiFull = 0;
    this.stepCgMajor.fill(0);
    this.stepCgThrottle.fill(0);
  }

  private output(): KernelOutput {
    const host = this.host;
    const sc = this.scale;
    const cgroups: Record<string, CgroupSummary> = {};
    for (let c = 1; c < host.cgs.length; c++) {
      const cg = host.cgs[c]!;
      if (this.thrEvent[c]) this.closeThrottle(c, this.sc.durationMs, true);
      if (!cg.cfg) continue;
      const ev = cg.memoryEvents;
      cgroups[cg.path] = {
        memoryEvents: {
          low: ev[EV_LOW]!,
          high: ev[EV_HIGH]!,
          max: ev[EV_MAX]!,
          oom: ev[EV_OOM]!,
          oomKill: ev[EV_OOM_KILL]!,
        },
        throttledMs: Math.round(this.thrTotalSec[c]! * 1000),
        throttleEpisodes: this.thrEpisodes[c]!,
      };
    }
    const processes: Record<string, ProcessSummary> = {};
    let minor = 0;
    let major = 0;
    let allocFailures = 0;
    for (const p of host.procs) {
      const t = p.total;
      minor += t.minor;
      major += t.major;
      allocFailures += p.allocFailures;
      const threadSec = p.totalThreadSec;
      const s: ProcessSummary = {
        minorFaults: Math.round(t.minor * sc),
        majorFaults: Math.round(t.major * sc),
        swapInPages: Math.round(t.swapIn * sc),
        oomKilled: this.events.some(
          (e) => (e.kind === 'oom-kill' || e.kind === 'oomd-kill') && e.process === p.cfg.name,
        ),
        allocFailures: p.allocFailures,
        peakRssBytes: this.bytes(p.peakRss),
        stallPct: threadSec > 0 ? round3(Math.min(100, (t.stallSec / threadSec) * 100)) : 0,
      };
      if (s.oomKilled) s.oomKilledAtMs = p.killedAtMs;
      const rq = this.req[p.idx];
      if (rq) {
        s.latencyMs = summarize(rq.all.view());
        s.latencyHistogram = histogram(rq.all.view());
      }
      processes[p.cfg.name] = s;
    }
    const hs = this.hostSeries;
    const maxOf = (xs: Series) => xs.reduce<number>((m, x) => (x !== null && x > m ? x : m), 0);
    const avgOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
    const summary = {
      host: {
        faultCpuPctMax: maxOf(hs.faultCpuPct!),
        faultCpuPctAvg: round3(avgOf(this.stepFaultCpu)),
        majorFaultsPerSecMax: maxOf(hs.majorFaultsPerSec!),
        majorFaults: Math.round(major * sc),
        minorFaults: Math.round(minor * sc),
        oomKills: this.oomKills,
        allocFailures,
        swapInPages: Math.round(this.totalSwapIn * sc),
        swapOutPages: Math.round(this.totalSwapOut * sc),
        psiSomeAvg10PctMax: maxOf(hs.psiSomeAvg10Pct!),
        psiFullAvg10PctMax: maxOf(hs.psiFullAvg10Pct!),
      },
      processes,
      phases: this.phases(),
      cgroups,
    };
    return {
      fidelity: fidelityInfo(this.fidelity, host.frames),
      timeMs: this.timeMs,
      host: this.hostSeries,
      processes: this.procSeries,
      cgroups: this.cgSeries,
      events: this.events,
      summary,
    };
  }

  private phases(): PhaseSummary[] {
    const marks = this.phaseMarks.filter((m, i, a) => i === 0 || m.startMs > a[i - 1]!.startMs);
    const out: PhaseSummary[] = [];
    const t = this.timeMs;
    for (let i = 0; i < marks.length; i++) {
      const startMs = marks[i]!.startMs;
      const endMs = i + 1 < marks.length ? marks[i + 1]!.startMs : this.sc.durationMs;
      const idx: number[] = [];
      for (let s = 0; s < t.length; s++) if (t[s]! > startMs && t[s]! <= endMs) idx.push(s);
      const stepSec = this.sc.stepMs / 1000;
      const pick = (xs: Series) => idx.map((s) => xs[s] ?? 0);
      const fc = pick(this.hostSeries.faultCpuPct!);
      const procs: PhaseSummary['processes'] = {};
      for (const p of this.host.procs) {
        const ps = this.procSeries[p.cfg.name]!;
        const sum = (xs: Series) => Math.round(pick(xs).reduce((a, b) => a + b, 0) * stepSec);
        const entry: PhaseSummary['processes'][string] = {
          majorFaults: sum(ps.majorFaultsPerSec!),
          minorFaults: sum(ps.minorFaultsPerSec!),
        };
        const rq = this.req[p.idx];
        if (rq) {
          const lat = new F64Buf();
          for (const s of idx) for (const v of rq.byStep[s]!.view()) lat.push(v);
          entry.latencyMs = summarize(lat.view());
        }
        procs[p.cfg.name] = entry;
      }
      out.push({
        name: marks[i]!.name,
        startMs,
        endMs,
        host: {
          faultCpuPctMax: fc.reduce((a, b) => Math.max(a, b), 0),
          faultCpuPctAvg: round3(fc.length ? fc.reduce((a, b) => a + b, 0) / fc.length : 0),
          majorFaultsPerSecMax: pick(this.hostSeries.majorFaultsPerSec!).reduce((a, b) => Math.max(a, b), 0),
          swapInPages: Math.round(pick(this.hostSeries.swapInPagesPerSec!).reduce((a, b) => a + b, 0) * stepSec),
          swapOutPages: Math.round(pick(this.hostSeries.swapOutPagesPerSec!).reduce((a, b) => a + b, 0) * stepSec),
        },
        processes: procs,
      });
    }
    return out;
  }
}

function addStats(a: ProcStats, b: ProcStats): void {
  a.touches += b.touches;
  a.minor += b.minor;
  a.major += b.major;
  a.swapIn += b.swapIn;
  a.stallSec += b.stallSec;
  a.ioWaitSec += b.ioWaitSec;
  a.cpuUserSec += b.cpuUserSec;
  a.cpuFaultSec += b.cpuFaultSec;
  a.cpuReclaimSec += b.cpuReclaimSec;
  a.throttleSec += b.throttleSec;
  a.reclaimStallSec += b.reclaimStallSec;
}
