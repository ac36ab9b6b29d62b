import { InputError } from '../../util/errors.js';
import { sanitizeName } from './columns.js';
import {
  assertNotEmpty,
  LineIssues,
  Notes,
  parseUint,
  result,
  type SourceLine,
  splitSnapshots,
  TableBuilder,
} from './common.js';
import type { ImportOptions, ImportResult, ObservedColumn } from './types.js';

/** procps header labels of the fields the importer needs, for `ps -eo pid,comm,rss,min_flt,maj_flt`. */
const NEEDED = ['PID', 'RSS', 'MINFL', 'MAJFL'] as const;

interface Proc {
  pid: number;
  comm: string;
  rssKib: number;
  minflt: number;
  majflt: number;
}

/**
 * Splits a ps row by the header: the fields left of COMMAND from the left, the ones right of
 * it from the right, and the command name (which may hold spaces: `Web Content`) in between.
 */
function readRow(line: SourceLine, header: string[], issues: LineIssues): Proc | undefined {
  const tokens = line.text.trim().split(/\s+/);
  const ci = header.indexOf('COMMAND');
  const after = header.length - ci - 1;
  if (tokens.length < header.length) {
    issues.bad(line, `expected ${header.length} fields under ${header.join(' ')}`);
    return undefined;
  }
  const field = new Map<string, string>();
  header.forEach((h, i) => {
    if (i < ci) field.set(h, tokens[i] as string);
    else if (i > ci) field.set(h, tokens[tokens.length - header.length + i] as string);
  });
  const comm = tokens.slice(ci, tokens.length - after).join(' ');
  const [pid, rssKib, minflt, majflt] = NEEDED.map((h) => parseUint(field.get(h)));
  if (pid === undefined || rssKib === undefined || minflt === undefined || majflt === undefined) {
    issues.bad(line, 'PID, RSS, MINFL and MAJFL must be unsigned integers');
    return undefined;
  }
  return { pid, comm, rssKib, minflt, majflt };
}

function groupColumns(name: string): Record<'procs' | 'rss' | 'minor' | 'major', ObservedColumn> {
  return {
    procs: { name: `${name}_procs`, unit: 'count', description: `processes named ${name}` },
    rss: { name: `${name}_rss_bytes`, unit: 'bytes', description: `resident memory of ${name} processes (RSS)` },
    minor: {
      name: `${name}_minor_faults_per_sec`,
      unit: 'faults/s',
      description: `minor faults of ${name} processes (min_flt)`,
    },
    major: {
      name: `${name}_major_faults_per_sec`,
      unit: 'faults/s',
      description: `major faults of ${name} processes (maj_flt)`,
    },
  };
}

/**
 * Repeated `ps -eo pid,comm,rss,min_flt,maj_flt` output, each after a time line, as per-name
 * series: processes are grouped by command name (sanitised into the column prefix, so
 * `postgres` workers sum into `postgres_*`). Fault rates are per-pid counter deltas summed
 * over the group. A pid absent from the previous snapshot started within the interval, so
 * all its faults count there; a pid whose name changed or whose counters went down is a
 * reused pid and counts as new. Faults of processes that exited between snapshots are not
 * seen. A name with no process in a snapshot has 0 processes, 0 bytes and 0 faults/s there.
 */
export function importPs(text: string, opts: ImportOptions): ImportResult {
  assertNotEmpty(text, opts.file);
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const table = new TableBuilder();
  const snaps = splitSnapshots(text, issues, notes).map((snap) => {
    const [first, ...rows] = snap.body;
    const header = first?.text.trim().split(/\s+/) ?? [];
    const missing = [...NEEDED, 'COMMAND'].filter((h) => !header.includes(h));
    if (missing.length > 0 && first) {
      issues.bad(first, `expected a ps header with ${missing.join(', ')} (ps -eo pid,comm,rss,min_flt,maj_flt)`);
      return { timeMs: snap.timeMs, procs: undefined };
    }
    const procs = new Map<number, Proc>();
    for (const line of rows) {
      const p = readRow(line, header, issues);
      if (!p) continue;
      if (procs.has(p.pid)) issues.bad(line, `pid ${p.pid} appears twice in one snapshot`);
      else procs.set(p.pid, p);
    }
    return { timeMs: snap.timeMs, procs };
  });
  const usable = snaps.filter((s): s is { timeMs: number; procs: Map<number, Proc> } => s.procs !== undefined);
  if (usable.length === 0 && snaps.length > 0) throw new InputError(`${opts.file}: no ps snapshot could be read`);

  const groups = new Map<string, ReturnType<typeof groupColumns>>();
  const spellings = new Map<string, Set<string>>();
  for (const s of usable) {
    for (const p of s.procs.values()) {
      const name = sanitizeName(p.comm);
      if (!groups.has(name)) groups.set(name, groupColumns(name));
      spellings.set(name, (spellings.get(name) ?? new Set()).add(p.comm));
    }
  }
  for (const [name, raw] of spellings) {
    if (raw.size > 1) notes.once(`commands ${[...raw].map((r) => `'${r}'`).join(', ')} share the columns ${name}_*`);
  }

  usable.forEach((snap, i) => {
    const prev = usable[i - 1];
    const dtSec = prev ? (snap.timeMs - prev.timeMs) / 1000 : Number.NaN;
    const sums = new Map<string, { procs: number; rss: number; minor: number; major: number }>();
    for (const name of groups.keys()) sums.set(name, { procs: 0, rss: 0, minor: 0, major: 0 });
    for (const p of snap.procs.values()) {
      const sum = sums.get(sanitizeName(p.comm))!;
      const before = prev?.procs.get(p.pid);
      const same = before && before.comm === p.comm && p.minflt >= before.minflt && p.majflt >= before.majflt;
      sum.procs++;
      sum.rss += p.rssKib * 1024;
      sum.minor += p.minflt - (same ? before.minflt : 0);
      sum.major += p.majflt - (same ? before.majflt : 0);
    }
    for (const [name, cols] of groups) {
      const sum = sums.get(name)!;
      table.set(snap.timeMs, cols.procs, sum.procs);
      table.set(snap.timeMs, cols.rss, sum.rss);
      table.set(snap.timeMs, cols.minor, sum.minor / dtSec);
      table.set(snap.timeMs, cols.major, sum.major / dtSec);
    }
  });
  return result(table.build('ps', opts), issues, notes);
}
