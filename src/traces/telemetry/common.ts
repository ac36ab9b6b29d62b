import { InputError } from '../../util/errors.js';
import { MAX_ROWS, type SourceLine } from './lines.js';
import type { ImportOptions, ImportResult, ObservedColumn, ObservedTable, TelemetryKind } from './types.js';

export type { SourceLine } from './lines.js';

/**
 * Malformed lines either stop the import (the default: a post-mortem built on a misread file
 * is worse than none) or, under --lenient, are collected so the CLI can say how many were skipped.
 */
export class LineIssues {
  readonly skipped: number[] = [];
  constructor(
    private readonly file: string,
    private readonly lenient: boolean,
  ) {}

  bad(line: SourceLine, reason: string): void {
    if (!this.lenient) throw new InputError(`${this.file}:${line.no}: ${reason}: ${line.text.trim()}`);
    this.skipped.push(line.no);
  }
}

/** Offsets in minutes for the zone abbreviations strftime("%Z") commonly prints; ambiguous ones (IST, BST) are left out. */
const ZONES: Record<string, number> = {
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  CET: 60,
  CEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  JST: 540,
  KST: 540,
  AEST: 600,
  AEDT: 660,
};

/** Offset east of UTC in minutes for `Z`, `+02:00`, `-0500`, `+02` or a known abbreviation; undefined if unknown. */
export function zoneOffsetMinutes(zone: string): number | undefined {
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (m) {
    const mins = Number(m[2]) * 60 + Number(m[3] ?? 0);
    return m[1] === '-' ? -mins : mins;
  }
  return ZONES[zone.toUpperCase()];
}

/** Epoch ms of a civil date and time read as UTC, or undefined if a field is out of range (2026-02-30). */
export function civilToUtcMs(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms = 0,
): number | undefined {
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return t;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?|[A-Z]{2,5})?$/i;
const EPOCH_RE = /^(\d{9,11})(?:\.(\d{1,9}))?$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** The default output of date(1) in the C locale: `Thu Nov 26 04:50:44 UTC 2026`. */
const DATE1_RE = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([A-Za-z+-]\w*) (\d{4})$/;

type TimeParse = { ms: number; zoneAssumed?: string } | { error: string };

function applyZone(localMs: number, zone: string | undefined): TimeParse {
  if (zone === undefined) return { ms: localMs, zoneAssumed: 'no time zone' };
  const off = zoneOffsetMinutes(zone);
  if (off === undefined) return { ms: localMs, zoneAssumed: `unknown time zone ${zone}` };
  return { ms: localMs - off * 60_000 };
}

/**
 * The time line that precedes each snapshot in a capture loop: `date +%s` (optionally with
 * fractions), `date -Iseconds`, `date --rfc-3339=seconds`, plain `date`, any of them after `# `.
 * Returns undefined when the line is not meant as a time at all.
 */
export function parseTimeLine(raw: string): TimeParse | undefined {
  let text = raw.trim();
  if (text.startsWith('#')) {
    text = text.slice(1).trim();
    if (!/^\d/.test(text)) return undefined;
  } else if (!/^(\d{4}-\d{2}-\d{2}[T ]\d|\d+(\.\d+)?$|[A-Z][a-z]{2} [A-Z][a-z]{2} )/.test(text)) {
    return undefined;
  }
  const epoch = EPOCH_RE.exec(text);
  if (epoch) return { ms: Number(epoch[1]) * 1000 + Math.round(Number(`0.${epoch[2] ?? '0'}`) * 1000) };
  const iso = ISO_RE.exec(text);
  if (iso) {
    const frac = iso[7] ? Math.round(Number(`0.${iso[7]}`) * 1000) : 0;
    const n = (i: number) => Number(iso[i] ?? 0);
    const local = civilToUtcMs(n(1), n(2), n(3), n(4), n(5), n(6), frac);
    if (local === undefined) return { error: 'date or time out of range' };
    return applyZone(local, iso[8]);
  }
  const d1 = DATE1_RE.exec(text);
  if (d1) {
    const mo = MONTHS.indexOf(d1[1] as string) + 1;
    const local = civilToUtcMs(Number(d1[7]), mo, Number(d1[2]), Number(d1[3]), Number(d1[4]), Number(d1[5]));
    if (mo === 0 || local === undefined) return { error: 'date or time out of range' };
    return applyZone(local, d1[6]);
  }
  return { error: 'not a time (expected epoch seconds, ISO 8601 or date(1) output)' };
}

