/**
 * Lines of a telemetry file, read in chunks so that no importer ever holds a whole file as
 * one string (a 1 GB vmstat log exceeds V8's string limit). The bounds are stated in
 * docs/import.md, "Limits"; each refusal names the file and the line.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../../util/errors.js';

export interface SourceLine {
  /** 1-based. */
  no: number;
  text: string;
}

/** Longest line an importer reads: telemetry lines are under 1 KiB; a longer one is not telemetry. */
export const MAX_LINE_BYTES = 64 * 1024;
/**
 * Most samples (rows) one file may hold: 5.8 days at 1 s. A post-mortem needs the window of
 * the incident, and a larger file is refused within seconds (about 5 s for a vmstat log on
 * one core) instead of being read for a minute.
 */
export const MAX_ROWS = 500_000;

const CHUNK_BYTES = 1 << 20;

function tooLong(file: string, no: number): InputError {
  return new InputError(
    `${file}:${no}: line longer than ${MAX_LINE_BYTES / 1024} KiB; this is not the output of a telemetry tool (docs/import.md, "Limits")`,
  );
}

/** The lines of a string (tests, small inputs), without building an array of them. */
export function* linesOfText(text: string, file: string): Generator<SourceLine> {
  let start = 0;
  let no = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    no++;
    if (end - start > MAX_LINE_BYTES) throw tooLong(file, no);
    const raw = text.slice(start, end);
    if (!(end === text.length && raw === '' && no > 1)) yield { no, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw };
    start = end + 1;
  }
}

/**
 * The lines of a file, read 1 MiB at a time. A line over MAX_LINE_BYTES stops the read at
 * that line, before it is assembled.
 */
export function* linesOfFile(path: string, file: string): Generator<SourceLine> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    if (fstatSync(fd).isDirectory()) throw new InputError(`cannot read ${file}: it is a directory`);
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let no = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK_BYTES, null);
      } catch (err) {
        throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      if (n === 0) break;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0 || nl >= n) break;
        no++;
        if (pendingBytes + nl - start > MAX_LINE_BYTES) throw tooLong(file, no);
        const piece = buf.subarray(start, nl);
        const line = pending.length > 0 ? Buffer.concat([...pending, piece]) : piece;
        pending = [];
        pendingBytes = 0;
        const text = line.toString('utf8');
        yield { no, text: text.endsWith('\r') ? text.slice(0, -1) : text };
        start = nl + 1;
      }
      if (start < n) {
        pendingBytes += n - start;
        if (pendingBytes > MAX_LINE_BYTES) throw tooLong(file, no + 1);
        pending.push(Buffer.from(buf.subarray(start, n)));
      }
    }
    if (pendingBytes > 0) {
      const text = Buffer.concat(pending).toString('utf8');
      yield { no: no + 1, text: text.endsWith('\r') ? text.slice(0, -1) : text };
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The non-blank lines of a source (no importer reads blank ones; line numbers stay those of the
 * file), with the first ones kept so that the importer can still read them after the format
 * has been recognised from them (index.ts, sniffKind).
 */
export class PeekableLines implements Iterable<SourceLine> {
  private readonly head: SourceLine[] = [];
  private readonly it: Iterator<SourceLine>;
  private done = false;
  private consumed = false;

  constructor(source: Iterable<SourceLine>) {
    this.it = source[Symbol.iterator]();
  }

  private pull(): SourceLine | undefined {
    for (let r = this.it.next(); !r.done; r = this.it.next()) if (r.value.text.trim() !== '') return r.value;
    this.done = true;
    return undefined;
  }

  /** Up to `count` of the first non-blank lines (fewer at the end of the file). */
  peek(count: number): SourceLine[] {
    while (!this.done && this.head.length < count) {
      const line = this.pull();
      if (line) this.head.push(line);
    }
    return this.head.slice(0, count);
  }

  *[Symbol.iterator](): Iterator<SourceLine> {
    if (this.consumed) throw new Error('PeekableLines read twice');
    this.consumed = true;
    yield* this.head;
    for (let line = this.done ? undefined : this.pull(); line; line = this.pull()) yield line;
  }
}
