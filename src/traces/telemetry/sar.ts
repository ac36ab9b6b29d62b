import { InputError } from '../../util/errors.js';
import { type CatalogueName, column } from './columns.js';
import { civilToUtcMs, LineIssues, Notes, parseDecimal, result, type SourceLine, TableBuilder } from './common.js';
import { PeekableLines } from './lines.js';
import type { ImportOptions, ImportResult, TelemetryKind } from './types.js';

/** sar field → column and the factor to its unit (kB fields are KiB in sysstat). */
const FIELDS: Record<string, [CatalogueName, number]> = {
  // sar -B
  'pgpgin/s': ['paged_in_bytes_per_sec', 1024],
  'pgpgout/s': ['paged_out_bytes_per_sec', 1024],
  'fault/s': ['faults_per_sec', 1],
  'majflt/s': ['major_faults_per_sec', 1],
  'pgfree/s': ['pages_freed_per_sec', 1],
  'pgscank/s': ['scan_kswapd_pages_per_sec', 1],
  'pgscand/s': ['scan_direct_pages_per_sec', 1],
  'pgsteal/s': ['steal_pages_per_sec', 1],
  '%vmeff': ['vm_efficiency_pct', 1],
  // sar -r [ALL]
  kbmemfree: ['free_bytes', 1024],
  kbavail: ['available_bytes', 1024],
  kbmemused: ['used_bytes', 1024],
  '%memused': ['used_pct', 1],
  kbbuffers: ['buffers_bytes', 1024],
  kbcached: ['cache_bytes', 1024],
  kbcommit: ['committed_bytes', 1024],
  '%commit': ['commit_pct', 1],
  kbactive: ['active_bytes', 1024],
  kbinact: ['inactive_bytes', 1024],
  kbdirty: ['dirty_bytes', 1024],
  kbanonpg: ['anon_pages_bytes', 1024],
  kbslab: ['slab_bytes', 1024],
  kbkstack: ['kernel_stack_bytes', 1024],
  kbpgtbl: ['page_tables_bytes', 1024],
  kbvmused: ['vmalloc_used_bytes', 1024],
  // sar -S
  kbswpfree: ['swap_free_bytes', 1024],
  kbswpused: ['swap_used_bytes', 1024],
  '%swpused': ['swap_used_pct', 1],
  kbswpcad: ['swap_cached_bytes', 1024],
  '%swpcad': ['swap_cached_pct', 1],
  // sar -W
  'pswpin/s': ['swap_in_pages_per_sec', 1],
  'pswpout/s': ['swap_out_pages_per_sec', 1],
};

const DAY_MS = 86_400_000;

/**
 * The date in sar's banner, as strftime("%x") prints it: `2026-11-26` (ISO, S_TIME_FORMAT=ISO),
 * `11/26/26` (C), `11/26/2026` (en_US), `26.11.2026` (de_DE). A slashed date is read
 * month-first, as C and en_US print it, unless the first number cannot be a month (en_GB).
 */
function parseBannerDate(token: string, notes: Notes): number | undefined {
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(token);
  if (m) return civilToUtcMs(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0);
  m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(token);
  if (m) return civilToUtcMs(Number(m[3]), Number(m[2]), Number(m[1]), 0, 0, 0);
  m = /^(\d{2})\/(\d{2})\/(\d{2}|\d{4})$/.exec(token);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const y = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    if (a > 12) return civilToUtcMs(y, b, a, 0, 0, 0);
    if (b <= 12 && a !== b)
      notes.once(`banner date ${token} read month first (C, en_US); pass --start if the locale wrote the day first`);
    return civilToUtcMs(y, a, b, 0, 0, 0);
  }
  return undefined;
}

const SUMMARY_RE = /^[^\d\s][^:]{0,24}:\s+(.*)$/;

/**
 * `Average:` rows and their headers, translated under LC_MESSAGES (`Durchschn.:`, `Moyenne :`):
 * a word and a colon, then several numbers or a header naming a known field. Anything else
 * with a colon (`Killed: 9`) stays a malformed line.
 */
