/**
 * The real-kernel matrix's fixtures (test/fixtures/kernel/<family>.json): what one family's
 * run measured on a real kernel, per case and per repeat, with the machine it ran on. Written
 * by the harness (lab.ts, families.ts), read by the comparison (matrix.ts) and its test. Pure
 * data: no clock or file access here.
 */

import type { HostCounters } from './host-counters.js';

export const FIXTURE_SCHEMA = 1;

export type FamilyId = 'a' | 'b' | 'c' | 'd';

export interface Machine {
  kernel: string;
  cpus: number;
  ramBytes: number;
  /** The swap the harness added for the run (a file on the root disk). */
  swap: { kind: string; sizeBytes: number; disk: string; rotational: boolean; vmaReadahead: boolean };
  pageCluster: number;
  swappiness: number;
  minFreeKbytes: number;
  thp: string;
  /** read_ahead_kb of the disk that holds the swap file and the reader's file. */
  readAheadKb: number;
  /** /sys/kernel/mm/lru_gen/enabled, or 'absent' (two-list LRU only). */
  mglru: string;
  cgroup: { version: 1; memoryRoot: string; v2: string };
  compiler: string;
  measuredAt: string;
}

/** One repeat of a case: named figures (units in the names), and optional downsampled series. */
export interface Repeat {
  metrics: Record<string, number | null>;
  /** Series sampled every `seriesStepMs` from the case's time 0 (ms since the first workload started). */
  series?: Record<string, (number | null)[]>;
  seriesStepMs?: number;
  /** What happened that the figures do not say (OOM lines from dmesg, a retried run). */
  notes?: string[];
  /** The whole host over the repeat: load, swap readahead, LRU movement, the swap disk's IO (not compared). */
  host?: HostCounters;
}

export interface AnonParams {
  family: 'a';
  workingSetBytes: number;
  /** memory.limit_in_bytes; null: no limit (the free run that gives the touch rate). */
  limitBytes: number | null;
  /** The probe's pattern: seq, uniform, zipf:A, hotcold:F:P. */
  pattern: string;
  /** One pass after the fill, then this long of steady touches timed as one phase. */
  steadySeconds: number;
}

export interface ReaderParams {
  family: 'b';
  limitBytes: number;
  swappiness: number;
  anonBytes: number;
  /** Touches per second of the anonymous working set after its fill (uniform). */
  anonTouchesPerSec: number;
  fileBytes: number;
  mode: 'mmap' | 'read';
  order: 'seq' | 'random';
  advice: 'normal' | 'random' | 'sequential';
  readerSeconds: number;
}

export interface ServiceSpec {
  workingSetBytes: number;
  pattern: string;
  pagesPerQuery: number;
  cpuUs: number;
  /** Open loop (Poisson arrivals) at this rate; null: closed loop with `thinkUs`. */
  ratePerSec: number | null;
  thinkUs: number;
}

export interface SiblingsParams {
  family: 'c';
  variant: 'shared' | 'capped' | 'service-swappiness' | 'batch-soft-limit';
  parentLimitBytes: number;
  /** Child cgroups' files (v1); absent when both run in the parent itself. */
  serviceCgroup: { swappiness?: number } | null;
  batchCgroup: { limitBytes?: number; softLimitBytes?: number } | null;
  service: ServiceSpec;
  batchBytes: number;
  batchPattern: string;
  warmSeconds: number;
  loopSeconds: number;
  afterSeconds: number;
}

export interface LeakParams {
  family: 'd';
  limitBytes: number;
  /** memory.memsw.limit_in_bytes: memory + swap. */
  memswBytes: number;
  service: ServiceSpec;
  leakBytesPerSec: number;
  warmSeconds: number;
  afterSeconds: number;
}

export type CaseParams = AnonParams | ReaderParams | SiblingsParams | LeakParams;

export interface KernelCase<P extends CaseParams = CaseParams> {
  id: string;
  params: P;
  repeats: Repeat[];
}

export interface FamilyFixture<P extends CaseParams = CaseParams> {
  schema: typeof FIXTURE_SCHEMA;
  family: FamilyId;
  title: string;
  machine: Machine;
  /** Figures of this machine the model's host is given (µs per minor fault, per swap-in, touch rates). */
  calibration: Record<string, number>;
  cases: KernelCase<P>[];
  /** What the figures do not say about the run (a calibration taken another way). */
  notes?: string[];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median, min and max of the finite values; undefined when there is none. */
export function spreadOf(values: readonly (number | null | undefined)[]): Spread | undefined {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = v.length >> 1;
  const median = v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
  return { median, min: v[0] as number, max: v[v.length - 1] as number, n: v.length };
}

export function parseFixture(text: string, name: string): FamilyFixture {
  const f = JSON.parse(text) as FamilyFixture;
  if (f.schema !== FIXTURE_SCHEMA) {
    throw new Error(
      `${name}: fixture schema ${String(f.schema)}, expected ${FIXTURE_SCHEMA} (re-measure with --write)`,
    );
  }
  return f;
}
