/**
 * Rates a post-mortem draft declares instead of fitting, read off one process's or one cgroup's
 * own series (docs/import.md, "Growth and leak rates" and "Touch rates from memory + swap").
 */

/** Rising intervals a growth rate rests on, after the first one (which may hold a start's whole first allocation). */
const GROWTH_MIN_INTERVALS = 5;
/** Least rise over those intervals, as a share of the size reached: less is counters' noise, not growth. */
const GROWTH_MIN_SHARE = 0.01;
const MIB = 2 ** 20;
const mib = (b: number) => `${(b / MIB).toFixed(1)} MiB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The rate a size grows at, in bytes/s: over the longest run of snapshots in which it rose every
 * interval (for a process: without a major fault, so that nothing it lost came back in it), from the
 * end of the run's first interval to its end. A process that allocates pages and writes them at a
 * steady rate (growthPerSec, leakPerSec: new pages, each written once when allocated) adds that
 * many bytes a second to its RSS until reclaim takes some, and to its cgroup's memory + swap until
 * it stops or is killed.
 */
export class GrowthRate {
  readonly timeMs: number[] = [];
  readonly bytes: number[] = [];
  /** Per interval (index i: from snapshot i − 1 to i): minor and major faults, and whether it may count. */
  readonly minor: number[] = [];
  readonly major: number[] = [];
  private readonly clean: boolean[] = [];

  add(timeMs: number, bytes: number, minorFaults = 0, majorFaults = 0): void {
    this.timeMs.push(timeMs);
    this.bytes.push(bytes);
    this.minor.push(minorFaults);
    this.major.push(majorFaults);
    const i = this.bytes.length - 1;
    this.clean.push(
      i > 0 && (this.bytes[i - 1] as number) > 0 && bytes > (this.bytes[i - 1] as number) && majorFaults === 0,
    );
  }

  /** The longest run of clean intervals, as [first, last] interval indices, or undefined. */
  private longestRun(): [number, number] | undefined {
    let best: [number, number] | undefined;
    let start = -1;
    for (let i = 1; i <= this.clean.length; i++) {
      if (i < this.clean.length && this.clean[i]) {
        if (start < 0) start = i;
        continue;
      }
      if (start >= 0 && (!best || i - 1 - start > best[1] - best[0])) best = [start, i - 1];
      start = -1;
    }
    return best;
  }

  /** The run the rate rests on (snapshot indices): its first interval left out; undefined when too short. */
  run(): { from: number; to: number; rate: number } | undefined {
    const r = this.longestRun();
    if (!r || r[1] - r[0] < GROWTH_MIN_INTERVALS) return undefined;
    const from = r[0];
    const to = r[1];
    const rise = (this.bytes[to] as number) - (this.bytes[from] as number);
    if (rise < GROWTH_MIN_SHARE * (this.bytes[to] as number)) return undefined;
    const dtSec = ((this.timeMs[to] as number) - (this.timeMs[from] as number)) / 1000;
    return { from, to, rate: rise / dtSec };
  }

  /** Bytes per second, or undefined when no run of GROWTH_MIN_INTERVALS + 1 rising intervals. */
  rateBytesPerSec(): number | undefined {
    return this.run()?.rate;
  }

  /**
   * The note of a process (ps, pid-stat): the rate, with its minor faults as new pages (4 KiB
   * each) to check it, and its major faults after the run, which tell a leak (its pages are never
   * touched again) from a working set that grows (reclaim takes pages it touches, and it faults them back).
   */
  processNote(pageBytes: number, startMs: number): string | undefined {
    const run = this.run();
    if (!run) return undefined;
    const { from, to, rate } = run;
    const t = (i: number) => (this.timeMs[i] as number) - startMs;
    let minor = 0;
    for (let i = from + 1; i <= to; i++) minor += this.minor[i] as number;
    const runSec = (t(to) - t(from)) / 1000;
    let major = 0;
    let afterMs = 0;
    for (let i = to + 1; i < this.bytes.length && (this.bytes[i] as number) > 0; i++) {
      major += this.major[i] as number;
      afterMs = t(i) - t(to);
    }
    const after =
      afterMs > 0
        ? `; over the ${sec(afterMs)} after it, ${(major / (afterMs / 1000)).toFixed(1)} major faults/s against ${(rate / pageBytes).toFixed(0)} new pages/s before: ${
            major / (afterMs / 1000) < 0.1 * (rate / pageBytes)
              ? 'what it added is not touched again (a leak: leakPerSec)'
              : 'it faults back what reclaim takes (a growing working set: growthPerSec)'
          }`
        : '';
    return `grew ${(rate / 1024).toFixed(1)} KiB/s (${(rate / MIB).toFixed(3)} MiB/s) from ${mib(this.bytes[from] as number)} at ${sec(t(from))} to ${mib(this.bytes[to] as number)} at ${sec(t(to))} without a major fault, with ${(minor / runSec).toFixed(1)} minor faults/s (${(((minor / runSec) * pageBytes) / 1024).toFixed(1)} KiB/s of new ${pageBytes / 1024} KiB pages)${after}`;
  }

  /** The note of a cgroup (memory-stat): the rate its memory + swap grew at. */
  cgroupNote(startMs: number): string | undefined {
    const run = this.run();
    if (!run) return undefined;
    const { from, to, rate } = run;
    const t = (i: number) => (this.timeMs[i] as number) - startMs;
    return `memory + swap (rss + swapcached + swap) grew ${(rate / 1024).toFixed(1)} KiB/s (${(rate / MIB).toFixed(3)} MiB/s) from ${mib(this.bytes[from] as number)} at ${sec(t(from))} to ${mib(this.bytes[to] as number)} at ${sec(t(to))}: new pages of its processes, kept in memory or in swap (growthPerSec or leakPerSec; ps says whose, and which)`;
  }
}

/** Snapshots in a row with memory + swap unchanged that make it the working set. */
const SETTLED_SAMPLES = 5;
/**
 * memory + swap within this share counts as unchanged: a page both mapped and in the swap cache
 * counts in rss and in swapcached, which moves the sum by up to ~0.4 % under thrash.
 */
const SETTLED_SHARE = 0.005;
/** memory + swap this far above the level it held means it grew: that level was not the working set. */
const GREW_SHARE = 0.01;
/** Fewest faults after settling that an estimate rests on. */
const RATE_MIN_FAULTS = 100;

/**
 * A cgroup's touch rate from its memory.stat (v1): once memory + swap (rss + swapcached + swap:
 * every page its processes hold, in memory or in swap) has held still for SETTLED_SAMPLES
 * snapshots, that is their working set, and the share of it not mapped, (swap + swapcached) /
 * (rss + swapcached + swap), is what a touch spread uniformly over it finds missing: faults
 * (pgfault, majors and minors) = touches/s × ∫ missing share dt. Unlike ps's estimate (RSS settled
 * without faults) this needs no moment when all of it was resident: a working set that grew into
 * its limit and thrashed from then on is measured. One process per cgroup, or processes touching
 * their pages at one rate; a cgroup holding a leak never settles.
 */
export class MemswTouchRate {
  private settled: number | undefined;
  private settledAtMs = 0;
  private quiet = 0;
  private last: { timeMs: number; size: number; missing: number } | undefined;
  private faults = 0;
  private missingSec = 0;
  private grew = false;
  private ended = false;

  add(timeMs: number, rssBytes: number, swapcachedBytes: number, swapBytes: number, faults: number): void {
    const size = rssBytes + swapcachedBytes + swapBytes;
    const missing = size > 0 ? (swapcachedBytes + swapBytes) / size : 0;
    const last = this.last;
    this.last = { timeMs, size, missing };
    if (!last || this.ended) return;
    const still = size > 0 && Math.abs(size - last.size) <= SETTLED_SHARE * last.size;
    this.quiet = still ? this.quiet + 1 : 0;
    if (this.settled === undefined) {
      if (this.quiet >= SETTLED_SAMPLES) {
        this.settled = size;
        this.settledAtMs = timeMs;
      }
      return;
    }
    if (size === 0) {
      this.ended = true; // its processes are gone
      return;
    }
    if (size > this.settled * (1 + GREW_SHARE)) this.grew = true;
    this.faults += faults;
    this.missingSec += ((last.missing + missing) / 2) * ((timeMs - last.timeMs) / 1000);
  }

  note(startMs: number): string {
    if (this.settled === undefined)
      return `touchesPerSec not estimable: its memory + swap never held still for ${SETTLED_SAMPLES} samples`;
    const at = `${mib(this.settled)} from ${sec(this.settledAtMs - startMs)}`;
    if (this.grew)
      return `touchesPerSec not estimable: its memory + swap grew past the ${at} it had held (a leak or growth), so that was not its working set`;
    if (this.faults < RATE_MIN_FAULTS || !(this.missingSec > 0))
      return `touchesPerSec not estimable: ${this.faults.toFixed(0)} faults after its memory + swap held at ${at} (its pages stayed resident)`;
    return `touchesPerSec about ${Math.round(this.faults / this.missingSec)}: its memory + swap (rss + swapcached + swap) held at ${at}; after that it faulted ${this.faults.toFixed(0)} times (pgfault) while the share of it in swap or the swap cache added up to ${this.missingSec.toFixed(3)} s; faults ÷ missing share, for one process (or one rate) touching its pages uniformly`;
  }
}