export interface Snapshot {
  timeMs: number;
  /** The time line. */
  line: SourceLine;
  body: SourceLine[];
}

/**
 * Splits a capture loop's output (`while :; do date +%s; cat FILE; sleep N; done`) into
 * snapshots, one at a time as they end (the file is never held whole). Lines of a snapshot
 * whose time line was rejected are skipped with it (lenient mode only; strict mode has
 * stopped already), because attaching them to the previous snapshot would silently corrupt
 * its values.
 */
export function* splitSnapshots(
  lines: Iterable<SourceLine>,
  issues: LineIssues,
  notes: Notes,
  /** An empty snapshot is a fact (no process to list yet), not a broken capture. */
  allowEmpty = false,
): Generator<Snapshot> {
  let current: Snapshot | undefined;
  let lastMs: number | undefined;
  let orphaned = false;
  const finish = function* (snap: Snapshot | undefined): Generator<Snapshot> {
    if (!snap) return;
    if (snap.body.length > 0 || allowEmpty) yield snap;
    else issues.bad(snap.line, 'time line without a snapshot after it');
  };
  for (const line of lines) {
    if (line.text.trim() === '') continue;
    const t = parseTimeLine(line.text);
    if (t === undefined) {
      if (line.text.trim().startsWith('#')) continue; // a comment the capture script wrote
      if (orphaned) issues.bad(line, 'belongs to a snapshot whose time line was rejected');
      else if (current) current.body.push(line);
      else issues.bad(line, 'data before the first time line');
      continue;
    }
    if ('error' in t) {
      issues.bad(line, t.error);
      orphaned = true;
      continue;
    }
    if (t.zoneAssumed) notes.once(`time lines with ${t.zoneAssumed} were read as UTC`);
    if (lastMs !== undefined && t.ms <= lastMs) {
      issues.bad(line, 'time does not increase');
      orphaned = true;
      continue;
    }
    orphaned = false;
    yield* finish(current);
    lastMs = t.ms;
    current = { timeMs: t.ms, line, body: [] };
  }
  yield* finish(current);
}

/** Notes for stderr, each said once however many lines trigger it. */
export class Notes {
  readonly list: string[] = [];
  once(note: string): void {
    if (!this.list.includes(note)) this.list.push(note);
  }
}

/**
 * Rows keyed by time, columns in first-seen order; sar merges several reports into one table
 * this way. Column-major arrays indexed by row (no object per cell), and at most MAX_ROWS rows.
 */
export class TableBuilder {
  private readonly rowOf = new Map<number, number>();
  private readonly times: number[] = [];
  private readonly cols: { col: ObservedColumn; values: (number | undefined)[] }[] = [];
  private readonly colOf = new Map<string, number>();
  private readonly fills = new Map<string, number>();

  /** `opts.position`, when the caller tracks it, names the line in a refusal. */
  constructor(private readonly opts: Pick<ImportOptions, 'file' | 'position'>) {}

  private lastTime = Number.NaN;
  private lastRow = -1;
  private lastName = '';
  private lastCol = -1;

  private row(timeMs: number): number {
    // Cells arrive row by row: the previous row and column are the likely next ones.
    if (timeMs === this.lastTime) return this.lastRow;
    // Rows mostly arrive in time order: a later time is a new row without a lookup; the index
    // of earlier times is built only when a file goes back (sar's sections repeat the times).
    const last = this.times.at(-1);
    let r = last !== undefined && timeMs > last && this.inOrder ? undefined : this.lookup(timeMs);
    if (r === undefined) {
      if (this.times.length >= MAX_ROWS) {
        const at = this.opts.position ? `:${this.opts.position.line}` : '';
        throw new InputError(
          `${this.opts.file}${at}: more than ${MAX_ROWS.toLocaleString('en-US')} samples; cut the window of the incident out of the file first (docs/import.md, "Limits")`,
        );
      }
      r = this.times.length;
      if (last !== undefined && timeMs < last) this.inOrder = false;
      this.times.push(timeMs);
      if (!this.inOrder) this.rowOf.set(timeMs, r);
    }
    this.lastTime = timeMs;
    this.lastRow = r;
    return r;
  }

