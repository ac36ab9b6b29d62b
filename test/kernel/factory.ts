import { SWAP_DEVICE_PRESETS } from '../../src/kernel/mechanisms/swap-device.js';
import type {
  AccessPhase,
  CgroupConfig,
  HostConfig,
  ProcessConfig,
  Scenario,
  SwapDeviceKind,
} from '../../src/scenario/types.js';

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

/** A small host (exact replay by default) with kernel-model.md defaults, without the loader. */
export function host(over: Partial<HostConfig> & { swapBytes?: number; device?: SwapDeviceKind } = {}): HostConfig {
  const device = over.device ?? 'ssd';
  const preset = device === 'none' || device === 'custom' ? SWAP_DEVICE_PRESETS.ssd : SWAP_DEVICE_PRESETS[device];
  const { swapBytes, device: _d, ...rest } = over;
  return {
    ramBytes: 256 * MiB,
    cpus: 4,
    pageSizeBytes: 4096,
    thp: 'never',
    swap: { sizeBytes: device === 'none' ? 0 : (swapBytes ?? 512 * MiB), device, ...preset },
    sysctl: {
      'vm.swappiness': 60,
      'vm.overcommit_memory': 0,
      'vm.overcommit_ratio': 50,
      'vm.overcommit_kbytes': 0,
      'vm.min_free_kbytes': 0,
      'vm.watermark_scale_factor': 10,
      'vm.page-cluster': 3,
      'vm.vfs_cache_pressure': 100,
    },
    policy: 'linux',
    costs: { minorFaultCpuUs: 1, majorFaultCpuUs: 10, reclaimScanCpuUs: 0.2, pageOutCpuUs: 0, idleWakeReadUs: 0 },
    kernel: {
      defPriority: 12,
      swapClusterMax: 32,
      maxReclaimRetries: 16,
      memoryHighMaxDelayMs: 2000,
      tickMs: 100,
      timerSlackMs: 0.05,
      memcgStatsFlushMs: null,
    },
    reservedBytes: 0,
    ...rest,
  };
}

export function cgroup(path: string, over: Partial<CgroupConfig> = {}): CgroupConfig {
  return {
    path,
    parent: null,
    min: 0,
    low: 0,
    high: Number.POSITIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    swapMax: Number.POSITIVE_INFINITY,
    oomGroup: false,
    softLimit: Number.POSITIVE_INFINITY,
    memswLimit: Number.POSITIVE_INFINITY,
    swappiness: null,
    origin: 'v2',
    ...over,
  };
}

/** A phase as tests write it: a pattern from a time, other fields defaulted. */
type PhaseInput = Pick<AccessPhase, 'atMs' | 'pattern'> & Partial<AccessPhase>;

export function proc(
  name: string,
  over: Partial<Omit<ProcessConfig, 'memory' | 'cpu' | 'access'>> & {
    memory?: Partial<ProcessConfig['memory']>;
    cpu?: Pick<ProcessConfig['cpu'], 'threads' | 'cores'> & Partial<ProcessConfig['cpu']>;
    access?: PhaseInput[];
  } = {},
): ProcessConfig {
  const { memory, cpu, access, ...rest } = over;
  const anon = memory?.anonBytes ?? 64 * MiB;
  return {
    name,
    cgroup: '',
    startMs: 0,
    stopMs: Number.POSITIVE_INFINITY,
    access: (access ?? [{ atMs: 0, pattern: { kind: 'uniform' } }]).map((ph) => ({
      atTouches: 0,
      touchesPerSec: null,
      ...ph,
    })),
    touchesPerSec: 20_000,
    pacing: { mode: 'closed-loop', catchUpMs: 1000 },
    firstTouch: 'address',
    stopAfterTouches: Number.POSITIVE_INFINITY,
    fileTouchFraction: 0,
    cpu: { threads: 1, cores: 1, perTouchUs: 0.1, ...cpu },
    fileAccess: { via: 'mmap', advice: 'normal', readAheadKb: 128 },
    requests: null,
    oomScoreAdj: 0,
    rlimitAsBytes: Number.POSITIVE_INFINITY,
    forkOf: null,
    cowWriteFraction: 0,
    // As a scenario's default: the file is mapped.
    ...rest,
    memory: {
      anonBytes: anon,
      anonInitialBytes: anon,
      growthBytesPerSec: 0,
      leakBytesPerSec: 0,
      fileBytes: 0,
      fixedBytes: 0,
      fileDirtyFraction: 0,
      growthShare: 1,
      anonAdvice: 'normal',
      sizedByTrace: null,
      ...memory,
    },
  };
}

export function scenario(over: Partial<Scenario> = {}): Scenario {
  return {
    name: 'test',
    title: 'test',
    description: '',
    file: 'test.yaml',
    seed: 1,
    durationMs: 20_000,
    stepMs: 1000,
    host: host(),
    cgroups: [],
    processes: [proc('a')],
    events: [],
    oomDaemons: [],
    expect: [],
    observed: [],
    fidelity: { mode: 'exact', sampleRate: null, timeBudgetMs: 60_000 },
    warnings: [],
    ...over,
  };
}

export function sum(xs: (number | null)[]): number {
  return xs.reduce<number>((a, x) => a + (x ?? 0), 0);
}
