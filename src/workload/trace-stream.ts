import { closeSync, openSync, readSync } from 'node:fs';
import type { PreparedTrace } from '../scenario/types.js';
import { hash32 } from '../util/rng.js';

/** References read from the scratch files at a time: 256 KiB of ids (and 512 KiB of times). */
export const TRACE_WINDOW = 1 << 16;

/**
 * A prepared trace replayed reference by reference (the `trace` pattern), synchronously and
 * in fixed windows, so that memory stays bounded whatever the trace's length. Dense page ids
 * are offsets of the process's region: the trace's own first-appearance order is its first
 * touches. At the end it starts again (`loop`) or reports the end (`next` returns −1).
 *
 * In a sampled replay (`sampleRate` < 1) only references to pages whose hash falls under the
 * rate are kept (as SHARDS samples a trace), each standing for 1/rate real ones; the kept
 * pages are renumbered densely by first appearance, and `pages` is how many there are.
 */
export class TraceStream {
  readonly pages: number;
  private readonly ids = new Int32Array(TRACE_WINDOW);
  private readonly times: Float64Array | null;
  private readonly idBytes: Uint8Array;
  private readonly timeBytes: Uint8Array | null;
  /** Dense id → sampled id, −1 when the page is not sampled; null for an exact replay. */
  private readonly sampled: Int32Array | null;
  private readonly loop: boolean;
  private readonly periodMs: number;
  private at = 0;
  private have = 0;
  /** Index of the next reference of the trace to read into the window. */
  private readPos = 0;
  /** Passes over the trace completed (loop). */
  private pass = 0;
  private ended = false;

  constructor(
    readonly trace: PreparedTrace,
    opts: { loop: boolean; sampleRate?: number; seed?: number },
  ) {
    this.loop = opts.loop;
    this.idBytes = new Uint8Array(this.ids.buffer);
    this.times = trace.timesFile ? new Float64Array(TRACE_WINDOW) : null;
    this.timeBytes = this.times ? new Uint8Array(this.times.buffer) : null;
    // A loop keeps the trace's mean rate across the seam: one mean gap after its last reference.
    this.periodMs = trace.references > 1 ? (trace.spanMs * trace.references) / (trace.references - 1) : 0;
    const rate = opts.sampleRate ?? 1;
    if (rate < 1) {
      const map = new Int32Array(trace.distinctPages);
      const threshold = rate * 4294967296;
      const seed = opts.seed ?? 0;
      let n = 0;
      for (let id = 0; id < map.length; id++) map[id] = hash32(id, seed) < threshold ? n++ : -1;
      this.sampled = map;
      this.pages = n;
    } else {
      this.sampled = null;
      this.pages = trace.distinctPages;
    }
  }

  /** Completed passes over the trace. */
  get passes(): number {
    return this.pass;
  }

  /** The next page (an offset of the region), or −1 once a trace that does not loop has ended. */
  next(): number {
    if (this.pages === 0) return -1;
    for (;;) {
      if (this.at === this.have && !this.refill()) return -1;
      const id = this.ids[this.at++]!;
      if (this.sampled === null) return id;
      const s = this.sampled[id]!;
      if (s >= 0) return s;
    }
  }

  /**
   * When the next reference is due, in ms after the replay began (timing timestamps), or −1
   * at the end; the reference itself is then taken by `next`. Unsampled references between
   * are skipped over, so the time is that of the reference `next` returns.
   */
  peekTimeMs(): number {
    if (this.pages === 0) return -1;
    for (;;) {
      if (this.at === this.have && !this.refill()) return -1;
      if (this.sampled === null || this.sampled[this.ids[this.at]!]! >= 0) break;
      this.at++;
    }
    const t = this.times ? this.times[this.at]! * this.trace.timeUnitMs : 0;
    return t + this.pass * this.periodMs;
  }

  private refill(): boolean {
    if (this.ended) return false;
    if (this.readPos === this.trace.references) {
      if (!this.loop) {
        this.ended = true;
        return false;
      }
      this.readPos = 0;
      this.pass++;
    }
    const n = Math.min(TRACE_WINDOW, this.trace.references - this.readPos);
    readExactly(this.trace.idsFile, this.idBytes, n * 4, this.readPos * 4);
    if (this.timeBytes && this.trace.timesFile) {
      readExactly(this.trace.timesFile, this.timeBytes, n * 8, this.readPos * 8);
    }
    this.readPos += n;
    this.at = 0;
    this.have = n;
    return true;
  }
}

/** `length` bytes of `file` from `position` (opened and closed each time: nothing is left open if a run throws). */
function readExactly(file: string, into: Uint8Array, length: number, position: number): void {
  const fd = openSync(file, 'r');
  try {
    let got = 0;
    while (got < length) {
      const n = readSync(fd, into, got, length - got, position + got);
      if (n === 0) throw new Error(`internal: ${file} ends at byte ${position + got}, expected ${position + length}`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
}
