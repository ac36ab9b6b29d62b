/**
 * The scenario format: the one source of truth. Validation (with `loader.ts` turning
 * issues into file:line:col diagnostics), defaults (`.default()`), the JSON Schema
 * (`json-schema.ts`) and the field reference `docs/scenario.md` (`field-docs.ts`) all
 * come from these zod schemas. They describe the YAML as written (sizes and durations
 * are strings); `resolve.ts` turns the parsed spec into the resolved `Scenario`.
 *
 * Every field carries `meta`: `description` (meaning), and where they apply `unit`,
 * `defaultText` (a default computed from other fields) and `examples`. `unit` and
 * `defaultText` are stripped from the published JSON Schema (they are not JSON Schema
 * keywords) but printed in the field reference.
 */
import { z } from 'zod';
import { TELEMETRY_KINDS } from '../traces/telemetry/types.js';
import { parseDuration, parseSize, sizeCaseHint } from '../util/units.js';
import { FIT_RANGE_PATTERN } from './fit-range.js';

export interface FieldMeta {
  description: string;
  unit?: string;
  /** A default that depends on other fields (the JSON Schema `default` holds fixed ones). */
  defaultText?: string;
  examples?: unknown[];
}

function meta<T extends z.ZodType>(schema: T, m: FieldMeta): T {
  return schema.meta({ ...m }) as T;
}

/**
 * The value schema of a map (`cgroups`, `processes`, `expect`, …) with a description: editors
 * show it on hover over a map key (`batch:`), which has no property schema of its own.
 */
function entry<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description }) as T;
}

/** Bounds on inputs that would otherwise pass validation and fail the run (docs/outputs.md, "Work bounds"). */
export const MAX_NAME_LENGTH = 200;
export const MAX_DURATION_MS = 31 * 24 * 3_600_000;
export const MAX_TOUCHES_PER_SEC = 1e9;
export const MAX_REQUESTS_PER_SEC = 1e6;
/** 1 EiB: sizes past it are no host's, and kernel formulas on them (int_sqrt) leave exact arithmetic. */
export const MAX_SIZE_BYTES = 2 ** 60;

// ---------------------------------------------------------------------------------------
// Scalars with units. Error messages name what was expected, what was found and a fix;
// a `\n` separates the message from the hint (see loader.ts).

/** Kubernetes-style size: Ki/Mi/Gi/Ti/Pi are powers of 1024, K/M/G/T/P powers of 1000 (util/units.ts). */
const SIZE_BODY = '[0-9]+(\\.[0-9]+)?\\s*([KMGTP]i|[kKMGTP])?B?';
const DURATION_BODY = '([0-9]+(\\.[0-9]+)?\\s*(us|µs|ms|s|min|m|h)\\s*)+';

export function describeFound(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (typeof input === 'string') return `"${input}"`;
  if (typeof input === 'number') return String(input);
  if (typeof input === 'boolean') return `${input}`;
  if (Array.isArray(input)) return 'a list';
  return 'a map';
}

function unitString(kind: 'size' | 'duration', specials: readonly string[]) {
  const body = kind === 'size' ? SIZE_BODY : DURATION_BODY;
  const alternatives = [...specials, body].join('|');
  const pattern = new RegExp(`^\\s*(${alternatives})\\s*$`);
  const what =
    kind === 'size'
      ? 'a size with a unit such as "64Gi" or "512Mi"'
      : 'a duration with a unit such as "150ms", "30s" or "2m"';
  const special = specials.length > 0 ? ` or ${specials.map((s) => `"${s}"`).join(' / ')}` : '';
  const hint =
    kind === 'size'
      ? 'Ki/Mi/Gi are powers of 1024, K/M/G powers of 1000, e.g. 64Gi'
      : 'units: us, ms, s, m (or min), h; e.g. 1h30m';
  const error = (input: unknown) => {
    const fix =
      typeof input !== 'number'
        ? (kind === 'size' && typeof input === 'string' && sizeCaseHint(input)) || hint
        : input === 0
          ? 'quote it: "0"'
          : `write "${input}${kind === 'size' ? 'Gi' : 's'}"?`;
    if (input === undefined) return `missing; expected ${what}${special}\n${hint}`;
    const found = typeof input === 'number' ? `the bare number ${input}` : describeFound(input);
    return `expected ${what}${special}, found ${found}\n${fix}`;
  };
  const text = z.string({ error: (iss) => error(iss.input) }).regex(pattern, { error: (iss) => error(iss.input) });
  if (kind !== 'size') return text;
  return text.refine((t) => specials.includes(t.trim()) || (parseSize(t) ?? 0) <= MAX_SIZE_BYTES, {
    error: (iss) =>
      `expected at most 1024Pi (1 EiB), found ${describeFound(iss.input)}\nno host has more; larger sizes lose the precision of a byte count`,
  });
}

export const size = () => unitString('size', []);
export const sizeOrMax = () => unitString('size', ['max']);
export const sizeOrNone = () => unitString('size', ['none', 'max']);
export const duration = () => unitString('duration', []);
export const durationOrNever = () => unitString('duration', ['never']);

/** A percentage: a number 0–100 or a string such as "60%". */
export const percent = () =>
  z.union([z.number().min(0).max(100), z.string().regex(/^\s*[0-9]+(\.[0-9]+)?\s*%\s*$/)], {
    error: (iss) =>
      iss.input === undefined
        ? 'missing; expected a percentage such as 60 or "60%"'
        : `expected a percentage such as 60 or "60%", found ${describeFound(iss.input)}`,
  });

const fraction = () => z.number().min(0).max(1);

