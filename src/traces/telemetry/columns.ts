import type { ObservedColumn } from './types.js';

/**
 * One catalogue of column names, so the same quantity gets the same name whichever tool
 * observed it (vmstat `bi`, sar `pgpgin/s` and /proc/vmstat `pgpgin` are all
 * `paged_in_bytes_per_sec`). docs/import.md mirrors this list.
 */
const CATALOGUE = {
  // memory gauges
  free_bytes: ['bytes', 'free memory (MemFree)'],
  available_bytes: ['bytes', 'memory available without swapping (MemAvailable)'],
  used_bytes: ['bytes', 'memory in use as sar counts it'],
  used_pct: ['%', 'memory in use, percent of total'],
  buffers_bytes: ['bytes', 'block device buffers (Buffers)'],
  cache_bytes: ['bytes', 'page cache (Cached, plus SReclaimable in vmstat)'],
  committed_bytes: ['bytes', 'memory committed to allocations (Committed_AS)'],
  commit_pct: ['%', 'Committed_AS as percent of RAM plus swap'],
  active_bytes: ['bytes', 'memory on the active LRU lists'],
  inactive_bytes: ['bytes', 'memory on the inactive LRU lists'],
  dirty_bytes: ['bytes', 'dirty page cache waiting for writeback'],
  anon_pages_bytes: ['bytes', 'anonymous pages mapped into user page tables (AnonPages)'],
  slab_bytes: ['bytes', 'kernel slab memory'],
  kernel_stack_bytes: ['bytes', 'kernel stacks'],
  page_tables_bytes: ['bytes', 'page tables'],
  vmalloc_used_bytes: ['bytes', 'vmalloc area in use'],
  swap_used_bytes: ['bytes', 'swap space in use'],
  swap_free_bytes: ['bytes', 'free swap space'],
  swap_used_pct: ['%', 'swap space in use, percent of total'],
  swap_cached_bytes: ['bytes', 'swapped-out memory also in the swap cache'],
  swap_cached_pct: ['%', 'swap cache as percent of swap in use'],
  // paging and reclaim rates
  swap_in_pages_per_sec: ['pages/s', 'pages swapped in (pswpin)'],
  swap_out_pages_per_sec: ['pages/s', 'pages swapped out (pswpout)'],
  swap_in_bytes_per_sec: ['bytes/s', 'memory swapped in (vmstat si)'],
  swap_out_bytes_per_sec: ['bytes/s', 'memory swapped out (vmstat so)'],
  paged_in_bytes_per_sec: ['bytes/s', 'data read from block devices (pgpgin)'],
  paged_out_bytes_per_sec: ['bytes/s', 'data written to block devices (pgpgout)'],
  faults_per_sec: ['faults/s', 'page faults, minor and major (pgfault)'],
  major_faults_per_sec: ['faults/s', 'major page faults, needing I/O (pgmajfault)'],
  pages_freed_per_sec: ['pages/s', 'pages put on the free lists (pgfree)'],
  scan_kswapd_pages_per_sec: ['pages/s', 'pages scanned by kswapd (pgscan_kswapd)'],
  scan_direct_pages_per_sec: ['pages/s', 'pages scanned by direct reclaim (pgscan_direct)'],
  scan_pages_per_sec: ['pages/s', 'pages scanned by reclaim (pgscan)'],
  steal_pages_per_sec: ['pages/s', 'pages reclaimed, kswapd and direct (pgsteal)'],
  steal_kswapd_pages_per_sec: ['pages/s', 'pages reclaimed by kswapd (pgsteal_kswapd)'],
  steal_direct_pages_per_sec: ['pages/s', 'pages reclaimed by direct reclaim (pgsteal_direct)'],
  vm_efficiency_pct: ['%', 'pages reclaimed per page scanned (sar %vmeff)'],
  refault_pages_per_sec: ['pages/s', 'working-set refaults, anon and file'],
  refault_anon_pages_per_sec: ['pages/s', 'anonymous working-set refaults (workingset_refault_anon)'],
  refault_file_pages_per_sec: ['pages/s', 'file working-set refaults (workingset_refault_file)'],
  activate_anon_pages_per_sec: ['pages/s', 'refaulted anon pages activated at once (workingset_activate_anon)'],
  activate_file_pages_per_sec: ['pages/s', 'refaulted file pages activated at once (workingset_activate_file)'],
  restore_anon_pages_per_sec: [
    'pages/s',
    'refaulted anon pages that were in the working set when evicted: PSI counts the wait for their read (workingset_restore_anon)',
  ],
  restore_file_pages_per_sec: [
    'pages/s',
    'refaulted file pages that were in the working set when evicted: PSI counts the wait for their read (workingset_restore_file)',
  ],
  swap_readahead_pages_per_sec: ['pages/s', 'pages read by swap readahead besides the faulting one (swap_ra)'],
  swap_readahead_hits_per_sec: ['pages/s', 'faults that found a page swap readahead had read (swap_ra_hit)'],
  oom_kills_per_sec: ['kills/s', 'OOM kills (oom_kill)'],
  // vmstat scheduler and CPU
  runnable_procs: ['count', 'runnable tasks (vmstat r)'],
  blocked_procs: ['count', 'tasks in uninterruptible sleep (vmstat b)'],
  interrupts_per_sec: ['interrupts/s', 'interrupts (vmstat in)'],
  context_switches_per_sec: ['switches/s', 'context switches (vmstat cs)'],
  cpu_user_pct: ['%', 'CPU time in user mode, nice included, guest excluded'],
  cpu_system_pct: ['%', 'CPU time in the kernel, irq and softirq included'],
  cpu_idle_pct: ['%', 'CPU time idle'],
  cpu_iowait_pct: ['%', 'CPU time idle while I/O was outstanding'],
  cpu_steal_pct: ['%', 'CPU time stolen by the hypervisor'],
  cpu_guest_pct: ['%', 'CPU time running guests'],
  // PSI
  psi_some_avg10_pct: ['%', 'PSI memory some, 10 s average'],
  psi_some_avg60_pct: ['%', 'PSI memory some, 60 s average'],
  psi_some_avg300_pct: ['%', 'PSI memory some, 300 s average'],
  psi_some_stall_pct: ['%', 'PSI memory some: stalled time per wall time over the interval, from total='],
  psi_full_avg10_pct: ['%', 'PSI memory full, 10 s average'],
  psi_full_avg60_pct: ['%', 'PSI memory full, 60 s average'],
  psi_full_avg300_pct: ['%', 'PSI memory full, 300 s average'],
  psi_full_stall_pct: ['%', 'PSI memory full: stalled time per wall time over the interval, from total='],
} as const satisfies Record<string, readonly [string, string]>;

export type CatalogueName = keyof typeof CATALOGUE;

export function column(name: CatalogueName): ObservedColumn {
  const [unit, description] = CATALOGUE[name];
  return { name, unit, description };
}

export function catalogueEntries(): ObservedColumn[] {
  return (Object.keys(CATALOGUE) as CatalogueName[]).map(column);
}

/** `Web Content` → `web_content`, `kworker/0:1` → `kworker_0_1`: a prefix safe in a CSV header. */
export function sanitizeName(raw: string): string {
  const s = raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s === '' ? 'unnamed' : s;
}
