import { InputError } from '../util/errors.js';
import type { RecordSink } from './records.js';

/** Where a text trace's fields are: 0-based columns, -1 when absent. */
export interface Layout {
  /** Field separator byte, or -1 when each line is one field. */
  delimiter: number;
  /** The key column; the offset column when pages are expanded. */
  idCol: number;
  timeCol: number;
  opCol: number;
  sizeCol: number;
  /** Lines to skip before the records (a header). */
  skipLines: number;
}

const NL = 10;
const CR = 13;
const ZERO = 48;
/**
 * The longest line a text trace may have (docs/traces.md). A record is a few dozen bytes;
 * without a bound, a file with no newline (a binary or a corrupt download) would be
 * gathered into one ever-growing carry before any error could name it.
 */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Streaming line splitter over Buffers (docs/stack.md §5: about 20× faster than
 * csv-parse). Complete lines are handled in place in each chunk; only a partial last
 * line is copied and carried. The fast loop splits fields and parses the id and time
 * digits (and a block request's size, to expand it into pages) in the same pass over the
 * bytes; a line it cannot take whole (a non-digit in those fields, an id of more than 15
 * digits, a missing column, hex, an op filter) is handed
 * to the general path, which builds field strings and produces every error message.
 */
export class TextScanner {
  /** Lines seen, header included: the 1-based number of the last line. */
  lineNo = 0;
  blankLines = 0;
  private carry: Buffer | undefined;
  private readonly bounds: Int32Array;
  private readonly maxCol: number;
  private readonly fast: boolean;
  /** Whether the layout is one `scanExact` reads: one id per line, or `time,id` / `id,time`. */
  private readonly exact: boolean;
  /** The ids `scanExact` parsed from one chunk, mapped as one batch. */
  private ids = new Float64Array(0);

  constructor(
    private readonly layout: Layout,
    private readonly sink: RecordSink,
  ) {
    this.maxCol = Math.max(layout.idCol, layout.timeCol, layout.opCol, layout.sizeCol);
    this.bounds = new Int32Array(this.maxCol + 2);
    const r = sink.rules;
    this.fast = r.ids !== 'string' && r.ids !== 'hex' && r.ops === undefined;
    const { idCol, timeCol, opCol, sizeCol } = layout;
    this.exact =
      this.fast &&
      !r.expandPages &&
      !sink.collectsTimes &&
      opCol < 0 &&
      sizeCol < 0 &&
      (idCol === 0 ? timeCol === -1 || timeCol === 1 : idCol === 1 && timeCol === 0);
  }

  push(chunk: Buffer): void {
    let from = 0;
    if (this.carry) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.checkLength(this.carry.length + chunk.length);
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      this.checkLength(this.carry.length + nl);
      const joined = Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]);
      this.carry = undefined;
      this.scan(joined, 0, joined.length);
      from = nl + 1;
    }
    const done = this.scan(chunk, from, chunk.length);
    if (done < chunk.length) {
      this.checkLength(chunk.length - done);
      this.carry = Buffer.from(chunk.subarray(done));
    }
  }

  /** Stops at a line past MAX_LINE_BYTES, whether or not reading is lenient. */
  private checkLength(bytes: number): void {
    if (bytes > MAX_LINE_BYTES) {
      throw new InputError(
        `${this.sink.malformed.file}:${this.lineNo + 1}: line longer than ${MAX_LINE_BYTES >> 20} MiB ` +
          '(the limit for a text trace line); is this really a text trace?',
      );
    }
  }

  /** Handles a last line without a newline. */
  end(): void {
    if (!this.carry) return;
    const last = Buffer.concat([this.carry, Buffer.from([NL])]);
    this.carry = undefined;
    this.scan(last, 0, last.length);
  }

  /** Handles every complete line in [from, to); returns where the unfinished tail starts. */
  private scan(buf: Buffer, from: number, to: number): number {
    if (!this.fast) return this.scanGeneral(buf, from, to);
    if (this.exact) {
      // The header goes through the general path, and the chunk's records through the straight-line loop.
      for (let nl = buf.indexOf(NL, from); this.lineNo < this.layout.skipLines && nl >= 0 && nl < to; ) {
        this.line(buf, from, nl);
        from = nl + 1;
        nl = buf.indexOf(NL, from);
      }
      if (this.lineNo >= this.layout.skipLines) from = this.scanExact(buf, from, to);
    }
    return this.scanFast(buf, from, to);
  }

  /**
   * The common layouts, one id per line or `time,id` / `id,time`, in straight-line code (a
   * quarter faster than scanFast, which tests each field's column): digits, the delimiter,
   * digits, LF. Only the id's digits are accumulated; the time's are only stepped over (a
   * fifth less CPU on `time,id`), since a chunk reports just its first and last time, which
   * are read from their lines after the loop. The ids go to one batch that the builder maps
   * in a loop of its own. Stops at the first line that is not exactly that (a blank or CRLF
   * line, hex, a float, more than 15 digits) and returns where it starts, for scanFast to
   * read the rest of the chunk.
   */
  private scanExact(buf: Buffer, from: number, to: number): number {
    const end = buf.lastIndexOf(NL, to - 1) + 1;
    if (end <= from) return from;
    const { delimiter, idCol, timeCol } = this.layout;
    const two = timeCol >= 0;
    const idFirst = idCol === 0;
    // A line has at least two bytes (a digit and LF).
    if (this.ids.length < (end - from) >> 1) this.ids = new Float64Array(Math.max(1 << 16, (end - from) >> 1));
    const ids = this.ids;
    let n = 0;
    // Where the first and the last line's time digits start.
    let tFirst = -1;
    let tLast = -1;
    let i = from;
    let lineStart = from;
    while (i < end) {
      lineStart = i;
      let a = 0;
      let c = buf[i]!;
      if (idFirst) {
        while (c >= ZERO && c <= ZERO + 9) {
          a = a * 10 + (c - ZERO);
          c = buf[++i]!;
        }
      } else {
        while (c >= ZERO && c <= ZERO + 9) c = buf[++i]!;
      }
      const n1 = i - lineStart;
      let n2 = 1;
      let second = i;
      if (two) {
        if (c !== delimiter) break;
        second = ++i;
        c = buf[i]!;
        if (idFirst) {
          while (c >= ZERO && c <= ZERO + 9) c = buf[++i]!;
        } else {
          while (c >= ZERO && c <= ZERO + 9) {
            a = a * 10 + (c - ZERO);
            c = buf[++i]!;
          }
        }
        n2 = i - second;
      }
      if (c !== NL || n1 === 0 || n1 > 15 || n2 === 0 || n2 > 15) break;
      ids[n++] = a;
      const t = idFirst ? second : lineStart;
      if (tFirst < 0) tFirst = t;
      tLast = t;
      i++;
      lineStart = i;
    }
    this.lineNo += n;
    this.sink.builder.addNumbers(ids, n);
    if (two && n > 0) {
      this.sink.noteTime(digitsAt(buf, tFirst));
      this.sink.noteTime(digitsAt(buf, tLast));
    }
    return lineStart;
  }

  private scanGeneral(buf: Buffer, from: number, to: number): number {
    let lineStart = from;
    for (let i = buf.indexOf(NL, from); i >= 0 && i < to; i = buf.indexOf(NL, lineStart)) {
      this.line(buf, lineStart, i);
      lineStart = i + 1;
    }
    return lineStart;
  }

  /**
   * The fast path over the complete lines in [from, to): each field is a digit loop (the
   * value accumulated as it goes) followed by one test of the byte that stopped it, so a
   * byte costs one compare pair, not a walk through the column state.
   */
  private scanFast(buf: Buffer, from: number, to: number): number {
    const end = buf.lastIndexOf(NL, to - 1) + 1;
    if (end <= from) return from;
    const { delimiter, idCol, timeCol, sizeCol, skipLines } = this.layout;
    const maxCol = this.maxCol;
    const sink = this.sink;
    const builder = sink.builder;
    const { expandPages, pageSize, offsetUnit } = sink.rules;
    let lineNo = this.lineNo;
    let i = from;
    while (i < end) {
      const lineStart = i;
      let col = 0;
      let id = -1;
      let time = -1;
      let size = -1;
      let bad = false;
      for (;;) {
        let v = 0;
        let nd = 0;
        let c = buf[i]!;
        while (c >= ZERO && c <= ZERO + 9) {
          v = v * 10 + (c - ZERO);
          nd++;
          c = buf[++i]!;
        }
        if (c !== delimiter && c !== NL) {
          if (c === CR && buf[i + 1] === NL) {
            // CRLF line end: the NL that follows closes the field.
            c = buf[++i]!;
          } else {
            // Anything but digits is fine in a column not read, and makes a read one bad.
            if (col === idCol || col === timeCol || col === sizeCol) bad = true;
            do c = buf[++i]!;
            while (c !== delimiter && c !== NL);
          }
        }
        if (col === idCol) id = nd > 0 && nd <= 15 ? v : -1;
        // A time is only reported, so past 15 digits its double (as Number() would give) is fine.
        else if (col === timeCol) time = nd > 0 ? v : -1;
        else if (col === sizeCol) size = nd > 0 && nd <= 15 ? v : -1;
        if (c !== delimiter) break;
        col++;
        i++;
      }
      // buf[i] is the line's NL.
      lineNo++;
      if (i - lineStart > MAX_LINE_BYTES) {
        this.lineNo = lineNo - 1;
        this.checkLength(i - lineStart);
      }
      const start = id * offsetUnit;
      if (
        !bad &&
        col >= maxCol &&
        id >= 0 &&
        (timeCol < 0 || time >= 0) &&
        lineNo > skipLines &&
        (!expandPages || (size >= 1 && start + size <= Number.MAX_SAFE_INTEGER))
      ) {
        if (expandPages) {
          const last = Math.floor((start + size - 1) / pageSize);
          for (let page = Math.floor(start / pageSize); page <= last; page++) builder.addNumber(page);
        } else {
          builder.addNumber(id);
        }
        if (timeCol >= 0) sink.noteTime(time);
      } else {
        this.lineNo = lineNo - 1;
        this.line(buf, lineStart, i);
      }
      i++;
    }
    this.lineNo = lineNo;
    return end;
  }

  /** Splits [s, e) at delimiters into bounds; returns how many were found (up to maxCol + 1). */
  private split(buf: Buffer, s: number, e: number): number {
    const delim = this.layout.delimiter;
    const maxB = this.maxCol + 1;
    let nf = 0;
    for (let i = s; i < e && nf < maxB; i++) if (buf[i] === delim) this.bounds[nf++] = i;
    return nf;
  }

  /** The general path for one line [s, e) without its newline. */
  private line(buf: Buffer, s: number, e: number): void {
    this.checkLength(e - s);
    const lineNo = ++this.lineNo;
    if (lineNo <= this.layout.skipLines) return;
    if (e > s && buf[e - 1] === CR) e--;
    if (e === s) {
      this.blankLines++;
      return;
    }
    const nf = this.split(buf, s, e);
    const content = buf.toString('utf8', s, e);
    if (this.maxCol > nf) {
      this.sink.malformed.report(lineNo, `missing column ${this.maxCol + 1} (line has ${nf + 1})`, content);
      return;
    }
    const { idCol, timeCol, opCol, sizeCol } = this.layout;
    const field = (col: number) =>
      col < 0
        ? undefined
        : buf
            .toString('utf8', col === 0 ? s : this.bounds[col - 1]! + 1, col < nf ? this.bounds[col]! : e)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    this.sink.record(lineNo, content, field(idCol) ?? '', field(timeCol), field(opCol), field(sizeCol));
  }
}

/** The value of the decimal digits starting at `i` (as scanExact would have accumulated it). */
function digitsAt(buf: Buffer, i: number): number {
  let v = 0;
  for (let c = buf[i]!; c >= ZERO && c <= ZERO + 9; c = buf[++i]!) v = v * 10 + (c - ZERO);
  return v;
}