function isSummary(trimmed: string): boolean {
  const m = SUMMARY_RE.exec(trimmed);
  if (!m) return false;
  const tokens = (m[1] as string).split(/\s+/);
  return tokens.every((t) => parseDecimal(t) !== undefined) ? tokens.length >= 2 : tokens.some((t) => t in FIELDS);
}

const TIME_RE = /^(\d{2}):(\d{2}):(\d{2})(?:\s+([AaPp][Mm]))?\s+(.*)$/;

/** Milliseconds since midnight for `13:05:01` or `01:05:01 PM`. */
function timeOfDayMs(h: number, m: number, s: number, ampm: string | undefined): number | undefined {
  if (m > 59 || s > 59) return undefined;
  if (ampm) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
  } else if (h > 23) return undefined;
  return ((h * 60 + m) * 60 + s) * 1000;
}

interface Section {
  fields: string[];
  /** Days past the banner date; sar prints only the time of day, so a report crossing midnight goes backwards. */
  dayOffset: number;
  lastTod: number;
}

/**
 * `sar -B`, `-r`, `-S`, `-W` text, from a live run or `sar -f`, any mix of them in one file.
 * sar prints local time with no zone, so the times are read as UTC (and a note says so);
 * `sadf -d` output carries UTC and is the better input when there is a choice.
 */
export function importSar(
  source: Iterable<SourceLine>,
  opts: ImportOptions,
  kind: TelemetryKind = 'sar',
): ImportResult {
  const lines = new PeekableLines(source);
  if (lines.peek(1)[0]?.text.startsWith('# hostname;')) return importSadf(lines, opts, kind);
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const table = new TableBuilder(opts);
  let dateMs: number | undefined;
  let current: Section | undefined;
  let ignoring = false;
  const sections = new Map<string, Section>();

  for (const line of lines) {
    const trimmed = line.text.trim();
    if (trimmed === '') continue;
    if (/^Linux\s/.test(trimmed)) {
      const dateToken = trimmed.split(/\s+/)[3];
      dateMs = dateToken === undefined ? undefined : parseBannerDate(dateToken, notes);
      if (dateMs === undefined) issues.bad(line, 'cannot read the date in the sar banner');
      sections.clear();
      current = undefined;
      continue;
    }
    if (isSummary(trimmed)) continue;
    const m = TIME_RE.exec(trimmed);
    const tod = m && timeOfDayMs(Number(m[1]), Number(m[2]), Number(m[3]), m[4]);
    if (!m || tod === null || tod === undefined) {
      issues.bad(line, 'expected a sar line starting with a time (HH:MM:SS [AM|PM])');
      continue;
    }
    const rest = (m[5] as string).trim();
    if (rest.startsWith('LINUX RESTART')) {
      notes.once('sar LINUX RESTART lines mark reboots; counters restart there');
      continue;
    }
    const tokens = rest.split(/\s+/);
    if (tokens.every((t) => parseDecimal(t) === undefined)) {
      const known = tokens.filter((t) => t in FIELDS);
      const unknown = tokens.filter((t) => !(t in FIELDS));
      if (known.length === 0) {
        notes.once(
          `sar report with columns ${tokens.join(' ')} is not supported (only -B -r -S -W); its rows were skipped`,
        );
        ignoring = true;
        current = undefined;
        continue;
      }
      if (unknown.length > 0) notes.once(`sar columns not imported: ${unknown.join(' ')}`);
      const key = tokens.join(' ');
      current = sections.get(key) ?? { fields: tokens, dayOffset: 0, lastTod: tod };
      sections.set(key, current);
      ignoring = false;
      advanceDay(current, tod);
      continue;
    }
    if (ignoring) continue;
    if (!current) {
      issues.bad(line, 'data before a sar header line');
      continue;
    }
    const values = tokens.map(parseDecimal);
    if (tokens.length !== current.fields.length || values.some((v) => v === undefined)) {
      issues.bad(line, `expected ${current.fields.length} numbers under ${current.fields.join(' ')}`);
      continue;
    }
    const base = dateMs ?? startDate(opts);
    advanceDay(current, tod);
    const ms = base + current.dayOffset * DAY_MS + tod;
    if (!setRow(table, ms, current.fields, values as number[])) issues.bad(line, 'a second sample for the same time');
  }
  if (table.rowCount > 0) notes.once('sar text has no time zone; times read as UTC (sadf -d output carries UTC)');
  return result(table.build(kind, opts), issues, notes);
}

