import { InputError } from '../../util/errors.js';
import { type CatalogueName, column } from './columns.js';
import { LineIssues, Notes, result, type SourceLine, splitSnapshots, TableBuilder } from './common.js';
import { direct, RateEmitter, readKeyValues, refaultTotal } from './counters.js';
import { GrowthRate, MemswTouchRate } from './growth.js';
import type { ImportOptions, ImportResult, ObservedColumn } from './types.js';

/** Sizes in bytes, cgroup v2 memory.stat then v1 memory.stat. */
const GAUGES = new Set([
  'anon',
  'file',
  'kernel',
  'kernel_stack',
  'pagetables',
  'sec_pagetables',
  'percpu',
  'sock',
  'vmalloc',
  'shmem',
  'zswap',
  'zswapped',
  'file_mapped',
  'file_dirty',
  'file_writeback',
  'swapcached',
  'anon_thp',
  'file_thp',
  'shmem_thp',
  'inactive_anon',
  'active_anon',
  'inactive_file',
  'active_file',
  'unevictable',
  'slab_reclaimable',
  'slab_unreclaimable',
  'slab',
  'cache',
  'rss',
  'rss_huge',
  'mapped_file',
  'dirty',
  'writeback',
  'swap',
  'hierarchical_memory_limit',
  'hierarchical_memsw_limit',
]);

/** Event counters with a name in the shared catalogue, so they line up with /proc/vmstat imports. */
const CATALOGUED: Record<string, CatalogueName> = {
  pgfault: 'faults_per_sec',
  pgmajfault: 'major_faults_per_sec',
  pswpin: 'swap_in_pages_per_sec',
  pswpout: 'swap_out_pages_per_sec',
  pgscan: 'scan_pages_per_sec',
  pgsteal: 'steal_pages_per_sec',
  pgscan_kswapd: 'scan_kswapd_pages_per_sec',
  pgscan_direct: 'scan_direct_pages_per_sec',
  pgsteal_kswapd: 'steal_kswapd_pages_per_sec',
  pgsteal_direct: 'steal_direct_pages_per_sec',
  workingset_refault_anon: 'refault_anon_pages_per_sec',
  workingset_refault_file: 'refault_file_pages_per_sec',
  workingset_activate_anon: 'activate_anon_pages_per_sec',
  workingset_activate_file: 'activate_file_pages_per_sec',
  workingset_restore_anon: 'restore_anon_pages_per_sec',
  workingset_restore_file: 'restore_file_pages_per_sec',
  oom_kill: 'oom_kills_per_sec',
};

/** Event counters named here: cgroup-only ones (v1 charge events, memory.events) and less common v2 ones. */
const OTHER_COUNTERS: Record<string, [string, string, string]> = {
  pgpgin: ['charged_pages_per_sec', 'pages/s', 'pages charged to the cgroup (v1 pgpgin)'],
  pgpgout: ['uncharged_pages_per_sec', 'pages/s', 'pages uncharged from the cgroup (v1 pgpgout)'],
  zswpin: ['zswap_in_pages_per_sec', 'pages/s', 'pages loaded from zswap (zswpin)'],
  zswpout: ['zswap_out_pages_per_sec', 'pages/s', 'pages stored to zswap (zswpout)'],
  thp_fault_alloc: ['thp_fault_allocs_per_sec', 'allocs/s', 'huge pages allocated at fault time'],
  low: ['memory_low_events_per_sec', 'events/s', 'memory.events low: reclaimed despite being under memory.low'],
  high: ['memory_high_events_per_sec', 'events/s', 'memory.events high: throttled over memory.high'],
  max: ['memory_max_events_per_sec', 'events/s', 'memory.events max: allocations that hit memory.max'],
  oom: ['oom_events_per_sec', 'events/s', 'memory.events oom: allocations that failed at memory.max'],
  oom_group_kill: ['oom_group_kills_per_sec', 'events/s', 'memory.events oom_group_kill'],
};

function counterColumn(key: string): ObservedColumn | undefined {
  const cat = CATALOGUED[key];
  if (cat) return column(cat);
  const other = OTHER_COUNTERS[key];
  return other && { name: other[0], unit: other[1], description: other[2] };
}

/** v1 repeats every field as total_<field> for the cgroup and its descendants; those keep the prefix. */
function prefixed(col: ObservedColumn, prefix: string): ObservedColumn {
  return prefix ? { ...col, name: `${prefix}${col.name}`, description: `${col.description}, hierarchical` } : col;
}

/**
 * v1's memory + swap of a cgroup and its descendants (total_rss + total_swapcached + total_swap;
 * own fields without total_) and its faults: the growth and touch rates a draft declares
 * (growth.ts). v2's memory.stat has no swap (memory.swap.current does): no note.
 */