/** Names of processes, and path segments of cgroups: safe in files, ids and metric paths. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.@:-]*$/;

// ---------------------------------------------------------------------------------------
// Host

const SWAP_DEVICES = ['hdd', 'ssd', 'nvme', 'zram', 'none', 'custom'] as const;

const SwapSpec = z.strictObject({
  size: meta(size().default('0'), {
    description: 'Swap space. 0 (the default) means no swap.',
    unit: 'size',
    examples: ['128Gi'],
  }),
  device: meta(z.enum(SWAP_DEVICES).optional(), {
    description:
      'Device preset giving the fields below their defaults (kernel-model.md §8.3): hdd (10 ms, 120 IOPS, 1 channel), ssd (SATA, 80 µs read, 90K IOPS, 32 channels), nvme (60 µs read, 500K IOPS, 64 channels), zram (compressed RAM, CPU-bound: 2 µs decompression and 5 µs compression of CPU per page, ratio 2.5), none, or custom (every device field must be given).',
    unit: 'preset',
    defaultText: 'ssd when size > 0, none otherwise',
    examples: ['nvme'],
  }),
  readLatency: meta(duration().optional(), {
    description: 'Service time of one 4 KiB random read at queue depth 1, unloaded.',
    unit: 'duration',
    defaultText: 'from device',
    examples: ['80us'],
  }),
  writeLatency: meta(duration().optional(), {
    description: 'Service time of one 4 KiB write.',
    unit: 'duration',
    defaultText: 'from device',
    examples: ['80us'],
  }),
  iops: meta(z.number().positive().optional(), {
    description: 'Random 4 KiB operations per second the device sustains at high queue depth.',
    unit: 'operations/s',
    defaultText: 'from device',
    examples: [90000],
  }),
  bandwidth: meta(size().optional(), {
    description: 'Sequential throughput per second.',
    unit: 'size per second',
    defaultText: 'from device',
    examples: ['500M'],
  }),
  readaheadBandwidth: meta(size().optional(), {
    description:
      'Throughput per second of the large sequential reads file readahead issues (read_ahead_kb windows in requests of max_sectors_kb). `faultline calibrate` measures it with O_DIRECT reads of that size from a huge-page buffer; a virtual disk often serves them twice as fast as smaller requests.',
    unit: 'size per second',
    defaultText: 'bandwidth',
    examples: ['2.5G'],
  }),
  queueDepth: meta(z.number().int().min(1).max(4096).optional(), {
    description: 'Parallel service channels for queueing: 1 for a disk, tens for NVMe.',
    unit: 'channels',
    defaultText: 'from device',
    examples: [32],
  }),
  rotational: meta(z.boolean().optional(), {
    description:
      'The disk reports itself rotational (/sys/block/<dev>/queue/rotational): swap readahead then reads the swap-slot cluster around a fault instead of the pages around its address. Many virtual disks report 1.',
    unit: 'flag',
    defaultText: 'true for hdd, false otherwise',
    examples: [true],
  }),
  completesOnDrain: meta(z.boolean().optional(), {
    description:
      "The disk signals its completions only when its queue drains (a virtio disk whose host backend serves the ring until it is empty and then interrupts once, as a Firecracker VM's does): a read finishes with the last request queued behind it. A read(2) reader then waits for two readahead windows at a time and copies the first while the disk idles.",
    unit: 'flag',
    defaultText: 'false',
    examples: [true],
  }),
  compressionRatio: meta(z.number().min(1).max(20).optional(), {
    description: 'zram only: uncompressed / compressed size (lz4 ≈ 2.6, zstd ≈ 3.5).',
    unit: 'ratio',
    defaultText: '2.5 for zram, 1 otherwise',
    examples: [3.5],
  }),
  compressCpu: meta(duration().optional(), {
    description: 'zram only: CPU time to compress one page on swap-out (charged to the reclaimer).',
    unit: 'duration',
    defaultText: '5us for zram, 0 otherwise',
    examples: ['5us'],
  }),
  decompressCpu: meta(duration().optional(), {
    description: 'zram only: CPU time to decompress one page on swap-in (charged to the faulting task).',
    unit: 'duration',
    defaultText: '2us for zram, 0 otherwise',
    examples: ['2us'],
  }),
});

/** The sysctls faultline models, with their kernel names, defaults and ranges (kernel-model.md §12). */
const SysctlSpec = z.strictObject({
  'vm.swappiness': meta(z.number().int().min(0).max(200).default(60), {
    description:
      'Relative cost of swapping anonymous memory vs dropping page cache; 100 = equal, 0 = swap only under pressure.',
    unit: 'ratio 0–200',
    examples: [10],
  }),
  'vm.overcommit_memory': meta(z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0), {
    description: '0 heuristic (refuse one request larger than RAM + swap), 1 always allow, 2 strict CommitLimit.',
    unit: 'mode',
    examples: [2],
  }),
  'vm.overcommit_ratio': meta(z.number().int().min(0).max(1000).default(50), {
    description: 'Mode 2: CommitLimit = RAM × ratio / 100 + swap.',
    unit: 'percent',
    examples: [80],
  }),
  'vm.overcommit_kbytes': meta(z.number().int().min(0).default(0), {
    description: 'Mode 2: when non-zero, CommitLimit = this + swap instead of the ratio.',
    unit: 'KiB',
    examples: [0],
  }),
  'vm.min_free_kbytes': meta(z.number().int().min(128).max(67108864).optional(), {
    description: 'Free memory the kernel keeps; sets the min watermark (kernel-model.md §1.1).',
    unit: 'KiB',
    defaultText: '4·sqrt(RAM in KiB), clamped to 128–262144',
    examples: [65536],
  }),
  'vm.watermark_scale_factor': meta(z.number().int().min(1).max(3000).default(10), {
    description: 'Gap between watermarks in 1/10000 of memory: higher wakes kswapd earlier.',
    unit: '1/10000 of RAM',
    examples: [100],
  }),
  'vm.page-cluster': meta(z.number().int().min(0).max(10).default(3), {
    description: 'Swap readahead: up to 2^page-cluster pages per swap-in; 0 disables readahead.',
    unit: 'log2 pages',
    examples: [0],
  }),
  'vm.vfs_cache_pressure': meta(z.number().int().min(0).max(10000).default(100), {
    description: 'Reclaim preference for dentry/inode caches relative to page cache; 100 = fair.',
    unit: 'ratio',
    examples: [50],
  }),
});

/** Real sysctls that people set and faultline does not model: named in errors so nobody thinks it is a typo. */
export const UNMODELLED_SYSCTLS = [
  'vm.max_map_count',
  'vm.dirty_ratio',
  'vm.dirty_background_ratio',
  'vm.dirty_bytes',
  'vm.dirty_background_bytes',
  'vm.dirty_expire_centisecs',
  'vm.dirty_writeback_centisecs',
  'vm.zone_reclaim_mode',
  'vm.nr_hugepages',
  'vm.nr_overcommit_hugepages',
  'vm.oom_kill_allocating_task',
  'vm.panic_on_oom',
  'vm.drop_caches',
  'vm.admin_reserve_kbytes',
  'vm.user_reserve_kbytes',
  'vm.watermark_boost_factor',
  'vm.lowmem_reserve_ratio',
  'vm.compaction_proactiveness',
  'vm.laptop_mode',
  'vm.stat_interval',
  'vm.oom_dump_tasks',
  'vm.extfrag_threshold',
];

const CostsSpec = z.strictObject({
  minorFault: meta(duration().default('1us'), {
    description: 'CPU per minor fault (trap, page-table update, zeroing); measured 0.5–4 µs.',
    unit: 'duration',
    examples: ['1.5us'],
  }),
  majorFault: meta(duration().default('10us'), {
    description: 'CPU per major fault excluding the device wait (fault, block layer, completion) [estimate].',
    unit: 'duration',
    examples: ['15us'],
  }),
  reclaimScan: meta(duration().default('0.1us'), {
    description: 'CPU per page scanned by reclaim, kswapd or direct [estimate].',
    unit: 'duration',
    examples: ['0.2us'],
  }),
  pageOut: meta(duration().default('11.5us'), {
    description:
      'CPU per page reclaim writes out (swap-out or dirty file writeback): unmapping it from every page table, the swap slot, the IO submission, and freeing it once written. The default was measured on a 2-vCPU VM with Linux 6.18 with perf (vmscan memcg_reclaim_begin/end, write_folio and sched_switch tracepoints): on-CPU time inside memcg reclaim per page written, 9.0–16.4 µs (median 11.9) in eight thrashing runs, less the scan cost.',
    unit: 'duration',
    examples: ['10us'],
  }),
  idleWakeRead: meta(duration().default('0us'), {
    description:
      'Extra time of the first read a request thread waits for after sleeping idle: the CPU it sleeps on has gone idle, and the read completion must bring it out of its idle state (a KVM guest with the haltpoll driver and no guest polling: the host wakes the halted vCPU). 0 on a host whose CPUs stay busy or wake at once. Measured on a 2-vCPU KVM guest with Linux 6.18 (O_DIRECT 4 KiB random reads of a virtio disk, 2 ms sleep before each group of four): the first read p50 104-106 µs against 50-52 µs back to back, the second 55-56 µs, the third and fourth as back to back.',
    unit: 'duration',
    examples: ['54us'],
  }),
});

