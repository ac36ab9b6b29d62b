/**
 * Kernel logs (`dmesg` in its three time formats, `journalctl -k` in its common outputs) into
 * events: OOM kills with the report the kernel prints before them (usage and limits of the
 * cgroup, the task dump), hung tasks, page allocation failures and throttling lines.
 * docs/import.md, "dmesg and journal", lists the lines read and the fields kept.
 */
import { InputError } from '../../util/errors.js';
import { civilToUtcMs, LineIssues, Notes, parseTimeLine, type SourceLine } from './common.js';
import type { EventImportResult, EventKind, ImportOptions, ObservedEvent } from './types.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const KIB = 1024;
const PAGE_BYTES = 4096;

/** `[  153.314627] ` boot-relative seconds (dmesg, journalctl -o short-monotonic). */
const BOOT_RE = /^\[\s*(\d+)\.(\d{1,9})\]\s?(.*)$/;
/** `[Sun Dec  6 01:00:13 2026] ` (dmesg -T, local time). */
const CTIME_RE = /^\[[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\]\s?(.*)$/;
/** `2026-12-06T01:00:13,997091+00:00 ` (dmesg --time-format iso, journalctl -o short-iso[-precise]). */
const ISO_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)\s(.*)$/;
/** `Dec 06 01:00:13[.997091] ` (journalctl -o short / short-precise): no year. */
const SHORT_RE = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\s(.*)$/;
/** `Sun 2026-12-06 01:00:13 UTC ` (journalctl -o short-full). */
const FULL_RE = /^[A-Z][a-z]{2} (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?: [A-Za-z+-]\w*)?) (.*)$/;
/** journalctl's `host kernel: ` (or `host kernel[0]: `) after the time. */
const JOURNAL_SOURCE_RE = /^\S+ ([\w.@/-]+)(?:\[\d+\])?: (.*)$/;

type Stamp = { ms: number; text: string } | { error: string } | undefined;

function readStamp(line: string, opts: ImportOptions, notes: Notes): Stamp {
  let m = BOOT_RE.exec(line);
  if (m) {
    if (opts.bootMs === undefined)
      return {
        error:
          'boot-relative [seconds] need the boot time: pass --boot <ISO time or epoch seconds> (btime in /proc/stat)',
      };
    const ms = opts.bootMs + Number(m[1]) * 1000 + Math.round(Number(`0.${m[2]}`) * 1000);
    return { ms, text: m[3] as string };
  }
  m = CTIME_RE.exec(line);
  if (m) {
    notes.once('dmesg -T times are local time without a zone; read as UTC (dmesg --time-format iso carries the zone)');
    const ms = civilToUtcMs(
      Number(m[6]),
      MONTHS.indexOf(m[1] as string) + 1,
      Number(m[2]),
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
    );
    return ms === undefined ? { error: 'date or time out of range' } : { ms, text: m[7] as string };
  }
  m = ISO_RE.exec(line);
  if (m) {
    const t = parseTimeLine((m[1] as string).replace(',', '.'));
    if (!t || 'error' in t) return { error: t?.error ?? 'not a time' };
    if (t.zoneAssumed) notes.once(`kernel log times with ${t.zoneAssumed} were read as UTC`);
    return { ms: t.ms, text: m[2] as string };
  }
  m = FULL_RE.exec(line);
  if (m) {
    const t = parseTimeLine(m[1] as string);
    if (!t || 'error' in t) return { error: t?.error ?? 'not a time' };
    if (t.zoneAssumed) notes.once(`kernel log times with ${t.zoneAssumed} were read as UTC`);
    return { ms: t.ms, text: m[2] as string };
  }
  m = SHORT_RE.exec(line);
  if (m) {
    if (opts.startMs === undefined)
      return {
        error: 'journalctl -o short prints no year: pass --start <ISO time> in the same year (or use -o short-iso)',
      };
    notes.once('journal times without a year or zone: year from --start, read as UTC');
    const year = new Date(opts.startMs).getUTCFullYear();
    const frac = m[6] ? Math.round(Number(`0.${m[6]}`) * 1000) : 0;
    const ms = civilToUtcMs(
      year,
      MONTHS.indexOf(m[1] as string) + 1,
      Number(m[2]),
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      frac,
    );
    return ms === undefined ? { error: 'date or time out of range' } : { ms, text: m[7] as string };
  }
  return undefined;
}

