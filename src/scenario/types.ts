/**
 * The resolved scenario: what the loader produces from YAML after validation, unit
 * parsing, defaults, sugar expansion (systemd, Kubernetes) and sweep substitution, and
 * what the engine and kernel consume. Sizes are bytes, times are milliseconds of
 * simulated time, rates are per second. `Infinity` means "max"/unlimited (these objects
 * cross worker boundaries by structured clone, which keeps Infinity; they are never
 * written as JSON directly).
 */

export type SwapDeviceKind = 'hdd' | 'ssd' | 'nvme' | 'zram' | 'none' | 'custom';

export interface SwapConfig {
  sizeBytes: number;
  device: SwapDeviceKind;
  /** Service time of one 4 KiB random read at queue depth 1, unloaded. */
  readLatencyUs: number;
  writeLatencyUs: number;
  /** Maximum random 4 KiB operations per second the device sustains. */
  iops: number;
  bandwidthBytesPerSec: number;
  /**
   * Throughput of the large sequential reads page-cache readahead issues (`read_ahead_kb`
   * windows split into requests of `max_sectors_kb`, from large folios, a window ahead of the
   * reader). A virtual disk can serve these much faster than `bandwidth`, which is measured
   * with 1 MiB O_DIRECT requests from a 4 KiB-page buffer (split into 512 KiB requests).
   */
  readaheadBytesPerSec: number;
  /** Parallel service channels for queueing (1 for a disk; tens for NVMe). */
  queueDepth: number;
  /**
   * The block device says it is rotational (`/sys/block/<dev>/queue/rotational`): the kernel
   * then reads swap ahead by swap-slot cluster, not by virtual address (many VMs' disks say so).
   */
  rotational: boolean;
  /**
   * The disk signals completions only when its queue drains (a virtio backend that serves the
   * ring until it is empty, then interrupts once): a read completes with the last request
   * queued behind it (filemap.ts `completeOnDrain`).
   */
  completesOnDrain: boolean;
  /** zram only: uncompressed/compressed size ratio, and CPU per page for each direction. */
  compressionRatio: number;
  compressCpuUs: number;
  decompressCpuUs: number;
}

/** The vm.* sysctls faultline models, by their kernel names. */
export interface Sysctls {
  'vm.swappiness': number;
  'vm.overcommit_memory': 0 | 1 | 2;
  'vm.overcommit_ratio': number;
  'vm.overcommit_kbytes': number;
  'vm.min_free_kbytes': number;
  'vm.watermark_scale_factor': number;
  'vm.page-cluster': number;
  'vm.vfs_cache_pressure': number;
}

/**
 * Costs and kernel constants. Those marked [unverified] in kernel-model.md are here so
 * that a user (or `faultline calibrate`) can override them.
 */
export interface HostCosts {
  /** CPU per minor fault (trap, page-table update, zeroing). */
  minorFaultCpuUs: number;
  /** CPU per major fault, excluding the device wait. */
  majorFaultCpuUs: number;
  /** CPU per page scanned by reclaim (kswapd or direct). */
  reclaimScanCpuUs: number;
  /** CPU per page reclaim writes out (unmap, swap slot, IO submission). */
  pageOutCpuUs: number;
  /** Extra wait of the first read a thread issues after sleeping idle (its CPU's exit from idle). */
  idleWakeReadUs: number;
}

export interface KernelParams {
  /** DEF_PRIORITY: scan size = list size >> priority. */
  defPriority: number;
  /** SWAP_CLUSTER_MAX: direct reclaim target per attempt, in pages. */
  swapClusterMax: number;
  /** MAX_RECLAIM_RETRIES before OOM. */
  maxReclaimRetries: number;
  /** memory.high throttling: maximum sleep per return to user space, ms. */
  memoryHighMaxDelayMs: number;
  /** Internal simulation tick, ms (output series use `stepMs`). */
  tickMs: number;
  /** A task's timer slack (`timer_slack_ns`), ms: how late a sleep until a due time ends. */
  timerSlackMs: number;
  /** How often reclaim's memcg statistics are flushed, ms; null: read live. */
  memcgStatsFlushMs: number | null;
}

export interface HostConfig {
  ramBytes: number;
  cpus: number;
  pageSizeBytes: number;
  thp: 'always' | 'madvise' | 'never';
  swap: SwapConfig;
  sysctl: Sysctls;
  /** `linux` (two-list LRU, the default), `mglru`, or any registered replacement policy spec (`clock:bits=2`). */
  policy: string;
  costs: HostCosts;
  kernel: KernelParams;
  /** RAM not available to the simulated processes (kernel, other daemons). */
  reservedBytes: number;
}