const KernelSpec = z.strictObject({
  defPriority: meta(z.number().int().min(1).max(20).default(12), {
    description: 'DEF_PRIORITY: a reclaim pass scans list size >> priority pages.',
    unit: 'shift',
    examples: [12],
  }),
  swapClusterMax: meta(z.number().int().min(1).max(4096).default(32), {
    description: 'SWAP_CLUSTER_MAX: pages direct reclaim tries to free per attempt.',
    unit: 'pages',
    examples: [32],
  }),
  maxReclaimRetries: meta(z.number().int().min(1).max(1000).default(16), {
    description: 'MAX_RECLAIM_RETRIES: unproductive reclaim rounds before the OOM killer.',
    unit: 'rounds',
    examples: [16],
  }),
  memoryHighMaxDelay: meta(duration().default('2s'), {
    description: 'memory.high throttling: longest sleep per return to user space.',
    unit: 'duration',
    examples: ['2s'],
  }),
  tick: meta(duration().default('100ms'), {
    description: 'Internal simulation tick (output series use `step`).',
    unit: 'duration',
    examples: ['50ms'],
  }),
  timerSlack: meta(duration().default('50us'), {
    description:
      "A task's timer slack (`timer_slack_ns`: 50 µs unless prctl(PR_SET_TIMERSLACK) changes it). A sleep until a due time (clock_nanosleep) may end up to this late, and ends this late when no other timer on its CPU fires first: an hrtimer's interrupt is programmed for the end of its slack range. Applies to request threads with `wake: timer`.",
    unit: 'duration',
    examples: ['50us'],
  }),
  memcgStatsFlush: meta(duration().optional(), {
    description:
      "How often something reads the memory cgroups' memory.stat, which brings the statistics reclaim's heuristics read up to date: the LRU list sizes of inactive_is_low, the refault activations that let reclaim deactivate, the workingset size a refault is measured against. On Linux they are rstat counters flushed every 2 s by the kernel (FLUSH_TIME) and whenever memory.stat of a cgroup is read (its subtree); reclaim does not flush them itself. Set, they are as of the last flush, at this interval or every 2 s when this is longer; unset, the model reads them live. Not yet validated: set, the model also OOM-kills a process at 25–75 % of its working set where the kernel survives (docs/validation.md, item 2).",
    unit: 'duration',
    examples: ['100ms', '1s'],
  }),
});

const HostSpec = z.strictObject({
  ram: meta(size(), { description: 'Physical memory of the host.', unit: 'size', examples: ['64Gi'] }),
  cpus: meta(z.number().int().min(1).max(4096), {
    description: 'CPU cores (hardware threads) of the host.',
    unit: 'cores',
    examples: [16],
  }),
  pageSize: meta(z.enum(['4Ki', '16Ki', '64Ki', '2Mi', '1Gi']).default('4Ki'), {
    description:
      'Page size the simulation uses: 4Ki (x86-64), 16Ki/64Ki (arm64 kernels), or 2Mi / 1Gi to model a workload on huge pages.',
    unit: 'size',
    examples: ['2Mi'],
  }),
  reserved: meta(size().default('0'), {
    description: 'RAM not available to the simulated processes (kernel, other daemons).',
    unit: 'size',
    examples: ['2Gi'],
  }),
  swap: meta(SwapSpec.optional(), { description: 'Swap space and device.', defaultText: 'no swap' }),
  thp: meta(z.enum(['always', 'madvise', 'never']).default('madvise'), {
    description: 'Transparent huge pages mode (/sys/kernel/mm/transparent_hugepage/enabled).',
    unit: 'mode',
    examples: ['always'],
  }),
  sysctl: meta(SysctlSpec.prefault({}), {
    description:
      'vm.* sysctls, by their kernel names. Unknown names are errors; real sysctls faultline does not model (vm.max_map_count, vm.dirty_ratio, …) are rejected as such.',
  }),
  policy: meta(z.string().min(1).default('linux'), {
    description:
      'Page replacement: linux (two-list LRU with refault detection), mglru (multi-gen LRU), or a replacement policy spec from the registry such as clock:bits=2, replacing Linux reclaim ordering.',
    unit: 'policy spec',
    examples: ['mglru', 'clock:bits=2'],
  }),
  costs: meta(CostsSpec.prefault({}), {
    description: 'CPU costs of faults and reclaim (kernel-model.md §8.4); calibrate with `perf stat`.',
  }),
  kernel: meta(KernelSpec.prefault({}), {
    description: 'Kernel constants (kernel-model.md §12); change them only to test sensitivity.',
  }),
});

// ---------------------------------------------------------------------------------------
// Cgroups

export const V2_FILES = [
  'memory.min',
  'memory.low',
  'memory.high',
  'memory.max',
  'memory.swap.max',
  'memory.oom.group',
] as const;
export const V1_FILES = [
  'memory.limit_in_bytes',
  'memory.soft_limit_in_bytes',
  'memory.memsw.limit_in_bytes',
  'memory.swappiness',
] as const;
export type CgroupFile = (typeof V2_FILES)[number] | (typeof V1_FILES)[number];

/** Real cgroup files faultline does not model, rejected as such rather than as typos. */
export const UNMODELLED_CGROUP_FILES = [
  'memory.swap.high',
  'memory.zswap.max',
  'memory.zswap.writeback',
  'memory.reclaim',
  'memory.oom_control',
  'memory.kmem.limit_in_bytes',
  'memory.kmem.tcp.limit_in_bytes',
  'memory.use_hierarchy',
  'memory.move_charge_at_immigrate',
  'memory.pressure',
  'memory.current',
  'memory.peak',
  'memory.stat',
  'memory.events',
];

const SystemdSpec = z.strictObject({
  MemoryMin: meta(z.string().optional(), {
    description: 'systemd MemoryMin= → memory.min.',
    unit: 'systemd size',
    examples: ['2G'],
  }),
  MemoryLow: meta(z.string().optional(), {
    description: 'systemd MemoryLow= → memory.low.',
    unit: 'systemd size',
    examples: ['4G'],
  }),
  MemoryHigh: meta(z.string().optional(), {
    description: 'systemd MemoryHigh= → memory.high.',
    unit: 'systemd size',
    examples: ['20G'],
  }),
  MemoryMax: meta(z.string().optional(), {
    description: 'systemd MemoryMax= → memory.max.',
    unit: 'systemd size',
    examples: ['24G', '40%', 'infinity'],
  }),
  MemorySwapMax: meta(z.string().optional(), {
    description: 'systemd MemorySwapMax= → memory.swap.max.',
    unit: 'systemd size',
    examples: ['0', '8G'],
  }),
});

const K8sQuantity = z.strictObject({
  memory: meta(size(), {
    description: 'Kubernetes memory quantity (Mi/Gi powers of 1024, M/G powers of 1000).',
    unit: 'size',
    examples: ['512Mi'],
  }),
});

const KubernetesSpec = z.strictObject({
  requests: meta(K8sQuantity.optional(), { description: 'resources.requests of the container.' }),
  limits: meta(K8sQuantity.optional(), { description: 'resources.limits of the container.' }),
  memoryQoS: meta(z.enum(['off', 'on', 'tiered']).default('off'), {
    description:
      'kubelet MemoryQoS: off (the default: only memory.max = limit), on (also memory.high = request + 0.9 × (limit or allocatable − request), page-aligned), tiered (on, plus TieredReservation: memory.min = request for Guaranteed pods, memory.low = request for Burstable).',
    unit: 'mode',
    examples: ['tiered'],
  }),
});