class Memsw {
  private readonly growth = new GrowthRate();
  private readonly touches = new MemswTouchRate();
  private firstMs: number | undefined;
  private lastFaults: number | undefined;

  add(timeMs: number, values: Map<string, number>): void {
    const p = values.has('total_rss') ? 'total_' : '';
    const [rss, swapcached, swap, pgfault] = ['rss', 'swapcached', 'swap', 'pgfault'].map((k) => values.get(p + k));
    if (rss === undefined || swapcached === undefined || swap === undefined || pgfault === undefined) return;
    this.firstMs ??= timeMs;
    const faults = this.lastFaults === undefined || pgfault < this.lastFaults ? 0 : pgfault - this.lastFaults;
    this.lastFaults = pgfault;
    this.growth.add(timeMs, rss + swapcached + swap);
    this.touches.add(timeMs, rss, swapcached, swap, faults);
  }

  finish(notes: Notes): void {
    if (this.firstMs === undefined) return;
    const grew = this.growth.cgroupNote(this.firstMs);
    if (grew) notes.once(grew);
    notes.once(this.touches.note(this.firstMs));
  }
}

/**
 * cgroup memory.stat (v1 or v2) and memory.events snapshots, each after a time line; one
 * snapshot may hold both files (and v1's memory.oom_control). Sizes become `<field>_bytes`,
 * event counters rates per second. Fields not listed here are left out and named in a note.
 */
export function importMemoryStat(lines: Iterable<SourceLine>, opts: ImportOptions): ImportResult {
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const table = new TableBuilder(opts);
  const rates = new RateEmitter([], table);
  const gauges = new Map<string, ObservedColumn>();
  const known = new Set<string>();
  const ignored: string[] = [];
  const refaultPrefixes = new Set<string>();
  /** The cgroup's v1 limits as the first snapshot has them: a draft scenario needs them. */
  const limits = new Map<string, number>();
  let count = 0;
  const memsw = new Memsw();
  for (const snap of splitSnapshots(lines, issues, notes)) {
    const values = readKeyValues(snap, issues);
    memsw.add(snap.timeMs, values);
    const vmstat = [...values.keys()].filter((k) => k.startsWith('nr_'));
    if (vmstat.length > 0) {
      throw new InputError(
        `${opts.file}:${snap.line.no}: this snapshot has ${vmstat.slice(0, 3).join(', ')}, counters of /proc/vmstat, not of a cgroup's memory.stat; import it with: faultline import proc-vmstat ${opts.file}`,
      );
    }
    for (const key of values.keys()) {
      if (known.has(key)) continue;
      known.add(key);
      const prefix = key.startsWith('total_') ? 'total_' : '';
      const bare = key.slice(prefix.length);
      const counter = counterColumn(bare);
      if ((bare === 'workingset_refault' || bare === 'workingset_refault_anon') && !refaultPrefixes.has(prefix)) {
        refaultPrefixes.add(prefix);
        rates.series.push(refaultTotal(prefix));
      }
      if (GAUGES.has(bare)) gauges.set(key, { name: `${key}_bytes`, unit: 'bytes', description: `memory.stat ${key}` });
      else if (counter) rates.series.push(direct(key, prefixed(counter, prefix)));
      else if (bare !== 'workingset_refault') ignored.push(key);
    }
    // Refault totals after the fields they add up, as the per-field columns come first.
    rates.series.sort(
      (x, y) =>
        Number(x.col.name.endsWith('refault_pages_per_sec')) - Number(y.col.name.endsWith('refault_pages_per_sec')),
    );
    for (const [key, col] of gauges) table.set(snap.timeMs, col, values.get(key) ?? Number.NaN);
    for (const key of ['hierarchical_memory_limit', 'hierarchical_memsw_limit']) {
      const v = values.get(key);
      if (v !== undefined && !limits.has(key)) limits.set(key, v);
    }
    rates.add({ timeMs: snap.timeMs, values });
    count++;
  }
  if (gauges.size === 0 && rates.series.length === 0 && count > 0) {
    throw new InputError(
      `${opts.file}: no memory.stat or memory.events fields found (anon, file, rss, cache, pgfault, ...)`,
    );
  }
  if (ignored.length > 0) notes.once(`fields not imported: ${ignored.join(' ')}`);
  for (const [key, value] of limits) {
    // v1 prints "unlimited" as PAGE_COUNTER_MAX pages: anything from 2^62 up.
    notes.once(`${key} ${value >= 2 ** 62 ? 'unlimited' : `${value} (${(value / 2 ** 20).toFixed(1)} MiB)`}`);
  }
  rates.finish(notes);
  memsw.finish(notes);
  return result(table.build('memory-stat', opts), issues, notes);
}
