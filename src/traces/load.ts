import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { didYouMean, InputError } from '../util/errors.js';
import { cleanField, type IdMode } from './fields.js';
import { DenseIdBuilder } from './id-map.js';
import { OracleGeneralScanner } from './oracle-general.js';
import { MalformedLines, RecordSink } from './records.js';
import { type Layout, MAX_LINE_BYTES, TextScanner } from './text-scanner.js';

export type TraceFormat = 'txt' | 'csv' | 'msr' | 'oracleGeneral';
export const TRACE_FORMATS: readonly (TraceFormat | 'auto')[] = ['auto', 'txt', 'csv', 'msr', 'oracleGeneral'];

/** How to read a trace; every field is optional and detected or defaulted (docs/traces.md). */
export interface TraceOptions {
  format?: TraceFormat | 'auto';
  /** CSV: whether the first line names the columns; detected when undefined. */
  header?: boolean;
  delimiter?: string;
  /** Columns by header name or 1-based number. */
  idColumn?: string | number;
  timeColumn?: string | number;
  opColumn?: string | number;
  offsetColumn?: string | number;
  sizeColumn?: string | number;
  ids?: IdMode;
  /** Block traces: one reference per page of [offset·offsetUnit, +size) instead of one per record. */
  expandPages?: boolean;
  pageSize?: number;
  offsetUnit?: number;
  /** Keep only records whose op column equals one of these (case-insensitive). */
  ops?: readonly string[];
  lenient?: boolean;
  /** Put the dense stream in a SharedArrayBuffer, for replay threads to read without a copy. */
  sharedStream?: boolean;
  /** Text traces this large or larger are replayed while they are read (16 MiB; tests set it lower). */
  minStreamedTextBytes?: number;
}

/** What was read and how: JSON-serialisable, so results and reports can state it. */
export interface TraceInfo {
  file: string;
  format: TraceFormat;
  compression: 'none' | 'gzip';
  /** Column names (header names, or `column N`) of the fields used. */
  columns?: { key: string; time?: string; op?: string; size?: string };
  /** One reference per record keyed by its id or start offset, or one per page it covers. */
  keyedBy: 'id' | 'offset' | 'pages';
  pageSize?: number;
  offsetUnit?: number;
  ids: IdMode;
  ops?: string[];
  references: number;
  distinctPages: number;
  records: number;
  blankLines: number;
  filteredRecords: number;
  malformed: { count: number; examples: string[] };
  timeFirst?: number;
  timeLast?: number;
}

export interface Trace {
  /** Dense page ids 0..distinctPages-1, in order of first appearance. */
  stream: Int32Array;
  info: TraceInfo;
}

/** Read size: 6 MiB, a whole number of oracleGeneral records, so no record straddles two reads. */
const CHUNK = 24 << 18;
const QUOTED_CSV_LIMIT = 256 << 20;
const MSR_LINE = /^\d+,[^,]*,\d+,(read|write),\d+,\d+,\d+\s*$/i;
const NUMBER_FIELD = /^\s*"?(-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|0[xX][0-9a-fA-F]+)"?\s*$/;

const ID_NAMES = [
  'obj_id',
  'id',
  'key',
  'page',
  'page_id',
  'object',
  'lbn',
  'lba',
  'offset',
  'address',
  'addr',
  'block',
];
const OFFSET_NAMES = ['offset', 'lbn', 'lba', 'address', 'addr', 'block'];
const SIZE_NAMES = ['size', 'obj_size', 'length', 'len', 'bytes'];
const TIME_NAMES = ['time', 'timestamp', 'ts', 'clock_time'];
const OP_NAMES = ['op', 'type', 'operation', 'rw', 'opcode'];

/** Options that only mean something for text traces, with their CLI flags. */
const TEXT_ONLY_OPTIONS: Partial<Record<keyof TraceOptions, string>> = {
  header: '--header',
  delimiter: '--delimiter',
  idColumn: '--id-col',
  timeColumn: '--time-col',
  opColumn: '--op-col',
  offsetColumn: '--offset-col',
  sizeColumn: '--size-col',
  ops: '--op',
};

/** Reads a whole trace into a dense reference stream. Throws InputError on bad input. */
export async function loadTrace(file: string, options: TraceOptions = {}, into?: SharedStream): Promise<Trace> {
  validateOptions(options);
  const source = chunks(file);
  try {
    return await readSource(file, source, options, into);
  } catch (err) {
    // Every refusal names the file, including those about columns or flags.
    const name = basename(file);
    if (err instanceof InputError && !err.message.includes(name)) throw new InputError(`${name}: ${err.message}`);
    throw err;
  } finally {
    // Closes the file when reading stopped early on an error.
    await source.return(undefined);
  }
}

