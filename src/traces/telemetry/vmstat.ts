import { InputError } from '../../util/errors.js';
import { type CatalogueName, column } from './columns.js';
import {
  civilToUtcMs,
  LineIssues,
  Notes,
  parseUint,
  result,
  type SourceLine,
  TableBuilder,
  zoneOffsetMinutes,
} from './common.js';
import type { ImportOptions, ImportResult } from './types.js';

/** procps-ng vmstat -S letters: lower case are powers of 1000, upper case of 1024. */
const UNITS: Record<string, number> = { b: 1, B: 1, k: 1000, K: 1024, m: 1e6, M: 1024 * 1024 };

type Scale = 'memory' | 'swap' | 'kib' | 'one';

/**
 * vmstat's columns. procps prints memory in the -S unit (KiB by default), si/so as the pswpin/
 * pswpout delta times the page size in the -S unit per second, and bi/bo as the pgpgin/pgpgout
 * delta per second, which the kernel counts in KiB whatever -S says (vmstat.c, new_format).
 */
const FIELDS: Record<string, [CatalogueName, Scale]> = {
  r: ['runnable_procs', 'one'],
  b: ['blocked_procs', 'one'],
  swpd: ['swap_used_bytes', 'memory'],
  free: ['free_bytes', 'memory'],
  buff: ['buffers_bytes', 'memory'],
  cache: ['cache_bytes', 'memory'],
  inact: ['inactive_bytes', 'memory'],
  active: ['active_bytes', 'memory'],
  si: ['swap_in_bytes_per_sec', 'swap'],
  so: ['swap_out_bytes_per_sec', 'swap'],
  bi: ['paged_in_bytes_per_sec', 'kib'],
  bo: ['paged_out_bytes_per_sec', 'kib'],
  in: ['interrupts_per_sec', 'one'],
  cs: ['context_switches_per_sec', 'one'],
  us: ['cpu_user_pct', 'one'],
  sy: ['cpu_system_pct', 'one'],
  id: ['cpu_idle_pct', 'one'],
  wa: ['cpu_iowait_pct', 'one'],
  st: ['cpu_steal_pct', 'one'],
  gu: ['cpu_guest_pct', 'one'],
};

const STAMP_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function parseStamp(stamp: string): number | undefined {
  const m = STAMP_RE.exec(stamp);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i]);
  return civilToUtcMs(n(1), n(2), n(3), n(4), n(5), n(6));
}

/**
 * `vmstat [-w] [-t] [-a] [-S unit] delay [count]` output. The first data line of a run reports
 * averages since boot, not the first interval; it is dropped (and said so) unless keepFirst,
 * for output of `vmstat -y`. Only the first data line of the file counts as that line: the
 * header vmstat repeats every screenful does not start a new run, so a file holding several
 * concatenated runs keeps the since-boot lines of all but the first.
 */
export function importVmstat(lines: Iterable<SourceLine>, opts: ImportOptions): ImportResult {
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const unitLetter = opts.vmstatUnit ?? 'K';
  const unit = UNITS[unitLetter];
  if (unit === undefined) throw new InputError(`unknown vmstat unit '${unitLetter}'; use one of b B k K m M`);
  const scale: Record<Scale, number> = { memory: unit, swap: unit, kib: 1024, one: 1 };

  const table = new TableBuilder(opts);
  let timestamped = false;
  let fields: string[] | undefined;
  let cols: { col: ReturnType<typeof column>; factor: number }[] = [];
  let zoneOffset = 0;
  let sawData = false;
  let lastMs = Number.NEGATIVE_INFINITY;
  let untimedIndex = 0;

  for (const line of lines) {
    const tokens = line.text.trim().split(/\s+/);
    const head = tokens[0] ?? '';
    if (head === '') continue;
    if (head === 'procs' || head.startsWith('--procs')) {
      timestamped = line.text.includes('timestamp');
      continue;
    }
    if (head === 'r') {
      const names = timestamped && !(tokens.at(-1)! in FIELDS) ? tokens.slice(0, -1) : tokens;
      const unknown = names.filter((n) => !(n in FIELDS));
      if (unknown.length > 0) {
        issues.bad(line, `unknown vmstat column ${unknown.join(', ')}`);
        continue;
      }
      if (timestamped) {
        const zone = names.length < tokens.length ? (tokens.at(-1) as string) : '';
        const off = zoneOffsetMinutes(zone);
        if (off === undefined) notes.once(`vmstat time zone '${zone}' is not known; timestamps read as UTC`);
        zoneOffset = off ?? 0;
      }
      fields = names;
      cols = names.map((n) => {
        const [col, s] = FIELDS[n] as [CatalogueName, Scale];
        return { col: column(col), factor: scale[s] };
      });
      continue;
    }
    if (!fields) {
      issues.bad(line, 'data before the vmstat header (r b swpd free ...)');
      continue;
    }
    // Dropped before any check: a garbled since-boot line loses nothing, and is not a sample to report on.
    if (!sawData) {
      sawData = true;
      if (!opts.keepFirst) {
        notes.once(`line ${line.no}: dropped vmstat's first sample, which averages since boot (--keep-first keeps it)`);
        continue;
      }
    }
    const numeric = tokens.slice(0, fields.length).map(parseUint);
    const stamp = timestamped ? tokens.slice(fields.length).join(' ') : '';
    const expected = fields.length + (timestamped ? 2 : 0);
    if (tokens.length !== expected || numeric.some((v) => v === undefined)) {
      issues.bad(line, `expected ${fields.length} unsigned integers${timestamped ? ' and a timestamp' : ''}`);
      continue;
    }
    let ms: number;
    if (timestamped) {
      const local = parseStamp(stamp);
      if (local === undefined) {
        issues.bad(line, 'bad timestamp (expected YYYY-MM-DD HH:MM:SS)');
        continue;
      }
      ms = local - zoneOffset * 60_000;
      if (ms <= lastMs) {
        issues.bad(line, 'timestamp does not increase');
        continue;
      }
    } else {
      if (opts.intervalSec === undefined || opts.startMs === undefined) {
        throw new InputError(
          `${opts.file}: this vmstat output has no timestamps (run vmstat -t next time); pass --start <ISO time of the first kept sample> and --interval <seconds>`,
        );
      }
      ms = untimedIndex * opts.intervalSec * 1000;
    }
    lastMs = ms;
    untimedIndex++;
    cols.forEach(({ col, factor }, i) => {
      table.set(ms, col, (numeric[i] as number) * factor);
    });
  }
  if (timestamped && opts.intervalSec !== undefined) notes.once('--interval ignored: the -t timestamps give the times');
  return result(table.build('vmstat', opts), issues, notes);
}
