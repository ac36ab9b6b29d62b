/**
 * Processes over the run: start (with overcommit and RLIMIT_AS admission of the initial heap,
 * a warm start or a fork), growth and leaks admitted tick by tick, exit and kill, OOM kills
 * recorded, and the scenario's timed events (start, kill, sysctl and cgroup writes).
 */

import { inactiveRatio } from '../linux/mm.js';
import type { EventRecord } from '../result/types.js';
import type { Scenario } from '../scenario/types.js';
import { InputError } from '../util/errors.js';
import { bytesOf, type SimContext } from './sim-context.js';
import type { ProcRt } from './state.js';

export class Lifecycle {
  private readonly ctx: SimContext;

  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  /** The host's OOM killer chose `p`: recorded as an event and a phase mark; its requests end. */
  onOomKill(p: ProcRt, badness: number, reason: string, scopeCg: number): void {
    const ctx = this.ctx;
    ctx.oomKills++;
    p.killedAtMs = ctx.nowMs;
    ctx.req[p.idx]?.truncate(ctx.nowMs);
    ctx.commit.release(p.committedBytes);
    p.committedBytes = 0;
    ctx.phaseMarks.push({ name: `${p.cfg.name} OOM-killed`, startMs: ctx.nowMs });
    ctx.events.push({
      timeMs: ctx.nowMs,
      kind: 'oom-kill',
      process: p.cfg.name,
      cgroup: p.cfg.cgroup,
      message: `${scopeCg === 0 ? 'global' : 'memcg'} OOM: killed ${p.cfg.name} (badness ${badness}, oom_score_adj ${p.cfg.oomScoreAdj}): ${reason}`,
      detail: { badness, oomScoreAdj: p.cfg.oomScoreAdj, rssBytes: bytesOf(ctx, ctx.host.rss(p)) },
    });
  }

  onSwapFull(): void {
    this.ctx.events.push({
      timeMs: this.ctx.nowMs,
      kind: 'swap-full',
      message: 'swap space exhausted: anonymous memory can no longer be reclaimed',
    });
  }

  applyEvent(ev: Scenario['events'][number]): void {
    const ctx = this.ctx;
    ctx.phaseMarks.push({ name: ev.label, startMs: ev.atMs });
    const rec = (message: string, extra: Partial<EventRecord> = {}) =>
      ctx.events.push({ timeMs: ctx.nowMs, kind: 'scenario', message, ...extra });
    switch (ev.action) {
      case 'start': {
        const p = this.procByName(ev.process);
        rec(`${ev.label}: start ${ev.process}`, { process: ev.process });
        if (!p.started) this.start(p);
        break;
      }
      case 'kill': {
        const p = this.procByName(ev.process);
        rec(`${ev.label}: kill ${ev.process}`, { process: ev.process });
        this.stop(p, true);
        break;
      }
      case 'sysctl': {
        rec(`${ev.label}: ${ev.name} = ${ev.value}`);
        (ctx.sc.host.sysctl as unknown as Record<string, number>)[ev.name] = ev.value;
        ctx.host.setSysctl(ev.name, ev.value);
        if (ev.name === 'vm.overcommit_memory') ctx.commit.reconfigure({ mode: ev.value as 0 | 1 | 2 });
        else if (ev.name === 'vm.overcommit_ratio') ctx.commit.reconfigure({ ratio: ev.value });
        else if (ev.name === 'vm.overcommit_kbytes') ctx.commit.reconfigure({ kbytes: ev.value });
        break;
      }
      case 'cgroup': {
        const cg = ctx.host.cgroupIndex(ev.cgroup);
        if (cg < 0) throw new InputError(`event ${ev.label}: unknown cgroup ${ev.cgroup}`);
        rec(`${ev.label}: ${ev.cgroup}/${ev.file} = ${ev.value === null ? 'max' : String(ev.value)}`, {
          cgroup: ev.cgroup,
        });
        ctx.host.setCgroupField(cg, ev.field, ev.value);
        break;
      }
    }
  }

  procByName(name: string): ProcRt {
    const p = this.ctx.host.state.procs.find((q) => q.cfg.name === name);
    if (!p) throw new InputError(`scenario event names unknown process ${name}`);
    return p;
  }

  /** Starts the processes whose start time has come and stops those whose stop time has. */
  startAndStop(): void {
    const nowMs = this.ctx.nowMs;
    for (const p of this.ctx.host.state.procs) {
      if (!p.started && p.cfg.startMs <= nowMs) this.start(p);
      if (p.alive && p.cfg.stopMs <= nowMs) this.stop(p, false);
    }
  }

