import { column } from './columns.js';
import type { LineIssues, Notes, Snapshot, TableBuilder } from './common.js';
import type { ObservedColumn } from './types.js';

/** `name value` lines, as /proc/vmstat, memory.stat and memory.events print them. */
export function readKeyValues(snap: Snapshot, issues: LineIssues): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of snap.body) {
    const m = /^([a-z][a-z0-9_]*) (\d+)$/.exec(line.text.trim());
    if (!m) {
      issues.bad(line, 'expected "name value" with an unsigned integer value');
      continue;
    }
    if (out.has(m[1] as string)) {
      issues.bad(line, `${m[1]} appears twice in one snapshot`);
      continue;
    }
    out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

/** How one output series is computed from a snapshot's counters; undefined when they are absent. */
export interface CounterSeries {
  col: ObservedColumn;
  read(values: Map<string, number>): number | undefined;
}

export function direct(key: string, col: ObservedColumn, factor = 1): CounterSeries {
  return {
    col,
    read: (v) => {
      const x = v.get(key);
      return x === undefined ? undefined : x * factor;
    },
  };
}

/** The sum of those of a family of counters that are present: kernels split counters by zone and by anon/file over time. */
export function summed(keys: string[], col: ObservedColumn): CounterSeries {
  return {
    col,
    read: (v) => {
      let sum: number | undefined;
      for (const k of keys) {
        const x = v.get(k);
        if (x !== undefined) sum = (sum ?? 0) + x;
      }
      return sum;
    },
  };
}

/**
 * Counter deltas per second between consecutive snapshots, fed one snapshot at a time; the
 * first snapshot has no interval before it and its rates stay empty. A counter lower than in
 * the previous snapshot was reset (reboot, counter re-created): that interval is left empty,
 * never negative or huge. Series may be added as their counters are first met.
 */
export class RateEmitter {
  private prev: { timeMs: number; values: Map<string, number> } | undefined;
  private readonly resets = new Map<number, number>();
  private readonly present = new Set<CounterSeries>();

  constructor(
    readonly series: CounterSeries[],
    private readonly table: TableBuilder,
  ) {}

  add(snap: { timeMs: number; values: Map<string, number> }): void {
    this.table.touch(snap.timeMs);
    const prev = this.prev;
    for (const s of this.series) {
      const cur = s.read(snap.values);
      if (cur === undefined) continue;
      this.present.add(s);
      const before = prev && s.read(prev.values);
      let rate = Number.NaN;
      if (prev && before !== undefined) {
        if (cur >= before) rate = ((cur - before) * 1000) / (snap.timeMs - prev.timeMs);
        else this.resets.set(snap.timeMs, (this.resets.get(snap.timeMs) ?? 0) + 1);
      }
      this.table.set(snap.timeMs, s.col, rate);
    }
    this.prev = snap;
  }

  /** Says which intervals had resets; returns how many of the series the snapshots held. */
  finish(notes: Notes): number {
    for (const [t, n] of this.resets) {
      notes.once(
        `${n} counter(s) went down in the interval ending ${new Date(t).toISOString()} (reboot or reset); those rates are left empty`,
      );
    }
    return this.present.size;
  }
}

/** The /proc/vmstat counters the importer turns into rates. Per-zone `pgscan_kswapd_normal` etc. are pre-4.8 kernels. */
export const VMSTAT_SERIES: CounterSeries[] = [
  direct('pgfault', column('faults_per_sec')),
  direct('pgmajfault', column('major_faults_per_sec')),
  direct('pswpin', column('swap_in_pages_per_sec')),
  direct('pswpout', column('swap_out_pages_per_sec')),
  direct('pgpgin', column('paged_in_bytes_per_sec'), 1024),
  direct('pgpgout', column('paged_out_bytes_per_sec'), 1024),
  refaultTotal(),
  direct('workingset_refault_anon', column('refault_anon_pages_per_sec')),
  direct('workingset_refault_file', column('refault_file_pages_per_sec')),
  // Which refaults PSI counts as memory stall (restore) and how much swap readahead read and
  // was used: what the kernel model is checked against (docs/postmortem.md).
  direct('workingset_activate_anon', column('activate_anon_pages_per_sec')),
  direct('workingset_activate_file', column('activate_file_pages_per_sec')),
  direct('workingset_restore_anon', column('restore_anon_pages_per_sec')),
  direct('workingset_restore_file', column('restore_file_pages_per_sec')),
  direct('swap_ra', column('swap_readahead_pages_per_sec')),
  direct('swap_ra_hit', column('swap_readahead_hits_per_sec')),
  zoned('pgscan_kswapd', column('scan_kswapd_pages_per_sec')),
  zoned('pgscan_direct', column('scan_direct_pages_per_sec')),
  zoned('pgsteal_kswapd', column('steal_kswapd_pages_per_sec')),
  zoned('pgsteal_direct', column('steal_direct_pages_per_sec')),
  direct('oom_kill', column('oom_kills_per_sec')),
];

/** Linux 5.9 split workingset_refault into _anon and _file; the total is their sum there. */
export function refaultTotal(prefix = ''): CounterSeries {
  const col = column('refault_pages_per_sec');
  return {
    col: prefix ? { ...col, name: `${prefix}${col.name}` } : col,
    read: (v) => {
      const old = v.get(`${prefix}workingset_refault`);
      if (old !== undefined) return old;
      return summed([`${prefix}workingset_refault_anon`, `${prefix}workingset_refault_file`], col).read(v);
    },
  };
}

function zoned(key: string, col: ObservedColumn): CounterSeries {
  const zones = ['dma', 'dma32', 'normal', 'movable', 'high'].map((z) => `${key}_${z}`);
  return {
    col,
    read: (v) => v.get(key) ?? summed(zones, col).read(v),
  };
}