const cgroupFileMeta = (file: CgroupFile, description: string, examples: unknown[]): FieldMeta => ({
  description: `${file}: ${description}`,
  unit: file === 'memory.oom.group' ? 'boolean' : file === 'memory.swappiness' ? 'ratio 0–200' : 'size',
  examples,
});

export const CgroupSpec = z.strictObject({
  'memory.min': meta(size().default('0'), cgroupFileMeta('memory.min', 'hard protection from reclaim.', ['1Gi'])),
  'memory.low': meta(
    size().default('0'),
    cgroupFileMeta('memory.low', 'best-effort protection: reclaimed only if nothing else is left.', ['4Gi']),
  ),
  'memory.high': meta(
    sizeOrMax().default('max'),
    cgroupFileMeta('memory.high', 'throttle limit: usage above it is reclaimed and its tasks slowed, never OOM.', [
      '30Gi',
    ]),
  ),
  'memory.max': meta(
    sizeOrMax().optional(),
    cgroupFileMeta('memory.max', 'hard limit: reclaim, then the cgroup OOM killer.', ['36Gi', 'max']),
  ),
  'memory.swap.max': meta(
    sizeOrMax().default('max'),
    cgroupFileMeta('memory.swap.max', 'swap the cgroup may use.', ['0', '8Gi']),
  ),
  'memory.oom.group': meta(
    z.boolean().default(false),
    cgroupFileMeta('memory.oom.group', 'on OOM, kill every task of the cgroup together.', [true]),
  ),
  'memory.limit_in_bytes': meta(
    sizeOrMax().optional(),
    cgroupFileMeta('memory.limit_in_bytes', 'cgroup v1 hard limit (same as memory.max; give one of the two).', [
      '36Gi',
    ]),
  ),
  'memory.soft_limit_in_bytes': meta(
    sizeOrNone().default('none'),
    cgroupFileMeta(
      'memory.soft_limit_in_bytes',
      'cgroup v1 soft limit: under global pressure, cgroups above it are reclaimed first.',
      ['8Gi', 'none'],
    ),
  ),
  'memory.memsw.limit_in_bytes': meta(
    sizeOrNone().default('none'),
    cgroupFileMeta('memory.memsw.limit_in_bytes', 'cgroup v1 limit on memory + swap together.', ['40Gi']),
  ),
  'memory.swappiness': meta(
    z.number().int().min(0).max(200).optional(),
    cgroupFileMeta('memory.swappiness', 'cgroup v1 per-cgroup swappiness; default: the host vm.swappiness.', [10]),
  ),
  systemd: meta(SystemdSpec.optional(), {
    description:
      'Sugar for a systemd unit: its Memory*= settings as in a unit file, with systemd units (K/M/G/T are powers of 1024, "infinity", or a percentage of host RAM). Resolves to the v2 files; origin systemd.',
  }),
  kubernetes: meta(KubernetesSpec.optional(), {
    description:
      "Sugar for a Kubernetes container: memory.max = limits.memory; QoS class (Guaranteed, Burstable, BestEffort) sets its processes' oomScoreAdj as the kubelet does unless they set one; memoryQoS adds memory.high/min/low. Origin kubernetes.",
  }),
});

// ---------------------------------------------------------------------------------------
// Processes

const PATTERNS = ['uniform', 'zipf', 'hotcold', 'scan', 'loop', 'trace', 'mrc'] as const;
/** Formats of `file`: a trace's (as `faultline replay --trace-format`), or a curve's (`faultline mrc --format`). */
export const ACCESS_FILE_FORMATS = ['auto', 'txt', 'csv', 'msr', 'oracleGeneral', 'json'] as const;
export const TIME_UNITS = ['s', 'ms', 'us', 'ns', '100ns'] as const;
export const ADVICE = ['normal', 'random', 'sequential', 'hugepage', 'nohugepage'] as const;

/** A touch rate, or `max`: as fast as the CPU share and the fault stalls allow. */
const rateOrMax = () =>
  z.union(
    [
      z
        .number()
        .min(0)
        .max(MAX_TOUCHES_PER_SEC, {
          error: (iss) =>
            `expected at most ${MAX_TOUCHES_PER_SEC.toExponential().replace('+', '')} touches per second, found ${describeFound(iss.input)}\n4 KiB pages at that rate are 4 TB/s, beyond any host's memory bandwidth`,
        }),
      z.literal('max'),
    ],
    {
      error: (iss) => {
        const found =
          iss.input === undefined
            ? 'nothing'
            : typeof iss.input === 'number'
              ? String(iss.input)
              : describeFound(iss.input);
        const near = typeof iss.input === 'string' && /^\s*max/i.test(iss.input) ? 'did you mean max?' : undefined;
        return `expected touches per second (a number ≥ 0) or "max", found ${found}${near ? `\n${near}` : ''}`;
      },
    },
  );

/** A column of a text trace: its header name or 1-based number (as `--id-col`). */
const column = (what: string, example: unknown) =>
  meta(z.union([z.string().min(1), z.number().int().min(1)]).optional(), {
    description: `${what} column, by header name or 1-based number (as \`faultline replay --${what.toLowerCase()}-col\`).`,
    unit: 'column',
    defaultText: 'detected from the header (docs/traces.md)',
    examples: [example],
  });

/** How a trace file is read: the flags of `faultline replay` (docs/traces.md), as fields. */
const TraceReadSpec = z.strictObject({
  header: meta(z.boolean().optional(), {
    description: 'CSV: whether the first line names the columns.',
    unit: 'boolean',
    defaultText: 'detected: a first line with no number is a header',
    examples: [true],
  }),
  delimiter: meta(
    z
      .string()
      .length(1, { error: (iss) => `expected one character, such as ";", found ${describeFound(iss.input)}` })
      .optional(),
    {
      description: 'CSV field separator, one character.',
      unit: 'character',
      defaultText: '","',
      examples: [';'],
    },
  ),
  idCol: column('Id', 'obj_id'),
  timeCol: column('Time', 'timestamp'),
  opCol: column('Op', 'type'),
  offsetCol: column('Offset', 5),
  sizeCol: column('Size', 6),
  ids: meta(z.enum(['auto', 'dec', 'hex', 'string']).default('auto'), {
    description: 'auto: decimal or 0x-hex integers; dec; hex (no prefix needed); string: any text as an opaque key.',
    unit: 'mode',
    examples: ['hex'],
  }),
  expandPages: meta(z.boolean().default(false), {
    description:
      'Block traces (msr, or csv with offset and size columns): one reference per page of host.pageSize a request covers, instead of one per request keyed by its start (`--expand-pages`).',
    unit: 'boolean',
    examples: [true],
  }),
  offsetUnit: meta(z.number().int().min(1).default(1), {
    description: 'Bytes per offset unit, for expandPages: 1 for byte offsets, 512 for sector numbers.',
    unit: 'bytes',
    examples: [512],
  }),
  ops: meta(z.array(z.string().min(1)).min(1).optional(), {
    description: 'Keep only records whose op column is one of these (case-insensitive), e.g. [Read].',
    unit: 'ops',
    defaultText: 'every record',
    examples: [['Read']],
  }),
  lenient: meta(z.boolean().default(false), {
    description: 'Skip malformed lines (counted) instead of stopping at the first.',
    unit: 'boolean',
    examples: [true],
  }),
});