/**
 * The references of a trace in chunks as they are read (one per chunk of the file), so that
 * memory stays bounded whatever the trace's length: dense ids as `loadTrace` gives them, and
 * with `times` each reference's time (its record's time column; null when the trace has
 * none). The chunk arrays are reused: copy what you keep.
 */
export async function streamTrace(
  file: string,
  options: TraceOptions,
  times: boolean,
  onChunk: (ids: Int32Array, times: Float64Array | null) => void,
): Promise<TraceInfo> {
  validateOptions(options);
  const source = chunks(file);
  try {
    return (await readSource(file, source, options, undefined, { times, onChunk })).info;
  } finally {
    await source.return(undefined);
  }
}

interface Streaming {
  times: boolean;
  onChunk: (ids: Int32Array, times: Float64Array | null) => void;
}

/** What a streaming read allocates its reference buffer for: grown to a chunk's references at most. */
const STREAMED_REFS = 1 << 16;

/**
 * Where a pipelined read writes its stream: a SharedArrayBuffer of at least the file's
 * reference count, and `progress` = [references written, 0 reading | 1 done | 2 failed].
 */
export interface SharedStream {
  stream: Int32Array;
  progress: Int32Array;
}

/** A text trace past this many references' bound (a file past 512 MiB) is read before its replay. */
const MAX_TEXT_BOUND = 2 ** 28;
/**
 * A text trace under this many bytes is read before its replay: it takes less time to
 * parse (about 3 ns a byte) than a reader thread takes to start.
 */
const MIN_TEXT_BYTES = 16 << 20;

/**
 * What a file can give before it is read, for a replay that runs while it is read: an
 * uncompressed oracleGeneral file gives exactly its size / 24 references; an uncompressed
 * text trace (not expanded into pages) at most one per two bytes (a digit and a newline),
 * a bound that costs only address space, since the stream's unused tail is never touched.
 * Undefined for any other file (gzip, --expand-pages, a text trace under 16 MiB, an
 * oracleGeneral file of a partial record, a missing file).
 */
export function streamableReferences(
  file: string,
  options: TraceOptions = {},
): { references: number; exact: boolean } | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return undefined;
    const bytes = fstatSync(fd).size;
    if (bytes === 0) return undefined;
    if (detectFormat(file, head.subarray(0, n), options) !== 'oracleGeneral') {
      const bound = Math.ceil(bytes / 2) + 1;
      const skip =
        options.expandPages || bytes < (options.minStreamedTextBytes ?? MIN_TEXT_BYTES) || bound > MAX_TEXT_BOUND;
      return skip ? undefined : { references: bound, exact: false };
    }
    return bytes % 24 === 0 ? { references: bytes / 24, exact: true } : undefined;
  } finally {
    closeSync(fd);
  }
}

