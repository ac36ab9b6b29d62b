/**
 * Builds a host's state from a scenario: the cgroup tree, each process's page ranges
 * (anon, file, leak) in one dense id space, the swap device and the watermarks.
 */

import { HPAGE_PMD_SIZE } from '../linux/mm.js';
import type { CgroupConfig, ProcessConfig, Scenario } from '../scenario/types.js';
import { FaultlineError } from '../util/errors.js';
import { hash32, hashString, Rng } from '../util/rng.js';
import { MrcStream } from '../workload/mrc-stream.js';
import { RegionStream } from '../workload/stream.js';
import { TraceStream } from '../workload/trace-stream.js';
import { LruLists } from './lru.js';
import { BlockQueue } from './mechanisms/block-queue.js';
import { SwapClusters } from './mechanisms/swap-cluster.js';
import { SwapDevice } from './mechanisms/swap-device.js';
import { normPath } from './memcontrol.js';
import { GEN_LISTS, Generations } from './mglru.js';
import { setWatermarks } from './page-alloc.js';
import { createGlobalPolicy } from './policy-reclaim.js';
import {
  type CgroupRt,
  emptyStats,
  FILE,
  type HostEvents,
  type HostState,
  LRU_LISTS,
  type ProcRt,
  type Reclaim,
  TickCounters,
  WRITABLE,
} from './state.js';

/** The state of a host sampled at `rate`; `reclaim` is the LRU ordering the Host installs next. */
export function buildHostState(sc: Scenario, rate: number, events: HostEvents): HostState {
  const h = sc.host;
  const pageSize = h.pageSizeBytes;
  const frames = Math.max(1, Math.floor(((h.ramBytes - h.reservedBytes) / h.pageSizeBytes) * rate));
  const device = new SwapDevice(
    { ...h.swap, sizeBytes: h.swap.device === 'none' ? 0 : h.swap.sizeBytes * rate },
    { pageSizeBytes: h.pageSizeBytes },
  );
  const sw = h.swap;
  const disk = sw.device !== 'zram' && sw.device !== 'none';
  const occ = (latUs: number, pages: number) =>
    Math.max(
      latUs,
      (sw.queueDepth / sw.iops) * 1e6,
      ((sw.queueDepth * pages * h.pageSizeBytes) / sw.bandwidthBytesPerSec) * 1e6,
    );

  const cgs = buildCgroups(sc.cgroups);
  const pagesOf = (bytes: number) =>
    Number.isFinite(bytes) ? Math.floor((bytes / pageSize) * rate) : Number.POSITIVE_INFINITY;
  for (const c of cgs) {
    if (!c.cfg) continue;
    c.min = pagesOf(c.cfg.min);
    c.low = pagesOf(c.cfg.low);
    c.high = pagesOf(c.cfg.high);
    c.max = pagesOf(c.cfg.max);
    c.swapMax = pagesOf(c.cfg.swapMax);
    c.softLimit = pagesOf(c.cfg.softLimit);
    c.memswLimit = pagesOf(c.cfg.memswLimit);
  }
  const { procs, totalPages } = layOutProcesses(sc, rate, cgs);
  const forks = procs.filter((p) => p.cfg.forkOf !== null);
  for (const child of forks) {
    const parent = procs.find((q) => q.cfg.name === child.cfg.forkOf);
    if (parent) child.anon.adoptLayout(parent.anon);
  }
  const mglru = h.policy === 'mglru';
  // zram's writes are synchronous (SWP_SYNCHRONOUS_IO): reclaim frees the page at once, as it
  // does in the generations and policy modes, which keep their own order.
  const asyncPageout = h.policy === 'linux' && disk;
  const lru = new LruLists(totalPages, cgs.length * (mglru ? GEN_LISTS : LRU_LISTS));
  const slotPage = new Int32Array(device.totalSlots).fill(-1);
  const s: HostState = {
    sc,
    rate,
    scale: 1 / rate,
    frames,
    free: frames,
    kernelFrames: 0,
    wmMin: 0,
    wmLow: 0,
    wmHigh: 0,
    swappiness: h.sysctl['vm.swappiness'],
    pageCluster: h.sysctl['vm.page-cluster'],
    totalPages,
    flags: new Uint16Array(totalPages),
    ownerStart: Int32Array.from(procs, (p) => p.anonBase),
    lru,
    scanCarry: new Float64Array(cgs.length * LRU_LISTS),
    procs,
    cgs,
    preorder: cgs.map((_, i) => subtreePreorder(cgs, i)),
    iterPos: new Int32Array(cgs.length).fill(-1),
    device,
    slotOf: new Int32Array(totalPages).fill(-1),
    slotPage,
    // SWAPFILE_CLUSTER is HPAGE_PMD_NR slots (x86-64 with THP swap).
    swapClusters: new SwapClusters(slotPage, (HPAGE_PMD_SIZE / h.pageSizeBytes) * rate),
    memswAccount: sc.cgroups.some((c) => c.origin === 'v1'),
    raHits: 0,
    raPrevOffset: -1,
    raLastPages: 1,
    swapRaPages: 0,
    swapRaHits: 0,
    events,
    gen: mglru ? new Generations(lru, cgs.length, totalPages, rate) : null,
    policy: h.policy === 'linux' || mglru ? null : createGlobalPolicy(sc, frames, totalPages),
    reclaim: null as unknown as Reclaim,
    cow: forks.length > 0 ? new Uint8Array(totalPages) : null,
    // madvise: no process madvises (the scenario has no such field), so only `always` maps huge pages.
    thpPages: h.thp === 'always' ? Math.max(1, Math.round((HPAGE_PMD_SIZE / pageSize) * rate)) : 0,
    kswapdAwake: false,
    kswapdFailures: 0,
    kswapdProgress: false,
    kswapdWriteBudget: 0,
    kswapdWakeUs: 0,
    swapFullReported: false,
    counters: new TickCounters(),
    devQueue: new BlockQueue(),
    nowUs: 0,
    tickStartUs: 0,
    statsFlushAtUs: 0,
    readyUs: new Float64Array(procs.some((p) => p.fileCap > 0) ? totalPages : 0),
    asyncPageout,
    wbRing: new Int32Array(asyncPageout ? 1024 : 0),
    wbHead: 0,
    wbLen: 0,
    wbPlugged: 0,
    wbPlugRequests: 0,
    wbPlugFirstPages: 0,
    wbPlugLastPages: 0,
    wbPlugLastSlot: -1,
    wbOuterPlug: false,
    wbDoneUs: new Float64Array(asyncPageout ? totalPages : 0),
    reclaimClockUs: 0,
    channels: disk ? sw.queueDepth : 1,
    occReadUs: disk ? occ(sw.readLatencyUs, 1) : 0,
    clusterPages: Math.max(1, Math.round(h.kernel.swapClusterMax * rate)),
    occWriteUs: disk ? occ(sw.writeLatencyUs, h.kernel.swapClusterMax) : 0,
    disk,
    pageSize,
    zram: h.swap.device === 'zram',
  };
  setWatermarks(s);
  for (const p of procs) {
    for (let i = 0; i < p.fileCap; i++) {
      const page = p.fileBase + i;
      s.flags[page] = FILE;
      if (hash32(page, 0x5eed) / 4294967296 < p.cfg.memory.fileDirtyFraction) s.flags[page] |= WRITABLE;
    }
  }
  return s;
}