const patternFields = {
  pattern: meta(z.enum(PATTERNS), {
    description:
      'How touches spread over the working set: uniform, zipf (popularity ∝ 1/rank^alpha), hotcold (hotProbability of touches go to hotFraction of pages), scan (one sequential pass after another), loop (sequential loop over the first `fraction` of pages), trace (replay a recorded trace file), mrc (a stream synthesised from a measured LRU miss-ratio curve).',
    unit: 'pattern',
    examples: ['zipf'],
  }),
  alpha: meta(z.number().min(0).max(5).optional(), {
    description: 'zipf only: skew; 0 is uniform, 1 classic Zipf.',
    unit: 'exponent',
    defaultText: '1 for zipf',
    examples: [0.8],
  }),
  hotFraction: meta(fraction().optional(), {
    description: 'hotcold only: share of pages that are hot.',
    unit: 'fraction',
    defaultText: '0.2 for hotcold',
    examples: [0.1],
  }),
  hotProbability: meta(fraction().optional(), {
    description: 'hotcold only: share of touches that go to hot pages.',
    unit: 'fraction',
    defaultText: '0.8 for hotcold',
    examples: [0.9],
  }),
  fraction: meta(fraction().optional(), {
    description: 'loop only: share of the working set the loop covers.',
    unit: 'fraction',
    defaultText: '1 for loop',
    examples: [0.5],
  }),
  file: meta(z.string().min(1).optional(), {
    description:
      'trace and mrc: the file, relative to the scenario file: a trace `faultline replay` reads (plain or gzip), or the output of `faultline mrc --format csv|json`.',
    unit: 'path',
    examples: ['traces/db.csv.gz'],
  }),
  format: meta(z.enum(ACCESS_FILE_FORMATS).optional(), {
    description:
      "trace and mrc: the file's format. trace: txt, csv, msr or oracleGeneral (as `--trace-format`); mrc: csv or json.",
    unit: 'format',
    defaultText: 'auto: detected from the content',
    examples: ['msr'],
  }),
  read: meta(TraceReadSpec.optional(), {
    description: 'trace only: how to read the file, as the flags of `faultline replay` (docs/traces.md).',
    defaultText: 'detected',
  }),
  timing: meta(z.enum(['rate', 'timestamps']).optional(), {
    description:
      "trace only: rate replays one reference per touch at the process's touchesPerSec; timestamps issues each reference no earlier than its time in the trace (relative to the first, from the phase start) and, when stalls put it behind, as fast as touchesPerSec allows.",
    unit: 'mode',
    defaultText: 'rate',
    examples: ['timestamps'],
  }),
  timeUnit: meta(z.enum(TIME_UNITS).optional(), {
    description: "trace only, with timing timestamps: the unit of the trace's time column.",
    unit: 'unit',
    defaultText: '100ns for msr (Windows FILETIME), s for oracleGeneral; csv needs it',
    examples: ['us'],
  }),
  atEnd: meta(z.enum(['loop', 'stop']).optional(), {
    description: 'trace only: at the end of the trace, start again from its first reference (loop) or exit (stop).',
    unit: 'mode',
    defaultText: 'loop',
    examples: ['stop'],
  }),
  region: meta(z.enum(['anon', 'file']).optional(), {
    description:
      "trace and mrc: which working set the stream's pages are: anon (the heap; swapped under pressure) or file (page cache; dropped and read again). Every touch of the phase goes there.",
    unit: 'region',
    defaultText: 'anon',
    examples: ['file'],
  }),
};

const PhaseSpec = z.strictObject({
  at: meta(duration().optional(), {
    description: 'Phase start by time, after the process start. Give `at` or `afterTouches`.',
    unit: 'duration',
    examples: ['5m'],
  }),
  afterTouches: meta(z.number().int().min(1).optional(), {
    description:
      "Phase start by count: after this many of the process's touches (real pages, counted from its start). Give `at` or `afterTouches`; one process uses one of the two in all its phases.",
    unit: 'touches',
    examples: [1000000],
  }),
  touchesPerSec: meta(rateOrMax().optional(), {
    description: "The process's touch rate during this phase (a number, or max).",
    unit: 'touches/s',
    defaultText: "the process's touchesPerSec",
    examples: [10000, 'max'],
  }),
  ...patternFields,
  pattern: meta(patternFields.pattern.optional(), {
    description: "This phase's pattern, with its parameters; without one, the previous phase's pattern goes on.",
    unit: 'pattern',
    defaultText: "the previous phase's",
    examples: ['loop'],
  }),
});

const AccessSpec = z.strictObject({
  ...patternFields,
  pattern: patternFields.pattern.default('uniform'),
  phases: meta(z.array(PhaseSpec).optional(), {
    description:
      'Later changes of pattern (and rate): each entry starts at `at` or `afterTouches` and replaces the pattern above, which is the phase at 0.',
  }),
});

const MemorySpec = z.strictObject({
  anon: meta(size().optional(), {
    description: 'Anonymous working set the process reaches (heap, after growth).',
    unit: 'size',
    defaultText: '0; for a trace or mrc pattern with region anon, its distinct pages × host.pageSize',
    examples: ['20Gi'],
  }),
  anonInitial: meta(size().optional(), {
    description: 'Anonymous working set at start; grows to `anon` at `growthPerSec`.',
    unit: 'size',
    defaultText: 'anon (no growth)',
    examples: ['4Gi'],
  }),
  growthPerSec: meta(size().default('0'), {
    description: 'Growth of the anonymous working set per second, from anonInitial up to anon.',
    unit: 'size per second',
    examples: ['512Mi'],
  }),
  growthShare: meta(z.number().gt(0).max(1).default(1), {
    description:
      'Share of touches that first-touch grown pages while any are waiting (1: growth takes every touch, a loader that never re-reads; 0.2: one touch in five allocates, the others follow the access pattern over the pages allocated so far). Growth then proceeds at growthPerSec or this share of the touch rate, whichever is slower.',
    unit: 'fraction',
    examples: [0.2],
  }),
  leakPerSec: meta(size().default('0'), {
    description: 'Memory allocated, touched once and never used again, per second (a leak); never stops growing.',
    unit: 'size per second',
    examples: ['8Mi'],
  }),
  file: meta(size().optional(), {
    description: 'File-backed working set: page cache the process reads.',
    unit: 'size',
    defaultText: '0; for a trace or mrc pattern with region file, its distinct pages × host.pageSize',
    examples: ['12Gi'],
  }),
  fixed: meta(size().default('0'), {
    description:
      'Memory the process holds outside its working set that reclaim never takes back: kernel memory charged to its cgroup beyond the page tables faultline counts (task and mm structures, VMAs, upper page-table levels) and pages it touches all the time (stack, libraries’ data). Charged when it starts, freed when it exits. A small C program holds about 170 KiB of it (measured on Linux 6.18); measure yours as its RSS beyond the working set plus its cgroup’s kernel memory (memory.kmem.usage_in_bytes on v1) minus VmPTE (usage_in_bytes also holds up to 64 pages per CPU charged ahead).',
    unit: 'size',
    examples: ['64Mi'],
  }),
  fileDirtyFraction: meta(fraction().default(0), {
    description: 'Share of its file pages the process dirties (written back before they can be reclaimed).',
    unit: 'fraction',
    examples: [0.1],
  }),
  anonAdvice: meta(z.enum(ADVICE).default('normal'), {
    description:
      'madvise(2) advice on the heap: normal, random, sequential, hugepage (MADV_HUGEPAGE: huge pages when host.thp is madvise) or nohugepage (none even when host.thp is always).',
    unit: 'advice',
    examples: ['hugepage'],
  }),
});

