import { InputError } from '../../util/errors.js';
import type { ImportOptions, ImportResult, ObservedColumn, ObservedTable, TelemetryKind } from './types.js';

export interface SourceLine {
  /** 1-based. */
  no: number;
  text: string;
}

export function splitLines(text: string): SourceLine[] {
  return text.split(/\r?\n/).map((t, i) => ({ no: i + 1, text: t }));
}

export function assertNotEmpty(text: string, file: string): void {
  if (text.trim() === '') throw new InputError(`${file}: file is empty`);
}

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
 * snapshots. Lines of a snapshot whose time line was rejected are skipped with it (lenient
 * mode only; strict mode has stopped already), because attaching them to the previous
 * snapshot would silently corrupt its values.
 */
export function splitSnapshots(text: string, issues: LineIssues, notes: Notes): Snapshot[] {
  const out: Snapshot[] = [];
  let current: Snapshot | undefined;
  let orphaned = false;
  for (const line of splitLines(text)) {
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
    const prev = out.at(-1);
    if (prev && t.ms <= prev.timeMs) {
      issues.bad(line, 'time does not increase');
      orphaned = true;
      continue;
    }
    orphaned = false;
    current = { timeMs: t.ms, line, body: [] };
    out.push(current);
  }
  return out.filter((s) => {
    if (s.body.length > 0) return true;
    issues.bad(s.line, 'time line without a snapshot after it');
    return false;
  });
}

/** Notes for stderr, each said once however many lines trigger it. */
export class Notes {
  readonly list: string[] = [];
  once(note: string): void {
    if (!this.list.includes(note)) this.list.push(note);
  }
}

/** Rows keyed by time, columns in first-seen order; sar merges several reports into one table this way. */
export class TableBuilder {
  private readonly cols = new Map<string, { col: ObservedColumn; byTime: Map<number, number> }>();
  private readonly times = new Set<number>();

  /** False if the cell was already set (the same sample twice). */
  set(timeMs: number, col: ObservedColumn, value: number): boolean {
    let entry = this.cols.get(col.name);
    if (!entry) {
      entry = { col, byTime: new Map() };
      this.cols.set(col.name, entry);
    }
    if (entry.byTime.has(timeMs)) return false;
    entry.byTime.set(timeMs, value);
    this.times.add(timeMs);
    return true;
  }

  /** Adds an empty row, for samples whose every value is unknown (the first row of a rate table). */
  touch(timeMs: number): void {
    this.times.add(timeMs);
  }

  get rowCount(): number {
    return this.times.size;
  }

  build(kind: TelemetryKind, opts: ImportOptions): ObservedTable {
    const times = [...this.times].sort((a, b) => a - b);
    const first = times[0];
    if (first === undefined) throw new InputError(`${opts.file}: no samples found in this ${kind} file`);
    const shift = opts.startMs === undefined ? 0 : opts.startMs - first;
    const entries = [...this.cols.values()];
    return {
      source: { kind, file: opts.file, intervalSec: medianSpacingSec(times) },
      columns: entries.map((e) => e.col),
      timeMs: times.map((t) => t + shift),
      values: entries.map((e) => times.map((t) => e.byTime.get(t) ?? Number.NaN)),
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
  return { table, skippedLines: issues.skipped, notes: notes.list };
}

/** Integer tokens as vmstat and /proc print them; rejects `1e3`, `0x10`, `12abc` that Number() would take. */
export function parseUint(token: string | undefined): number | undefined {
  return token !== undefined && /^\d+$/.test(token) ? Number(token) : undefined;
}

/** sar and sadf print with the locale's decimal mark: `6131.00`, or `6131,00` under de_DE. */
export function parseDecimal(token: string | undefined): number | undefined {
  return token !== undefined && /^-?\d+([.,]\d+)?$/.test(token) ? Number(token.replace(',', '.')) : undefined;
}