export interface CgroupConfig {
  /** Slash-separated path from the root, e.g. `batch` or `system.slice/db.service`. */
  path: string;
  /** Parent path, or null for a top-level cgroup. */
  parent: string | null;
  /** cgroup v2 files, bytes (Infinity = max). */
  min: number;
  low: number;
  high: number;
  max: number;
  swapMax: number;
  oomGroup: boolean;
  /** cgroup v1 memory.soft_limit_in_bytes (Infinity = unset): reclaimed first under global pressure. */
  softLimit: number;
  /** cgroup v1 memory.memsw.limit_in_bytes (memory + swap), Infinity = unset. */
  memswLimit: number;
  /** cgroup v1 memory.swappiness; null inherits the host's vm.swappiness. */
  swappiness: number | null;
  /** Where the limits came from, for reports: `v2`, `v1`, `systemd`, `kubernetes`. */
  origin: 'v2' | 'v1' | 'systemd' | 'kubernetes';
}

export type AccessPattern =
  | { kind: 'uniform' }
  | { kind: 'zipf'; alpha: number }
  | { kind: 'hotcold'; hotFraction: number; hotProbability: number }
  /** One sequential pass after another over the working set (a scan, e.g. a backup). */
  | { kind: 'scan' }
  /** A sequential loop over the first `fraction` of the working set. */
  | { kind: 'loop'; fraction: number }
  | TracePattern
  | MrcPattern;

/** A recorded page-reference trace replayed as the process's stream (docs/scenario.md, "Traces"). */
export interface TracePattern {
  kind: 'trace';
  /** Absolute path (resolved beside the scenario file). */
  file: string;
  /** As `faultline replay --trace-format`; auto is detected when the trace is read. */
  format: 'auto' | 'txt' | 'csv' | 'msr' | 'oracleGeneral';
  read: TraceRead;
  /** rate: one reference per touch; timestamps: no reference before its time in the trace. */
  timing: 'rate' | 'timestamps';
  /** Milliseconds per unit of the trace's time column (timing timestamps); null: from the format when read. */
  timeUnitMs: number | null;
  atEnd: 'loop' | 'stop';
  region: 'anon' | 'file';
  /** `file:line:col` of the pattern in the scenario, for errors found when the trace is read. */
  where: string;
  /** The trace as read before the run (workload/trace-prepare.ts); null until then. */
  prepared: PreparedTrace | null;
}

/** A trace read into scratch files for TraceStream. Plain data: it crosses worker threads. */
export interface PreparedTrace {
  /** Dense page ids (0 … distinctPages−1 by first appearance), int32 little-endian, one per reference. */
  idsFile: string;
  /** Each reference's time after the first, in units of the trace, float64 little-endian; null without timing timestamps. */
  timesFile: string | null;
  /** Milliseconds per unit of timesFile. */
  timeUnitMs: number;
  references: number;
  distinctPages: number;
  /** The format as read (detected when `auto`). */
  format: 'txt' | 'csv' | 'msr' | 'oracleGeneral';
  /** Time of the last reference after the first, ms (0 without times). */
  spanMs: number;
}

/** The reading flags of `faultline replay` (docs/traces.md); the page size is the host's. */
export interface TraceRead {
  header?: boolean;
  delimiter?: string;
  idCol?: string | number;
  timeCol?: string | number;
  opCol?: string | number;
  offsetCol?: string | number;
  sizeCol?: string | number;
  ids: 'auto' | 'dec' | 'hex' | 'string';
  expandPages: boolean;
  offsetUnit: number;
  ops?: string[];
  lenient: boolean;
}

/** A stream synthesised from a measured LRU miss-ratio curve (read when the scenario loads). */
export interface MrcPattern {
  kind: 'mrc';
  file: string;
  region: 'anon' | 'file';
  /** The curve: ascending cache sizes in pages and the LRU miss ratio at each (non-increasing). */
  frames: number[];
  missRatio: number[];
  /** Distinct pages of the measured trace, when the file states them (json), else the largest size. */
  distinctPages: number;
}

