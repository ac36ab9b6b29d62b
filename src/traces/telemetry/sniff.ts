/**
 * What a telemetry file looks like, from its first lines: each tool's output has a line no
 * other tool prints (vmstat's `procs` banner, sar's `Linux` banner, /proc/vmstat's `nr_`
 * counters, memory.stat's `anon`/`rss`/`cache`, ...). Used to refuse a file imported as the
 * wrong kind instead of reading it into wrong or empty columns.
 */
import type { SourceLine } from './lines.js';
import { MEMCG_ONLY_KEYS } from './proc-vmstat.js';
import type { ImportKind } from './types.js';

export interface Sniffed {
  kind: ImportKind;
  /** What it looks like, in words: "vmstat output". */
  what: string;
  /** The line that told. */
  line: number;
}

const RULES: [RegExp, ImportKind, string][] = [
  [/^(procs\s+-+|--procs-|\s*r\s+b\s+swpd\s+free)/, 'vmstat', 'vmstat output'],
  [/^Linux \S+ \(.*\)\s/, 'sar', 'sar output'],
  [/^# hostname;interval;timestamp;/, 'sadf', 'sadf -d output'],
  [/^time,t_s(,|$)/, 'csv', "faultline's normalised CSV"],
  [/^(some|full) avg10=/, 'psi', 'a PSI file (/proc/pressure/memory or memory.pressure)'],
  [/^\s*PID\s.*\bCOMMAND\b/, 'ps', 'ps output'],
  [/^\d+ \(.*\) [A-Za-z] -?\d+ -?\d+ -?\d+( -?\d+){40,}$/, 'pid-stat', '/proc/<pid>/stat lines'],
  [/^.{10,40}? \S+ kernel(\[\d+\])?: /, 'journal', 'a journal (journalctl -k) log'],
  [/^\[\s*\d+\.\d+\] /, 'dmesg', 'a kernel log (dmesg)'],
  [/^\[[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ [\d:]+ \d{4}\] /, 'dmesg', 'a kernel log (dmesg -T)'],
  [/^\d{4}-\d{2}-\d{2}T[\d:]+[,.]\d+[+-]\d{2}:\d{2} [^\d]/, 'dmesg', 'a kernel log (dmesg --time-format iso)'],
];

const MEMCG_ONLY = new Set(MEMCG_ONLY_KEYS);

export function sniffKind(head: readonly SourceLine[]): Sniffed | undefined {
  for (const line of head) {
    for (const [re, kind, what] of RULES) if (re.test(line.text)) return { kind, what, line: line.no };
    const kv = /^([a-z][a-z0-9_]*) \d+$/.exec(line.text.trim());
    if (kv) {
      const key = kv[1] as string;
      if (key.startsWith('nr_')) return { kind: 'proc-vmstat', what: '/proc/vmstat snapshots', line: line.no };
      if (MEMCG_ONLY.has(key) || key.startsWith('total_'))
        return { kind: 'memory-stat', what: "a cgroup's memory.stat snapshots", line: line.no };
    }
  }
  return undefined;
}