/** Each process's anon, file and leak ranges, one after the other in one dense id space. */
function layOutProcesses(sc: Scenario, rate: number, cgs: CgroupRt[]): { procs: ProcRt[]; totalPages: number } {
  const pageSize = sc.host.pageSizeBytes;
  const scale = 1 / rate;
  const cgIndex = new Map(cgs.map((c, i) => [c.path, i]));
  let next = 0;
  const procs = sc.processes.map((cfg, idx): ProcRt => {
    const rng = new Rng(hash32(hashString(cfg.name), sc.seed));
    const traces = traceStreams(cfg, rate, rng);
    // A region replaying a trace holds at least the trace's (sampled) pages.
    const tracePages = (region: 'anon' | 'file') =>
      Math.max(
        0,
        ...cfg.access.map((ph, i) =>
          ph.pattern.kind === 'trace' && ph.pattern.region === region ? traces[i]!.pages : 0,
        ),
      );
    const pagesOf = (bytes: number) => Math.max(bytes > 0 ? 1 : 0, Math.round((bytes / pageSize) * rate));
    const anonCap = Math.max(pagesOf(cfg.memory.anonBytes), tracePages('anon'));
    const fileCap = Math.max(pagesOf(cfg.memory.fileBytes), tracePages('file'));
    const life = Math.max(0, Math.min(sc.durationMs, cfg.stopMs) - Math.min(cfg.startMs, sc.durationMs));
    const leakCap = Math.ceil(((cfg.memory.leakBytesPerSec * life) / 1000 / pageSize) * rate) + 1;
    const streams = cfg.access.map((ph, i) => {
      const pattern = ph.pattern;
      if (pattern.kind === 'trace') return traces[i] ?? null;
      if (pattern.kind !== 'mrc') return null;
      const cap = pattern.region === 'anon' ? anonCap : fileCap;
      return new MrcStream(pattern.frames, pattern.missRatio, Math.max(1, cap), rng.fork(40 + i), scale);
    });
    const p: ProcRt = {
      idx,
      cfg,
      cg: cgIndex.get(normPath(cfg.cgroup)) ?? 0,
      anonBase: next,
      anonCap,
      fileBase: next + anonCap,
      fileCap,
      leakBase: next + anonCap + fileCap,
      leakCap,
      leakUsed: 0,
      anon: new RegionStream(anonCap, rng.fork(1), scale, cfg.firstTouch),
      file: new RegionStream(fileCap, rng.fork(2), scale, cfg.firstTouch),
      streams,
      phase: 0,
      phaseStartMs: 0,
      touched: 0,
      touchLimit: Number.POSITIVE_INFINITY,
      rng,
      started: false,
      alive: false,
      killed: false,
      killedAtMs: 0,
      rssAnon: 0,
      rssFile: 0,
      swap: 0,
      peakRss: 0,
      leakPending: 0,
      leakFrac: 0,
      overHighPages: 0,
      allocFailures: 0,
      committedBytes: 0,
      virtBytes: 0,
      raHits: 0,
      raPrevWin: 1,
      raPrevPage: -1,
      raStart: 0,
      raSize: 0,
      raAsync: 0,
      raPrevFile: -2,
      mmapMiss: 0,
      ptFrames: 0,
      ptDebt: 0,
      fixedFrames: 0,
      ioUntilUs: 0,
      flightLo: 0,
      flightHi: 0,
      flightEndUs: 0,
      selfQueueUs: 0,
      tick: emptyStats(),
      total: emptyStats(),
      totalThreadSec: 0,
      idle: false,
      noProgress: 0,
      cowParent: -1,
    };
    next += anonCap + fileCap + leakCap;
    return p;
  });
  return { procs, totalPages: next };
}

