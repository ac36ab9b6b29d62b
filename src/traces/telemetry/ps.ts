import { InputError } from '../../util/errors.js';
import { sanitizeName } from './columns.js';
import {
  LineIssues,
  Notes,
  parseTimeLine,
  parseUint,
  result,
  type Snapshot,
  type SourceLine,
  splitSnapshots,
  TableBuilder,
} from './common.js';
import { GrowthRate } from './growth.js';
import { PeekableLines } from './lines.js';
import { refaultDecayNote } from './refault.js';
import type { ImportOptions, ImportResult, ObservedColumn } from './types.js';

/** Kernel page size for /proc/<pid>/stat's rss (in pages) and a new page's bytes: the machines faultline imports from use 4 KiB. */
const KERNEL_PAGE_BYTES = 4096;

/** procps header labels of the fields the importer needs, for `ps -eo pid,comm,rss,min_flt,maj_flt`. */
const NEEDED = ['PID', 'RSS', 'MINFL', 'MAJFL'] as const;

export interface Proc {
  pid: number;
  comm: string;
  rssBytes: number;
  minflt: number;
  majflt: number;
}

/**
 * Splits a ps row by the header: the fields left of COMMAND from the left, the ones right of
 * it from the right, and the command name (which may hold spaces: `Web Content`) in between.
 */
function readRow(line: SourceLine, header: string[], issues: LineIssues): Proc | undefined {
  const tokens = line.text.trim().split(/\s+/);
  const ci = header.indexOf('COMMAND');
  const after = header.length - ci - 1;
  if (tokens.length < header.length) {
    issues.bad(line, `expected ${header.length} fields under ${header.join(' ')}`);
    return undefined;
  }
  const field = new Map<string, string>();
  header.forEach((h, i) => {
    if (i < ci) field.set(h, tokens[i] as string);
    else if (i > ci) field.set(h, tokens[tokens.length - header.length + i] as string);
  });
  const comm = tokens.slice(ci, tokens.length - after).join(' ');
  const [pid, rssKib, minflt, majflt] = NEEDED.map((h) => parseUint(field.get(h)));
  if (pid === undefined || rssKib === undefined || minflt === undefined || majflt === undefined) {
    issues.bad(line, 'PID, RSS, MINFL and MAJFL must be unsigned integers');
    return undefined;
  }
  return { pid, comm, rssBytes: rssKib * 1024, minflt, majflt };
}

/** The column prefix of one process: its sanitised name and its pid (`service_14424`). */
export function processPrefix(comm: string, pid: number): string {
  return `${sanitizeName(comm)}_${pid}`;
}

function processColumns(comm: string, pid: number): Record<'rss' | 'minor' | 'major', ObservedColumn> {
  const p = processPrefix(comm, pid);
  return {
    rss: { name: `${p}_rss_bytes`, unit: 'bytes', description: `resident memory of ${comm} (pid ${pid})` },
    minor: { name: `${p}_minor_faults_per_sec`, unit: 'faults/s', description: `minor faults of ${comm} (pid ${pid})` },
    major: { name: `${p}_major_faults_per_sec`, unit: 'faults/s', description: `major faults of ${comm} (pid ${pid})` },
  };
}

/** Snapshots in a row with no fault and the same RSS that make a process's RSS its working set. */
const SETTLED_SAMPLES = 5;
/** RSS within this share of the settled size counts as unchanged (ps rounds to a KiB; file pages come and go). */
const SETTLED_SHARE = 0.005;
/** Fewest faults after settling that an estimate of the touch rate rests on. */
const RATE_MIN_FAULTS = 100;

/**
 * The mean of a share that moves from a to b exponentially over an interval: what is missing
 * of a working set comes back at a rate proportional to what is missing (each touch finds its
 * page gone with that probability), so between two snapshots it decays, it does not fall in a
 * line: a 1 s sample spacing against a working set refaulted in about a second would
 * otherwise count up to half again the missing time (leak-fast's web: 12 401/s for 15 000).
 */