function startDate(opts: ImportOptions): number {
  if (opts.startMs === undefined) {
    throw new InputError(`${opts.file}: no sar banner line (Linux ... date ...) to take the date from; pass --start`);
  }
  return Math.floor(opts.startMs / DAY_MS) * DAY_MS;
}

/** A time of day earlier than the section's last one means the report went past midnight. */
function advanceDay(section: Section, tod: number): void {
  if (tod < section.lastTod) section.dayOffset++;
  section.lastTod = tod;
}

function setRow(table: TableBuilder, ms: number, fields: string[], values: number[]): boolean {
  let fresh = true;
  fields.forEach((f, i) => {
    const spec = FIELDS[f];
    if (spec) fresh = table.set(ms, column(spec[0]), (values[i] as number) * spec[1]) && fresh;
  });
  return fresh;
}

const SADF_TIME_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: (UTC))?$/;

/**
 * `sadf -d` (`;`-separated, one `# hostname;interval;timestamp;...` header per report).
 * `sadf -d -U` prints epoch seconds; `sadf -d -t` prints local time without `UTC`, read as UTC with a note.
 */
function importSadf(lines: Iterable<SourceLine>, opts: ImportOptions, kind: TelemetryKind): ImportResult {
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const table = new TableBuilder(opts);
  let fields: string[] | undefined;
  let ignoring = false;
  for (const line of lines) {
    // sadf -d quotes nothing: a field never holds the separator.
    const record = line.text.split(';');
    const first = record[0] ?? '';
    if (first.startsWith('#')) {
      if (first !== '# hostname' || record[1] !== 'interval' || record[2] !== 'timestamp') {
        issues.bad(line, 'expected a sadf -d header (# hostname;interval;timestamp;...)');
        continue;
      }
      const names = record.slice(3);
      const unknown = names.filter((n) => !(n in FIELDS));
      ignoring = unknown.length === names.length;
      if (ignoring)
        notes.once(
          `sadf report with columns ${names.join(' ')} is not supported (only -B -r -S -W); its rows were skipped`,
        );
      else if (unknown.length > 0) notes.once(`sadf columns not imported: ${unknown.join(' ')}`);
      fields = names;
      continue;
    }
    if (record[1] === '-1') {
      notes.once('sadf LINUX-RESTART rows mark reboots; counters restart there');
      continue;
    }
    if (ignoring) continue;
    if (!fields) {
      issues.bad(line, 'data before a sadf -d header');
      continue;
    }
    const ms = sadfTime(record[2] ?? '', notes);
    const values = record.slice(3).map(parseDecimal);
    if (ms === undefined || record.length !== fields.length + 3 || values.some((v) => v === undefined)) {
      issues.bad(line, `expected host;interval;timestamp and ${fields.length} numbers`);
      continue;
    }
    if (!setRow(table, ms, fields, values as number[])) issues.bad(line, 'a second sample for the same time');
  }
  return result(table.build(kind, opts), issues, notes);
}

function sadfTime(field: string, notes: Notes): number | undefined {
  if (/^\d{9,11}$/.test(field)) return Number(field) * 1000;
  const m = SADF_TIME_RE.exec(field);
  if (!m) return undefined;
  if (!m[7]) notes.once('sadf timestamps without UTC (sadf -t) were read as UTC');
  const n = (i: number) => Number(m[i]);
  return civilToUtcMs(n(1), n(2), n(3), n(4), n(5), n(6));
}