async function readSource(
  file: string,
  source: AsyncGenerator<Chunk>,
  options: TraceOptions,
  into?: SharedStream,
  streaming?: Streaming,
): Promise<Trace> {
  const first = await source.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : first.value.buf;
  const compression = first.done ? 'none' : first.value.compression;
  const format = detectFormat(file, head, options);
  if (into && (options.expandPages || compression !== 'none'))
    throw new Error('internal: only uncompressed files, one reference per record, are read into a shared stream');
  const builder = new DenseIdBuilder(
    streaming ? STREAMED_REFS : expectedReferences(file, head, format, compression),
    into,
    !streaming && options.sharedStream,
  );
  const malformed = new MalformedLines(basename(file), options.lenient ?? false);
  const ids = options.ids ?? 'auto';

  if (format === 'oracleGeneral') {
    const textOnly = Object.entries(TEXT_ONLY_OPTIONS).filter(([k]) => options[k as keyof TraceOptions] !== undefined);
    if (options.expandPages) textOnly.push(['expandPages', '--expand-pages']);
    if (textOnly.length > 0) {
      throw new InputError(
        `${textOnly.map(([, flag]) => flag).join(', ')} do not apply to oracleGeneral records (one 64-bit id each)`,
      );
    }
    const sink = new RecordSink(rulesOf(options, ids, false), builder, malformed, streaming?.times);
    const flush = () => streaming?.onChunk(builder.drain(), sink.drainTimes());
    const scanner = new OracleGeneralScanner(basename(file), sink);
    scanner.push(head);
    flush();
    for await (const c of source) {
      scanner.push(c.buf);
      flush();
    }
    scanner.end();
    const stream = builder.finish(options.sharedStream);
    return {
      stream,
      info: {
        ...baseInfo(file, format, compression, 'id', ids, builder.total, builder.distinct, sink),
        records: scanner.records,
        blankLines: 0,
      },
    };
  }

  const firstLine = head.toString('utf8', 0, Math.min(head.length, lineEnd(head))).replace(/\r$/, '');
  const plan = planColumns(format, firstLine, options);
  const sink = new RecordSink(
    rulesOf(options, ids, plan.keyedBy === 'pages'),
    builder,
    malformed,
    streaming?.times && plan.layout.timeCol >= 0,
  );
  const flush = () => streaming?.onChunk(builder.drain(), sink.drainTimes());

  let records: number;
  let blankLines = 0;
  if (format === 'csv' && head.includes(0x22)) {
    records = await readQuotedCsv(file, head, source, plan.layout, sink);
    flush();
    builder.publish();
  } else {
    const scanner = new TextScanner(plan.layout, sink);
    scanner.push(head);
    flush();
    builder.publish();
    for await (const c of source) {
      scanner.push(c.buf);
      flush();
      builder.publish();
    }
    scanner.end();
    flush();
    builder.publish();
    blankLines = scanner.blankLines;
    records = scanner.lineNo - plan.layout.skipLines - blankLines;
  }
  const stream = builder.finish(options.sharedStream);
  const info: TraceInfo = {
    ...baseInfo(file, format, compression, plan.keyedBy, ids, builder.total, builder.distinct, sink),
    columns: plan.names,
    records,
    blankLines,
  };
  if (plan.keyedBy === 'pages') {
    info.pageSize = options.pageSize ?? 4096;
    info.offsetUnit = options.offsetUnit ?? 1;
  }
  if (options.ops) info.ops = [...options.ops];
  return { stream, info };
}

/**
 * How many references the file will give, so the stream is allocated once: exact for an
 * uncompressed oracleGeneral file, estimated from the first chunk's lines for text (an
 * underestimate only costs a doubling).
 */
function expectedReferences(file: string, head: Buffer, format: TraceFormat, compression: string): number {
  if (compression !== 'none' || head.length === 0) return 1 << 16;
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch {
    return 1 << 16;
  }
  if (format === 'oracleGeneral') return Math.floor(bytes / 24);
  let lines = 0;
  for (let i = head.indexOf(10); i >= 0; i = head.indexOf(10, i + 1)) lines++;
  return Math.min(2 ** 30, Math.ceil(((lines + 1) / head.length) * bytes * 1.05));
}

function baseInfo(
  file: string,
  format: TraceFormat,
  compression: 'none' | 'gzip',
  keyedBy: TraceInfo['keyedBy'],
  ids: IdMode,
  references: number,
  distinctPages: number,
  sink: RecordSink,
) {
  const info = {
    file,
    format,
    compression,
    keyedBy,
    ids,
    references,
    distinctPages,
    filteredRecords: sink.filtered,
    malformed: { count: sink.malformed.count, examples: sink.malformed.examples },
  } as Omit<TraceInfo, 'records' | 'blankLines'>;
  if (sink.timeFirst !== undefined) {
    info.timeFirst = sink.timeFirst;
    info.timeLast = sink.timeLast;
  }
  return info;
}

function rulesOf(options: TraceOptions, ids: IdMode, expandPages: boolean) {
  return {
    ids,
    expandPages,
    pageSize: options.pageSize ?? 4096,
    offsetUnit: options.offsetUnit ?? 1,
    ops: options.ops?.map((o) => o.toLowerCase()),
  };
}

function validateOptions(o: TraceOptions): void {
  for (const [name, v] of [
    ['--page-size', o.pageSize],
    ['--offset-unit', o.offsetUnit],
  ] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) {
      throw new InputError(`${name} must be a positive integer, got ${v}`);
    }
  }
  if (o.delimiter !== undefined && Buffer.byteLength(o.delimiter) !== 1) {
    throw new InputError(`--delimiter must be one single-byte character, got ${JSON.stringify(o.delimiter)}`);
  }
}

interface Chunk {
  buf: Buffer;
  compression: 'none' | 'gzip';
}

/**
 * The file's bytes in big chunks, gunzipped when it starts with the gzip magic. A
 * plain file is read with readSync into one reused buffer: each chunk is consumed
 * before the next is read.
 */