function logMean(a: number, b: number): number {
  if (a <= 0 || b <= 0) return (a + b) / 2;
  return Math.abs(a - b) < 1e-9 * Math.max(a, b) ? a : (a - b) / Math.log(a / b);
}

/**
 * A process's touch rate from its own series (docs/import.md, "Touch rates"). Once its RSS has
 * held still without a fault for SETTLED_SAMPLES snapshots, that RSS is its working set, all
 * resident. When part of it is later reclaimed, a touch spread uniformly over the working set
 * faults with the probability that its page is missing, so over the intervals after settling
 * faults (major + minor) = touches/s × ∫ missing share dt, the missing share being
 * (settled − RSS) / settled, linear between snapshots. No estimate when the RSS never settles
 * (a process that grows or leaks: its working set is not its RSS), when it later grows past
 * the settled size, or when too few faults follow.
 */
class TouchRate {
  private settled: number | undefined;
  private quiet = 0;
  private last: { timeMs: number; rss: number } | undefined;
  /** Intervals since the RSS last settled: measured against the level it settles at next. */
  private pending: { dtSec: number; from: number; to: number; faults: number }[] = [];
  private faults = 0;
  private missingSec = 0;
  private grew = false;
  private skipped = 0;

  /** Whether its RSS ever held still: when not, its rate may be read off its refaults' decay (refault.ts). */
  get settledOnce(): boolean {
    return this.settled !== undefined;
  }

  add(timeMs: number, rssBytes: number, faults: number): void {
    const last = this.last;
    this.last = { timeMs, rss: rssBytes };
    if (!last) return;
    const still = faults === 0 && Math.abs(rssBytes - last.rss) <= SETTLED_SHARE * last.rss && rssBytes > 0;
    this.quiet = still ? this.quiet + 1 : 0;
    if (this.settled === undefined) {
      if (this.quiet >= SETTLED_SAMPLES) this.settled = rssBytes;
      return;
    }
    if (rssBytes > this.settled * (1 + SETTLED_SHARE)) this.grew = true;
    if (rssBytes === 0) return; // gone (or killed): no touches after it
    this.pending.push({ dtSec: (timeMs - last.timeMs) / 1000, from: last.rss, to: rssBytes, faults });
    // Settled again: reclaim took pages it never touches again (its binary's file pages), so what
    // was missing of its working set is measured against the level it came back to.
    if (this.quiet >= SETTLED_SAMPLES) this.flush(Math.min(this.settled, rssBytes));
  }

  private flush(ws: number): void {
    const miss = (rss: number) => Math.max(0, (ws - rss) / ws);
    for (const q of this.pending) {
      // An interval in which RSS fell was cut by reclaim at a moment the snapshots do not show:
      // what was missing over it, and so the faults it explains, are unknown. Intervals of
      // refault (RSS coming back, or holding while reclaim and refault balance) carry the rate.
      if (q.to < q.from * (1 - SETTLED_SHARE)) {
        this.skipped++;
        continue;
      }
      this.faults += q.faults;
      this.missingSec += logMean(miss(q.from), miss(q.to)) * q.dtSec;
    }
    this.pending = [];
  }

  /** The note for a draft: the estimate and what it rests on, or why there is none. */
  note(): string {
    if (this.settled !== undefined) this.flush(this.settled);
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    if (this.settled === undefined)
      return `touchesPerSec not estimable: its RSS never held still without faults for ${SETTLED_SAMPLES} samples (it grew or faulted all along), so its working set is not its RSS`;
    if (this.grew)
      return `touchesPerSec not estimable: its RSS grew past the ${mib(this.settled)} it had settled at, so that was not its whole working set`;
    if (this.faults < RATE_MIN_FAULTS || !(this.missingSec > 0))
      return `touchesPerSec not estimable: ${this.faults.toFixed(0)} faults after its RSS settled at ${mib(this.settled)} (its pages stayed resident)`;
    const rate = this.faults / this.missingSec;
    return `touchesPerSec about ${Math.round(rate)}: its RSS settled at ${mib(this.settled)} without faults, then, over the intervals its RSS did not fall (${this.skipped} did), it faulted ${this.faults.toFixed(0)} times (major + minor) while the missing share of that size added up to ${this.missingSec.toFixed(3)} s; faults ÷ missing share, for touches spread uniformly over its working set`;
  }
}

