import { InputError } from '../util/errors.js';
import {
  ID_TOO_WIDE,
  type IdMode,
  type Key64,
  parseHex64,
  parseId,
  parseInt64,
  parseSafeUint,
  parseTime,
} from './fields.js';
import type { DenseIdBuilder } from './id-map.js';

/** How many malformed lines a lenient read keeps as examples for the report. */
const MAX_EXAMPLES = 5;

/** Malformed input: fatal with file and line, or (lenient) counted and reported. */
export class MalformedLines {
  count = 0;
  readonly examples: string[] = [];

  constructor(
    readonly file: string,
    readonly lenient: boolean,
  ) {}

  report(line: number, reason: string, content: string): void {
    const shown = content.length > 200 ? `${content.slice(0, 200)}…` : content;
    const message = `${this.file}:${line}: ${reason}: ${JSON.stringify(shown)}`;
    if (!this.lenient) throw new InputError(`${message} (use --lenient to skip malformed lines)`);
    this.count++;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(message);
  }
}

/** How a record's fields become references. */
export interface RecordRules {
  ids: IdMode;
  /** Each record covers the pages of [offset·offsetUnit, +size) instead of being one key. */
  expandPages: boolean;
  pageSize: number;
  offsetUnit: number;
  /** Keep only records whose op field equals one of these (lower case). */
  ops: readonly string[] | undefined;
}

const TWO32 = 4294967296;

/**
 * The slow, general path for one record whose fields arrive as strings: any id
 * mode, op filtering, page expansion and every error message. The byte scanner only
 * calls it for lines its fast path does not cover.
 */
export class RecordSink {
  filtered = 0;
  timeFirst: number | undefined;
  timeLast: number | undefined;
  private readonly key: Key64 = { hi: 0, lo: 0 };
  /** With `collectTimes`: the time of each reference since the last drain (a record's time for each of its pages). */
  private times: Float64Array | undefined;
  private timed = 0;

  constructor(
    readonly rules: RecordRules,
    readonly builder: DenseIdBuilder,
    readonly malformed: MalformedLines,
    collectTimes = false,
  ) {
    if (collectTimes) this.times = new Float64Array(1024);
  }

  get collectsTimes(): boolean {
    return this.times !== undefined;
  }

  /** A record's time, noted after its references were added. */
  noteTime(t: number): void {
    if (this.timeFirst === undefined) this.timeFirst = t;
    this.timeLast = t;
    if (this.times) {
      const n = this.builder.references;
      if (n > this.times.length) {
        const grown = new Float64Array(Math.max(n, this.times.length * 2));
        grown.set(this.times.subarray(0, this.timed));
        this.times = grown;
      }
      this.times.fill(t, this.timed, n);
      this.timed = n;
    }
  }

  /** The times of the references drained with `builder.drain()`, or null when none are collected. */
  drainTimes(): Float64Array | null {
    if (!this.times) return null;
    const view = this.times.subarray(0, this.timed);
    this.timed = 0;
    return view;
  }

  record(
    line: number,
    content: string,
    idText: string,
    timeText: string | undefined,
    opText: string | undefined,
    sizeText: string | undefined,
  ): void {
    const { rules, builder } = this;
    if (rules.ops && opText !== undefined && !rules.ops.includes(opText.toLowerCase())) {
      this.filtered++;
      return;
    }
    let time: number | undefined;
    if (timeText !== undefined) {
      const t = parseTime(timeText);
      if (typeof t === 'string') {
        this.malformed.report(line, `time ${t}`, content);
        return;
      }
      time = t;
    }
    if (rules.expandPages) {
      const err = rules.ids === 'hex' ? parseHex64(idText, this.key) : parseInt64(idText, this.key);
      if (err) {
        this.malformed.report(line, `offset ${err}`, content);
        return;
      }
      const size = parseSafeUint(sizeText ?? '');
      if (typeof size === 'string') {
        this.malformed.report(line, `size ${size}`, content);
        return;
      }
      if (size < 1) {
        this.malformed.report(line, 'size must be at least 1 byte', content);
        return;
      }
      this.expand(this.key.hi, this.key.lo, size);
    } else if (rules.ids === 'string') {
      if (idText.length === 0) {
        this.malformed.report(line, 'id is empty', content);
        return;
      }
      builder.addString(idText);
    } else {
      const err = parseId(idText, rules.ids, this.key);
      if (err === ID_TOO_WIDE) {
        // Wider than 64 bits (long hex digests, huge decimals): keyed by its canonical hex
        // text, so 0x-hex and decimal spellings of one value still meet. Rare enough that a
        // BigInt per such id is acceptable.
        builder.addString(BigInt(rules.ids === 'hex' && !/^0x/i.test(idText) ? `0x${idText}` : idText).toString(16));
      } else if (err) {
        this.malformed.report(line, err, content);
        return;
      } else {
        builder.addHiLo(this.key.hi, this.key.lo);
      }
    }
    if (time !== undefined) this.noteTime(time);
  }

  /** Pages floor(start/pageSize) .. floor((start+size-1)/pageSize), start = offset·offsetUnit. */
  expand(hi: number, lo: number, size: number): void {
    const { pageSize, offsetUnit } = this.rules;
    const start = (hi * TWO32 + lo) * offsetUnit;
    if (hi < 0x200000 && start + size <= Number.MAX_SAFE_INTEGER) {
      const first = Math.floor(start / pageSize);
      const last = Math.floor((start + size - 1) / pageSize);
      for (let p = first; p <= last; p++) this.builder.addNumber(p);
      return;
    }
    // Byte addresses past 2^53 (large offsets times a sector unit) need exact arithmetic.
    const b = (BigInt(hi) << 32n) | BigInt(lo);
    const startB = b * BigInt(offsetUnit);
    const ps = BigInt(pageSize);
    const last = (startB + BigInt(size) - 1n) / ps;
    for (let p = startB / ps; p <= last; p++) {
      this.builder.addHiLo(Number(p >> 32n) >>> 0, Number(p & 0xffffffffn));
    }
  }
}
