/**
 * What a run records for its result: per-tick work summed into output steps (host, process
 * and cgroup series), memory.high throttling coalesced into episodes, and the run's summary
 * and phases. Reads the host and the tick's figures; changes nothing in the model.
 */
import { CGROUP_SERIES, HOST_SERIES, PROCESS_SERIES } from '../analysis/metrics.js';
import type {
  CgroupSummary,
  EventRecord,
  PhaseSummary,
  ProcessSummary,
  RunResult,
  Series,
  TouchFigures,
} from '../result/types.js';
import { F64Buf, histogram, percentileSorted, round3, summarize } from './latency.js';
import type { MemoryPsi } from './mechanisms/psi.js';
import { bytesOf, type SimContext } from './sim-context.js';
import {
  addStats,
  EV_HIGH,
  EV_LOW,
  EV_MAX,
  EV_OOM,
  EV_OOM_KILL,
  emptyStats,
  memoryStallSec,
  type ProcStats,
} from './state.js';

export type KernelOutput = Pick<
  RunResult,
  'fidelity' | 'timeMs' | 'host' | 'processes' | 'cgroups' | 'events' | 'summary'
>;

interface ProcAcc {
  stats: ProcStats;
  ticks: number;
  threadSec: number;
}

/** Device figures of one tick, as the swap device reports them. */
export interface DeviceTickFigures {
  utilisation: number;
  readIos: number;
  meanReadLatencyUs: number;
}

export class Recorder {
  private readonly ctx: SimContext;
  private readonly psi: MemoryPsi;
  private readonly ticksPerStep: number;
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
  private readonly hostSeries: Record<string, Series> = {};
  private readonly procSeries: Record<string, Record<string, Series>> = {};
  private readonly cgSeries: Record<string, Record<string, Series>> = {};
  private readonly timeMs: number[] = [];
  private readonly stepFaultCpu: number[] = [];
  private totalSwapIn = 0;
  private totalSwapOut = 0;
  /** Real touches of each process per output step (for the phases' touch counts). */
  private readonly stepTouches: number[][];

  constructor(ctx: SimContext, psi: MemoryPsi, ticksPerStep: number) {
    this.ctx = ctx;
    this.psi = psi;
    this.ticksPerStep = ticksPerStep;
    const s = ctx.host.state;
    this.stepProc = s.procs.map(() => ({ stats: emptyStats(), ticks: 0, threadSec: 0 }));
    this.stepTouches = s.procs.map(() => []);
    const ncg = s.cgs.length;
    this.stepCgMajor = new Float64Array(ncg);
    this.stepCgThrottle = new Float64Array(ncg);
    this.thrEvent = s.cgs.map(() => null);
    this.thrStartMs = new Float64Array(ncg);
    this.thrSec = new Float64Array(ncg);
    this.thrTotalSec = new Float64Array(ncg);
    this.thrEpisodes = new Int32Array(ncg);
    for (const name of Object.keys(HOST_SERIES)) this.hostSeries[name] = [];
    for (const p of s.procs) {
      const series: Record<string, Series> = {};
      for (const name of Object.keys(PROCESS_SERIES)) series[name] = [];
      this.procSeries[p.cfg.name] = series;
    }
    for (const c of s.cgs) {
      if (!c.cfg) continue;
      const series: Record<string, Series> = {};
      for (const name of Object.keys(CGROUP_SERIES)) series[name] = [];
      this.cgSeries[c.path] = series;
    }
  }

  /** The device's figures of the tick that just ended. */
  device(r: DeviceTickFigures): void {
    this.stepDevBusy += r.utilisation;
    if (r.readIos > 0) {
      this.stepReadLatSum += r.meanReadLatencyUs * r.readIos;
      this.stepReadLatN += r.readIos;
    }
  }

  /** PSI's stall time of the tick that just ended, µs (host level). */
  pressure(someUs: number, fullUs: number): void {
    this.stepPsiSome += someUs;
    this.stepPsiFull += fullUs;
  }

  /** Adds the tick's per-process work (and kswapd's CPU) to the step and the run totals. */
  accumulate(kswapdCpuSec: number): void {
    const s = this.ctx.host.state;
    const tickSec = this.ctx.tickSec;
    for (const p of s.procs) {
      const acc = this.stepProc[p.idx]!;
      addStats(acc.stats, p.tick);
      addStats(p.total, p.tick);
      if (p.alive) {
        acc.ticks++;
        acc.threadSec += tickSec * Math.max(1, p.cfg.cpu.threads);
        p.totalThreadSec += tickSec * Math.max(1, p.cfg.cpu.threads);
      }
    }
    this.stepKswapdCpu += kswapdCpuSec;
    this.stepSwapIn += s.counters.swapInPages;
    this.stepSwapOut += s.counters.swapOutPages;
    for (let c = 0; c < s.cgs.length; c++) {
      this.stepCgMajor[c]! += s.cgs[c]!.majorTick;
      this.stepCgThrottle[c]! += s.cgs[c]!.throttleSec;
    }
  }