  private inOrder = true;

  private lookup(timeMs: number): number | undefined {
    if (!this.inOrder) {
      if (this.rowOf.size < this.times.length) {
        for (const [i, t] of this.times.entries()) this.rowOf.set(t, i);
      }
      return this.rowOf.get(timeMs);
    }
    let lo = 0;
    let hi = this.times.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = this.times[mid] as number;
      if (t === timeMs) return mid;
      if (t < timeMs) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** False if the cell was already set (the same sample twice). */
  set(timeMs: number, col: ObservedColumn, value: number): boolean {
    const r = this.row(timeMs);
    let c = col.name === this.lastName ? this.lastCol : this.colOf.get(col.name);
    if (c === undefined) {
      c = this.cols.length;
      this.cols.push({ col, values: [] });
      this.colOf.set(col.name, c);
    }
    this.lastName = col.name;
    this.lastCol = c;
    const values = (this.cols[c] as { values: (number | undefined)[] }).values;
    if (values[r] !== undefined) return false;
    while (values.length < r) values.push(undefined);
    values[r] = value;
    return true;
  }

  /** The value of this column's cells that are never set (0 for a process before it starts). */
  fill(name: string, value: number): void {
    this.fills.set(name, value);
  }

  /** Adds an empty row, for samples whose every value is unknown (the first row of a rate table). */
  touch(timeMs: number): void {
    this.row(timeMs);
  }

  get rowCount(): number {
    return this.times.length;
  }

  build(kind: TelemetryKind, opts: ImportOptions): ObservedTable {
    const order = this.times.map((_, r) => r).sort((a, b) => (this.times[a] as number) - (this.times[b] as number));
    const times = order.map((r) => this.times[r] as number);
    const first = times[0];
    if (first === undefined) throw new InputError(`${opts.file}: no samples found in this ${kind} file`);
    const shift = opts.startMs === undefined ? 0 : opts.startMs - first;
    return {
      source: { kind, file: opts.file, intervalSec: medianSpacingSec(times) },
      columns: this.cols.map((e) => e.col),
      timeMs: times.map((t) => t + shift),
      values: this.cols.map((e) => {
        const fill = this.fills.get(e.col.name) ?? Number.NaN;
        return order.map((r) => e.values[r] ?? fill);
      }),
    };
  }
}

export function medianSpacingSec(times: number[]): number | undefined {
  if (times.length < 2) return undefined;
  const gaps = times
    .slice(1)
    .map((t, i) => t - (times[i] as number))
    .sort((a, b) => a - b);
  return (gaps[Math.floor((gaps.length - 1) / 2)] as number) / 1000;
}

export function result(table: ObservedTable, issues: LineIssues, notes: Notes): ImportResult {
  return { table, skippedLines: issues.skipped, notes: notes.list, constant: constantColumns(table) };
}

/** Fewest finite values for a series to be judged constant: two equal samples can be chance. */
const CONSTANT_MIN_POINTS = 3;

/**
 * Columns whose finite values are all the same non-zero number: a gauge that never moved
 * (vmstat's memory columns on some virtual machines) or a counter rate that is flat. All-zero
 * series are left alone: no swapping, no OOM kill is a fact, not a frozen file.
 */
export function constantColumns(table: ObservedTable): string[] {
  const out: string[] = [];
  table.columns.forEach((c, i) => {
    let first: number | undefined;
    let n = 0;
    for (const v of table.values[i] as number[]) {
      if (!Number.isFinite(v)) continue;
      if (first === undefined) first = v;
      else if (v !== first) return;
      n++;
    }
    if (first !== undefined && first !== 0 && n >= CONSTANT_MIN_POINTS) out.push(c.name);
  });
  return out;
}

/** Integer tokens as vmstat and /proc print them; rejects `1e3`, `0x10`, `12abc` that Number() would take. */
export function parseUint(token: string | undefined): number | undefined {
  return token !== undefined && /^\d+$/.test(token) ? Number(token) : undefined;
}

/** sar and sadf print with the locale's decimal mark: `6131.00`, or `6131,00` under de_DE. */
export function parseDecimal(token: string | undefined): number | undefined {
  return token !== undefined && /^-?\d+([.,]\d+)?$/.test(token) ? Number(token.replace(',', '.')) : undefined;
}