const INVOKED_RE = /^(\S.*?) invoked oom-killer: .*?oom_score_adj=(-?\d+)/;
const USAGE_RE = /^(memory|memory\+swap|swap): usage (\d+)kB, limit (\d+)kB/;
const OOM_KILL_RE = /^oom-kill:(.*)$/;
const KILLED_RE =
  /^(Memory cgroup out of memory|Out of memory(?: \(oom_kill_allocating_task\))?): Killed process (\d+) \((.*)\) total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB/;
const HUNG_RE = /^INFO: task (.+):(\d+) blocked for more than (\d+) seconds/;
const ALLOC_RE = /^(.+?): page allocation failure: order:(\d+)/;
const THROTTLE_RE = /throttl/i;
const TASKS_HEAD_RE = /^Tasks state \(memory values in pages\):/;

interface OomReport {
  invoker?: string;
  detail: Record<string, number>;
  tasks: NonNullable<ObservedEvent['tasks']>;
  taskHeader?: string[];
  fields?: Record<string, string>;
}

/**
 * The kernel log's events, in file order. An OOM kill is assembled from the report lines
 * between `invoked oom-killer` and `Killed process`; a report cut short (a rotated log) still
 * gives its kill line. Lines that are neither of these nor recognisable log lines are skipped
 * silently: a kernel log is mostly about other things.
 */