  private start(p: ProcRt): void {
    const ctx = this.ctx;
    p.started = true;
    // The heap is mapped at start (mmap/brk): RLIMIT_AS and overcommit admission (§7).
    const m = p.cfg.memory;
    const res = ctx.commit.tryCommit(m.anonInitialBytes, m.fileBytes, p.cfg.rlimitAsBytes);
    if (!res.ok) {
      this.allocFail(p, m.anonInitialBytes, res.detail);
      return;
    }
    p.committedBytes = m.anonInitialBytes;
    p.virtBytes = m.anonInitialBytes + m.fileBytes;
    p.alive = true;
    p.phase = 0;
    p.phaseStartMs = ctx.nowMs;
    const first = p.cfg.access[0]!.pattern;
    p.anon.configure(first, this.anonTarget(p, 0));
    p.file.configure(first, p.fileCap);
    p.touchLimit = this.touchLimit(p);
    if (ctx.nowMs > 0) ctx.phaseMarks.push({ name: `${p.cfg.name} started`, startMs: ctx.nowMs });
    ctx.events.push({
      timeMs: ctx.nowMs,
      kind: 'process-start',
      process: p.cfg.name,
      cgroup: p.cfg.cgroup,
      message: `${p.cfg.name} started`,
    });
    if (!ctx.host.chargeFixed(p)) return;
    // File pages exist on disk: none waits for a first touch.
    p.file.allocateAll();
    const parent = p.cfg.forkOf === null ? null : this.procByName(p.cfg.forkOf);
    if (parent && !parent.started && parent.cfg.startMs <= ctx.nowMs) this.start(parent);
    if (first.kind === 'trace' || first.kind === 'mrc') {
      // A recorded or synthesised stream starts cold and first-touches its pages itself.
      p.anon.allocateAll();
    } else if (parent?.alive) {
      // A forked child starts with its parent's image mapped: its first touches find the
      // shared pages (or copy the ones it writes) instead of allocating.
      ctx.host.fork(p, parent);
      p.anon.beginFill();
    } else if (ctx.nowMs === 0) {
      this.warmStart(p);
      p.anon.allocateAll();
    } else p.anon.beginFill();
  }

