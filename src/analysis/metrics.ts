/**
 * The metric registry: every series and summary figure faultline produces, with its unit
 * and definition. The kernel writes series under these names, `expect:` checks are
 * validated against them before anything runs, and reports print the definitions.
 * Adding a series means adding it here first.
 */

export type MetricUnit = 'pct' | 'perSec' | 'pagesPerSec' | 'bytes' | 'pages' | 'ms' | 'count';

export interface MetricDef {
  unit: MetricUnit;
  description: string;
}

/** Per-step host series (`result.host.<name>[i]` is the value over step i). */
export const HOST_SERIES = {
  minorFaultsPerSec: {
    unit: 'perSec',
    description: 'Minor page faults per second, all processes (page mapped without I/O).',
  },
  majorFaultsPerSec: {
    unit: 'perSec',
    description:
      'Major page faults per second, all processes (page read from swap or file: the process waits for the device).',
  },
  swapInPagesPerSec: { unit: 'pagesPerSec', description: 'Pages read from swap per second (vmstat si, in pages).' },
  swapOutPagesPerSec: { unit: 'pagesPerSec', description: 'Pages written to swap per second (vmstat so, in pages).' },
  faultCpuPct: {
    unit: 'pct',
    description:
      'CPU time lost to faulting, over the CPU capacity (cpus × step), in percent: busy (fault handling cpuFaultPct + reclaim cpuReclaimPct) plus waiting (cpuIowaitPct: capacity idle while its tasks are stalled on memory).',
  },
  cpuUserPct: { unit: 'pct', description: 'CPU doing the processes’ own work, percent of capacity.' },
  cpuFaultPct: {
    unit: 'pct',
    description: 'CPU in page-fault handling (trap, page-table work, zram decompression), percent of capacity.',
  },
  cpuReclaimPct: {
    unit: 'pct',
    description: 'CPU in reclaim (kswapd and direct reclaim, zram compression), percent of capacity.',
  },
  cpuIowaitPct: {
    unit: 'pct',
    description:
      'Waiting: runnable capacity left idle because its tasks are stalled on memory (swap and file reads, writeback during direct reclaim, memory.high throttling), percent of capacity.',
  },
  cpuIdlePct: { unit: 'pct', description: 'CPU with nothing to do, percent of capacity.' },
  memFreeBytes: { unit: 'bytes', description: 'Free RAM at the end of the step.' },
  memAnonBytes: { unit: 'bytes', description: 'Resident anonymous memory, all processes.' },
  memFileBytes: { unit: 'bytes', description: 'Page cache (resident file-backed pages).' },
  swapUsedBytes: {
    unit: 'bytes',
    description: 'Swap space in use (after compression for zram: the uncompressed size is counted).',
  },
  psiSomeAvg10Pct: {
    unit: 'pct',
    description:
      'Memory PSI "some" avg10: share of time at least one task stalled on memory (10 s exponential average, as the kernel computes it).',
  },
  psiFullAvg10Pct: {
    unit: 'pct',
    description: 'Memory PSI "full" avg10: share of time all non-idle tasks stalled on memory at once.',
  },
  psiSomePct: { unit: 'pct', description: 'Memory PSI "some" over the step itself (no averaging).' },
  psiFullPct: { unit: 'pct', description: 'Memory PSI "full" over the step itself (no averaging).' },
  swapDeviceUtilPct: {
    unit: 'pct',
    description: 'Swap device utilisation (busy time over step); queueing grows as it nears 100.',
  },
  swapReadLatencyMs: {
    unit: 'ms',
    description: 'Mean response time of a swap read, service plus queueing, in the step.',
  },
} as const satisfies Record<string, MetricDef>;

/** Per-step series for each process (`result.processes.<name>.<metric>[i]`). */
export const PROCESS_SERIES = {
  minorFaultsPerSec: { unit: 'perSec', description: 'Minor faults per second of this process.' },
  majorFaultsPerSec: { unit: 'perSec', description: 'Major faults per second of this process.' },
  rssBytes: { unit: 'bytes', description: 'Resident set size (anonymous + mapped file pages) at the end of the step.' },
  anonBytes: { unit: 'bytes', description: 'Resident anonymous memory at the end of the step.' },
  swapBytes: { unit: 'bytes', description: 'This process’s pages in swap at the end of the step.' },
  stallPct: {
    unit: 'pct',
    description:
      'Share of the process’s thread time stalled on memory (major-fault waits, direct reclaim, memory.high throttling).',
  },
  cpuUserPct: { unit: 'pct', description: 'CPU doing this process’s own work, percent of host capacity.' },
  latencyP50Ms: { unit: 'ms', description: 'Median latency of requests completed in the step (request model only).' },
  latencyP99Ms: {
    unit: 'ms',
    description: '99th percentile latency of requests completed in the step (request model only).',
  },
  requestsPerSec: { unit: 'perSec', description: 'Requests completed per second (request model only).' },
} as const satisfies Record<string, MetricDef>;

/** Per-step series for each cgroup (`result.cgroups.<path>.<metric>[i]`). */
export const CGROUP_SERIES = {
  usageBytes: { unit: 'bytes', description: 'memory.current: pages charged to the cgroup (anon + page cache).' },
  swapBytes: { unit: 'bytes', description: 'memory.swap.current: swap used by the cgroup.' },
  majorFaultsPerSec: { unit: 'perSec', description: 'Major faults per second in the cgroup.' },
  throttledMsPerSec: {
    unit: 'ms',
    description: 'memory.high throttling sleep imposed on the cgroup’s tasks, ms per second.',
  },
  psiSomeAvg10Pct: { unit: 'pct', description: 'memory.pressure "some" avg10 of the cgroup.' },
  psiFullAvg10Pct: { unit: 'pct', description: 'memory.pressure "full" avg10 of the cgroup.' },
} as const satisfies Record<string, MetricDef>;

/** Whole-run counters (`result.summary.host.<name>`), usable bare in `expect:` (e.g. `oomKills == 0`). */
export const RUN_COUNTERS = {
  oomKills: { unit: 'count', description: 'Processes killed by the kernel OOM killer or a userspace OOM daemon.' },
  allocFailures: { unit: 'count', description: 'Allocations refused (ENOMEM) by overcommit or RLIMIT_AS.' },
  swapInPages: { unit: 'pages', description: 'Pages read from swap over the run.' },
  swapOutPages: { unit: 'pages', description: 'Pages written to swap over the run.' },
  majorFaults: { unit: 'count', description: 'Major faults over the run, all processes.' },
  minorFaults: { unit: 'count', description: 'Minor faults over the run, all processes.' },
} as const satisfies Record<string, MetricDef>;

/** Request latency distribution of a process (`processes.<name>.latencyMs`), aggregated over all its requests. */
export const LATENCY_METRIC: MetricDef = {
  unit: 'ms',
  description: 'Request latency: CPU time plus waits on faults, reclaim and throttling, per request.',
};

export type HostSeriesName = keyof typeof HOST_SERIES;
export type ProcessSeriesName = keyof typeof PROCESS_SERIES;
export type CgroupSeriesName = keyof typeof CGROUP_SERIES;
export type RunCounterName = keyof typeof RUN_COUNTERS;

/** Aggregations an `expect:` check may apply to a series (over time) or to latencyMs (over requests). */
export const AGGREGATIONS = ['max', 'min', 'avg', 'last', 'p(N)'] as const;