const FileAccessSpec = z.strictObject({
  via: meta(z.enum(['mmap', 'read']).default('mmap'), {
    description:
      'mmap: the file is mapped and touched through page faults; read: read(2) into a buffer, page-cache lookups that fault only on a miss.',
    unit: 'mode',
    examples: ['read'],
  }),
  advice: meta(z.enum(ADVICE).default('normal'), {
    description:
      'The hint the program gives: madvise(2) on the mapping (normal, random, sequential, hugepage, nohugepage) with via mmap, posix_fadvise(2) (normal, random, sequential) with via read.',
    unit: 'advice',
    examples: ['sequential'],
  }),
  readAheadKb: meta(z.number().int().min(0).max(1048576).default(128), {
    description:
      "read_ahead_kb of the file's block device (/sys/block/DEV/queue/read_ahead_kb); 0 turns readahead off.",
    unit: 'KiB',
    examples: [512],
  }),
});

const RequestsSpec = z.strictObject({
  ratePerSec: meta(
    z
      .number()
      .positive()
      .max(MAX_REQUESTS_PER_SEC, {
        error: (iss) =>
          `expected at most ${MAX_REQUESTS_PER_SEC.toExponential().replace('+', '')} requests per second, found ${describeFound(iss.input)}`,
      })
      .optional(),
    {
      description:
        'Open loop: requests arriving per second (Poisson), whatever the latency. Give ratePerSec or clients.',
      unit: 'requests/s',
      examples: [40],
    },
  ),
  clients: meta(z.number().int().min(1).max(1000000).optional(), {
    description:
      'Closed loop: clients that each send a request, wait for its reply, think, and send the next (a connection pool, a benchmark driver). Give ratePerSec or clients.',
    unit: 'clients',
    examples: [32],
  }),
  thinkTime: meta(duration().optional(), {
    description:
      "Closed loop: a client's mean pause between a reply and its next request, exponentially distributed (as TPC-C's think times); 0: at once.",
    unit: 'duration',
    defaultText: '0s with clients',
    examples: ['10ms'],
  }),
  cpu: meta(duration(), {
    description: 'CPU time one request needs when nothing stalls it.',
    unit: 'duration',
    examples: ['150ms'],
  }),
  pagesPerRequest: meta(z.number().int().min(1), {
    description: "Pages each request touches, drawn from the process's access pattern.",
    unit: 'pages',
    examples: [1500],
  }),
  wake: meta(z.enum(['event', 'timer']).default('event'), {
    description:
      "Open loop: how an idle thread learns of its next request. event: the request's arrival wakes it (a socket, a queue) and the request's latency counts from its arrival. timer: the process sleeps until each request is due (clock_nanosleep, as a runner of periodic work or a load generator with its own timer) and wakes host.kernel.timerSlack late, plus any run-queue wait; a request it woke for counts from its wake, one that waited for a busy thread from when it was due.",
    unit: 'mode',
    examples: ['timer'],
  }),
});

const ProcessSpec = z.strictObject({
  cgroup: meta(z.string().optional(), {
    description: 'Path of the cgroup the process runs in (a key of `cgroups`).',
    unit: 'cgroup path',
    defaultText: 'the root cgroup',
    examples: ['system.slice/db.service'],
  }),
  start: meta(durationOrNever().default('0s'), {
    description:
      'When the process starts; never = only a `start` event starts it. A process started at 0s was already running: its working set starts resident (hottest pages first).',
    unit: 'duration',
    examples: ['2m'],
  }),
  stop: meta(durationOrNever().default('never'), {
    description: 'When the process exits by itself; never = runs to the end.',
    unit: 'duration',
    examples: ['10m', 'never'],
  }),
  stopAfterTouches: meta(z.number().int().min(1).optional(), {
    description: 'The process exits by itself after this many touches (real pages, from its start).',
    unit: 'touches',
    defaultText: 'never',
    examples: [100000000],
  }),
  replicas: meta(z.number().int().min(1).max(1000).default(1), {
    description: 'Identical copies, named name-1 … name-N (refer to them by these names in expect).',
    unit: 'count',
    examples: [4],
  }),
  memory: meta(MemorySpec.prefault({}), {
    description: 'Working set and its growth.',
  }),
  access: meta(AccessSpec.prefault({}), { description: 'Access pattern over the working set.' }),
  firstTouch: meta(z.enum(['address', 'rank']).default('address'), {
    description:
      'Order in which pages are touched the first time (a start after 0s, growth): address (ascending addresses, as a program filling its heap) or rank (hottest first, the order before this field existed). Trace and mrc streams first-touch in their own order.',
    unit: 'order',
    examples: ['rank'],
  }),
  touchesPerSec: meta(rateOrMax().default(10000), {
    description:
      'Page touches per second when running unstalled (all threads together), or max: as fast as the CPU share allows, each touch costing cpu.perTouch, less the fault stalls.',
    unit: 'touches/s',
    examples: [100000, 'max'],
  }),
  pacing: meta(z.enum(['closed-loop', 'wall-clock']).default('closed-loop'), {
    description:
      'How a numeric touchesPerSec is kept: closed-loop counts the seconds the process runs unstalled (a stall delays every later touch, as a batch job working through its input); wall-clock targets touchesPerSec per second of wall time and makes up the touches a stall made it owe, as fast as its CPU allows (cpu.perTouch each), up to catchUp of them (a paced producer, a rate-limited loop).',
    unit: 'mode',
    examples: ['wall-clock'],
  }),
  catchUp: meta(duration().optional(), {
    description:
      'With pacing wall-clock: the longest backlog made up after a stall, in time at touchesPerSec; touches owed beyond it are dropped.',
    unit: 'duration',
    defaultText: '1s',
    examples: ['100ms'],
  }),
  fileTouchFraction: meta(fraction().optional(), {
    description: 'Share of touches that go to file-backed pages (the rest to anonymous memory).',
    unit: 'fraction',
    defaultText: 'file / (anon + file)',
    examples: [0.3],
  }),
  fileAccess: meta(FileAccessSpec.optional(), {
    description: 'How the process reaches its file pages (memory.file).',
    defaultText: 'mmap, normal advice, 128 KiB readahead',
  }),
  cpu: meta(
    z
      .strictObject({
        threads: meta(z.number().int().min(1).max(100000).default(1), {
          description: 'Threads that touch memory (each stalls on its own faults).',
          unit: 'threads',
          examples: [16],
        }),
        cores: meta(z.number().min(0).max(4096).default(1), {
          description: 'CPU cores the process can use when unstalled.',
          unit: 'cores',
          examples: [4],
        }),
        perTouch: meta(duration().optional(), {
          description:
            'With touchesPerSec max or pacing wall-clock: CPU time one touch costs when it hits (the work between two page touches).',
          unit: 'duration',
          defaultText: '0.1us: a random access that misses the caches and the TLB',
          examples: ['0.5us'],
        }),
      })
      .prefault({}),
    { description: 'CPU demand.' },
  ),
  requests: meta(RequestsSpec.optional(), {
    description: 'Request model: gives the process a latency (processes.NAME.latencyMs in expect).',
  }),
  oomScoreAdj: meta(z.number().int().min(-1000).max(1000).optional(), {
    description: 'oom_score_adj: −1000 never killed, 1000 killed first.',
    unit: 'score',
    defaultText: '0, or the kubelet value for a process in a kubernetes cgroup',
    examples: [-500],
  }),
  rlimitAs: meta(sizeOrMax().default('max'), {
    description: 'RLIMIT_AS (ulimit -v): allocations past this virtual size fail with ENOMEM.',
    unit: 'size',
    examples: ['64Gi'],
  }),
  forkOf: meta(z.string().optional(), {
    description: 'Forked from this process: shares its pages copy-on-write until it writes them.',
    unit: 'process name',
    examples: ['db'],
  }),
  cowWriteFraction: meta(fraction().default(0), {
    description: 'With forkOf: share of the shared pages the child writes (and so copies).',
    unit: 'fraction',
    examples: [0.2],
  }),
});

