/**
 * faultline's own normalised CSV, both ways: `tableToCsv` writes what `faultline import`
 * prints, `importCsv` reads it back (kind `csv`), so a converted file can be checked,
 * re-normalised or used as an `observed:` source without its original tool output.
 */
import { InputError } from '../../util/errors.js';
import { catalogueEntries } from './columns.js';
import { constantColumns, LineIssues, medianSpacingSec, Notes, parseTimeLine, type SourceLine } from './common.js';
import { MAX_ROWS } from './lines.js';
import type { ImportOptions, ImportResult, ObservedColumn, ObservedTable } from './types.js';

/** Shortest decimal that survives a round trip at 12 significant digits: drops binary noise like 0.30000000000000004. */
function formatNumber(x: number): string {
  if (Number.isNaN(x)) return '';
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(12)));
}

/** The normalised CSV: `time` (ISO 8601 UTC), `t_s` (seconds since the first row), then one column per series; empty cells are unknown. */
export function tableToCsv(table: ObservedTable): string {
  const t0 = table.timeMs[0] ?? 0;
  const lines = [['time', 't_s', ...table.columns.map((c) => c.name)].join(',')];
  table.timeMs.forEach((t, r) => {
    const cells = table.values.map((col) => formatNumber(col[r] as number));
    lines.push([new Date(t).toISOString(), formatNumber((t - t0) / 1000), ...cells].join(','));
  });
  return `${lines.join('\n')}\n`;
}

/** What formatNumber and String(number) print, and nothing Number() would also take (`0x10`, `Infinity`, ` `). */
const NUMBER_RE = /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
/** Names as the importers make them (columns.ts, sanitizeName): the CSV is not quoted, so nothing else can occur. */
const NAME_RE = /^[a-z0-9_]+$/;

/**
 * Units by name suffix for columns outside the catalogue (ps and memory-stat build theirs
 * from process and field names); the longest matching suffix wins.
 */
const SUFFIX_UNITS = (
  [
    ['_bytes_per_sec', 'bytes/s'],
    ['_pages_per_sec', 'pages/s'],
    ['_faults_per_sec', 'faults/s'],
    // memory.events oom_group_kill counts events, where the catalogue's oom_kills are kills.
    ['_group_kills_per_sec', 'events/s'],
    ['_kills_per_sec', 'kills/s'],
    ['_allocs_per_sec', 'allocs/s'],
    ['_events_per_sec', 'events/s'],
    ['_per_sec', '/s'],
    ['_bytes', 'bytes'],
    ['_pct', '%'],
    ['_procs', 'count'],
  ] as [string, string][]
).sort((a, b) => b[0].length - a[0].length);

function columnFor(name: string, known: ReadonlyMap<string, ObservedColumn>): ObservedColumn {
  const catalogued = known.get(name);
  if (catalogued) return catalogued;
  const unit = SUFFIX_UNITS.find(([suffix]) => name.endsWith(suffix))?.[1] ?? '';
  return { name, unit, description: `${name.replaceAll('_', ' ')} (read from a normalised CSV)` };
}

/**
 * Reads the normalised CSV (docs/import.md, "Output"). `time` is authoritative; `t_s` must
 * be a number but is not checked against it, since `--start` may have moved the clock.
 */
export function importCsv(lines: Iterable<SourceLine>, opts: ImportOptions): ImportResult {
  const it = lines[Symbol.iterator]();
  const first = it.next();
  if (first.done) throw new InputError(`${opts.file}: file is empty`);
  const head = first.value;
  const header = head.text.trim().split(',');
  if (header[0] !== 'time' || header[1] !== 't_s') {
    throw new InputError(
      `${opts.file}:${head.no}: expected the header of a normalised CSV (time,t_s,...), as faultline import writes: ${head.text.trim()}`,
    );
  }
  const names = header.slice(2);
  const seen = new Set<string>();
  for (const n of names) {
    if (!NAME_RE.test(n)) throw new InputError(`${opts.file}:${head.no}: column name '${n}' is not a normalised name`);
    if (seen.has(n)) throw new InputError(`${opts.file}:${head.no}: column '${n}' appears twice`);
    seen.add(n);
  }
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const timeMs: number[] = [];
  const values: number[][] = names.map(() => []);
  for (let r = it.next(); !r.done; r = it.next()) {
    const line = r.value;
    const cells = line.text.trim().split(',');
    if (cells.length !== header.length) {
      issues.bad(line, `expected ${header.length} cells, found ${cells.length}`);
      continue;
    }
    const t = parseTimeLine(cells[0] as string);
    if (t === undefined || 'error' in t) {
      issues.bad(line, 'the time cell is not an ISO 8601 time');
      continue;
    }
    if (t.zoneAssumed) notes.once(`times with ${t.zoneAssumed} were read as UTC`);
    const last = timeMs[timeMs.length - 1];
    if (last !== undefined && t.ms <= last) {
      issues.bad(line, 'time does not increase');
      continue;
    }
    if (!NUMBER_RE.test(cells[1] as string)) {
      issues.bad(line, `t_s is not a number: '${cells[1]}'`);
      continue;
    }
    const bad = cells.slice(2).findIndex((c) => c !== '' && !NUMBER_RE.test(c));
    if (bad >= 0) {
      issues.bad(line, `${names[bad]} is not a number: '${cells[bad + 2]}'`);
      continue;
    }
    if (timeMs.length >= MAX_ROWS)
      throw new InputError(
        `${opts.file}:${line.no}: more than ${MAX_ROWS.toLocaleString('en-US')} rows (docs/import.md, "Limits")`,
      );
    timeMs.push(t.ms);
    cells.slice(2).forEach((c, i) => {
      (values[i] as number[]).push(c === '' ? Number.NaN : Number(c));
    });
  }
  if (timeMs.length === 0) throw new InputError(`${opts.file}: no rows after the header`);
  const shift = opts.startMs === undefined ? 0 : opts.startMs - (timeMs[0] as number);
  const known = new Map(catalogueEntries().map((c) => [c.name, c]));
  const table: ObservedTable = {
    source: { kind: 'csv', file: opts.file, intervalSec: medianSpacingSec(timeMs) },
    columns: names.map((n) => columnFor(n, known)),
    timeMs: timeMs.map((t) => t + shift),
    values,
  };
  return { table, skippedLines: issues.skipped, notes: notes.list, constant: constantColumns(table) };
}