export interface AccessPhase {
  /**
   * When the phase starts, after the process start: by time, or by the process's touches
   * (real pages). The first phase starts at 0; a process's later phases all use one of the two
   * (the other is 0).
   */
  atMs: number;
  atTouches: number;
  pattern: AccessPattern;
  /** Touch rate in this phase (Infinity: max); null: the process's touchesPerSec. */
  touchesPerSec: number | null;
}

export interface RequestModel {
  /**
   * Open loop: arrivals per second. Closed loop: the most its clients can send,
   * clients / (cpu + think time), used only to size the replay in advance.
   */
  ratePerSec: number;
  /** CPU time each request needs when nothing stalls it. */
  cpuMs: number;
  /** Pages each request touches, drawn from the process's access pattern. */
  pagesPerRequest: number;
  /** Closed loop: clients that wait for each reply, then think (exponential, this mean); null: open loop. */
  closed: { clients: number; thinkTimeMs: number } | null;
  /**
   * How an idle thread learns of a request: woken by its arrival (`event`), or by its own timer
   * set to the due time (`timer`: it wakes a timer slack late, and the request counts from its wake).
   */
  wake: 'event' | 'timer';
}

export type Advice = 'normal' | 'random' | 'sequential' | 'hugepage' | 'nohugepage';

export interface ProcessConfig {
  /** Unique name; replicas are expanded to `name-1`, `name-2`, … */
  name: string;
  /** Path of its cgroup (one of `Scenario.cgroups`), or `''` for the root cgroup (no limits). */
  cgroup: string;
  startMs: number;
  /** Infinity: runs to the end. */
  stopMs: number;
  memory: {
    /** Anonymous working set the process reaches (after growth). */
    anonBytes: number;
    /** Anonymous working set at start; grows to anonBytes at growthBytesPerSec. */
    anonInitialBytes: number;
    growthBytesPerSec: number;
    /** Memory allocated, touched once and never used again, per second (a leak). */
    leakBytesPerSec: number;
    /** File-backed working set (page cache the process reads). */
    fileBytes: number;
    /** Memory charged to the cgroup at start that reclaim never takes (kernel structures, stack). */
    fixedBytes: number;
    /** Share of file pages the process dirties (must be written back before reclaim). */
    fileDirtyFraction: number;
    /** Share of touches that first-touch grown pages while any wait (1: growth takes every touch). */
    growthShare: number;
    /** madvise(2) advice on the heap. */
    anonAdvice: Advice;
    /**
     * The region whose size is the distinct pages of the process's trace, known only when the
     * trace is read (its bytes above are 0 until then); null when every size is given.
     */
    sizedByTrace: 'anon' | 'file' | null;
  };
  /** Access pattern over the working set, changing at phase boundaries (first phase at 0). */
  access: AccessPhase[];
  /** Page touches per second when running unstalled (all threads together); Infinity: max (CPU-bound). */
  touchesPerSec: number;
  /**
   * How the rate is kept: closed-loop (touchesPerSec per unstalled second) or wall-clock
   * (per second of wall time, making up at most catchUpMs of touches owed after a stall).
   */
  pacing: { mode: 'closed-loop' | 'wall-clock'; catchUpMs: number };
  /** Order of first touches: ascending addresses, or hottest first (the old behaviour). */
  firstTouch: 'address' | 'rank';
  /** Exits after this many touches (real pages); Infinity: never. */
  stopAfterTouches: number;
  /** Share of touches that go to file-backed pages (the rest to anonymous memory). */
  fileTouchFraction: number;
  /** perTouchUs: CPU per touch that hits, with touchesPerSec max. */
  cpu: { threads: number; cores: number; perTouchUs: number };
  /** How the file working set is reached (the kernel's readahead and fadvise read it). */
  fileAccess: { via: 'mmap' | 'read'; advice: Advice; readAheadKb: number };
  requests: RequestModel | null;
  oomScoreAdj: number;
  /** RLIMIT_AS (ulimit -v), Infinity = unlimited. */
  rlimitAsBytes: number;
  /** Fork with copy-on-write: a child of `parent` shares its pages until it writes them. */
  forkOf: string | null;
  /** Share of shared pages the child writes (and so copies), when forkOf is set. */
  cowWriteFraction: number;
}