/**
 * Per-process series from successive snapshots of the process table (ps or /proc/<pid>/stat):
 * one set of columns per process, named by name and pid, never summed over a name. A pid
 * absent from the previous snapshot started within the interval, so all its faults count
 * there; a pid whose name changed is another process (other columns); one whose counters went
 * down was reused and counts as new. Faults of processes that exited between snapshots are not
 * seen. Before a process appears and after it is gone it has 0 bytes and 0 faults/s.
 */
export class ProcessSeries {
  private prev: { timeMs: number; procs: Map<number, Proc> } | undefined;
  private readonly columns = new Map<string, ReturnType<typeof processColumns>>();
  private readonly seen = new Map<number, Set<string>>();
  /** Per column prefix: first and last snapshot with the process, and its largest RSS. */
  private readonly spans = new Map<string, { comm: string; pid: number; first: number; last: number; peak: number }>();
  private readonly rates = new Map<string, TouchRate>();
  private readonly growth = new Map<string, GrowthRate>();
  private firstMs: number | undefined;

  constructor(private readonly table: TableBuilder) {}

  add(timeMs: number, procs: Map<number, Proc>): void {
    this.table.touch(timeMs);
    this.firstMs ??= timeMs;
    const prev = this.prev;
    const dtSec = prev ? (timeMs - prev.timeMs) / 1000 : Number.NaN;
    const present = new Set<string>();
    for (const p of procs.values()) {
      const key = processPrefix(p.comm, p.pid);
      let cols = this.columns.get(key);
      if (!cols) {
        cols = processColumns(p.comm, p.pid);
        this.columns.set(key, cols);
        for (const c of Object.values(cols)) this.table.fill(c.name, 0);
      }
      this.seen.set(p.pid, (this.seen.get(p.pid) ?? new Set()).add(p.comm));
      present.add(key);
      const span = this.spans.get(key) ?? { comm: p.comm, pid: p.pid, first: timeMs, last: timeMs, peak: 0 };
      span.last = timeMs;
      span.peak = Math.max(span.peak, p.rssBytes);
      this.spans.set(key, span);
      const before = prev?.procs.get(p.pid);
      const same = before && before.comm === p.comm && p.minflt >= before.minflt && p.majflt >= before.majflt;
      const minor = p.minflt - (same ? before.minflt : 0);
      const major = p.majflt - (same ? before.majflt : 0);
      this.table.set(timeMs, cols.rss, p.rssBytes);
      this.table.set(timeMs, cols.minor, minor / dtSec);
      this.table.set(timeMs, cols.major, major / dtSec);
      const rate = this.rates.get(key) ?? new TouchRate();
      this.rates.set(key, rate);
      rate.add(timeMs, p.rssBytes, minor + major);
      const growth = this.growth.get(key) ?? new GrowthRate();
      this.growth.set(key, growth);
      growth.add(timeMs, p.rssBytes, minor, major);
    }
    for (const [key, cols] of this.columns) {
      if (present.has(key)) continue;
      for (const c of Object.values(cols)) this.table.set(timeMs, c, 0);
      this.rates.get(key)?.add(timeMs, 0, 0);
      this.growth.get(key)?.add(timeMs, 0);
    }
    this.prev = { timeMs, procs };
  }