export function importKernelLog(lines: Iterable<SourceLine>, opts: ImportOptions, kind: EventKind): EventImportResult {
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const events: ObservedEvent[] = [];
  let report: OomReport | undefined;
  let stamped = 0;
  for (const line of lines) {
    const raw = line.text.trim();
    if (raw === '' || raw.startsWith('-- ')) continue; // journalctl's `-- Boot ... --` and `-- No entries --`
    const stamp = readStamp(raw, opts, notes);
    if (stamp === undefined) {
      issues.bad(
        line,
        `not a ${kind} line (expected a time such as [  12.345678], [Sun Dec  6 01:00:13 2026] or an ISO 8601 time first)`,
      );
      continue;
    }
    if ('error' in stamp) {
      if (opts.bootMs === undefined && stamp.error.includes('--boot'))
        throw new InputError(`${opts.file}:${line.no}: ${stamp.error}`);
      issues.bad(line, stamp.error);
      continue;
    }
    stamped++;
    let text = stamp.text;
    if (kind === 'journal') {
      const m = JOURNAL_SOURCE_RE.exec(text);
      if (m?.[1] !== 'kernel') continue; // another program's message
      text = m[2] as string;
    }
    const push = (e: Omit<ObservedEvent, 'timeMs' | 'line'>) => events.push({ timeMs: stamp.ms, line: line.no, ...e });
    let m = INVOKED_RE.exec(text);
    if (m) {
      report = { invoker: m[1], detail: {}, tasks: [] };
      continue;
    }
    m = USAGE_RE.exec(text);
    if (m && report) {
      const key = m[1] === 'memory' ? 'mem' : m[1] === 'swap' ? 'swap' : 'memsw';
      report.detail[`${key}UsageBytes`] = Number(m[2]) * KIB;
      report.detail[`${key}LimitBytes`] = Number(m[3]) * KIB;
      continue;
    }
    if (TASKS_HEAD_RE.test(text) && report) {
      report.taskHeader = [];
      continue;
    }
    if (report?.taskHeader && text.startsWith('[')) {
      const cells = text
        .replace(/^\[\s*/, '')
        .replace(/\]/, '')
        .trim()
        .split(/\s+/);
      if (report.taskHeader.length === 0) {
        report.taskHeader = cells; // pid uid tgid total_vm rss [rss_anon rss_file rss_shmem] pgtables_bytes swapents oom_score_adj name
        continue;
      }
      const col = (name: string) => Number(cells[report!.taskHeader!.indexOf(name)]);
      const name = cells.slice(report.taskHeader.length - 1).join(' ');
      report.tasks.push({
        pid: col('pid'),
        name,
        rssBytes: col('rss') * PAGE_BYTES,
        swapBytes: col('swapents') * PAGE_BYTES,
        oomScoreAdj: col('oom_score_adj'),
      });
      continue;
    }
    m = OOM_KILL_RE.exec(text);
    if (m) {
      report ??= { detail: {}, tasks: [] };
      report.taskHeader = undefined;
      report.fields = Object.fromEntries(
        (m[1] as string).split(',').map((kv) => {
          const eq = kv.indexOf('=');
          return [kv.slice(0, eq), kv.slice(eq + 1)];
        }),
      );
      continue;
    }
    m = KILLED_RE.exec(text);
    if (m) {
      const r = report ?? { detail: {}, tasks: [] };
      const pid = Number(m[2]);
      const victim = r.tasks.find((t) => t.pid === pid);
      push({
        kind: 'oom-kill',
        pid,
        process: m[3] as string,
        ...(r.fields?.task_memcg ? { cgroup: r.fields.task_memcg } : {}),
        ...(r.fields?.oom_memcg ? { oomCgroup: r.fields.oom_memcg } : {}),
        constraint:
          r.fields?.constraint ?? (m[1]?.startsWith('Memory cgroup') ? 'CONSTRAINT_MEMCG' : 'CONSTRAINT_NONE'),
        detail: {
          ...r.detail,
          anonRssBytes: Number(m[5]) * KIB,
          fileRssBytes: Number(m[6]) * KIB,
          shmemRssBytes: Number(m[7]) * KIB,
          ...(victim ? { swapBytes: victim.swapBytes } : {}),
        },
        ...(r.tasks.length > 0 ? { tasks: r.tasks } : {}),
        message: text,
      });
      report = undefined;
      continue;
    }
    m = HUNG_RE.exec(text);
    if (m) {
      push({
        kind: 'hung-task',
        pid: Number(m[2]),
        process: m[1] as string,
        detail: { blockedSec: Number(m[3]) },
        message: text,
      });
      continue;
    }
    m = ALLOC_RE.exec(text);
    if (m) {
      push({ kind: 'alloc-fail', process: m[1] as string, detail: { order: Number(m[2]) }, message: text });
      continue;
    }
    if (THROTTLE_RE.test(text)) push({ kind: 'throttle', detail: {}, message: text });
  }
  if (report?.invoker) {
    notes.once(
      `an OOM report by ${report.invoker} has no "Killed process" line after it (log cut short, or no task could be killed)`,
    );
  }
  if (stamped === 0) throw new InputError(`${opts.file}: no ${kind} line with a time found`);
  return { events, skippedLines: issues.skipped, notes: notes.list };
}

/** The events as CSV: one row per event, numbers in named columns, the kernel's line last. */
export function eventsToCsv(events: readonly ObservedEvent[]): string {
  const detailKeys = [...new Set(events.flatMap((e) => Object.keys(e.detail)))].sort();
  const head = [
    'time',
    'event',
    'pid',
    'process',
    'cgroup',
    'oom_cgroup',
    'constraint',
    ...detailKeys.map(snake),
    'tasks',
    'message',
  ];
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const rows = events.map((e) =>
    [
      new Date(e.timeMs).toISOString(),
      e.kind,
      e.pid?.toString() ?? '',
      e.process ?? '',
      e.cgroup ?? '',
      e.oomCgroup ?? '',
      e.constraint ?? '',
      ...detailKeys.map((k) => e.detail[k]?.toString() ?? ''),
      (e.tasks ?? []).map((t) => `${t.name}:${t.pid}:rss=${t.rssBytes}:swap=${t.swapBytes}`).join(' '),
      e.message,
    ]
      .map(quote)
      .join(','),
  );
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

/** `memUsageBytes` → `mem_usage_bytes`. */
function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