// ---------------------------------------------------------------------------------------
// Events, OOM daemons, expect, observed, sweep

const EventSpec = z.strictObject({
  at: meta(z.string(), {
    description:
      'When: a duration from the scenario start (`5m`) or an ISO 8601 time (`2026-03-01T14:05:00Z`) when the scenario has `startTime`.',
    unit: 'duration or time',
    examples: ['5m', '2026-03-01T14:05:00Z'],
  }),
  label: meta(z.string().optional(), {
    description: 'Name of the event in reports.',
    unit: 'text',
    defaultText: 'generated from the action',
    examples: ['kill the runaway job'],
  }),
  start: meta(z.string().optional(), {
    description: 'Action: start this process (all replicas).',
    unit: 'process name',
    examples: ['backup'],
  }),
  kill: meta(z.string().optional(), {
    description: 'Action: kill this process (all replicas), as `kill -9` would.',
    unit: 'process name',
    examples: ['spark'],
  }),
  sysctl: meta(z.record(z.string(), entry(z.number(), 'New value of this sysctl (a key of host.sysctl).')).optional(), {
    description: 'Action: set sysctls, e.g. {vm.swappiness: 10}.',
    examples: [{ 'vm.swappiness': 10 }],
  }),
  cgroup: meta(z.string().optional(), {
    description: 'Action (with `set`): the cgroup whose files to write.',
    unit: 'cgroup path',
    examples: ['batch'],
  }),
  set: meta(
    z
      .record(
        z.string(),
        entry(
          z.union([z.string(), z.number(), z.boolean()]),
          'New value of this cgroup file, written as in `cgroups:`.',
        ),
      )
      .optional(),
    {
      description: 'Action (with `cgroup`): cgroup files to write, e.g. {memory.max: 32Gi}.',
      examples: [{ 'memory.max': '32Gi' }],
    },
  ),
});

const SystemdOomdSpec = z.strictObject({
  kind: meta(z.literal('systemd-oomd'), {
    description: 'systemd-oomd: kills by PSI memory pressure and by swap use, per unit settings.',
    unit: 'daemon',
    examples: ['systemd-oomd'],
  }),
  cgroups: meta(z.array(z.string()).min(1), {
    description: 'Units (cgroup paths) with ManagedOOMMemoryPressure=kill / ManagedOOMSwap=kill.',
    unit: 'cgroup paths',
    examples: [['batch']],
  }),
  ManagedOOMMemoryPressure: meta(z.enum(['auto', 'kill']).default('kill'), {
    description: 'kill: act on memory pressure of these units; auto: pressure off (only swap, if set).',
    unit: 'mode',
    examples: ['kill'],
  }),
  ManagedOOMMemoryPressureLimit: meta(percent().default(60), {
    description: 'PSI memory full avg10 above which a descendant is killed (the one with most reclaim).',
    unit: 'percent',
    examples: ['40%'],
  }),
  ManagedOOMMemoryPressureDurationSec: meta(duration().default('30s'), {
    description: 'How long the pressure must stay above the limit (DefaultMemoryPressureDurationSec).',
    unit: 'duration',
    examples: ['10s'],
  }),
  ManagedOOMSwap: meta(z.enum(['auto', 'kill']).default('auto'), {
    description: 'kill: also kill the biggest descendant when swap use exceeds SwapUsedLimit.',
    unit: 'mode',
    examples: ['kill'],
  }),
  SwapUsedLimit: meta(percent().default(90), {
    description: 'oomd.conf SwapUsedLimit: percent of swap in use that triggers a kill (with ManagedOOMSwap=kill).',
    unit: 'percent',
    examples: ['80%'],
  }),
});

const OomdSpec = z.strictObject({
  kind: meta(z.literal('oomd'), {
    description: 'oomd (Meta): a pressure_above rule with a kill plugin choosing the victim.',
    unit: 'daemon',
    examples: ['oomd'],
  }),
  cgroups: meta(z.array(z.string()).min(1), {
    description: 'Cgroups the rule watches; the victim is chosen among them.',
    unit: 'cgroup paths',
    examples: [['batch', 'web']],
  }),
  pressure: meta(z.enum(['some', 'full']).default('some'), {
    description: 'Which memory PSI line the rule reads (avg10).',
    unit: 'mode',
    examples: ['full'],
  }),
  threshold: meta(percent(), {
    description: 'Pressure above which the rule fires (pressure_above).',
    unit: 'percent',
    examples: ['40%'],
  }),
  duration: meta(duration().default('10s'), {
    description: 'How long the pressure must stay above the threshold.',
    unit: 'duration',
    examples: ['30s'],
  }),
  victim: meta(z.enum(['biggest', 'fastest-growing', 'most-reclaim']).default('biggest'), {
    description: 'Which watched cgroup to kill: kill_by_memory_size_or_growth style choices.',
    unit: 'choice',
    examples: ['fastest-growing'],
  }),
});

const ThresholdObject = z.strictObject({
  threshold: meta(z.string(), {
    description: 'The check: [aggregation] operator number, e.g. "p(99) < 1000", "max < 20", "== 0".',
    unit: 'check',
    examples: ['p(99) < 1s'],
  }),
  level: meta(z.enum(['warn', 'error']).default('error'), {
    description: 'error fails the run (exit code 1); warn is reported only.',
    unit: 'level',
    examples: ['warn'],
  }),
});
const ThresholdEntry = z.union([z.string(), ThresholdObject]);

const ObservedSpec = z.strictObject({
  kind: meta(z.enum(TELEMETRY_KINDS), {
    description: 'Importer for the file (the tool that produced it).',
    unit: 'kind',
    examples: ['vmstat'],
  }),
  file: meta(z.string().min(1), {
    description: 'Measured series, relative to the scenario file; must exist.',
    unit: 'path',
    examples: ['observed/vmstat-1s.log'],
  }),
  offset: meta(duration().default('0s'), {
    description:
      "Without `startTime`: simulated time the first sample aligns with. With `startTime` (files placed by their wall clock): a correction added to this file's clock.",
    unit: 'duration',
    examples: ['2m'],
  }),
  cgroup: meta(z.string().optional(), {
    description: 'The scenario cgroup this file measures (memory-stat, psi of a memory.pressure file).',
    unit: 'cgroup path',
    examples: ['batch'],
  }),
  processes: meta(z.record(z.string(), z.union([z.string(), z.number().int()])).optional(), {
    description:
      'ps / pid-stat: scenario process → observed process, by pid (`1234`) or column prefix (`batch_1234`). Default: the one observed process of the same name.',
    unit: 'mapping',
    examples: [{ batch: 15221 }],
  }),
});

const SweepScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const SweepValue = entry(SweepScalar, 'A value of this field (path as in `matrix`).');
const SweepSpec = z.strictObject({
  matrix: meta(
    z.record(z.string(), entry(z.array(SweepScalar).min(1), 'The values this field takes, one per variant.')),
    {
      description:
        'Field path → list of values; every combination is a variant. Paths name any field (`host.sysctl.vm.swappiness`, `cgroups.batch.memory.max`, `processes.spark.stop`).',
      examples: [{ 'host.sysctl.vm.swappiness': [60, 10] }],
    },
  ),
  include: meta(z.array(z.record(z.string(), SweepValue)).optional(), {
    description:
      'As in GitHub Actions: each entry extends every combination whose matrix values it matches, or else is added as a combination of its own.',
  }),
  exclude: meta(z.array(z.record(z.string(), SweepValue)).optional(), {
    description: 'Combinations matching every key of an entry are removed (before include).',
  }),
});

const fitRangeError = (input: unknown) =>
  `expected a range <low>..<high> in the field's notation, such as "8Gi..24Gi", "50us..500us" or "0.6..1.2", found ${describeFound(input)}\nboth ends are sizes, durations or plain numbers: 256Mi..1Gi, 50us..2ms`;
const FitRange = z
  .string({ error: (iss) => fitRangeError(iss.input) })
  .regex(new RegExp(FIT_RANGE_PATTERN), { error: (iss) => fitRangeError(iss.input) });

// ---------------------------------------------------------------------------------------
// The document

export const ScenarioSpec = z.strictObject({
  name: meta(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/)
      // File names are limited to 255 bytes, and a report's file and its temporary copy add ~50 to the name.
      .max(MAX_NAME_LENGTH, {
        error: (iss) =>
          `expected at most ${MAX_NAME_LENGTH} characters, found ${String(iss.input).length}\nthe name becomes folder and file names, and file names are limited to 255 bytes with faultline's suffixes`,
      }),
    {
      description: `Identifier: lower case letters, digits, \`.\`, \`_\` and \`-\` (used in file names), at most ${MAX_NAME_LENGTH} characters.`,
      unit: 'identifier',
      examples: ['incident-spark-120g-on-64g'],
    },
  ),
  title: meta(z.string().optional(), {
    description: 'One-line title for reports.',
    unit: 'text',
    defaultText: 'the name',
    examples: ['A 120 GiB Spark job on a 64 GiB database host'],
  }),
  description: meta(z.string().default(''), {
    description: 'Longer explanation for reports.',
    unit: 'text',
    examples: ['A database and a batch job share one host.'],
  }),
  seed: meta(z.number().int().min(0).max(4294967295).default(1), {
    description: 'Seed of every random stream: the same seed gives the same result.',
    unit: 'integer',
    examples: [42],
  }),
  startTime: meta(z.string().optional(), {
    description: 'Wall-clock time of simulated time 0, so that events can use ISO 8601 times (ISO 8601, with zone).',
    unit: 'time',
    examples: ['2026-03-01T14:00:00Z'],
  }),
  duration: meta(
    duration().refine((text) => (parseDuration(text) ?? 0) <= MAX_DURATION_MS, {
      error: (iss) =>
        `expected at most 31 days (744h), found ${describeFound(iss.input)}\na longer replay outgrows any time budget; replay a slow leak faster over a shorter time`,
    }),
    { description: 'Simulated time, at most 31 days.', unit: 'duration', examples: ['30m'] },
  ),
  step: meta(duration().default('1s'), {
    description: 'Resolution of the output series.',
    unit: 'duration',
    examples: ['5s'],
  }),
  fidelity: meta(
    z
      .strictObject({
        mode: meta(z.enum(['auto', 'exact', 'sampled']).default('auto'), {
          description: 'exact page-level replay, spatially sampled, or auto (exact when it fits the time budget).',
          unit: 'mode',
          examples: ['exact'],
        }),
        sampleRate: meta(z.number().gt(0).max(1).optional(), {
          description: 'Fraction of pages simulated in sampled mode (0 < r ≤ 1).',
          unit: 'fraction',
          defaultText: 'chosen from the time budget',
          examples: [0.01],
        }),
        timeBudget: meta(duration().default('60s'), {
          description: 'Wall-time budget for one variant in auto mode.',
          unit: 'duration',
          examples: ['5m'],
        }),
      })
      .prefault({}),
    { description: 'Exact or sampled simulation.' },
  ),
  host: meta(HostSpec, { description: 'The machine.' }),
  cgroups: meta(
    z
      .record(
        z.string(),
        entry(
          CgroupSpec.nullable(),
          'A cgroup, keyed by its slash path: memory.* files (v2 and v1), or `systemd:` / `kubernetes:` sugar. Empty: no limits of its own.',
        ),
      )
      .default({}),
    {
      description:
        'Memory cgroups by slash path (`batch`, `system.slice/db.service`). Missing parents are implied with no limits; a parent bounds its children.',
    },
  ),
  processes: meta(
    z.record(
      z.string(),
      entry(
        ProcessSpec,
        'A process, keyed by its name (as used in events and `expect:`): its cgroup, memory, access pattern, CPU and requests.',
      ),
    ),
    {
      description: 'Processes by name.',
    },
  ),
  events: meta(z.array(EventSpec).default([]), { description: 'Timed actions.' }),
  oomd: meta(z.array(z.discriminatedUnion('kind', [SystemdOomdSpec, OomdSpec])).default([]), {
    description: 'Userspace OOM daemons.',
  }),
  expect: meta(
    z
      .record(
        z.string(),
        entry(
          z.union([ThresholdEntry, z.array(ThresholdEntry).min(1)]),
          'Checks on this metric (`oomKills`, `processes.db.latencyMs`, …): a threshold such as "p(99) < 1s", an object {threshold, level}, or a list of them.',
        ),
      )
      .default({}),
    {
      description:
        'Checks after the run: metric → threshold ("p(99) < 1000"), an object {threshold, level}, or a list of them.',
      examples: [{ 'processes.db.latencyMs': 'p(99) < 1s', oomKills: '== 0' }],
    },
  ),
  observed: meta(z.array(ObservedSpec).default([]), { description: 'Measured series to compare with.' }),
  sweep: meta(SweepSpec.optional(), { description: 'Variants: a matrix of field values.' }),
  fit: meta(
    z
      .record(
        z.string(),
        entry(FitRange, "Range of this field to search: `low..high` in the field's notation (`8Gi..24Gi`)."),
      )
      .optional(),
    {
      description:
        "Unknowns for `faultline fit`: field path (as in a sweep) → range `low..high` in the field's notation; ends in two units of one kind (`256Mi..1Gi`) are written in the smaller one. `--vary` on the command line replaces the whole section.",
      examples: [{ 'processes.batch.memory.anon': '8Gi..24Gi', 'host.swap.readLatency': '50us..500us' }],
    },
  ),
});

export type ScenarioSpecOutput = z.output<typeof ScenarioSpec>;
export type CgroupSpecOutput = z.output<typeof CgroupSpec>;
export type ProcessSpecOutput = z.output<typeof ProcessSpec>;
export type HostSpecOutput = z.output<typeof HostSpec>;
export type EventSpecOutput = z.output<typeof EventSpec>;
export type SwapSpecOutput = z.output<typeof SwapSpec>;
export type AccessPatternSpec = z.output<typeof PhaseSpec>;

export { SysctlSpec };