  finish(notes: Notes): void {
    // What a post-mortem draft needs from the process table: when each process ran and how big it got.
    for (const s of this.spans.values()) {
      const at = (ms: number) => new Date(ms).toISOString();
      notes.once(
        `${s.comm} (pid ${s.pid}): in ${at(s.first)} .. ${at(s.last)}, largest RSS ${(s.peak / 2 ** 20).toFixed(1)} MiB`,
      );
    }
    for (const [key, rate] of this.rates) {
      const s = this.spans.get(key);
      if (s) notes.once(`${s.comm} (pid ${s.pid}): ${rate.note()}`);
      const growth = this.growth.get(key);
      const decay =
        growth && !rate.settledOnce ? refaultDecayNote(growth, this.firstMs ?? 0, KERNEL_PAGE_BYTES) : undefined;
      if (s && decay) notes.once(`${s.comm} (pid ${s.pid}): ${decay}`);
    }
    for (const [key, growth] of this.growth) {
      const s = this.spans.get(key);
      const note = growth.processNote(KERNEL_PAGE_BYTES, this.firstMs ?? 0);
      if (s && note) notes.once(`${s.comm} (pid ${s.pid}): RSS ${note}`);
    }
    for (const [pid, names] of this.seen) {
      if (names.size > 1) notes.once(`pid ${pid} was ${[...names].join(', then ')}: separate columns for each`);
    }
  }
}

function isPsHeader(text: string): boolean {
  const tokens = text.trim().split(/\s+/);
  return tokens.includes('PID') && tokens.includes('COMMAND');
}

/**
 * Snapshots delimited by their ps header instead of time lines (one `ps` run, or several
 * pasted one after another): the times come from --start and --interval.
 */
function* headerSnapshots(lines: Iterable<SourceLine>, opts: ImportOptions, issues: LineIssues): Generator<Snapshot> {
  let current: Snapshot | undefined;
  let index = 0;
  const timeOf = (line: SourceLine) => {
    if (opts.startMs === undefined)
      throw new InputError(
        `${opts.file}:${line.no}: this ps output has no time lines (date +%s before each ps); pass --start <ISO time of the snapshot> (and --interval <seconds> for several)`,
      );
    if (index > 0 && opts.intervalSec === undefined)
      throw new InputError(
        `${opts.file}:${line.no}: a second ps snapshot without time lines; pass --interval <seconds between snapshots>`,
      );
    return opts.startMs + index * (opts.intervalSec ?? 0) * 1000;
  };
  for (const line of lines) {
    if (isPsHeader(line.text)) {
      if (current) yield current;
      current = { timeMs: timeOf(line), line, body: [line] };
      index++;
    } else if (current) current.body.push(line);
    else issues.bad(line, 'data before the first ps header (PID ... COMMAND ...)');
  }
  if (current) yield current;
}

/**
 * Repeated `ps -o pid,comm,rss,min_flt,maj_flt` output (`-e` for every process, `-p` for some),
 * each after a time line, or without time lines given --start (and --interval): per-process
 * series (ProcessSeries).
 */
export function importPs(source: Iterable<SourceLine>, opts: ImportOptions): ImportResult {
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const table = new TableBuilder(opts);
  const series = new ProcessSeries(table);
  const lines = new PeekableLines(source);
  const first = lines.peek(1)[0];
  const timed = first !== undefined && parseTimeLine(first.text) !== undefined;
  const snaps = timed ? splitSnapshots(lines, issues, notes) : headerSnapshots(lines, opts, issues);
  let usable = 0;
  for (const snap of snaps) {
    const [head, ...rows] = snap.body;
    const header = head?.text.trim().split(/\s+/) ?? [];
    const missing = [...NEEDED, 'COMMAND'].filter((h) => !header.includes(h));
    if (missing.length > 0 && head) {
      issues.bad(head, `expected a ps header with ${missing.join(', ')} (ps -eo pid,comm,rss,min_flt,maj_flt)`);
      continue;
    }
    const procs = new Map<number, Proc>();
    for (const line of rows) {
      const p = readRow(line, header, issues);
      if (!p) continue;
      if (procs.has(p.pid)) issues.bad(line, `pid ${p.pid} appears twice in one snapshot`);
      else procs.set(p.pid, p);
    }
    series.add(snap.timeMs, procs);
    usable++;
  }
  if (usable === 0) throw new InputError(`${opts.file}: no ps snapshot could be read`);
  series.finish(notes);
  return result(table.build('ps', opts), issues, notes);
}

/** USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on every Linux architecture faultline reads. */
const USER_HZ = 100;
/** Below this CPU share while not faulting, a process sleeps more than it runs: a pace of its own. */
const PACED_CPU_SHARE = 0.5;

/**
 * How much of the time it was not faulting each process ran on a CPU (utime + stime over the
 * intervals without a major fault), for the draft's `pacing` (docs/scenario.md): a closed loop
 * runs all that time, a process paced by the clock sleeps between its touches.
 */
class CpuWhileNotFaulting {
  private readonly prev = new Map<number, { comm: string; ticks: number; majflt: number; timeMs: number }>();
  private readonly sums = new Map<string, { comm: string; pid: number; cpuSec: number; sec: number }>();

  add(timeMs: number, pid: number, comm: string, ticks: number, majflt: number): void {
    const before = this.prev.get(pid);
    this.prev.set(pid, { comm, ticks, majflt, timeMs });
    if (!before || before.comm !== comm || majflt !== before.majflt || ticks < before.ticks) return;
    const key = processPrefix(comm, pid);
    const sum = this.sums.get(key) ?? { comm, pid, cpuSec: 0, sec: 0 };
    sum.cpuSec += (ticks - before.ticks) / USER_HZ;
    sum.sec += (timeMs - before.timeMs) / 1000;
    this.sums.set(key, sum);
  }

  finish(notes: Notes): void {
    for (const s of this.sums.values()) {
      if (s.sec < 5) continue;
      const share = s.cpuSec / s.sec;
      notes.once(
        `${s.comm} (pid ${s.pid}): on a CPU ${(share * 100).toFixed(1)} % of the ${s.sec.toFixed(0)} s it had no major fault: ${
          share < PACED_CPU_SHARE
            ? 'it sleeps between its touches, paced by the clock (pacing: wall-clock)'
            : 'it runs whenever it is not stalled, a closed loop (pacing: closed-loop)'
        }`,
      );
    }
  }
}
const STAT_RE = /^(\d+) \((.*)\) ([A-Za-z]) (.*)$/;

/**
 * Snapshots of `cat /proc/<pid>/stat` for some processes, each after a time line: the same
 * per-process series as ps (minflt field 10, majflt 12, rss 24 in pages; proc(5)).
 */
export function importPidStat(lines: Iterable<SourceLine>, opts: ImportOptions): ImportResult {
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const table = new TableBuilder(opts);
  const series = new ProcessSeries(table);
  const cpu = new CpuWhileNotFaulting();
  for (const snap of splitSnapshots(lines, issues, notes, true)) {
    const procs = new Map<number, Proc>();
    for (const line of snap.body) {
      // comm may hold spaces and parentheses: it runs to the last ')'.
      const m = STAT_RE.exec(line.text.trim());
      const rest = m?.[4]?.split(' ') ?? [];
      // Fields after the state (field 3): ppid (4) is rest[0], minflt (10) rest[6], majflt (12) rest[8],
      // utime (14) rest[10], stime (15) rest[11], rss (24) rest[20].
      const [minflt, majflt, utime, stime, rss] = [rest[6], rest[8], rest[10], rest[11], rest[20]].map(parseUint);
      if (
        !m ||
        minflt === undefined ||
        majflt === undefined ||
        utime === undefined ||
        stime === undefined ||
        rss === undefined
      ) {
        issues.bad(line, 'expected a /proc/<pid>/stat line: pid (comm) state ppid ... with 52 fields');
        continue;
      }
      const pid = Number(m[1]);
      if (procs.has(pid)) issues.bad(line, `pid ${pid} appears twice in one snapshot`);
      else {
        procs.set(pid, { pid, comm: m[2] as string, rssBytes: rss * KERNEL_PAGE_BYTES, minflt, majflt });
        cpu.add(snap.timeMs, pid, m[2] as string, utime + stime, majflt);
      }
    }
    series.add(snap.timeMs, procs);
  }
  series.finish(notes);
  cpu.finish(notes);
  return result(table.build('pid-stat', opts), issues, notes);
}
