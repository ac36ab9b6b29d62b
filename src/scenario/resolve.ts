/**
 * Parsed spec → resolved `Scenario`: units to bytes and milliseconds, computed defaults,
 * systemd and Kubernetes sugar, replicas, the cgroup tree, references between sections,
 * and the warnings for settings that are legal but suspicious. Every problem goes to the
 * Reporter with its field path; nothing here throws for bad input.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultMinFreeKbytes } from '../linux/mm.js';
import { parsePolicySpec } from '../policies/registry.js';
import { formatPos } from '../util/errors.js';
import { formatBytes, parseDuration } from '../util/units.js';
import { DEVICE_PRESETS, KERNEL_POLICIES, kubeletMemoryHigh, kubeletOomScoreAdj, qosClass } from './defaults.js';
import { parseExpectations } from './expect.js';
import { checkFieldPath } from './field-path.js';
import { parseFitRange } from './fit-range.js';
import { describeIssue, suggest, unknownKey } from './issues.js';
import type { Reporter } from './reporter.js';
import { expandReplicas, resolveProcesses } from './resolve-process.js';
import {
  CgroupSpec,
  type CgroupSpecOutput,
  type EventSpecOutput,
  type HostSpecOutput,
  NAME_RE,
  type ProcessSpecOutput,
  ScenarioSpec,
  type ScenarioSpecOutput,
  type SwapSpecOutput,
  SysctlSpec,
  V1_FILES,
  V2_FILES,
} from './schema.js';
import { resolveDottedPath, schemaAt } from './schema-walk.js';
import type { FieldPath } from './source.js';
import type {
  CgroupConfig,
  FitUnknown,
  HostConfig,
  OomDaemonConfig,
  ProcessConfig,
  Scenario,
  ScenarioEvent,
  SwapConfig,
  Sysctls,
} from './types.js';
import { besideScenario, bytesOf, msOf, usOf } from './units-of.js';

/** A validated spec; after repairs, the names of map entries that were dropped still count as defined. */
export type ResolveInput = ScenarioSpecOutput & {
  failedProcesses?: string[];
  failedCgroups?: string[];
};

function pctOf(v: number | string, path: FieldPath, r: Reporter): number {
  const n = typeof v === 'number' ? v : Number(v.trim().replace(/%$/, ''));
  if (n > 100) r.error(path, `expected a percentage from 0 to 100, found ${v}`);
  return Math.min(n, 100);
}

export function resolveScenario(spec: ResolveInput, raw: Record<string, unknown>, file: string, r: Reporter): Scenario {
  const durationMs = msOf(spec.duration);
  const stepMs = msOf(spec.step);
  if (durationMs <= 0) r.error(['duration'], `expected a duration > 0, found "${spec.duration}"`);
  if (stepMs <= 0 || stepMs > durationMs) {
    r.error(['step'], `expected a duration > 0 and ≤ duration (${spec.duration}), found "${spec.step}"`);
  }
  const baseDir = dirname(file);
  const host = resolveHost(spec.host, r);
  const cgroupRaw = (raw.cgroups && typeof raw.cgroups === 'object' ? raw.cgroups : {}) as Record<string, unknown>;
  const { cgroups, podOomScoreAdj } = resolveCgroups(spec.cgroups, cgroupRaw, host, r);
  const cgroupPaths = new Set([...cgroups.map((c) => c.path), ...(spec.failedCgroups ?? [])]);
  const processes = resolveProcesses({
    specs: spec.processes,
    failed: spec.failedProcesses ?? [],
    cgroupPaths,
    podOomScoreAdj,
    host,
    baseDir,
    r,
  });
  const processNames = new Set([...processes.map((p) => p.name), ...(spec.failedProcesses ?? [])]);
  const replicasOf = new Map<string, string[]>();
  for (const [name, p] of Object.entries(spec.processes)) {
    replicasOf.set(name, p.replicas > 1 ? expandReplicas(name, p.replicas) : [name]);
  }
  for (const name of spec.failedProcesses ?? []) replicasOf.set(name, [name]);

  const startTimeMs = resolveStartTime(spec.startTime, r);
  const events = resolveEvents(spec.events, replicasOf, cgroupPaths, startTimeMs, durationMs, r);
  const oomDaemons = resolveOomd(spec.oomd, cgroupPaths, r);
  const expect = parseExpectations(spec.expect, processNames, replicasOf, cgroupPaths, r);
  const observed = spec.observed.map((o, i) => {
    const path = besideScenario(baseDir, o.file);
    if (!existsSync(path)) {
      r.error(['observed', i, 'file'], `file not found: ${path}`, 'paths are relative to the scenario file');
    }
    if (o.cgroup !== undefined && !cgroupPaths.has(o.cgroup)) {
      r.error(
        ['observed', i, 'cgroup'],
        `no cgroup ${o.cgroup} in this scenario`,
        `cgroups: ${[...cgroupPaths].join(', ')}`,
      );
    }
    for (const name of Object.keys(o.processes ?? {})) {
      if (!processNames.has(name)) r.error(['observed', i, 'processes', name], `no process ${name} in this scenario`);
    }
    return {
      kind: o.kind,
      file: path,
      offsetMs: msOf(o.offset),
      ...(startTimeMs !== undefined ? { startTimeMs } : {}),
      ...(o.cgroup !== undefined ? { cgroup: o.cgroup } : {}),
      ...(o.processes
        ? { processes: Object.fromEntries(Object.entries(o.processes).map(([k, v]) => [k, String(v)])) }
        : {}),
    };
  });
  const fit = resolveFit(spec.fit ?? {}, raw, r);
  const fidelity = spec.fidelity;
  if (fidelity.sampleRate !== undefined && fidelity.mode !== 'sampled') {
    r.error(['fidelity', 'sampleRate'], `sampleRate applies only to mode sampled, found mode ${fidelity.mode}`);
  }

  warnWorkingSet(processes, host, r);
  warnInternalProcesses(spec.processes, cgroups, r);
  return {
    name: spec.name,
    title: spec.title ?? spec.name,
    description: spec.description,
    file,
    seed: spec.seed,
    durationMs,
    stepMs,
    host,
    cgroups,
    processes,
    events,
    oomDaemons,
    expect,
    observed,
    fit,
    fidelity: {
      mode: fidelity.mode,
      sampleRate: fidelity.sampleRate ?? null,
      timeBudgetMs: msOf(fidelity.timeBudget),
    },
    warnings: r.warnings.map((w) => ({ ...w })),
  };
}