  /** An allocation refused with ENOMEM (overcommit or RLIMIT_AS): recorded, not an OOM kill. */
  private allocFail(p: ProcRt, bytes: number, detail: string): void {
    p.allocFailures++;
    this.ctx.events.push({
      timeMs: this.ctx.nowMs,
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
    const res = this.ctx.commit.tryCommit(bytes, p.virtBytes, p.cfg.rlimitAsBytes);
    if (!res.ok) {
      this.allocFail(p, Math.round(bytes), res.detail);
      return false;
    }
    p.committedBytes += bytes;
    p.virtBytes += bytes;
    return true;
  }

  /**
   * The start of `p`'s tick: its access phase, the growth the tick admits (pages it will
   * touch first) and the leak's pages. After a refused allocation (ENOMEM) the process stops
   * growing and leaking.
   */
  advance(p: ProcRt): void {
    const ctx = this.ctx;
    const elapsed = ctx.nowMs - p.cfg.startMs;
    this.syncPhase(p, ctx.nowMs);
    const pattern = p.cfg.access[p.phase]!.pattern;
    const before = p.anon.current;
    const target = Math.max(before, this.anonTarget(p, elapsed + ctx.tickMs));
    const grow = p.allocFailures === 0 && this.admit(p, (target - before) * ctx.scale * ctx.sc.host.pageSizeBytes);
    p.anon.configure(pattern, grow ? target : before);
    p.file.configure(pattern, p.fileCap);
    const leakBytes = p.cfg.memory.leakBytesPerSec * ctx.tickSec;
    if (p.allocFailures === 0 && this.admit(p, leakBytes)) {
      p.leakFrac += (leakBytes / ctx.sc.host.pageSizeBytes) * ctx.rate;
      const whole = Math.floor(p.leakFrac);
      p.leakFrac -= whole;
      p.leakPending += whole;
    }
  }

  /**
   * `p` reached its touch limit at `atMs`: it exits (stopAfterTouches) or enters the phase
   * that starts at this count.
   */
  touchesReached(p: ProcRt, atMs: number): void {
    const stop = p.cfg.stopAfterTouches;
    if (Number.isFinite(stop) && p.touched >= this.touchCount(stop)) {
      this.stop(p, false, `after ${stop} touches`);
      return;
    }
    this.syncPhase(p, atMs);
  }

  /** Enters the latest phase whose start (by time or by touch count) has come. */
  private syncPhase(p: ProcRt, atMs: number): void {
    const phases = p.cfg.access;
    const elapsed = this.ctx.nowMs - p.cfg.startMs;
    let i = p.phase;
    while (i + 1 < phases.length) {
      const next = phases[i + 1]!;
      const reached = next.atTouches > 0 ? p.touched >= this.touchCount(next.atTouches) : next.atMs <= elapsed;
      if (!reached) break;
      i++;
    }
    if (i === p.phase) return;
    const ctx = this.ctx;
    p.phase = i;
    p.phaseStartMs = atMs;
    const pattern = phases[i]!.pattern;
    p.anon.configure(pattern, p.anon.current);
    p.file.configure(pattern, p.fileCap);
    p.touchLimit = this.touchLimit(p);
    ctx.phaseMarks.push({ name: `${p.cfg.name} phase ${i} (${pattern.kind})`, startMs: atMs });
  }

  /** Real touches as simulated ones (a sampled touch stands for 1/rate). */
  private touchCount(real: number): number {
    return Math.max(1, Math.round(real * this.ctx.rate));
  }

  /** The next touch count at which `p` changes phase or stops. */
  private touchLimit(p: ProcRt): number {
    const next = p.cfg.access[p.phase + 1];
    const phase = next && next.atTouches > 0 ? this.touchCount(next.atTouches) : Number.POSITIVE_INFINITY;
    const stop = p.cfg.stopAfterTouches;
    return Math.min(phase, Number.isFinite(stop) ? this.touchCount(stop) : Number.POSITIVE_INFINITY);
  }

  /** `p` exits by itself or is killed; `why` says what ended it, when it is not its stop time or a kill. */
  stop(p: ProcRt, killed: boolean, why?: string): void {
    if (!p.alive) return;
    const ctx = this.ctx;
    this.exit(p, killed);
    p.killedAtMs = ctx.nowMs;
    ctx.req[p.idx]?.truncate(ctx.nowMs);
    ctx.events.push({
      timeMs: ctx.nowMs,
      kind: 'process-exit',
      process: p.cfg.name,
      cgroup: p.cfg.cgroup,
      message: `${p.cfg.name} ${killed ? 'killed' : 'exited'}${why ? ` ${why}` : ''}`,
    });
  }

  /** `p` exits or is killed: its memory freed, its commitment released. */
  exit(p: ProcRt, killed: boolean): void {
    const ctx = this.ctx;
    ctx.phaseMarks.push({ name: `${p.cfg.name} ${killed ? 'killed' : 'exited'}`, startMs: ctx.nowMs });
    ctx.host.exitProcess(p, killed);
    ctx.commit.release(p.committedBytes);
    p.committedBytes = 0;
  }

  /**
   * Processes running when the replay starts have their initial working set resident (a
   * host that has not needed to reclaim yet, not a cold boot), hottest pages nearest the head,
   * the hottest `ratio/(1+ratio)` active as `inactive_is_low` balances them, until the high
   * watermark. Anon pages keep the accessed bit of their own touches (lru-classic.ts
   * addWarm): only reclaim clears it, so reclaim's first pass rotates them all.
   */
  private warmStart(p: ProcRt): void {
    const ctx = this.ctx;
    const fill = (stream: typeof p.anon, base: number) => {
      const n = stream.current;
      // The inactive_is_low balance: inactive ≈ 1/(1 + ratio) of the pair.
      const ratio = inactiveRatio(n * ctx.scale * ctx.sc.host.pageSizeBytes);
      const activeShare = ratio / (1 + ratio);
      for (let r = 0; r < n; r++) {
        if (!ctx.host.warmInsert(p, base + stream.offsetOfRank(r), r < n * activeShare)) return;
      }
    };
    // A cgroup nothing has reclaimed from has no active anon on the kernel (the matrix's service:
    // active_anon 0), but the model's own activations under pressure fall short of the kernel's
    // (docs/validation.md item 1), and starting with none let a service sharing a cgroup with a
    // batch job lose too much and collapse (c/shared: loop p50 1.3 s against the kernel's 2.2 ms).
    fill(p.anon, p.anonBase);
    fill(p.file, p.fileBase);
  }

  private anonTarget(p: ProcRt, elapsedMs: number): number {
    const m = p.cfg.memory;
    const bytes = Math.min(m.anonBytes, m.anonInitialBytes + (m.growthBytesPerSec * elapsedMs) / 1000);
    return Math.min(p.anonCap, Math.round((bytes / this.ctx.sc.host.pageSizeBytes) * this.ctx.rate));
  }
}
