/**
 * The observed series of a post-mortem: what `faultline import` produces from vmstat, sar,
 * PSI, /proc/vmstat, ps and cgroup memory files (or reads back from its own CSV), and what
 * report overlays consume later.
 * Column names carry their units (architecture.md, "Units and names"); docs/import.md lists
 * every column with the tool field it comes from.
 */

/** `csv` is faultline's own normalised CSV (what `faultline import` writes), read back as a table. */
export const SERIES_KINDS = [
  'vmstat',
  'sar',
  'sadf',
  'psi',
  'proc-vmstat',
  'ps',
  'pid-stat',
  'memory-stat',
  'csv',
] as const;
export type TelemetryKind = (typeof SERIES_KINDS)[number];
/** Kernel logs: what happened when (OOM kills, hung tasks), not series. */
export const EVENT_KINDS = ['dmesg', 'journal'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const TELEMETRY_KINDS = [...SERIES_KINDS, ...EVENT_KINDS] as const;
export type ImportKind = TelemetryKind | EventKind;

export interface ObservedColumn {
  /** snake_case with the unit as suffix: `major_faults_per_sec`, `free_bytes`, `psi_some_avg10_pct`. */
  name: string;
  /** `bytes`, `bytes/s`, `pages/s`, `faults/s`, `events/s`, `%`, `count`, ... */
  unit: string;
  description: string;
}

export interface ObservedTable {
  source: {
    kind: TelemetryKind;
    /** The file as the user named it, for messages and report captions. */
    file: string;
    /** Median spacing of the samples in seconds; undefined with fewer than two rows. */
    intervalSec: number | undefined;
  };
  columns: ObservedColumn[];
  /** UTC epoch milliseconds of each row, strictly increasing: the end of the interval a rate covers. */
  timeMs: number[];
  /** Column-major: `values[c][r]` is column c at row r; NaN where the source has no value. */
  values: number[][];
}

export interface ImportOptions {
  /** Display name of the input in messages (`file:line: ...`). */
  file: string;
  /** Skip malformed lines (counted and reported) instead of stopping at the first one. */
  lenient: boolean;
  /**
   * Wall-clock time of the first row. Sources without a clock (vmstat without -t) need it;
   * for the others it shifts every row so the first lands there (a box with a wrong clock).
   */
  startMs?: number;
  /** Seconds between vmstat samples when the output has no -t timestamps. */
  intervalSec?: number;
  /** vmstat's -S unit letter (b B k K m M); procps defaults to K (1024 bytes). */
  vmstatUnit?: string;
  /** Keep vmstat's first data line: use when vmstat ran with -y, which omits the since-boot line. */
  keepFirst?: boolean;
  /** Wall-clock time of boot, for kernel logs with boot-relative `[seconds]` stamps. */
  bootMs?: number;
  /** The line being read, kept by the reader so that a refusal deep in a table can name it. */
  position?: { line: number };
}

export interface ImportResult {
  table: ObservedTable;
  /** 1-based numbers of the malformed lines skipped under --lenient, in file order. */
  skippedLines: number[];
  /** Things the user should know that are not errors: dropped lines, assumed time zones, resets. */
  notes: string[];
  /**
   * Series that say nothing: constant over the whole file (a frozen counter, a column a tool
   * never updates). They stay in the table; overlays and the fit leave them out.
   */
  constant: string[];
}

/** One thing the kernel log says happened (docs/import.md, "dmesg and journal"). */
export interface ObservedEvent {
  /** UTC epoch milliseconds. */
  timeMs: number;
  kind: 'oom-kill' | 'hung-task' | 'alloc-fail' | 'throttle';
  /** The victim or the task concerned. */
  pid?: number;
  process?: string;
  /** The memory cgroup of the task (task_memcg), and the one out of memory (oom_memcg). */
  cgroup?: string;
  oomCgroup?: string;
  /** CONSTRAINT_MEMCG, CONSTRAINT_NONE, ... */
  constraint?: string;
  /** Numbers with their unit in the key: memUsageBytes, memLimitBytes, memswUsageBytes, memswLimitBytes, anonRssBytes, fileRssBytes, shmemRssBytes, swapBytes, blockedSec. */
  detail: Record<string, number>;
  /** The task dump printed with an OOM kill: every task of the cgroup at that moment. */
  tasks?: { pid: number; name: string; rssBytes: number; swapBytes: number; oomScoreAdj: number }[];
  /** 1-based line of the file the event was read from (its last line). */
  line: number;
  message: string;
}

export interface EventImportResult {
  events: ObservedEvent[];
  skippedLines: number[];
  notes: string[];
}