function subtreePreorder(cgs: CgroupRt[], root: number): Int32Array {
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const c = stack.pop()!;
    out.push(c);
    const children = cgs[c]!.children;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return Int32Array.from(out);
}

/**
 * The trace streams of a process's phases (by phase index), read from the files the engine
 * prepared before the run (workload/trace-prepare.ts). A sampled replay keeps the pages whose
 * hash falls under the rate, as SHARDS does.
 */
function traceStreams(cfg: ProcessConfig, rate: number, rng: Rng): (TraceStream | null)[] {
  if (!cfg.access.some((ph) => ph.pattern.kind === 'trace')) return cfg.access.map(() => null);
  return cfg.access.map((ph, i) => {
    const pattern = ph.pattern;
    if (pattern.kind !== 'trace') return null;
    if (!pattern.prepared) {
      throw new FaultlineError(`internal: ${pattern.where}: trace ${pattern.file} was not read before the run`, 3);
    }
    return new TraceStream(pattern.prepared, {
      loop: pattern.atEnd === 'loop',
      sampleRate: rate,
      seed: rng.fork(20 + i).nextU32(),
    });
  });
}

/** Root first, then cgroups so that a parent always precedes its children (PSI needs that order). */
function buildCgroups(cfgs: CgroupConfig[]): CgroupRt[] {
  const byPath = new Map(cfgs.map((c) => [normPath(c.path), c]));
  const out: CgroupRt[] = [newCgroup(null, '', -1)];
  const index = new Map<string, number>([['', 0]]);
  const visit = (path: string): number => {
    const known = index.get(path);
    if (known !== undefined) return known;
    const cfg = byPath.get(path) ?? null;
    const parentPath =
      cfg?.parent != null ? normPath(cfg.parent) : path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const parent = visit(parentPath);
    const i = out.length;
    out.push(newCgroup(cfg, path, parent));
    index.set(path, i);
    out[parent]!.children.push(i);
    return i;
  };
  for (const c of cfgs) visit(normPath(c.path));
  for (let i = 0; i < out.length; i++) {
    const chain: number[] = [];
    for (let c = i; c >= 0; c = out[c]!.parent) chain.push(c);
    out[i]!.chain = Int32Array.from(chain);
  }
  return out;
}

function newCgroup(cfg: CgroupConfig | null, path: string, parent: number): CgroupRt {
  return {
    cfg,
    path,
    parent,
    chain: new Int32Array(0),
    children: [],
    min: 0,
    low: 0,
    high: Number.POSITIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    swapMax: Number.POSITIVE_INFINITY,
    softLimit: Number.POSITIVE_INFINITY,
    memswLimit: Number.POSITIVE_INFINITY,
    swappiness: cfg?.swappiness ?? null,
    oomGroup: cfg?.oomGroup ?? false,
    usage: 0,
    swap: 0,
    emin: 0,
    elow: 0,
    anonCost: 0,
    fileCost: 0,
    nonresidentAge: 0,
    refaultActivateAnon: 0,
    refaultActivateFile: 0,
    snapActivateAnon: 0,
    snapActivateFile: 0,
    statLru: new Float64Array(4),
    statActivateAnon: 0,
    statActivateFile: 0,
    throttleSec: 0,
    majorTick: 0,
    pgscan: 0,
    memoryEvents: new Float64Array(5),
  };
}
