import { didYouMean, InputError } from '../../util/errors.js';
import { importCsv } from './csv.js';
import { importKernelLog } from './kernel-log.js';
import { linesOfFile, linesOfText, PeekableLines, type SourceLine } from './lines.js';
import { importMemoryStat } from './memory-stat.js';
import { importProcVmstat } from './proc-vmstat.js';
import { importPidStat, importPs } from './ps.js';
import { importPsi } from './psi.js';
import { importSar } from './sar.js';
import { sniffKind } from './sniff.js';
import {
  EVENT_KINDS,
  type EventImportResult,
  type EventKind,
  type ImportKind,
  type ImportOptions,
  type ImportResult,
  TELEMETRY_KINDS,
  type TelemetryKind,
} from './types.js';
import { importVmstat } from './vmstat.js';

export { tableToCsv } from './csv.js';
export { eventsToCsv } from './kernel-log.js';
export type {
  EventImportResult,
  ImportKind,
  ImportOptions,
  ImportResult,
  ObservedColumn,
  ObservedEvent,
  ObservedTable,
  TelemetryKind,
} from './types.js';
export { EVENT_KINDS, SERIES_KINDS, TELEMETRY_KINDS } from './types.js';

const IMPORTERS: Record<TelemetryKind, (lines: Iterable<SourceLine>, opts: ImportOptions) => ImportResult> = {
  vmstat: importVmstat,
  sar: (lines, opts) => importSar(lines, opts, 'sar'),
  sadf: (lines, opts) => importSar(lines, opts, 'sadf'),
  psi: importPsi,
  'proc-vmstat': importProcVmstat,
  ps: importPs,
  'pid-stat': importPidStat,
  'memory-stat': importMemoryStat,
  csv: importCsv,
};

export function parseKind(kind: string): ImportKind {
  if ((TELEMETRY_KINDS as readonly string[]).includes(kind)) return kind as ImportKind;
  const guess = didYouMean(kind, TELEMETRY_KINDS);
  const hint = guess ? ` (did you mean '${guess}'?)` : '';
  throw new InputError(`unknown import kind '${kind}'${hint}; kinds: ${TELEMETRY_KINDS.join(', ')}`);
}

export function isEventKind(kind: ImportKind): kind is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(kind);
}

/** Kinds that read the same files: sar reads sadf -d output too, and sadf sar's text. */
const SAME_FILES: Partial<Record<ImportKind, ImportKind[]>> = {
  sar: ['sadf'],
  sadf: ['sar'],
  dmesg: ['journal'],
  journal: ['dmesg'],
};

/**
 * The lines, after checking that the file looks like the kind asked for: `import proc-vmstat`
 * on a memory.stat file is refused with the kind it looks like, not read into wrong columns.
 */
function checked(kind: ImportKind, source: Iterable<SourceLine>, opts: ImportOptions): PeekableLines {
  const lines = new PeekableLines(source);
  const head = lines.peek(64);
  if (head.length === 0) throw new InputError(`${opts.file}: file is empty`);
  const looks = sniffKind(head);
  if (looks && looks.kind !== kind && kind !== 'csv' && !SAME_FILES[kind]?.includes(looks.kind)) {
    throw new InputError(
      `${opts.file}:${looks.line}: this looks like ${looks.what}, not ${kind} output; import it with: faultline import ${looks.kind} ${opts.file}`,
    );
  }
  return lines;
}

/** Keeps `opts.position` on the line being read, so that a refusal deep in a table names it. */
function* tracked(lines: Iterable<SourceLine>, position: { line: number }): Generator<SourceLine> {
  for (const line of lines) {
    position.line = line.no;
    yield line;
  }
}

function seriesOf(kind: TelemetryKind, source: Iterable<SourceLine>, opts: ImportOptions): ImportResult {
  const position = { line: 0 };
  return IMPORTERS[kind](tracked(checked(kind, source, opts), position), { ...opts, position });
}

/** Parses one telemetry text into an observed table; throws InputError on malformed input. */
export function importTelemetry(kind: TelemetryKind, text: string, opts: ImportOptions): ImportResult {
  return seriesOf(kind, linesOfText(text, opts.file), opts);
}

/** Reads a telemetry file line by line (never whole: docs/import.md, "Limits") into an observed table. */
export function importTelemetryFile(kind: TelemetryKind, path: string, opts: ImportOptions): ImportResult {
  return seriesOf(kind, linesOfFile(path, opts.file), opts);
}

export function importEvents(kind: EventKind, text: string, opts: ImportOptions): EventImportResult {
  return importKernelLog(checked(kind, linesOfText(text, opts.file), opts), opts, kind);
}

/** Reads a kernel log file line by line into events. */
export function importEventsFile(kind: EventKind, path: string, opts: ImportOptions): EventImportResult {
  return importKernelLog(checked(kind, linesOfFile(path, opts.file), opts), opts, kind);
}