export type ScenarioEvent =
  | { atMs: number; action: 'start'; process: string; label: string }
  | { atMs: number; action: 'kill'; process: string; label: string }
  | { atMs: number; action: 'sysctl'; name: keyof Sysctls; value: number; label: string }
  | {
      atMs: number;
      action: 'cgroup';
      cgroup: string;
      /** The kernel file name as written (`memory.max`, `memory.soft_limit_in_bytes`). */
      file: string;
      /** The CgroupConfig field the file sets (`memory.limit_in_bytes` and `memory.max` both set `max`). */
      field: CgroupField;
      /** Bytes (Infinity for max/none), a boolean for memory.oom.group, a number for memory.swappiness. */
      value: number | boolean | null;
      label: string;
    };

/** The CgroupConfig fields a cgroup file (or an event) can set. */
export type CgroupField = Exclude<keyof CgroupConfig, 'path' | 'parent' | 'origin'>;

export interface OomDaemonConfig {
  kind: 'systemd-oomd' | 'oomd';
  /** cgroups it watches (systemd-oomd: units with ManagedOOMMemoryPressure=kill). */
  cgroups: string[];
  /**
   * Memory pressure limit (PSI full avg10 for systemd-oomd; some or full for oomd), percent.
   * Infinity: no pressure rule (systemd-oomd with ManagedOOMMemoryPressure=auto).
   */
  pressureLimitPct: number;
  pressureKind: 'some' | 'full';
  durationMs: number;
  /** systemd-oomd ManagedOOMSwap: kill when swap used exceeds this percent (null: off). */
  swapUsedLimitPct: number | null;
  /** oomd: which cgroup to kill. */
  victim: 'biggest' | 'fastest-growing' | 'most-reclaim';
}

export interface ExpectConfig {
  /** The check as written, for messages and reports. */
  source: string;
  /** `host.faultCpuPct`, `processes.db.latencyMs`, `cgroups.batch.usageBytes`, `oomKills`. */
  metric: string;
  aggregation: string;
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  threshold: number;
  level: 'warn' | 'error';
  where: string;
}

export interface ObservedConfig {
  /** Importer kind (`vmstat`, `sar`, `psi`, `proc-vmstat`, `ps`, `memory-stat`, `csv`). */
  kind: string;
  file: string;
  /**
   * Without `startTimeMs`: simulated time the first sample aligns with. With it: added to the
   * file's own clock (a box whose clock was off).
   */
  offsetMs: number;
  /** The scenario's `startTime` (epoch ms): the file's rows land at their wall-clock time minus it. */
  startTimeMs?: number;
  /** The scenario cgroup a memory-stat or psi file measures. */
  cgroup?: string;
  /** ps / pid-stat: scenario process → observed pid or column prefix. */
  processes?: Record<string, string>;
}

/** An unknown of `faultline fit`, declared in the scenario's `fit:` section. */
export interface FitUnknown {
  /** The dotted field path as written (a sweep path). */
  path: string;
  /** The range's ends in the field's notation, same unit: `8Gi`, `24Gi`; `0.6`, `1.2`. */
  low: string;
  high: string;
  /** `file:line:col` of the entry, for messages. */
  where: string;
}

export interface FidelityConfig {
  /** auto: exact when it fits the time budget, sampled otherwise. */
  mode: 'auto' | 'exact' | 'sampled';
  /** Forced sample rate for `sampled` (0 < r ≤ 1). */
  sampleRate: number | null;
  /** Wall-time budget for one variant in auto mode. */
  timeBudgetMs: number;
}

export interface Scenario {
  name: string;
  title: string;
  description: string;
  /** The file it was loaded from, as given. */
  file: string;
  seed: number;
  durationMs: number;
  /** Output series resolution. */
  stepMs: number;
  host: HostConfig;
  cgroups: CgroupConfig[];
  processes: ProcessConfig[];
  events: ScenarioEvent[];
  oomDaemons: OomDaemonConfig[];
  expect: ExpectConfig[];
  observed: ObservedConfig[];
  /**
   * `fit:` unknowns, in file order. The loader always sets it (empty without the section);
   * optional so that Scenario objects built by hand (tests, library callers) stay valid.
   */
  fit?: FitUnknown[];
  fidelity: FidelityConfig;
  /** Suspicious settings found while loading; kept in the result. */
  warnings: { code: string; message: string; where?: string }[];
}

/** One point of a sweep: a fully resolved scenario plus what distinguishes it. */
export interface Variant {
  /** Stable readable id, e.g. `swappiness-10_batch-max-32Gi`; `base` without a sweep. */
  id: string;
  params: Record<string, string | number | boolean | null>;
  scenario: Scenario;
}
