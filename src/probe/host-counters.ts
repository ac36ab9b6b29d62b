/**
 * What the whole host did over one repeat of a case, recorded beside the case's own figures:
 * the load average (other users of a shared VM change the kernel's timings, and on a sequential
 * loop even its hit ratio: docs/validation.md item 1), swap readahead and LRU movement from
 * /proc/vmstat, and the swap disk's reads and writes from /sys/block/<disk>/stat (how long swap
 * writes take to complete decides how many written pages stay in the swap cache). Not compared
 * by the matrix: it is there to explain the figures that are. Parsing is pure; lab.ts reads the files.
 */

/** /proc/vmstat counters recorded as deltas over a repeat. */
export const HOST_VMSTAT_KEYS = [
  'pswpin',
  'pswpout',
  'pgmajfault',
  'swap_ra',
  'swap_ra_hit',
  'pgrotated',
  'pgactivate',
  'pgdeactivate',
  'pgscan_anon',
  'pgsteal_anon',
  'pgscan_file',
  'pgsteal_file',
  'workingset_refault_anon',
  'workingset_activate_anon',
  'workingset_restore_anon',
] as const;

/**
 * The fields kept of a /sys/block/<disk>/stat line (Documentation/block/stat.rst), by position:
 * IOs completed, sectors and ms spent, per direction (merges are left out).
 */
const DISK_FIELDS = { readIos: 0, readSectors: 2, readMs: 3, writeIos: 4, writeSectors: 6, writeMs: 7 } as const;
type DiskField = keyof typeof DISK_FIELDS;
export type DiskStat = Record<DiskField, number>;
const DISK_KEYS = Object.keys(DISK_FIELDS) as DiskField[];

export interface HostSnapshot {
  /** 1-minute load average (/proc/loadavg). */
  load1: number;
  vm: Record<string, number>;
  disk: DiskStat | undefined;
}

/** What a repeat's fixture carries: the load at its start and end, and the counters' deltas. */
export interface HostCounters {
  loadAvg1Start: number;
  loadAvg1End: number;
  vmstat: Record<string, number>;
  /** The swap disk's deltas, with the mean time a write took (ms spent writing / writes). */
  disk?: DiskStat & { msPerWrite: number | null };
}

/** The 1-minute load average of a /proc/loadavg line (`0.52 1.18 4.20 1/389 1234`). */
export function parseLoadAvg(text: string): number {
  const v = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(v)) throw new Error(`not a /proc/loadavg line: ${JSON.stringify(text.slice(0, 60))}`);
  return v;
}

/** A /sys/block/<disk>/stat line: at least the eight fields every kernel since 2.6 writes. */
export function parseDiskStat(text: string): DiskStat {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length < 8 || f.slice(0, 8).some((x) => !Number.isFinite(x))) {
    throw new Error(`not a /sys/block/<disk>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const out = {} as DiskStat;
  for (const k of DISK_KEYS) out[k] = f[DISK_FIELDS[k]]!;
  return out;
}

/** The counters of a repeat from the snapshots taken before and after it. */
export function hostCounters(before: HostSnapshot, after: HostSnapshot): HostCounters {
  const vmstat: Record<string, number> = {};
  for (const k of HOST_VMSTAT_KEYS) vmstat[k] = (after.vm[k] ?? 0) - (before.vm[k] ?? 0);
  const out: HostCounters = { loadAvg1Start: before.load1, loadAvg1End: after.load1, vmstat };
  if (before.disk && after.disk) {
    const d = {} as DiskStat;
    for (const k of DISK_KEYS) d[k] = after.disk[k] - before.disk[k];
    out.disk = { ...d, msPerWrite: d.writeIos > 0 ? Math.round((d.writeMs / d.writeIos) * 1000) / 1000 : null };
  }
  return out;
}