  /**
   * Coalesces memory.high throttling into episodes, one `throttle` event each: an episode
   * opens at the first tick with a throttle sleep in the cgroup and stays open while sleeps
   * go on or the cgroup stays above memory.high (its tasks are still paying the penalty);
   * the event, recorded at the start, gets its totals when the episode ends.
   */
  throttleTick(): void {
    const ctx = this.ctx;
    const cgs = ctx.host.state.cgs;
    const endMs = ctx.nowMs + ctx.tickMs;
    for (let c = 1; c < cgs.length; c++) {
      const cg = cgs[c]!;
      const sleep = cg.throttleSec;
      this.thrTotalSec[c]! += sleep;
      if (sleep > 0) {
        if (!this.thrEvent[c]) {
          const ev: EventRecord = {
            timeMs: ctx.nowMs,
            kind: 'throttle',
            cgroup: cg.path,
            message: `memory.high of ${cg.path} exceeded: its tasks are throttled`,
          };
          ctx.events.push(ev);
          this.thrEvent[c] = ev;
          this.thrStartMs[c] = ctx.nowMs;
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

  /** Closes output step `step`: one point of every series. */
  endStep(step: number): void {
    const ctx = this.ctx;
    const host = ctx.host;
    const s = host.state;
    const stepSec = ctx.stepMs / 1000;
    const cap = ctx.sc.host.cpus * stepSec;
    const sc = ctx.scale;
    this.timeMs.push(Math.min(ctx.sc.durationMs, (step + 1) * ctx.stepMs));
    let user = 0;
    let fault = 0;
    let reclaim = this.stepKswapdCpu;
    let iowait = 0;
    let minor = 0;
    let major = 0;
    for (const p of s.procs) {
      const acc = this.stepProc[p.idx]!;
      const st = acc.stats;
      user += st.cpuUserSec;
      fault += st.cpuFaultSec;
      reclaim += st.cpuReclaimSec;
      minor += st.minor;
      major += st.major;
      const cpu = st.cpuUserSec + st.cpuFaultSec + st.cpuReclaimSec;
      const runnable = Math.min(p.cfg.cpu.threads, p.cfg.cpu.cores) * (acc.ticks * ctx.tickSec);
      iowait += Math.max(0, Math.min(st.stallSec, runnable - cpu));
      const ps = this.procSeries[p.cfg.name]!;
      ps.minorFaultsPerSec!.push(round3((st.minor * sc) / stepSec));
      ps.majorFaultsPerSec!.push(round3((st.major * sc) / stepSec));
      // Pages shared copy-on-write with a parent count in the child's RSS too (RssAnon).
      const shared = host.cowSharedResident(p);
      const rss = p.rssAnon + p.rssFile + shared;
      if (rss > p.peakRss) p.peakRss = rss;
      ps.rssBytes!.push(bytesOf(ctx, rss));
      ps.anonBytes!.push(bytesOf(ctx, p.rssAnon + shared));
      ps.swapBytes!.push(bytesOf(ctx, p.swap));
      ps.stallPct!.push(acc.threadSec > 0 ? round3(Math.min(100, (memoryStallSec(st) / acc.threadSec) * 100)) : 0);
      ps.cpuUserPct!.push(round3((st.cpuUserSec / cap) * 100));
      const rq = ctx.req[p.idx];
      const lat = rq ? rq.byStep[step]!.view().slice().sort() : null;
      ps.latencyP50Ms!.push(lat && lat.length > 0 ? round3(percentileSorted(lat, 0.5)) : null);
      ps.latencyP99Ms!.push(lat && lat.length > 0 ? round3(percentileSorted(lat, 0.99)) : null);
      ps.requestsPerSec!.push(rq ? round3((lat?.length ?? 0) / stepSec) : null);
      this.stepTouches[p.idx]!.push(st.touches * sc);
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
    hs.memFreeBytes!.push(bytesOf(ctx, host.freeFrames()));
    const split = host.residentSplit();
    hs.memAnonBytes!.push(bytesOf(ctx, split.anon));
    hs.memFileBytes!.push(bytesOf(ctx, split.file));
    hs.swapUsedBytes!.push(bytesOf(ctx, s.device.usedSlots));
    hs.psiSomeAvg10Pct!.push(round3(this.psi.line(0, 'some').avg10Pct));
    hs.psiFullAvg10Pct!.push(round3(this.psi.line(0, 'full').avg10Pct));
    hs.psiSomePct!.push(round3(Math.min(100, (this.stepPsiSome / (stepSec * 1e6)) * 100)));
    hs.psiFullPct!.push(round3(Math.min(100, (this.stepPsiFull / (stepSec * 1e6)) * 100)));
    hs.swapDeviceUtilPct!.push(round3((this.stepDevBusy / this.ticksPerStep) * 100));
    hs.swapReadLatencyMs!.push(this.stepReadLatN > 0 ? round3(this.stepReadLatSum / this.stepReadLatN / 1000) : null);
    for (let c = 0; c < s.cgs.length; c++) {
      const cg = s.cgs[c]!;
      const series = this.cgSeries[cg.path];
      if (!series) continue;
      series.usageBytes!.push(bytesOf(ctx, cg.usage));
      series.swapBytes!.push(bytesOf(ctx, cg.swap));
      series.majorFaultsPerSec!.push(round3((this.stepCgMajor[c]! * sc) / stepSec));
      series.throttledMsPerSec!.push(round3((this.stepCgThrottle[c]! * 1000) / stepSec));
      series.psiSomeAvg10Pct!.push(round3(this.psi.line(c, 'some').avg10Pct));
      series.psiFullAvg10Pct!.push(round3(this.psi.line(c, 'full').avg10Pct));
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

  /** The run's result: series, summary (whole run and per phase), cgroup figures. */
  output(fidelity: KernelOutput['fidelity']): KernelOutput {
    const ctx = this.ctx;
    const s = ctx.host.state;
    const sc = ctx.scale;
    const cgroups: Record<string, CgroupSummary> = {};
    for (let c = 1; c < s.cgs.length; c++) {
      const cg = s.cgs[c]!;
      if (this.thrEvent[c]) this.closeThrottle(c, ctx.sc.durationMs, true);
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
    for (const p of s.procs) {
      const t = p.total;
      minor += t.minor;
      major += t.major;
      allocFailures += p.allocFailures;
      const threadSec = p.totalThreadSec;
      const summary: ProcessSummary = {
        minorFaults: Math.round(t.minor * sc),
        majorFaults: Math.round(t.major * sc),
        swapInPages: Math.round(t.swapIn * sc),
        oomKilled: ctx.events.some(
          (e) => (e.kind === 'oom-kill' || e.kind === 'oomd-kill') && e.process === p.cfg.name,
        ),
        allocFailures: p.allocFailures,
        peakRssBytes: bytesOf(ctx, p.peakRss),
        stallPct: threadSec > 0 ? round3(Math.min(100, (memoryStallSec(t) / threadSec) * 100)) : 0,
        ...touchFigures(t.touches * sc, t.minor * sc, t.major * sc),
      };
      if (summary.oomKilled) summary.oomKilledAtMs = p.killedAtMs;
      const rq = ctx.req[p.idx];
      if (rq) {
        summary.latencyMs = summarize(rq.all.view());
        summary.latencyHistogram = histogram(rq.all.view());
      }
      processes[p.cfg.name] = summary;
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
        oomKills: ctx.oomKills,
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
      fidelity,
      timeMs: this.timeMs,
      host: this.hostSeries,
      processes: this.procSeries,
      cgroups: this.cgSeries,
      events: ctx.events,
      summary,
    };
  }

  private phases(): PhaseSummary[] {
    const ctx = this.ctx;
    const marks = ctx.phaseMarks.filter((m, i, a) => i === 0 || m.startMs > a[i - 1]!.startMs);
    const out: PhaseSummary[] = [];
    const t = this.timeMs;
    for (let i = 0; i < marks.length; i++) {
      const startMs = marks[i]!.startMs;
      const endMs = i + 1 < marks.length ? marks[i + 1]!.startMs : ctx.sc.durationMs;
      const idx: number[] = [];
      for (let step = 0; step < t.length; step++) if (t[step]! > startMs && t[step]! <= endMs) idx.push(step);
      const stepSec = ctx.stepMs / 1000;
      const pick = (xs: Series) => idx.map((step) => xs[step] ?? 0);
      const fc = pick(this.hostSeries.faultCpuPct!);
      const procs: PhaseSummary['processes'] = {};
      for (const p of ctx.host.state.procs) {
        const ps = this.procSeries[p.cfg.name]!;
        const sum = (xs: Series) => Math.round(pick(xs).reduce((a, b) => a + b, 0) * stepSec);
        const majorFaults = sum(ps.majorFaultsPerSec!);
        const minorFaults = sum(ps.minorFaultsPerSec!);
        const touches = idx.reduce((a, step) => a + (this.stepTouches[p.idx]![step] ?? 0), 0);
        const entry: PhaseSummary['processes'][string] = {
          majorFaults,
          minorFaults,
          ...touchFigures(touches, minorFaults, majorFaults),
        };
        const rq = ctx.req[p.idx];
        if (rq) {
          const lat = new F64Buf();
          for (const step of idx) for (const v of rq.byStep[step]!.view()) lat.push(v);
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

/** Touches (real, rounded) and faults per touch, to 6 decimals: a planner's faults per access. */
function touchFigures(touches: number, minor: number, major: number): Required<TouchFigures> {
  const per = (x: number) => (touches > 0 ? Math.round((x / touches) * 1e6) / 1e6 : 0);
  return { touches: Math.round(touches), faultsPerTouch: per(minor + major), majorFaultsPerTouch: per(major) };
}