async function* chunks(file: string): AsyncGenerator<Chunk> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new InputError(`cannot read trace ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const buf = Buffer.allocUnsafe(CHUNK);
  try {
    const n = readSync(fd, buf, 0, CHUNK, null);
    if (n >= 4 && buf.readUInt32LE(0) === 0xfd2fb528) {
      throw new InputError(`${file} is zstd-compressed; decompress it first (zstd -d), or recompress with gzip`);
    }
    if (n >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
      closeSync(fd);
      fd = -1;
      const gunzip = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }));
      try {
        for await (const c of gunzip) yield { buf: c as Buffer, compression: 'gzip' };
      } catch (err) {
        throw new InputError(`${file}: gzip data is corrupt: ${(err as Error).message}`);
      }
      return;
    }
    if (n === 0) return;
    yield { buf: buf.subarray(0, n), compression: 'none' };
    for (;;) {
      const m = readSync(fd, buf, 0, CHUNK, null);
      if (m === 0) return;
      yield { buf: buf.subarray(0, m), compression: 'none' };
    }
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function lineEnd(buf: Buffer): number {
  const i = buf.indexOf(10);
  return i < 0 ? buf.length : i;
}

/** The format of a trace from its name and its first (decompressed) bytes, unless `o.format` names one. */
export function detectFormat(file: string, head: Buffer, o: TraceOptions): TraceFormat {
  if (o.format && o.format !== 'auto') return o.format;
  if (/oracleGeneral/i.test(basename(file)) || head.subarray(0, 4096).includes(0)) return 'oracleGeneral';
  const line = head.toString('utf8', 0, Math.min(head.length, lineEnd(head)));
  if (o.delimiter === undefined && MSR_LINE.test(line)) return 'msr';
  const hasColumnOption = [o.idColumn, o.timeColumn, o.opColumn, o.offsetColumn, o.sizeColumn].some(
    (c) => c !== undefined,
  );
  if (hasColumnOption || line.includes(o.delimiter ?? ',')) return 'csv';
  return 'txt';
}

interface ColumnPlan {
  layout: Layout;
  keyedBy: TraceInfo['keyedBy'];
  names: NonNullable<TraceInfo['columns']>;
}

function planColumns(format: TraceFormat, firstLine: string, o: TraceOptions): ColumnPlan {
  const expand = o.expandPages ?? false;
  if (format === 'txt') {
    if (expand) throw new InputError('--expand-pages needs offset and size columns; a txt trace has one id per line');
    if (o.ops) throw new InputError('--op needs an op column; a txt trace has one id per line');
    return {
      layout: { delimiter: -1, idCol: 0, timeCol: -1, opCol: -1, sizeCol: -1, skipLines: o.header ? 1 : 0 },
      keyedBy: 'id',
      names: { key: 'line' },
    };
  }
  const delimiter = o.delimiter ?? ',';
  const cells = firstLine.split(delimiter).map(cleanField);
  const msr = format === 'msr';
  const header = msr ? false : (o.header ?? !cells.some((c) => NUMBER_FIELD.test(c)));
  const names = header ? cells : null;
  const col = (spec: string | number | undefined, what: string) => resolveColumn(spec, names, cells.length, what);
  const byName = (candidates: string[]) => {
    if (!names) return -1;
    const lower = names.map((n) => n.toLowerCase());
    for (const c of candidates) {
      const i = lower.indexOf(c);
      if (i >= 0) return i;
    }
    return -1;
  };

  let keyCol: number;
  let keyedBy: TraceInfo['keyedBy'];
  let sizeCol = -1;
  if (expand) {
    if (o.ids === 'string')
      throw new InputError('--expand-pages needs integer offsets; it cannot be used with --ids string');
    keyCol = col(o.offsetColumn ?? o.idColumn, 'offset');
    if (keyCol < 0) keyCol = msr ? 4 : byName(OFFSET_NAMES);
    sizeCol = col(o.sizeColumn, 'size');
    if (sizeCol < 0) sizeCol = msr ? 5 : byName(SIZE_NAMES);
    if (keyCol < 0 || sizeCol < 0) {
      throw new InputError(
        `--expand-pages needs an offset and a size column: name them with --offset-col and --size-col ` +
          `(columns: ${describeColumns(names, cells.length)})`,
      );
    }
    keyedBy = 'pages';
  } else {
    keyCol = col(o.idColumn ?? o.offsetColumn, 'id');
    keyedBy = o.idColumn === undefined && o.offsetColumn !== undefined ? 'offset' : 'id';
    if (keyCol < 0 && msr) {
      keyCol = 4;
      keyedBy = 'offset';
    }
    if (keyCol < 0) keyCol = byName(ID_NAMES);
    if (keyCol < 0 && cells.length === 1) keyCol = 0;
    if (keyCol < 0) {
      throw new InputError(
        `cannot tell which column holds the page id: name it with --id-col ` +
          `(columns: ${describeColumns(names, cells.length)})`,
      );
    }
  }
  let timeCol = col(o.timeColumn, 'time');
  if (timeCol < 0) timeCol = msr ? 0 : byName(TIME_NAMES);
  let opCol = col(o.opColumn, 'op');
  if (opCol < 0 && o.ops) {
    opCol = msr ? 3 : byName(OP_NAMES);
    if (opCol < 0) {
      throw new InputError(
        `--op needs an op column: name it with --op-col (columns: ${describeColumns(names, cells.length)})`,
      );
    }
  }
  const label = (i: number) => (names?.[i] ? names[i] : `column ${i + 1}`);
  const shown: ColumnPlan['names'] = { key: label(keyCol) };
  if (timeCol >= 0) shown.time = label(timeCol);
  if (opCol >= 0) shown.op = label(opCol);
  if (sizeCol >= 0) shown.size = label(sizeCol);
  return {
    layout: { delimiter: delimiter.charCodeAt(0), idCol: keyCol, timeCol, opCol, sizeCol, skipLines: header ? 1 : 0 },
    keyedBy,
    names: shown,
  };
}

function describeColumns(names: string[] | null, n: number): string {
  return names ? names.map((c, i) => `${i + 1}=${c}`).join(', ') : `1..${n}, no header`;
}

/** A column given by 1-based number or header name, as a 0-based index; -1 if not given. */
function resolveColumn(spec: string | number | undefined, names: string[] | null, n: number, what: string): number {
  if (spec === undefined) return -1;
  const text = String(spec).trim();
  if (/^[0-9]+$/.test(text)) {
    const i = Number(text);
    if (i < 1 || i > n) throw new InputError(`--${what}-col ${i} is out of range: the first line has ${n} columns`);
    return i - 1;
  }
  if (!names) {
    throw new InputError(
      `--${what}-col ${JSON.stringify(text)}: the trace has no header, so give a column number 1..${n}`,
    );
  }
  const i = names.findIndex((c) => c.toLowerCase() === text.toLowerCase());
  if (i < 0) {
    const hint = didYouMean(text, names);
    throw new InputError(
      `--${what}-col ${JSON.stringify(text)} is not a column${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}; ` +
        `columns: ${names.join(', ')}`,
    );
  }
  return i;
}

/**
 * Quoted CSV goes through csv-parse: correct for quotes and embedded delimiters, but
 * about 20× slower than the byte scanner (docs/stack.md §5), so only small files.
 */
async function readQuotedCsv(
  file: string,
  head: Buffer,
  rest: AsyncGenerator<Chunk>,
  layout: Layout,
  sink: RecordSink,
): Promise<number> {
  const parts = [Buffer.from(head)];
  let total = head.length;
  for await (const c of rest) {
    total += c.buf.length;
    if (total > QUOTED_CSV_LIMIT) {
      throw new InputError(`${file}: quoted CSV larger than 256 MiB; remove the quotes to use the fast reader`);
    }
    parts.push(Buffer.from(c.buf));
  }
  let rows: { record: string[]; info: { lines: number } }[];
  // Loaded only for quoted files, so that other reads (and start-up) do not pay for it.
  const { parse: parseCsv } = await import('csv-parse/sync');
  try {
    rows = parseCsv(Buffer.concat(parts), {
      delimiter: String.fromCharCode(layout.delimiter),
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: MAX_LINE_BYTES,
      info: true,
    }) as unknown as typeof rows;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new InputError(`${basename(file)}:${e.lines ?? '?'}: CSV quoting error: ${e.message}`);
  }
  const { idCol, timeCol, opCol, sizeCol } = layout;
  const maxCol = Math.max(idCol, timeCol, opCol, sizeCol);
  let records = 0;
  for (const { record, info } of rows) {
    if (info.lines <= layout.skipLines) continue;
    records++;
    if (record.length <= maxCol) {
      sink.malformed.report(info.lines, `missing column ${maxCol + 1} (line has ${record.length})`, record.join(','));
      continue;
    }
    const f = (i: number) => (i < 0 ? undefined : (record[i] as string).trim());
    sink.record(info.lines, record.join(','), f(idCol) ?? '', f(timeCol), f(opCol), f(sizeCol));
  }
  return records;
}