/** Sections that drive the run or the fit itself, not fields of the simulated system. */
const FIT_EXCLUDED = ['name', 'sweep', 'observed', 'fit'];

/**
 * `fit:` unknowns: each path is resolved as a sweep path is, and each end of its range must
 * be a value the field accepts, so that every candidate `faultline fit` writes between them
 * loads. A path the scenario also sweeps is refused: the fit runs one candidate per variant.
 */
function resolveFit(spec: Record<string, string>, raw: Record<string, unknown>, r: Reporter): FitUnknown[] {
  const sweepMatrix = (raw.sweep as { matrix?: unknown } | undefined)?.matrix;
  const swept = new Set<string>();
  for (const key of Object.keys(sweepMatrix && typeof sweepMatrix === 'object' ? sweepMatrix : {})) {
    const res = resolveDottedPath(ScenarioSpec, key, raw);
    if (res.ok) swept.add(res.value.segments.join('.'));
  }
  const out: FitUnknown[] = [];
  for (const [path, text] of Object.entries(spec)) {
    const where = ['fit', path];
    const axis = checkFieldPath(path, raw, where, r, 'fit', FIT_EXCLUDED);
    if (!axis) continue;
    if (swept.has(axis.segments.join('.'))) {
      r.error(where, `fit path "${path}" is also swept`, 'fit it or sweep it, not both', { key: true });
      continue;
    }
    const range = parseFitRange(text);
    if ('error' in range) {
      r.error(where, `the range "${text}" ${range.error}`);
      continue;
    }
    const field = schemaAt(ScenarioSpec, axis.segments, raw);
    let ok = true;
    for (const [end, value] of [
      ['low', range.lowValue],
      ['high', range.highValue],
    ] as const) {
      const res = field?.safeParse(value, { reportInput: true });
      const first = res && !res.success ? res.error.issues[0] : undefined;
      if (first) {
        const { message, hint } = describeIssue(first);
        r.error(where, `the ${end} end of "${text}" does not fit ${path}: ${message}`, hint);
        ok = false;
      }
    }
    if (ok) {
      out.push({
        path,
        low: String(range.lowValue),
        high: String(range.highValue),
        where: formatPos(r.posOf(where, true)),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------

function resolveHost(h: HostSpecOutput, r: Reporter): HostConfig {
  const ramBytes = bytesOf(h.ram);
  const reservedBytes = bytesOf(h.reserved);
  const pageSizeBytes = bytesOf(h.pageSize);
  if (ramBytes < 16 * pageSizeBytes) {
    r.error(['host', 'ram'], `expected at least 16 pages of ${h.pageSize}, found ${h.ram}`);
  }
  if (reservedBytes >= ramBytes) {
    r.error(['host', 'reserved'], `expected less than host.ram (${h.ram}), found ${h.reserved}`);
  }
  const swap = resolveSwap(h.swap, r);
  const sysctl: Sysctls = {
    'vm.swappiness': h.sysctl['vm.swappiness'],
    'vm.overcommit_memory': h.sysctl['vm.overcommit_memory'],
    'vm.overcommit_ratio': h.sysctl['vm.overcommit_ratio'],
    'vm.overcommit_kbytes': h.sysctl['vm.overcommit_kbytes'],
    'vm.min_free_kbytes': h.sysctl['vm.min_free_kbytes'] ?? defaultMinFreeKbytes(ramBytes),
    'vm.watermark_scale_factor': h.sysctl['vm.watermark_scale_factor'],
    'vm.page-cluster': h.sysctl['vm.page-cluster'],
    'vm.vfs_cache_pressure': h.sysctl['vm.vfs_cache_pressure'],
  };
  if (sysctl['vm.min_free_kbytes'] * 1024 >= ramBytes / 4) {
    r.error(
      ['host', 'sysctl', 'vm.min_free_kbytes'],
      `expected well under a quarter of RAM, found ${sysctl['vm.min_free_kbytes']} KiB for ${h.ram}`,
    );
  }
  if (sysctl['vm.swappiness'] > 100 && ['hdd', 'ssd', 'nvme', 'custom'].includes(swap.device)) {
    r.warning(
      'swappiness-disk',
      ['host', 'sysctl', 'vm.swappiness'],
      `vm.swappiness ${sysctl['vm.swappiness']} prefers swapping anonymous memory over dropping page cache, but swap is a ${swap.device} device`,
      'values above 100 suit zram or swap faster than the filesystem',
    );
  }
  return {
    ramBytes,
    cpus: h.cpus,
    pageSizeBytes,
    thp: h.thp,
    swap,
    sysctl,
    policy: resolvePolicy(h.policy, r),
    costs: {
      minorFaultCpuUs: usOf(h.costs.minorFault),
      majorFaultCpuUs: usOf(h.costs.majorFault),
      reclaimScanCpuUs: usOf(h.costs.reclaimScan),
      pageOutCpuUs: usOf(h.costs.pageOut),
      idleWakeReadUs: usOf(h.costs.idleWakeRead),
    },
    kernel: {
      defPriority: h.kernel.defPriority,
      swapClusterMax: h.kernel.swapClusterMax,
      maxReclaimRetries: h.kernel.maxReclaimRetries,
      memoryHighMaxDelayMs: msOf(h.kernel.memoryHighMaxDelay),
      tickMs: msOf(h.kernel.tick),
      timerSlackMs: msOf(h.kernel.timerSlack),
      memcgStatsFlushMs: h.kernel.memcgStatsFlush === undefined ? null : msOf(h.kernel.memcgStatsFlush),
    },
    reservedBytes,
  };
}

function resolvePolicy(spec: string, r: Reporter): string {
  const trimmed = spec.trim();
  if ((KERNEL_POLICIES as readonly string[]).includes(trimmed)) return trimmed;
  try {
    return parsePolicySpec(trimmed).spec;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    r.error(['host', 'policy'], message, `or a Linux mode: ${KERNEL_POLICIES.join(', ')}`);
    return trimmed;
  }
}

function resolveSwap(s: SwapSpecOutput | undefined, r: Reporter): SwapConfig {
  const sizeBytes = s ? bytesOf(s.size) : 0;
  const device = s?.device ?? (sizeBytes > 0 ? 'ssd' : 'none');
  const at = (k: string): FieldPath => ['host', 'swap', k];
  if (device === 'none' && sizeBytes > 0) {
    r.error(
      at('device'),
      `device none cannot hold ${s?.size} of swap`,
      'name a device (hdd, ssd, nvme, zram) or set size: 0',
    );
  }
  if (device !== 'none' && sizeBytes === 0 && s?.device !== undefined) {
    r.warning('swap-size-zero', at('size'), `swap device ${device} is configured with size 0, so there is no swap`);
  }
  if (device === 'custom') {
    for (const k of ['readLatency', 'writeLatency', 'iops', 'bandwidth', 'queueDepth'] as const) {
      if (s?.[k] === undefined) r.error(at(k), `device custom needs ${k}`, 'or pick a preset: hdd, ssd, nvme, zram');
    }
  }
  if (device !== 'zram' && s) {
    for (const k of ['compressionRatio', 'compressCpu', 'decompressCpu'] as const) {
      if (s[k] !== undefined) r.error(at(k), `${k} applies only to device zram, found device ${device}`);
    }
  }
  if ((device === 'zram' || device === 'none') && s?.readaheadBandwidth !== undefined) {
    r.error(at('readaheadBandwidth'), `readaheadBandwidth applies to a disk, found device ${device}`);
  }
  if ((device === 'zram' || device === 'none') && s?.completesOnDrain === true) {
    r.error(at('completesOnDrain'), `completesOnDrain applies to a disk, found device ${device}`);
  }
  if ((device === 'zram' || device === 'none') && s?.rotational === true) {
    r.error(at('rotational'), `device ${device} is not a block device that can be rotational`);
  }
  const preset = DEVICE_PRESETS[device === 'custom' ? 'none' : device];
  const bandwidthBytesPerSec = s?.bandwidth !== undefined ? bytesOf(s.bandwidth) : preset.bandwidthBytesPerSec;
  return {
    sizeBytes,
    device,
    readLatencyUs: s?.readLatency !== undefined ? usOf(s.readLatency) : preset.readLatencyUs,
    writeLatencyUs: s?.writeLatency !== undefined ? usOf(s.writeLatency) : preset.writeLatencyUs,
    iops: s?.iops ?? preset.iops,
    bandwidthBytesPerSec,
    // Without a figure of its own, readahead reads at the sequential bandwidth (as before it existed).
    readaheadBytesPerSec:
      s?.readaheadBandwidth !== undefined
        ? bytesOf(s.readaheadBandwidth)
        : s?.bandwidth !== undefined
          ? bandwidthBytesPerSec
          : preset.readaheadBytesPerSec,
    queueDepth: s?.queueDepth ?? preset.queueDepth,
    rotational: s?.rotational ?? preset.rotational,
    completesOnDrain: s?.completesOnDrain ?? preset.completesOnDrain,
    compressionRatio: s?.compressionRatio ?? preset.compressionRatio,
    compressCpuUs: s?.compressCpu !== undefined ? usOf(s.compressCpu) : preset.compressCpuUs,
    decompressCpuUs: s?.decompressCpu !== undefined ? usOf(s.decompressCpu) : preset.decompressCpuUs,
  };
}

// ---------------------------------------------------------------------------------------
// Cgroups

/** systemd's sizes: K/M/G/T/P/E are powers of 1024 (systemd.resource-control(5)), plus `infinity` and `N%` of RAM. */
export function parseSystemdSize(text: string, ramBytes: number): number | undefined {
  const t = text.trim();
  if (t === 'infinity') return Number.POSITIVE_INFINITY;
  const pct = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(t);
  if (pct) {
    const v = Number(pct[1]);
    return v <= 100 ? Math.floor((ramBytes * v) / 100) : undefined;
  }
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([KMGTPE])?$/.exec(t);
  if (!m) return undefined;
  const exp = m[2] ? 'KMGTPE'.indexOf(m[2]) + 1 : 0;
  return Math.round(Number(m[1]) * 1024 ** exp);
}

const SYSTEMD_TARGET = {
  MemoryMin: 'min',
  MemoryLow: 'low',
  MemoryHigh: 'high',
  MemoryMax: 'max',
  MemorySwapMax: 'swapMax',
} as const;

const FILE_TARGET: Record<string, keyof CgroupLimits> = {
  'memory.min': 'min',
  'memory.low': 'low',
  'memory.high': 'high',
  'memory.max': 'max',
  'memory.swap.max': 'swapMax',
  'memory.oom.group': 'oomGroup',
  'memory.limit_in_bytes': 'max',
  'memory.soft_limit_in_bytes': 'softLimit',
  'memory.memsw.limit_in_bytes': 'memswLimit',
  'memory.swappiness': 'swappiness',
};

export type CgroupLimits = Omit<CgroupConfig, 'path' | 'parent' | 'origin'>;

/** The CgroupConfig field a cgroup file sets (events name files; the kernel reads fields). */
export function cgroupFieldOf(file: string): keyof CgroupLimits | undefined {
  return FILE_TARGET[file];
}

/** A cgroup file's value, validated and converted as in the `cgroups:` section. */
export function cgroupFileValue(
  file: string,
  value: unknown,
): { ok: true; value: number | boolean | null } | { ok: false; message: string; hint?: string } {
  const schema = CgroupSpec.shape[file as keyof typeof CgroupSpec.shape];
  if (!schema || file === 'systemd' || file === 'kubernetes') {
    return { ok: false, ...unknownKey(file, [...V2_FILES, ...V1_FILES], ['cgroups', 'x']) };
  }
  const res = schema.safeParse(value);
  if (!res.success) {
    const [head = '', hint] = (res.error.issues[0]?.message ?? '').split('\n');
    return { ok: false, message: head.startsWith('expected') ? head : `invalid value: ${head}`, hint };
  }
  const v = res.data as string | number | boolean | undefined;
  if (typeof v === 'string') return { ok: true, value: bytesOf(v) };
  return { ok: true, value: v ?? null };
}

const FREE: CgroupLimits = {
  min: 0,
  low: 0,
  high: Number.POSITIVE_INFINITY,
  max: Number.POSITIVE_INFINITY,
  swapMax: Number.POSITIVE_INFINITY,
  oomGroup: false,
  softLimit: Number.POSITIVE_INFINITY,
  memswLimit: Number.POSITIVE_INFINITY,
  swappiness: null,
};

function resolveCgroups(
  specs: Record<string, CgroupSpecOutput | null>,
  raw: Record<string, unknown>,
  host: HostConfig,
  r: Reporter,
): { cgroups: CgroupConfig[]; podOomScoreAdj: Map<string, number> } {
  const byPath = new Map<string, CgroupConfig>();
  const order: string[] = [];
  const podOomScoreAdj = new Map<string, number>();
  const add = (path: string, c: CgroupConfig) => {
    if (!byPath.has(path)) order.push(path);
    byPath.set(path, c);
  };
  for (const path of Object.keys(raw)) {
    const at: FieldPath = ['cgroups', path];
    const segments = path.split('/');
    if (!segments.every((s) => NAME_RE.test(s))) {
      r.error(
        at,
        `expected a slash path of names (letters, digits, "_", ".", "@", ":", "-"), found "${path}"`,
        'no leading, trailing or double slashes: system.slice/db.service',
        { key: true },
      );
      continue;
    }
    // Parents that are not listed are implied, with no limits, before their children.
    for (let i = 1; i < segments.length; i++) {
      const parentPath = segments.slice(0, i).join('/');
      if (!(parentPath in raw) && !byPath.has(parentPath)) {
        add(parentPath, {
          path: parentPath,
          parent: i > 1 ? segments.slice(0, i - 1).join('/') : null,
          ...FREE,
          origin: 'v2',
        });
      }
    }
    // An entry that failed validation is reported already; its path still exists.
    if (!(path in specs)) continue;
    const spec = specs[path] ?? null;
    const rawMap = (raw[path] && typeof raw[path] === 'object' ? raw[path] : {}) as Record<string, unknown>;
    const resolved = resolveCgroup(path, spec, rawMap, host, r, podOomScoreAdj);
    add(path, {
      path,
      parent: segments.length > 1 ? segments.slice(0, -1).join('/') : null,
      ...resolved.limits,
      origin: resolved.origin,
    });
  }
  const cgroups = sortParentsFirst(order.map((p) => byPath.get(p) as CgroupConfig));
  propagateKubeletProtection(cgroups, raw);
  checkTree(cgroups, byPath, raw, r);
  return { cgroups, podOomScoreAdj };
}

/**
 * With MemoryQoS tiered reservation the kubelet writes the sum of its containers'
 * memory.min/low on the pod and QoS-class cgroups too (protection is capped by
 * ancestors). Implied parents whose protected children all come from `kubernetes:` get
 * those sums; nobody does that for systemd units or plain files.
 */
function propagateKubeletProtection(cgroups: CgroupConfig[], raw: Record<string, unknown>): void {
  for (const c of [...cgroups].reverse()) {
    if (c.path in raw) continue;
    const children = cgroups.filter((k) => k.parent === c.path);
    const protectedKids = children.filter((k) => k.min > 0 || k.low > 0);
    if (protectedKids.length === 0 || protectedKids.some((k) => k.origin !== 'kubernetes')) continue;
    c.min = children.reduce((s, k) => s + k.min, 0);
    c.low = children.reduce((s, k) => s + k.low, 0);
    c.origin = 'kubernetes';
  }
}

function sortParentsFirst(list: CgroupConfig[]): CgroupConfig[] {
  const out: CgroupConfig[] = [];
  const done = new Set<string>();
  const byPath = new Map(list.map((c) => [c.path, c]));
  const visit = (c: CgroupConfig) => {
    if (done.has(c.path)) return;
    if (c.parent !== null) {
      const p = byPath.get(c.parent);
      if (p) visit(p);
    }
    done.add(c.path);
    out.push(c);
  };
  for (const c of list) visit(c);
  return out;
}

function resolveCgroup(
  path: string,
  spec: CgroupSpecOutput | null,
  raw: Record<string, unknown>,
  host: HostConfig,
  r: Reporter,
  podOomScoreAdj: Map<string, number>,
): { limits: CgroupLimits; origin: CgroupConfig['origin'] } {
  const at = (k: string): FieldPath => ['cgroups', path, k];
  const limits: CgroupLimits = { ...FREE };
  if (spec === null) return { limits, origin: 'v2' };
  const setBy = new Map<keyof CgroupLimits, string>();
  const set = (field: keyof CgroupLimits, value: number | boolean | null, source: string, path: FieldPath) => {
    const prev = setBy.get(field);
    if (prev !== undefined) {
      r.error(path, `sets the same limit as ${prev}`, `give only one of ${prev} and ${source}`);
      return;
    }
    setBy.set(field, source);
    (limits as unknown as Record<string, number | boolean | null>)[field] = value;
  };
  const given = Object.keys(raw);
  for (const file of [...V2_FILES, ...V1_FILES]) {
    if (!given.includes(file)) continue;
    const res = cgroupFileValue(file, raw[file]);
    if (res.ok) set(FILE_TARGET[file] as keyof CgroupLimits, res.value, file, at(file));
  }
  let origin: CgroupConfig['origin'] =
    given.some((k) => (V1_FILES as readonly string[]).includes(k)) &&
    !given.some((k) => (V2_FILES as readonly string[]).includes(k))
      ? 'v1'
      : 'v2';

  if (spec.systemd && spec.kubernetes) {
    r.error(at('kubernetes'), 'a cgroup is either a systemd unit or a Kubernetes container, not both', 'keep one');
  }
  if (spec.systemd) {
    origin = 'systemd';
    for (const [key, field] of Object.entries(SYSTEMD_TARGET)) {
      const text = spec.systemd[key as keyof typeof SYSTEMD_TARGET];
      if (text === undefined) continue;
      const v = parseSystemdSize(text, host.ramBytes);
      if (v === undefined) {
        r.error(
          [...at('systemd'), key],
          `expected a systemd size such as "4G" (K/M/G/T are powers of 1024 in systemd), "infinity" or "40%", found "${text}"`,
        );
        continue;
      }
      set(field, v, `systemd.${key}`, [...at('systemd'), key]);
    }
  }
  if (spec.kubernetes) {
    origin = 'kubernetes';
    const k = spec.kubernetes;
    const limit = k.limits ? bytesOf(k.limits.memory) : undefined;
    // The API server defaults a missing request to the limit.
    const request = k.requests ? bytesOf(k.requests.memory) : limit;
    const kpath = at('kubernetes');
    if (request !== undefined && limit !== undefined && request > limit) {
      r.error(
        [...kpath, 'requests', 'memory'],
        `request ${k.requests?.memory} exceeds limit ${k.limits?.memory}`,
        'the API server rejects such a pod',
      );
    }
    const qos = qosClass(request, limit);
    if (limit !== undefined) set('max', limit, 'kubernetes.limits.memory', [...kpath, 'limits', 'memory']);
    const allocatable = host.ramBytes - host.reservedBytes;
    if (k.memoryQoS !== 'off' && request !== undefined && qos === 'Burstable') {
      set('high', kubeletMemoryHigh(request, limit ?? allocatable, host.pageSizeBytes), 'kubernetes.memoryQoS', [
        ...kpath,
        'memoryQoS',
      ]);
    }
    if (k.memoryQoS === 'tiered' && request !== undefined) {
      if (qos === 'Guaranteed') set('min', request, 'kubernetes.memoryQoS', [...kpath, 'memoryQoS']);
      if (qos === 'Burstable') set('low', request, 'kubernetes.memoryQoS', [...kpath, 'memoryQoS']);
    }
    podOomScoreAdj.set(path, kubeletOomScoreAdj(qos, request ?? 0, host.ramBytes));
  }

  if (Number.isFinite(limits.high) && limits.high > limits.max) {
    r.warning(
      'high-above-max',
      at(setBy.get('high') ?? 'memory.high'),
      `memory.high (${formatBytes(limits.high)}) is above memory.max (${formatBytes(limits.max)}): it never throttles`,
      'set memory.high below memory.max, or drop it',
    );
  }
  if (limits.min > limits.max || limits.low > limits.max) {
    r.warning(
      'protection-above-max',
      at(setBy.get(limits.min > limits.max ? 'min' : 'low') ?? 'memory.min'),
      'memory.min/low above memory.max: the cgroup can never use that much, so the protection is partly void',
    );
  }
  if (limits.memswLimit < limits.max && Number.isFinite(limits.memswLimit)) {
    r.error(
      at('memory.memsw.limit_in_bytes'),
      `memory.memsw.limit_in_bytes (${formatBytes(limits.memswLimit)}) is below the memory limit (${formatBytes(limits.max)})`,
      'the kernel refuses it: memsw limits memory plus swap, so it must be ≥ the memory limit',
    );
  }
  return { limits, origin };
}

function checkTree(
  cgroups: CgroupConfig[],
  byPath: Map<string, CgroupConfig>,
  raw: Record<string, unknown>,
  r: Reporter,
): void {
  for (const c of cgroups) {
    if (c.parent === null) continue;
    const parent = byPath.get(c.parent);
    if (!parent || !(c.path in raw)) continue;
    const at: FieldPath = ['cgroups', c.path];
    if (c.max > parent.max) {
      r.warning(
        'child-above-parent',
        [...at, 'memory.max'],
        `memory.max ${formatBytes(c.max)} is above its parent ${c.parent}'s ${formatBytes(parent.max)}: the parent's limit applies`,
      );
    }
    const prot = c.min > 0 ? 'min' : c.low > 0 ? 'low' : undefined;
    if (prot !== undefined && parent[prot] === 0) {
      r.warning(
        'protection-capped',
        [...at, `memory.${prot}`],
        `memory.${prot} has no effect: protection is capped by ancestors and ${c.parent} has memory.${prot} 0`,
        `give ${c.parent} a memory.${prot} at least as large`,
      );
    }
  }
}

function warnWorkingSet(processes: ProcessConfig[], host: HostConfig, r: Reporter): void {
  const total = processes.reduce((s, p) => s + p.memory.anonBytes + p.memory.fileBytes, 0);
  const capacity = host.ramBytes + host.swap.sizeBytes;
  if (total > capacity) {
    r.warning(
      'working-set-exceeds-memory',
      ['processes'],
      `the working sets add up to ${formatBytes(total)}, more than RAM plus swap (${formatBytes(capacity)}): expect OOM kills`,
    );
  }
}

/** cgroup v2's "no internal processes" rule: a cgroup with children holds no processes itself. */
function warnInternalProcesses(specs: Record<string, ProcessSpecOutput>, cgroups: CgroupConfig[], r: Reporter): void {
  const parents = new Set(cgroups.flatMap((c) => (c.parent === null ? [] : [c.parent])));
  for (const [name, p] of Object.entries(specs)) {
    if (p.cgroup === undefined || !parents.has(p.cgroup)) continue;
    r.warning(
      'internal-process',
      ['processes', name, 'cgroup'],
      `${p.cgroup} has child cgroups, and cgroup v2 allows processes only in leaves`,
      `move ${name} into a leaf such as ${p.cgroup}/${name}`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// Events, OOM daemons

function resolveStartTime(text: string | undefined, r: Reporter): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseIsoTime(text);
  if (ms === undefined) {
    r.error(['startTime'], `expected an ISO 8601 time with a zone such as 2026-03-01T14:00:00Z, found "${text}"`);
  }
  return ms;
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function parseIsoTime(text: string): number | undefined {
  if (!ISO_RE.test(text.trim())) return undefined;
  const ms = new Date(text.trim()).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

function resolveEvents(
  specs: EventSpecOutput[],
  replicasOf: Map<string, string[]>,
  cgroupPaths: Set<string>,
  startTimeMs: number | undefined,
  durationMs: number,
  r: Reporter,
): ScenarioEvent[] {
  const out: ScenarioEvent[] = [];
  specs.forEach((e, i) => {
    const at = (...k: string[]): FieldPath => ['events', i, ...k];
    const atMs = eventTime(e.at, startTimeMs, at('at'), r);
    const actions = (['start', 'kill', 'sysctl', 'cgroup'] as const).filter((k) => e[k] !== undefined);
    if (actions.length !== 1) {
      r.error(
        at(),
        actions.length === 0
          ? 'an event needs an action: start, kill, sysctl, or cgroup with set'
          : `an event has one action, found ${actions.join(' and ')}`,
        'split it into one event per action',
      );
      return;
    }
    if (e.set !== undefined && e.cgroup === undefined)
      r.error(at('set'), '`set` needs `cgroup`: which cgroup to write');
    if (atMs === undefined) return;
    if (atMs > durationMs) {
      r.warning('event-after-end', at('at'), `event at ${e.at} is after the end of the run`);
    }
    const action = actions[0];
    if (action === 'start' || action === 'kill') {
      const name = e[action] as string;
      const targets = replicasOf.get(name);
      if (!targets) {
        const guess = suggest(name, replicasOf.keys());
        r.error(at(action), `no process "${name}" is defined`, guess ? `did you mean ${guess}?` : undefined);
        return;
      }
      for (const process of targets) {
        out.push({ atMs, action, process, label: e.label ?? `${action} ${process}` });
      }
    } else if (action === 'sysctl') {
      for (const [name, value] of Object.entries(e.sysctl ?? {})) {
        const schema = SysctlSpec.shape[name as keyof Sysctls];
        if (!schema) {
          const { message, hint } = unknownKey(name, Object.keys(SysctlSpec.shape), ['sysctl']);
          r.error([...at('sysctl'), name], message, hint, { key: true });
          continue;
        }
        const res = schema.safeParse(value);
        if (!res.success || typeof res.data !== 'number') {
          r.error([...at('sysctl'), name], `invalid value ${value} for ${name}`, 'see docs/scenario.md for its range');
          continue;
        }
        out.push({
          atMs,
          action: 'sysctl',
          name: name as keyof Sysctls,
          value: res.data,
          label: e.label ?? `${name}=${value}`,
        });
      }
    } else {
      const cgroup = e.cgroup as string;
      if (!cgroupPaths.has(cgroup)) {
        const guess = suggest(cgroup, cgroupPaths);
        r.error(at('cgroup'), `no cgroup "${cgroup}" is defined`, guess ? `did you mean ${guess}?` : undefined);
        return;
      }
      if (e.set === undefined || Object.keys(e.set).length === 0) {
        r.error(at('cgroup'), 'a cgroup event needs `set` with the files to write, e.g. {memory.max: 32Gi}');
        return;
      }
      for (const [file, value] of Object.entries(e.set)) {
        const res = cgroupFileValue(file, value);
        if (!res.ok) {
          r.error([...at('set'), file], res.message, res.hint, { key: !cgroupFieldOf(file) });
          continue;
        }
        out.push({
          atMs,
          action: 'cgroup',
          cgroup,
          file,
          field: cgroupFieldOf(file) as keyof CgroupLimits,
          value: res.value,
          label: e.label ?? `${cgroup} ${file}=${value}`,
        });
      }
    }
  });
  return out.sort((a, b) => a.atMs - b.atMs);
}

function eventTime(text: string, startTimeMs: number | undefined, path: FieldPath, r: Reporter): number | undefined {
  const d = parseDuration(text);
  if (d !== undefined) return d;
  const t = parseIsoTime(text);
  if (t === undefined) {
    r.error(path, `expected a duration such as "5m" or an ISO 8601 time such as 2026-03-01T14:05:00Z, found "${text}"`);
    return undefined;
  }
  if (startTimeMs === undefined) {
    r.error(path, `a wall-clock time needs the scenario's startTime`, 'add startTime: (simulated time 0) at the top');
    return undefined;
  }
  if (t < startTimeMs) {
    r.error(path, `${text} is before startTime`, 'events happen during the run');
    return undefined;
  }
  return t - startTimeMs;
}

function resolveOomd(specs: ScenarioSpecOutput['oomd'], cgroupPaths: Set<string>, r: Reporter): OomDaemonConfig[] {
  return specs.map((d, i) => {
    d.cgroups.forEach((c, j) => {
      if (!cgroupPaths.has(c)) {
        const guess = suggest(c, cgroupPaths);
        r.error(['oomd', i, 'cgroups', j], `no cgroup "${c}" is defined`, guess ? `did you mean ${guess}?` : undefined);
      }
    });
    if (d.kind === 'systemd-oomd') {
      if (d.ManagedOOMMemoryPressure === 'auto' && d.ManagedOOMSwap === 'auto') {
        r.warning('oomd-idle', ['oomd', i], 'systemd-oomd watches neither pressure nor swap here (both auto)');
      }
      return {
        kind: 'systemd-oomd',
        cgroups: [...d.cgroups],
        pressureLimitPct:
          d.ManagedOOMMemoryPressure === 'kill'
            ? pctOf(d.ManagedOOMMemoryPressureLimit, ['oomd', i, 'ManagedOOMMemoryPressureLimit'], r)
            : Number.POSITIVE_INFINITY,
        pressureKind: 'full',
        durationMs: msOf(d.ManagedOOMMemoryPressureDurationSec),
        swapUsedLimitPct: d.ManagedOOMSwap === 'kill' ? pctOf(d.SwapUsedLimit, ['oomd', i, 'SwapUsedLimit'], r) : null,
        victim: 'most-reclaim',
      };
    }
    return {
      kind: 'oomd',
      cgroups: [...d.cgroups],
      pressureLimitPct: pctOf(d.threshold, ['oomd', i, 'threshold'], r),
      pressureKind: d.pressure,
      durationMs: msOf(d.duration),
      swapUsedLimitPct: null,
      victim: d.victim,
    };
  });
}
