/**
 * The first pass over a scenario's traces, before any variant runs: each trace is read once
 * (however many processes and variants replay it) through the trace readers, in chunks, and
 * written as dense page ids (and, for timing timestamps, times in ms) to a scratch file that
 * `TraceStream` reads back in windows. Memory stays bounded by a chunk whatever the trace's
 * length; the files are removed when the process exits.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreparedTrace, TracePattern, Variant } from '../scenario/types.js';
import { streamTrace, type TraceFormat, type TraceOptions } from '../traces/load.js';
import { FaultlineError, InputError } from '../util/errors.js';

/** Milliseconds per unit of the time column when the scenario did not say: by format. */
const DEFAULT_UNIT_MS: Partial<Record<TraceFormat, number>> = { msr: 1e-4, oracleGeneral: 1000 };

let scratchDir: string | undefined;
const prepared = new Map<string, Promise<PreparedTrace>>();

function scratch(): string {
  if (scratchDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-traces-'));
    scratchDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratchDir;
}

/** The reader's options for a scenario's trace: the scenario's fields, the host's page size. */
export function traceOptions(p: TracePattern, pageSizeBytes: number): TraceOptions {
  const r = p.read;
  const o: TraceOptions = {
    format: p.format,
    ids: r.ids,
    expandPages: r.expandPages,
    pageSize: pageSizeBytes,
    offsetUnit: r.offsetUnit,
    lenient: r.lenient,
  };
  if (r.header !== undefined) o.header = r.header;
  if (r.delimiter !== undefined) o.delimiter = r.delimiter;
  if (r.idCol !== undefined) o.idColumn = r.idCol;
  if (r.timeCol !== undefined) o.timeColumn = r.timeCol;
  if (r.opCol !== undefined) o.opColumn = r.opCol;
  if (r.offsetCol !== undefined) o.offsetColumn = r.offsetCol;
  if (r.sizeCol !== undefined) o.sizeColumn = r.sizeCol;
  if (r.ops) o.ops = [...r.ops];
  return o;
}

/** Reads one trace into scratch files (once per file, options and page size, for the life of the process). */
export function prepareTrace(p: TracePattern, pageSizeBytes: number): Promise<PreparedTrace> {
  const st = statSync(p.file, { throwIfNoEntry: false });
  const key = JSON.stringify([p.file, st?.size, st?.mtimeMs, p.format, p.read, p.timing, p.timeUnitMs, pageSizeBytes]);
  let entry = prepared.get(key);
  if (!entry) {
    entry = readInto(p, pageSizeBytes, `t${prepared.size}`);
    prepared.set(key, entry);
  }
  return entry;
}

async function readInto(p: TracePattern, pageSizeBytes: number, name: string): Promise<PreparedTrace> {
  const timed = p.timing === 'timestamps';
  const idsFile = join(scratch(), `${name}.ids`);
  const timesFile = timed ? join(scratch(), `${name}.times`) : null;
  const idsFd = openSync(idsFile, 'w');
  const timesFd = timesFile ? openSync(timesFile, 'w') : -1;
  let first: number | undefined;
  let last = 0;
  let sawTimes = false;
  const relative = new Float64Array(1 << 16);
  try {
    const info = await streamTrace(p.file, traceOptions(p, pageSizeBytes), timed, (ids, times) => {
      writeAll(idsFd, new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength));
      if (!timed || ids.length === 0) return;
      if (!times) throw new InputError('the trace has no time column: name it with read.timeCol, or use timing: rate');
      sawTimes = true;
      // Times are kept in the trace's unit, after its first reference: the unit of an `auto`
      // trace is known once the reader has told its format.
      first ??= times[0] as number;
      for (let at = 0; at < times.length; at += relative.length) {
        const n = Math.min(relative.length, times.length - at);
        for (let i = 0; i < n; i++) relative[i] = (times[at + i] as number) - first;
        writeAll(timesFd, new Uint8Array(relative.buffer, 0, n * 8));
      }
      last = times[times.length - 1] as number;
    });
    if (info.references === 0) throw new InputError('the trace holds no references');
    if (timed && !sawTimes) throw new InputError('the trace has no time column: name it with read.timeCol');
    const unitMs = p.timeUnitMs ?? DEFAULT_UNIT_MS[info.format];
    if (timed && unitMs === undefined) {
      throw new InputError(
        `the unit of a ${info.format} trace's times is unknown: set timeUnit (s, ms, us, ns or 100ns)`,
      );
    }
    return {
      idsFile,
      timesFile,
      timeUnitMs: unitMs ?? 1,
      references: info.references,
      distinctPages: info.distinctPages,
      format: info.format,
      spanMs: timed && first !== undefined ? (last - first) * (unitMs ?? 1) : 0,
    };
  } catch (err) {
    if (err instanceof FaultlineError) {
      throw new InputError(`${p.where}: trace ${p.file}: ${asFields(err.message)}`);
    }
    throw err;
  } finally {
    closeSync(idsFd);
    if (timesFd >= 0) closeSync(timesFd);
  }
}

/** The reader's messages name its command-line flags; a scenario has fields under `read:` instead. */
const FLAG_FIELDS: Record<string, string> = {
  '--lenient': 'read.lenient',
  '--id-col': 'read.idCol',
  '--time-col': 'read.timeCol',
  '--op-col': 'read.opCol',
  '--offset-col': 'read.offsetCol',
  '--size-col': 'read.sizeCol',
  '--expand-pages': 'read.expandPages',
  '--delimiter': 'read.delimiter',
  '--header': 'read.header',
  '--ids': 'read.ids',
  '--op': 'read.ops',
  '--page-size': 'host.pageSize',
  '--offset-unit': 'read.offsetUnit',
};

function asFields(message: string): string {
  return message.replace(/--[a-z-]+/g, (flag) => FLAG_FIELDS[flag] ?? flag);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * Variants ready to run: every trace a process replays is read (once) and attached to its
 * pattern, and a region sized by its trace gets the trace's distinct pages. A region whose
 * size was given must hold the trace's pages.
 */
export async function prepareWorkloads(variants: readonly Variant[]): Promise<Variant[]> {
  return Promise.all(
    variants.map(async (v) => {
      const sc = v.scenario;
      if (!sc.processes.some((p) => p.access.some((ph) => ph.pattern.kind === 'trace'))) return v;
      const page = sc.host.pageSizeBytes;
      const processes = await Promise.all(
        sc.processes.map(async (p) => {
          if (!p.access.some((ph) => ph.pattern.kind === 'trace')) return p;
          const memory = { ...p.memory };
          const access = await Promise.all(
            p.access.map(async (ph) => {
              if (ph.pattern.kind !== 'trace') return ph;
              const t = await prepareTrace(ph.pattern, page);
              const field = ph.pattern.region === 'anon' ? 'anonBytes' : 'fileBytes';
              const need = t.distinctPages * page;
              if (memory.sizedByTrace === ph.pattern.region) memory[field] = Math.max(memory[field], need);
              else if (memory[field] < need) {
                throw new InputError(
                  `${ph.pattern.where}: the trace has ${t.distinctPages} distinct pages, more than memory.${ph.pattern.region} holds (${Math.floor(memory[field] / page)} pages of ${page} bytes): raise it, or leave it out to size the region by the trace`,
                );
              }
              return { ...ph, pattern: { ...ph.pattern, prepared: t } };
            }),
          );
          if (memory.sizedByTrace === 'anon') memory.anonInitialBytes = memory.anonBytes;
          return { ...p, memory, access };
        }),
      );
      return { ...v, scenario: { ...sc, processes } };
    }),
  );
}
