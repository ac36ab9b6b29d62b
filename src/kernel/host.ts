import { createPolicy, parsePolicySpec } from '../policies/registry.js';
import type { ReplacementPolicy } from '../policies/types.js';
import type { CgroupConfig, CgroupField, ProcessConfig, Scenario } from '../scenario/types.js';
import { InputError } from '../util/errors.js';
import { hash32, hashString, Rng } from '../util/rng.js';
import { RegionStream } from '../workload/stream.js';
import { LruLists } from './lru.js';
import { globalOomTotalPages, memcgOomTotalPages, type OomScope, selectOomVictims } from './mechanisms/oom.js';
import { SwapDevice } from './mechanisms/swap-device.js';
import { hostWatermarks } from './mechanisms/watermarks.js';
import { GEN_LISTS, Generations, MIN_NR_GENS, T_ANON, T_FILE, tierOf } from './mglru.js';

// Page flags (one Uint16 per page). YOUNG is the PTE accessed bit, REF is PG_referenced:
// `folio_check_references` needs both to give mapped pages their second chance (§2.2).
export const RES = 1;
export const SWP = 2;
export const ACT = 4;
export const REF = 8;
export const YOUNG = 16;
/** PG_workingset: the page was deactivated from the active list once (LK `shrink_active_list`). */
export const WS = 32;
export const DIRTY = 64;
/** In the swap cache after readahead: resident, not yet mapped, its swap slot still holds its data. */
export const SC = 128;
export const FILE = 256;
/** Faulted in at least once: a non-resident page with EVER has a shadow entry (§2.4). */
export const EVER = 512;
/** Shadow entry recorded PG_workingset at eviction (`workingset_eviction` packs it). */
export const SHADOW_WS = 1024;
/** A file page the process writes (`fileDirtyFraction`), dirtied on each touch. */
export const WRITABLE = 2048;

// List index within a cgroup's lruvec: LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE.
const L_IA = 0;
const L_AA = 1;
const L_IF = 2;
const L_AF = 3;

export interface ProcStats {
  touches: number;
  minor: number;
  major: number;
  swapIn: number;
  /** Thread-seconds stalled on memory (fault waits, direct/memcg reclaim, throttling), real time. */
  stallSec: number;
  /** Part of stallSec that is waiting for a device read. */
  ioWaitSec: number;
  cpuUserSec: number;
  cpuFaultSec: number;
  cpuReclaimSec: number;
  throttleSec: number;
  /** Of stallSec: direct and memcg-limit reclaim plus memory.high sleeps (not device reads). */
  reclaimStallSec: number;
}

export function emptyStats(): ProcStats {
  return {
    touches: 0,
    minor: 0,
    major: 0,
    swapIn: 0,
    stallSec: 0,
    ioWaitSec: 0,
    cpuUserSec: 0,
    cpuFaultSec: 0,
    cpuReclaimSec: 0,
    throttleSec: 0,
    reclaimStallSec: 0,
  };
}

export interface ProcRt {
  idx: number;
  cfg: ProcessConfig;
  cg: number;
  anonBase: number;
  anonCap: number;
  fileBase: number;
  fileCap: number;
  leakBase: number;
  leakCap: number;
  leakUsed: number;
  anon: RegionStream;
  file: RegionStream;
  rng: Rng;
  started: boolean;
  alive: boolean;
  killed: boolean;
  killedAtMs: number;
  /** Resident anon / file pages and swapped pages owned by this process (sampled pages). */
  rssAnon: number;
  rssFile: number;
  swap: number;
  peakRss: number;
  /** Grown anon pages not yet allocated (touched) by the process. */
  growthPending: number;
  growthFrac: number;
  leakPending: number;
  leakFrac: number;
  /** Pages charged over memory.high since the last return to user space (real pages). */
  overHighPages: number;
  /** Allocations refused (ENOMEM): the process stops growing after the first. */
  allocFailures: number;
  /** Bytes committed (Committed_AS share) and virtual size, real bytes. */
  committedBytes: number;
  virtBytes: number;
  /** Readahead window state (`__swapin_nr_pages`): hits since last fault, previous window, previous offset. */
  raHits: number;
  raPrevWin: number;
  raPrevPage: number;
  tick: ProcStats;
  total: ProcStats;
  /** Thread-seconds alive, for stallPct. */
  totalThreadSec: number;
  /** Nothing to touch this tick (no working set yet). */
  idle: boolean;
  /** Direct reclaim rounds in a row without progress (`should_reclaim_retry`). */
  noProgress: number;
  /** Forked child: index of the parent whose anon pages it shares copy-on-write, −1 when none. */
  cowParent: number;
}

export interface CgroupRt {
  cfg: CgroupConfig | null;
  path: string;
  parent: number;
  /** Ancestors including itself, nearest first. */
  chain: Int32Array;
  children: number[];
  min: number;
  low: number;
  high: number;
  max: number;
  swapMax: number;
  softLimit: number;
  memswLimit: number;
  swappiness: number | null;
  oomGroup: boolean;
  /** Hierarchical usage and swap (sampled pages), as memory.current / memory.swap.current. */
  usage: number;
  swap: number;
  emin: number;
  elow: number;
  anonCost: number;
  fileCost: number;
  nonresidentAge: number;
  refaultActivateAnon: number;
  refaultActivateFile: number;
  snapActivateAnon: number;
  snapActivateFile: number;
  throttleSec: number;
  majorTick: number;
  /** memory.stat pgscan, hierarchical, simulated pages (systemd-oomd ranks by its growth). */
  pgscan: number;
  /** memory.events, hierarchical: counts indexed by EV_LOW … EV_OOM_KILL. */
  memoryEvents: Float64Array;
}

/** memory.events entries (LK `enum memcg_memory_event`, cgroup-v2.rst). */
export const EV_LOW = 0;
export const EV_HIGH = 1;
export const EV_MAX = 2;
export const EV_OOM = 3;
export const EV_OOM_KILL = 4;

export interface HostEvents {
  oomKill(p: ProcRt, badness: number, reason: string, scopeCg: number): void;
  swapFull(): void;
}

/** Scan control: one reclaim invocation (LK `struct scan_control`). */
interface ScanControl {
  target: number;
  global: boolean;
  priority: number;
  nrToReclaim: number;
  /**
   * Pages each lruvec may give in one visit (shrink_lruvec's own `nr_to_reclaim`): every memcg
   * under the target is visited and reclaimed up to this, so no cgroup pays for coming first.
   */
  batch: number;
  /** `reclaimed` at which the lruvec being shrunk has given its batch. */
  lruvecGoal: number;
  reclaimed: number;
  scanned: number;
  written: number;
  lowReclaim: boolean;
  lowSkipped: boolean;
  mayDeactAnon: boolean;
  mayDeactFile: boolean;
  cacheTrim: boolean;
  fileTiny: boolean;
  kswapd: boolean;
  /** kswapd met its writeback limit (`reclaim_throttle`): the invocation ends with what it has. */
  throttled: boolean;
}

/**
 * One Linux host at page level (sampled or exact): frames, per-cgroup two-list LRUs,
 * reclaim, refault detection, swap, cgroup limits and OOM. Time and CPU are kept by the
 * caller (`simulate.ts`); every function here returns or records the work it did.
 */
export class Host {
  readonly sc: Scenario;
  readonly rate: number;
  /** Real pages per simulated page. */
  readonly scale: number;
  readonly frames: number;
  free: number;
  wmMin = 0;
  wmLow = 0;
  wmHigh = 0;
  swappiness: number;
  pageCluster: number;
  readonly totalPages: number;
  readonly flags: Uint16Array;
  readonly owner: Uint16Array;
  readonly shadow: Uint32Array;
  readonly lru: LruLists;
  /** Per cgroup × list: the fraction of a sampled page get_scan_count's last target left over. */
  private readonly scanCarry: Float64Array;
  readonly procs: ProcRt[];
  readonly cgs: CgroupRt[];
  readonly device: SwapDevice;
  readonly events: HostEvents;
  /**
   * A registry replacement policy (`host.policy` other than linux) replacing the per-cgroup
   * two-list LRU by one global list: the simple path, without anon/file balancing, kswapd,
   * watermarks or cgroup-limit reclaim.
   */
  readonly policy: ReplacementPolicy | null;
  /**
   * `host.policy: mglru`: the multi-generational LRU (mglru.ts) replaces the two-list
   * per cgroup; watermarks, kswapd, cgroup limits and the swap path stay the same.
   */
  readonly gen: Generations | null;
  /**
   * Copy-on-write sharing after fork, per page of a parent's anon region: 1 while the page
   * was in the parent at a fork and is still shared (allocated only when a process forks).
   */
  readonly cow: Uint8Array | null;
  /** `host.thp: always`: simulated pages per 2 MiB huge page (2 MiB / page size × sample rate, at least 1); 0 without THP. */
  readonly thpPages: number;
  kswapdAwake = false;
  kswapdFailures = 0;
  /** Per-tick IO and reclaim counters (simulated pages). */
  swapInPages = 0;
  swapReadIos = 0;
  swapOutPages = 0;
  fileReadPages = 0;
  fileWritePages = 0;
  scanKswapd = 0;
  scanDirect = 0;
  kswapdWriteBudget = 0;
  swapFullReported = false;
  /** Mean swap read response of the previous tick, seconds (closed loop, §11). */
  /**
   * The disk as a fluid FIFO within the tick (§11 closed loop): channel-µs of work queued
   * since the tick started (carried backlog included). An IO issued at `nowUs` waits for the
   * work ahead of it, so a burst of faults in one tick slows itself down at once.
   */
  devQueueUs = 0;
  /** Position of the task now running, µs into the tick. */
  nowUs = 0;
  readonly channels: number;
  readonly occReadUs: number;
  /**
   * SWAP_CLUSTER_MAX in simulated pages: the kernel reclaims and scans in batches of 32 real
   * pages (`shrink_lruvec` chunks; `nr_to_reclaim` of direct, memcg-limit and kswapd reclaim),
   * which are 32·R sampled pages. Left at 32 sampled pages (32/R real), one direct reclaim at
   * 1/128 freed 4096 real pages, more than the whole min→high watermark gap (~2 K real pages
   * on incident/16): free memory overshot past high, kswapd slept, and reclaim came in coarse
   * bursts (the sampled run kept 8–15 MB free where the exact one kept 2.4 MB). Rounded, at
   * least 1 page: below 1/64 a batch is at most 2 × 32 real pages, small against the gaps.
   */
  readonly clusterPages: number;
  /** Occupancy of one swap-out IO of SWAP_CLUSTER_MAX pages. */
  readonly occWriteUs: number;
  readonly disk: boolean;
  readonly pageSize: number;
  /** zram swap: (de)compression is CPU of the faulting or reclaiming task, not a device wait (§8.2). */
  readonly zram: boolean;

  constructor(sc: Scenario, rate: number, events: HostEvents) {
    this.sc = sc;
    this.rate = rate;
    this.scale = 1 / rate;
    this.events = events;
    const h = sc.host;
    this.pageSize = h.pageSizeBytes;
    this.zram = h.swap.device === 'zram';
    this.frames = Math.max(1, Math.floor(((h.ramBytes - h.reservedBytes) / h.pageSizeBytes) * rate));
    this.free = this.frames;
    this.swappiness = h.sysctl['vm.swappiness'];
    this.pageCluster = h.sysctl['vm.page-cluster'];
    this.clusterPages = Math.max(1, Math.round(h.kernel.swapClusterMax * rate));
    this.setWatermarks();
    this.device = new SwapDevice(
      { ...h.swap, sizeBytes: h.swap.device === 'none' ? 0 : h.swap.sizeBytes * rate },
      { pageSizeBytes: h.pageSizeBytes },
    );
    const sw = h.swap;
    this.disk = sw.device !== 'zram' && sw.device !== 'none';
    this.channels = this.disk ? sw.queueDepth : 1;
    const occ = (latUs: number, pages: number) =>
      Math.max(
        latUs,
        (sw.queueDepth / sw.iops) * 1e6,
        ((sw.queueDepth * pages * h.pageSizeBytes) / sw.bandwidthBytesPerSec) * 1e6,
      );
    this.occReadUs = this.disk ? occ(sw.readLatencyUs, 1) : 0;
    this.occWriteUs = this.disk ? occ(sw.writeLatencyUs, h.kernel.swapClusterMax) : 0;

    this.cgs = buildCgroups(sc.cgroups);
    for (const c of this.cgs) {
      if (!c.cfg) continue;
      c.min = this.pagesOf(c.cfg.min);
      c.low = this.pagesOf(c.cfg.low);
      c.high = this.pagesOf(c.cfg.high);
      c.max = this.pagesOf(c.cfg.max);
      c.swapMax = this.pagesOf(c.cfg.swapMax);
      c.softLimit = this.pagesOf(c.cfg.softLimit);
      c.memswLimit = this.pagesOf(c.cfg.memswLimit);
    }
    const cgIndex = new Map(this.cgs.map((c, i) => [c.path, i]));
    let next = 0;
    this.procs = sc.processes.map((cfg, idx) => {
      const anonCap = Math.max(
        cfg.memory.anonBytes > 0 ? 1 : 0,
        Math.round((cfg.memory.anonBytes / this.pageSize) * rate),
      );
      const fileCap = Math.max(
        cfg.memory.fileBytes > 0 ? 1 : 0,
        Math.round((cfg.memory.fileBytes / this.pageSize) * rate),
      );
      const life = Math.max(0, Math.min(sc.durationMs, cfg.stopMs) - Math.min(cfg.startMs, sc.durationMs));
      const leakCap = Math.ceil(((cfg.memory.leakBytesPerSec * life) / 1000 / this.pageSize) * rate) + 1;
      const seed = hash32(hashString(cfg.name), sc.seed);
      const rng = new Rng(seed);
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
        anon: new RegionStream(anonCap, rng.fork(1), this.scale),
        file: new RegionStream(fileCap, rng.fork(2), this.scale),
        rng,
        started: false,
        alive: false,
        killed: false,
        killedAtMs: 0,
        rssAnon: 0,
        rssFile: 0,
        swap: 0,
        peakRss: 0,
        growthPending: 0,
        growthFrac: 0,
        leakPending: 0,
        leakFrac: 0,
        overHighPages: 0,
        allocFailures: 0,
        committedBytes: 0,
        virtBytes: 0,
        raHits: 0,
        raPrevWin: 1,
        raPrevPage: -1,
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
    this.totalPages = next;
    const forks = this.procs.filter((p) => p.cfg.forkOf !== null);
    for (const child of forks) {
      const parent = this.procs.find((q) => q.cfg.name === child.cfg.forkOf);
      if (parent) child.anon.adoptLayout(parent.anon);
    }
    this.cow = forks.length > 0 ? new Uint8Array(next) : null;
    // madvise: no process madvises (the scenario has no such field), so only `always` maps huge pages.
    this.thpPages = h.thp === 'always' ? Math.max(1, Math.round((HPAGE_PMD_SIZE / this.pageSize) * rate)) : 0;
    this.flags = new Uint16Array(next);
    this.owner = new Uint16Array(next);
    this.shadow = new Uint32Array(next);
    const mglru = h.policy === 'mglru';
    this.lru = new LruLists(next, this.cgs.length * (mglru ? GEN_LISTS : 4));
    this.scanCarry = new Float64Array(this.cgs.length * 4);
    this.gen = mglru ? new Generations(this.lru, this.cgs.length, next, rate) : null;
    this.policy = h.policy === 'linux' || mglru ? null : this.globalPolicy(sc);
    for (const p of this.procs) {
      this.owner.fill(p.idx, p.anonBase, p.leakBase + p.leakCap);
      for (let i = 0; i < p.fileCap; i++) {
        const page = p.fileBase + i;
        this.flags[page] = FILE;
        if (hash32(page, 0x5eed) / 4294967296 < p.cfg.memory.fileDirtyFraction) this.flags[page] |= WRITABLE;
      }
    }
  }

  private globalPolicy(sc: Scenario): ReplacementPolicy {
    const parsed = parsePolicySpec(sc.host.policy);
    if (parsed.factory.id === 'linux') {
      throw new InputError(`host.policy ${sc.host.policy}: use policy linux for the kernel's own reclaim`);
    }
    if (parsed.factory.id === 'opt') {
      throw new InputError('host.policy opt needs the whole reference stream in advance: it cannot drive a live host');
    }
    const limited = sc.cgroups.filter(
      (c) =>
        c.min > 0 ||
        c.low > 0 ||
        Number.isFinite(c.high) ||
        Number.isFinite(c.max) ||
        Number.isFinite(c.softLimit) ||
        Number.isFinite(c.memswLimit),
    );
    if (limited.length > 0) {
      throw new InputError(
        `host.policy ${sc.host.policy} replaces the kernel's per-cgroup reclaim with one global list, so cgroup memory limits ` +
          `(${limited.map((c) => c.path).join(', ')}) cannot be enforced: use policy linux`,
      );
    }
    const pol = createPolicy(sc.host.policy, this.frames, { maxPageId: this.totalPages, seed: sc.seed });
    if (!pol.admits) throw new InputError(`host.policy ${pol.spec} admits no page with ${this.frames} frames`);
    return pol;
  }

  /** Bytes to (sampled) pages; Infinity stays unlimited. */
  pagesOf(bytes: number): number {
    return Number.isFinite(bytes) ? Math.floor((bytes / this.pageSize) * this.rate) : Number.POSITIVE_INFINITY;
  }

  /** Index of a cgroup by path (`batch`, `/batch`), or −1. */
  cgroupIndex(path: string): number {
    const n = normPath(path);
    return this.cgs.findIndex((c) => c.path === n);
  }

  /**
   * A write to a cgroup interface file at run time (scenario event), by the CgroupConfig field
   * the loader resolved the file name to. A limit lowered below usage takes effect at the
   * cgroup's next charge (reclaim, then OOM).
   */
  setCgroupField(cg: number, field: CgroupField, value: number | boolean | null): void {
    const c = this.cgs[cg]!;
    if (field === 'swappiness') c.swappiness = value === null ? null : Number(value);
    else if (field === 'oomGroup') c.oomGroup = Boolean(value);
    else c[field] = this.pagesOf(value === null ? Number.POSITIVE_INFINITY : Number(value));
  }

  setWatermarks(): void {
    const h = this.sc.host;
    const wm = hostWatermarks({
      managedBytes: h.ramBytes - h.reservedBytes,
      pageSizeBytes: h.pageSizeBytes,
      minFreeKbytes: h.sysctl['vm.min_free_kbytes'],
      watermarkScaleFactor: h.sysctl['vm.watermark_scale_factor'],
      scale: this.rate,
    });
    this.wmMin = wm.minPages;
    this.wmLow = Math.max(wm.lowPages, this.wmMin);
    this.wmHigh = Math.max(wm.highPages, this.wmLow);
  }

  /** Free frames minus the RAM zram's compressed store occupies. */
  get freeFrames(): number {
    return this.free - this.zramFrames();
  }

  zramFrames(): number {
    return Math.ceil(this.device.ramUsedBytes / this.pageSize);
  }

  // ---------------------------------------------------------------- charging

  private charge(cg: number, n: number): void {
    const chain = this.cgs[cg]!.chain;
    for (let i = 0; i < chain.length; i++) this.cgs[chain[i]!]!.usage += n;
  }

  private chargeSwap(cg: number, n: number): void {
    const chain = this.cgs[cg]!.chain;
    for (let i = 0; i < chain.length; i++) this.cgs[chain[i]!]!.swap += n;
  }

  /** The nearest cgroup in `cg`'s chain whose memory.max (or v1 memsw limit) one more page would exceed. */
  private overMax(cg: number): number {
    const chain = this.cgs[cg]!.chain;
    for (let i = 0; i < chain.length; i++) {
      const c = this.cgs[chain[i]!]!;
      if (c.usage + 1 > c.max || c.usage + c.swap + 1 > c.memswLimit) return chain[i]!;
    }
    return -1;
  }

  /** Whether anon pages of `cg` may go to swap (§3 step 1: no swap space, memory.swap.max, memsw). */
  canSwap(cg: number): boolean {
    if (this.device.freeSlotCount < 1) return false;
    const chain = this.cgs[cg]!.chain;
    for (let i = 0; i < chain.length; i++) {
      const c = this.cgs[chain[i]!]!;
      if (c.swap + 1 > c.swapMax) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- frame allocation

  /**
   * Gets a frame for process `p` (charging its cgroup): memcg limit reclaim, then the
   * page allocator's low/min watermark logic (§1.2). Returns false when `p` was killed
   * (OOM) while trying. Reclaim costs are added to `p.tick`.
   */
  allocFrame(p: ProcRt): boolean {
    // try_charge_memcg: reclaim inside the limited cgroup, MAX_RECLAIM_RETRIES, then memcg OOM.
    let limited = this.overMax(p.cg);
    let retries = 0;
    while (limited >= 0) {
      const c = this.cgs[limited]!;
      // Each charge attempt over memory.max counts `max`; giving up counts `oom` (try_charge_memcg).
      this.memoryEvent(limited, EV_MAX);
      const got = this.reclaimCgroup(limited, this.clusterPages, p);
      if (!p.alive) return false;
      if (got > 0) retries = 0;
      else if (++retries >= this.sc.host.kernel.maxReclaimRetries) {
        this.memoryEvent(limited, EV_OOM);
        this.oomKill(limited, `memory.max of ${c.path || '/'} reached`);
        if (!p.alive) return false;
        retries = 0;
      }
      limited = this.overMax(p.cg);
    }
    // __alloc_pages: fast path above low; wake kswapd; below min, direct reclaim.
    this.wakeKswapd();
    while (this.freeFrames <= this.wmMin || this.freeFrames <= 0) {
      const got = this.directReclaim(p);
      if (!p.alive) return false;
      if (got > 0) {
        p.noProgress = 0;
        this.kswapdFailures = 0;
      } else if (++p.noProgress >= this.sc.host.kernel.maxReclaimRetries) {
        p.noProgress = 0;
        this.oomKill(0, 'out of memory: reclaim made no progress');
        if (!p.alive) return false;
      }
    }
    this.free--;
    this.charge(p.cg, 1);
    this.noteOverHigh(p, 1);
    return true;
  }

  /** `wake_all_kswapds` when free memory is at or below the low watermark (unless kswapd gave up). */
  private wakeKswapd(): void {
    if (
      this.freeFrames <= this.wmLow &&
      !this.kswapdAwake &&
      this.kswapdFailures < this.sc.host.kernel.maxReclaimRetries
    )
      this.kswapdAwake = true;
  }

  /** try_charge_memcg over memory.high: the task reclaims and sleeps on return to user space. */
  private noteOverHigh(p: ProcRt, pages: number): void {
    const chain = this.cgs[p.cg]!.chain;
    for (let i = 0; i < chain.length; i++) {
      const c = this.cgs[chain[i]!]!;
      if (c.usage > c.high) {
        p.overHighPages += pages * this.scale;
        break;
      }
    }
  }

  /**
   * THP fault (`do_huge_pmd_anonymous_page`, §9), `host.thp: always`: the first touch of an
   * empty, aligned 2 MiB range of the anon region maps all of it with one fault and zeroes
   * 2 MiB; the untouched part is bloat (`max_ptes_none` 511). Falls back to a 4 KiB fault
   * (false) when the range is not wholly inside the region or part of it was faulted
   * before, when the allocation would need
   * reclaim or compaction (free memory at or below the high watermark after it: defrag's
   * default does not compact for a non-madvised VMA), or when the cgroup cannot take the
   * whole folio (THP_FAULT_FALLBACK_CHARGE). Once mapped, the pages age and are reclaimed
   * one by one (the folio is split at reclaim).
   */
  private thpFault(p: ProcRt, page: number): boolean {
    const h = this.thpPages;
    const o = page - p.anonBase;
    const start = page - (o % h);
    const end = start + h;
    // The whole range must lie in the region (`transhuge_vma_suitable`) and be empty (`pmd_none`).
    if (end > p.anonBase + p.anonCap) return false;
    const n = h;
    const flags = this.flags;
    for (let q = start; q < end; q++) if (flags[q]! & EVER) return false;
    if (this.freeFrames - n <= this.wmHigh) return false;
    const chain = this.cgs[p.cg]!.chain;
    for (let i = 0; i < chain.length; i++) {
      const c = this.cgs[chain[i]!]!;
      if (c.usage + n > c.max || c.usage + c.swap + n > c.memswLimit) return false;
    }
    this.free -= n;
    this.charge(p.cg, n);
    this.wakeKswapd();
    this.noteOverHigh(p, n);
    for (let q = start; q < end; q++) {
      this.mapNew(p, q, L_IA, (flags[q]! & WRITABLE) | EVER | RES | (q === page ? YOUNG : 0));
    }
    // One real fault per 2 MiB mapped.
    const faults = (n * this.scale * this.pageSize) / HPAGE_PMD_SIZE;
    p.tick.minor += faults / this.scale;
    p.tick.cpuFaultSec += (this.sc.host.costs.minorFaultCpuUs + THP_ZERO_CPU_US) * 1e-6 * faults;
    return true;
  }

  private directReclaim(p: ProcRt): number {
    const sc = this.newSc(0, true, this.clusterPages);
    this.doReclaim(sc);
    this.scanDirect += sc.scanned;
    this.chargeReclaim(p, sc, true);
    return sc.reclaimed;
  }

  /** memcg limit reclaim (`try_to_free_mem_cgroup_pages`), charged to `p` as a stall. */
  reclaimCgroup(cg: number, pages: number, p: ProcRt): number {
    const sc = this.newSc(cg, false, Math.max(pages, 1));
    this.doReclaim(sc);
    this.scanDirect += sc.scanned;
    this.chargeReclaim(p, sc, true);
    return sc.reclaimed;
  }

  /** CPU of scanning, plus waiting for the writes it issued (reclaim_throttle on writeback, §1.2). */
  private chargeReclaim(p: ProcRt, sc: ScanControl, stall: boolean): void {
    const cpu = this.reclaimCpuSec(sc);
    p.tick.cpuReclaimSec += cpu;
    if (!stall) return;
    const clusters = (sc.written * this.scale) / this.sc.host.kernel.swapClusterMax;
    const perCluster = this.disk ? this.queueAheadUs() * 1e-6 + this.sc.host.swap.writeLatencyUs * 1e-6 : 0;
    const wait = Math.min(clusters * perCluster, 0.1 * clusters);
    const noProgressWait = sc.reclaimed === 0 ? 0.004 : 0;
    p.tick.stallSec += cpu + wait + noProgressWait;
    p.tick.reclaimStallSec += cpu + wait + noProgressWait;
  }

  private reclaimCpuSec(sc: ScanControl): number {
    const scan = sc.scanned * this.sc.host.costs.reclaimScanCpuUs;
    const compress = this.zram ? sc.written * this.sc.host.swap.compressCpuUs : 0;
    return (scan + compress) * this.scale * 1e-6;
  }

  /** Whether the last kswapdRun freed anything (else kswapd waits for the next tick). */
  kswapdProgress = false;

  /** Work ahead of an IO issued now, µs per channel. */
  private queueAheadUs(): number {
    return Math.max(0, this.devQueueUs / this.channels - this.nowUs);
  }

  /** Response time of `scale` real reads issued now (one simulated fault), seconds of thread time. */
  private readWaitSec(): number {
    if (!this.disk) return FALLBACK_FILE_READ_SEC * this.scale;
    const wait = (this.queueAheadUs() + this.sc.host.swap.readLatencyUs) * 1e-6 * this.scale;
    this.devQueueUs += this.occReadUs * this.scale;
    return wait;
  }

  /** Queues the writes of `pages` simulated pages (swap-out or writeback clusters). */
  private queueWrites(pages: number): void {
    if (this.disk) this.devQueueUs += (this.occWriteUs * pages * this.scale) / this.sc.host.kernel.swapClusterMax;
  }

  /** kswapd: reclaims toward the high watermark in SWAP_CLUSTER_MAX batches; returns CPU seconds used. */
  kswapdRun(maxBatches: number): number {
    let cpu = 0;
    this.kswapdProgress = false;
    for (let b = 0; b < maxBatches; b++) {
      if (this.freeFrames >= this.wmHigh) {
        this.kswapdAwake = false;
        break;
      }
      const sc = this.newSc(0, true, Math.min(this.clusterPages, this.wmHigh - this.freeFrames));
      sc.kswapd = true;
      this.doReclaim(sc);
      this.scanKswapd += sc.scanned;
      cpu += this.reclaimCpuSec(sc);
      if (sc.reclaimed === 0) {
        // balance_pgdat gave up this round; after MAX_RECLAIM_RETRIES only direct reclaim is left.
        if (sc.scanned === 0 || this.kswapdWriteBudget > 0) this.kswapdFailures++;
        if (this.kswapdFailures >= this.sc.host.kernel.maxReclaimRetries) this.kswapdAwake = false;
        break;
      }
      this.kswapdFailures = 0;
      this.kswapdProgress = true;
    }
    return cpu;
  }

  private newSc(target: number, global: boolean, nr: number): ScanControl {
    return {
      target,
      global,
      priority: this.sc.host.kernel.defPriority,
      nrToReclaim: nr,
      batch: nr,
      lruvecGoal: nr,
      reclaimed: 0,
      scanned: 0,
      written: 0,
      lowReclaim: false,
      lowSkipped: false,
      mayDeactAnon: false,
      mayDeactFile: false,
      cacheTrim: false,
      fileTiny: false,
      kswapd: false,
      throttled: false,
    };
  }

  // ---------------------------------------------------------------- reclaim (classic two-list)

  /** `do_try_to_free_pages` / `balance_pgdat`: priority passes, soft limit first, memory.low retry. */
  private doReclaim(sc: ScanControl): void {
    this.computeProtection(sc.target);
    for (let pass = 0; pass < 2; pass++) {
      for (sc.priority = this.sc.host.kernel.defPriority; sc.priority >= 0; sc.priority--) {
        if (sc.global && sc.priority === this.sc.host.kernel.defPriority) this.softLimitReclaim(sc);
        if (sc.reclaimed >= sc.nrToReclaim) break;
        this.prepareScanControl(sc);
        this.shrinkNode(sc);
        if (sc.reclaimed >= sc.nrToReclaim) break;
      }
      if (sc.reclaimed > 0 || !sc.lowSkipped) break;
      // memcg_low_reclaim: nothing unprotected was reclaimable, so memory.low gives way.
      sc.lowReclaim = true;
    }
    // snapshot_refaults: refault activations are compared against this at the next reclaim.
    const t = this.cgs[sc.target]!;
    t.snapActivateAnon = t.refaultActivateAnon;
    t.snapActivateFile = t.refaultActivateFile;
  }

  /** `mem_cgroup_soft_limit_reclaim`: cgroups above their v1 soft limit, largest excess first. */
  private softLimitReclaim(sc: ScanControl): void {
    for (let guard = 0; guard < this.cgs.length && sc.reclaimed < sc.nrToReclaim; guard++) {
      let best = -1;
      let bestExcess = 0;
      for (let c = 1; c < this.cgs.length; c++) {
        const ex = this.cgs[c]!.usage - this.cgs[c]!.softLimit;
        if (ex > bestExcess) {
          bestExcess = ex;
          best = c;
        }
      }
      if (best < 0) return;
      const before = sc.reclaimed;
      const want = sc.nrToReclaim;
      const batch = sc.batch;
      sc.nrToReclaim = Math.min(want, sc.reclaimed + bestExcess);
      sc.batch = sc.nrToReclaim - sc.reclaimed;
      const savedPrio = sc.priority;
      for (let prio = savedPrio; prio >= 0 && sc.reclaimed < sc.nrToReclaim; prio--) {
        sc.priority = prio;
        this.prepareScanControl(sc);
        this.shrinkSubtree(best, sc, true);
      }
      sc.priority = savedPrio;
      sc.batch = batch;
      sc.nrToReclaim = sc.throttled ? sc.reclaimed : want;
      if (sc.reclaimed === before || sc.throttled) return;
    }
  }

  /** `prepare_scan_control`: may_deactivate, cache_trim_mode and file_is_tiny for the target lruvec. */
  private prepareScanControl(sc: ScanControl): void {
    // MGLRU ignores inactive_is_low and the cost ladder (§4).
    if (this.gen) return;
    const t = this.cgs[sc.target]!;
    const [ia, aa, inf, af] = this.subtreeLists(sc.target);
    sc.mayDeactAnon = t.refaultActivateAnon !== t.snapActivateAnon || inactiveIsLow(ia, aa, this.rate, this.pageSize);
    sc.mayDeactFile = t.refaultActivateFile !== t.snapActivateFile || inactiveIsLow(inf, af, this.rate, this.pageSize);
    // `size >> priority` of the real lists: a sampled list stands for scale times its pages.
    const shift = 2 ** sc.priority;
    sc.cacheTrim = inf * this.scale >= shift && !sc.mayDeactFile;
    sc.fileTiny = false;
    if (sc.global) {
      sc.fileTiny = af + inf + this.freeFrames <= this.wmHigh && !sc.mayDeactAnon && ia * this.scale >= shift;
    }
  }

  private subtreeLists(cg: number): [number, number, number, number] {
    let ia = 0;
    let aa = 0;
    let inf = 0;
    let af = 0;
    const stack = [cg];
    while (stack.length > 0) {
      const c = stack.pop()!;
      const s = this.lru.size;
      ia += s[c * 4 + L_IA]!;
      aa += s[c * 4 + L_AA]!;
      inf += s[c * 4 + L_IF]!;
      af += s[c * 4 + L_AF]!;
      for (const ch of this.cgs[c]!.children) stack.push(ch);
    }
    return [ia, aa, inf, af];
  }

  /** `shrink_node_memcgs`: every lruvec under the target, skipping those below memory.min / memory.low. */
  private shrinkNode(sc: ScanControl): void {
    this.shrinkSubtree(sc.target, sc, false);
  }

  private shrinkSubtree(root: number, sc: ScanControl, ignoreProtection: boolean): void {
    const stack = [root];
    // shrink_node_memcgs visits every memcg of the subtree (no partial walk outside proactive reclaim).
    while (stack.length > 0 && !sc.throttled) {
      const c = stack.pop()!;
      const cg = this.cgs[c]!;
      for (let i = cg.children.length - 1; i >= 0; i--) stack.push(cg.children[i]!);
      if (!ignoreProtection && c !== sc.target) {
        if (cg.usage <= cg.emin) continue;
        if (cg.usage <= cg.elow) {
          if (!sc.lowReclaim) {
            sc.lowSkipped = true;
            continue;
          }
          // shrink_node_memcgs: reclaimed below memory.low on the retry pass.
          this.memoryEvent(c, EV_LOW);
        }
      }
      this.shrinkLruvec(c, sc, ignoreProtection);
    }
  }

  /** `get_scan_count` then `shrink_lruvec`. */
  private shrinkLruvec(c: number, sc: ScanControl, ignoreProtection: boolean): void {
    if (this.gen) {
      this.shrinkGen(c, sc, ignoreProtection);
      return;
    }
    const cg = this.cgs[c]!;
    const size = this.lru.size;
    const base = c * 4;
    if (size[base]! + size[base + 1]! + size[base + 2]! + size[base + 3]! === 0) return;
    const swappiness = cg.swappiness ?? this.swappiness;
    const clusterMax = this.clusterPages;
    // SCAN_EQUAL 0, SCAN_FRACT 1, SCAN_ANON 2, SCAN_FILE 3
    let balance: number;
    let ap = 0;
    let fp = 0;
    if (!this.canSwap(c) || (swappiness === 0 && !sc.global)) balance = 3;
    else if (sc.priority === 0 && swappiness !== 0) balance = 0;
    else if (sc.fileTiny) balance = 2;
    else if (sc.cacheTrim) balance = 3;
    else {
      balance = 1;
      const t = this.cgs[sc.target]!;
      const total = t.anonCost + t.fileCost;
      const a = total + t.anonCost;
      const f = total + t.fileCost;
      const T = a + f;
      ap = (swappiness * (T + 1)) / (a + 1);
      fp = ((200 - swappiness) * (T + 1)) / (f + 1);
    }
    const protection = ignoreProtection || c === sc.target ? 0 : sc.lowReclaim ? cg.emin : Math.max(cg.emin, cg.elow);
    const nr = [0, 0, 0, 0];
    for (let l = 0; l < 4; l++) {
      const lruSize = size[base + l]!;
      let scan = Math.floor(this.protectedRealPages(lruSize, cg, protection) / 2 ** sc.priority);
      const isFile = l >= 2;
      switch (balance) {
        case 1:
          scan = Math.ceil((scan * (isFile ? fp : ap)) / (ap + fp));
          break;
        case 2:
          if (isFile) scan = 0;
          break;
        case 3:
          if (!isFile) scan = 0;
          break;
      }
      nr[l] = this.sampledScan(scan, base + l, lruSize);
    }
    sc.lruvecGoal = sc.reclaimed + sc.batch;
    while ((nr[L_IA]! > 0 || nr[L_AF]! > 0 || nr[L_IF]! > 0) && sc.reclaimed < sc.lruvecGoal && !sc.throttled) {
      for (let l = 0; l < 4; l++) {
        const n = Math.min(nr[l]!, clusterMax);
        if (n === 0) continue;
        nr[l]! -= n;
        if (l === L_AA || l === L_AF) {
          if (l === L_AA ? sc.mayDeactAnon : sc.mayDeactFile) this.shrinkActive(c, l, n, sc);
        } else this.shrinkInactive(c, l, n, sc);
      }
    }
    // Keep the inactive anon list aged even when anon is not scanned (shrink_lruvec tail).
    if (this.canSwap(c) && inactiveIsLow(size[base]!, size[base + 1]!, this.rate, this.pageSize))
      this.shrinkActive(c, L_AA, clusterMax, sc);
  }

  /** `shrink_active_list`: deactivate from the tail, setting PG_workingset (§2.2). */
  private shrinkActive(c: number, l: number, n: number, sc: ScanControl): void {
    const inactive = c * 4 + l - 1;
    const list = c * 4 + l;
    let i = 0;
    for (; i < n; i++) {
      const page = this.lru.tail(list);
      if (page < 0) break;
      this.flags[page] = (this.flags[page]! & ~(ACT | YOUNG)) | WS;
      this.lru.moveHead(inactive, page);
    }
    sc.scanned += i;
    this.countScan(c, i);
  }

  /**
   * get_scan_count's integer arithmetic runs on real page counts (a sampled list stands for
   * `scale` times its pages): the pages of `listSize` (sampled) that memory.min/low `protection`
   * leaves to scan, in real pages, before the priority shift. On sampled counts, `>> priority`
   * and the rounding would skip every list under 4096 sampled pages at DEF_PRIORITY, sparing
   * small tenants a real host scans.
   */
  private protectedRealPages(listSize: number, cg: CgroupRt, protection: number): number {
    const real = Math.floor(listSize * this.scale);
    if (protection <= 0) return real;
    const cgSize = Math.floor(Math.max(cg.usage, protection) * this.scale);
    return Math.max(
      real - Math.floor((real * Math.floor(protection * this.scale)) / (cgSize + 1)),
      this.sc.host.kernel.swapClusterMax,
    );
  }

  /** A real scan target in sampled pages (at most `cap`), the fraction of a page carried in `scanCarry[slot]`. */
  private sampledScan(realScan: number, slot: number, cap: number): number {
    if (this.scale === 1) return Math.min(realScan, cap);
    const want = realScan * this.rate + this.scanCarry[slot]!;
    const whole = Math.min(Math.floor(want), cap);
    this.scanCarry[slot] = whole < cap ? want - whole : 0;
    return whole;
  }

  /** `shrink_inactive_list` + `shrink_folio_list` with `folio_check_references`. */
  private shrinkInactive(c: number, l: number, n: number, sc: ScanControl): void {
    const list = c * 4 + l;
    const flags = this.flags;
    let reclaimed = 0;
    let scanned = 0;
    let pageout = 0;
    for (let i = 0; i < n; i++) {
      const page = this.lru.tail(list);
      if (page < 0) break;
      scanned++;
      const f = flags[page]!;
      const isFile = (f & FILE) !== 0;
      if (f & YOUNG) {
        if (f & REF) {
          // Referenced twice while on the inactive list: activate.
          flags[page] = (f & ~(YOUNG | REF)) | ACT;
          this.lru.moveHead(list + 1, page);
          this.ageNonresident(c);
        } else {
          flags[page] = (f & ~YOUNG) | REF;
          this.lru.moveHead(list, page);
        }
        continue;
      }
      if (isFile) {
        if (f & DIRTY) {
          // Dirty file pages are written back first; the page comes round again clean.
          flags[page] = f & ~DIRTY;
          this.fileWritePages++;
          this.queueWrites(1);
          pageout++;
          this.lru.moveHead(list, page);
          continue;
        }
        this.evict(page, c, false);
        reclaimed++;
        continue;
      }
      // Anonymous: a clean swap-cache page (readahead, never mapped) is dropped; else swap out.
      if (f & SC) {
        this.evict(page, c, true);
        reclaimed++;
        continue;
      }
      if (!this.canSwap(this.procs[this.owner[page]!]!.cg)) {
        if (this.device.freeSlotCount < 1) this.reportSwapFull();
        this.lru.moveHead(list, page);
        continue;
      }
      if (sc.kswapd && this.kswapdWriteBudget <= 0) {
        // Too much under writeback: kswapd stops and waits (reclaim_throttle on writeback).
        sc.nrToReclaim = sc.reclaimed + reclaimed;
        sc.throttled = true;
        break;
      }
      this.swapOut(page, sc);
      pageout++;
      this.evict(page, c, true);
      reclaimed++;
    }
    sc.scanned += scanned;
    sc.reclaimed += reclaimed;
    this.countScan(c, scanned);
    // lru_note_cost: IO weighted by SWAP_CLUSTER_MAX, rotations by one (§3).
    this.noteCost(c, l >= 2, pageout * this.sc.host.kernel.swapClusterMax + (scanned - reclaimed));
  }

  // ---------------------------------------------------------------- reclaim (MGLRU, §4)

  /**
   * `try_to_shrink_lruvec` under MGLRU: up to (evictable pages >> priority) scanned, in
   * eviction batches from the oldest generation, aging first whenever `should_run_aging`
   * asks for it. memory.min / low scale the budget as in the classic path.
   */
  private shrinkGen(c: number, sc: ScanControl, ignoreProtection: boolean): void {
    const gen = this.gen!;
    const cg = this.cgs[c]!;
    const canSwap = this.canSwap(c);
    // get_swappiness: no swap for this memcg counts as swappiness 0 (file only).
    const swappiness = canSwap ? (cg.swappiness ?? this.swappiness) : 0;
    const total = gen.typeSize(c, T_FILE) + (swappiness > 0 ? gen.typeSize(c, T_ANON) : 0);
    if (total === 0) return;
    const protection = ignoreProtection || c === sc.target ? 0 : sc.lowReclaim ? cg.emin : Math.max(cg.emin, cg.elow);
    const real = Math.floor(this.protectedRealPages(total, cg, protection) / 2 ** sc.priority);
    const budget = this.sampledScan(real, c * 4, Number.POSITIVE_INFINITY);
    let scanned = 0;
    sc.lruvecGoal = sc.reclaimed + sc.batch;
    while (scanned < budget && sc.reclaimed < sc.lruvecGoal && !sc.throttled) {
      gen.tryIncMinSeq(c, swappiness > 0);
      if (gen.shouldRunAging(c, swappiness > 0)) gen.age(c, this.flags, YOUNG);
      const n = this.evictGen(c, sc, swappiness, budget - scanned);
      if (n === 0) break;
      scanned += n;
    }
  }

  /** `evict_folios` → `isolate_folios`: the type (and tier) to evict, the other type if it yields nothing. */
  private evictGen(c: number, sc: ScanControl, swappiness: number, maxScan: number): number {
    const gen = this.gen!;
    let type = gen.typeToScan(c, swappiness);
    let tier = gen.tier;
    for (let i = swappiness === 0 ? 1 : 0; i < 2; i++) {
      if (tier < 0) tier = gen.tierIdx(c, type);
      const n = this.scanGen(c, type, tier, sc, maxScan);
      if (n > 0) return n;
      type = 1 - type;
      tier = -1;
    }
    return 0;
  }

  /**
   * `scan_folios` + `sort_folio` + `shrink_folio_list` on the oldest generation of one
   * type: pages in tiers above `tier` are protected (next generation), dirty file pages
   * are written back and wait a generation, mapped pages whose accessed bit is set go to
   * the youngest generation (the rmap walk's `lru_gen_look_around`), the rest are evicted.
   */
  private scanGen(c: number, type: number, tier: number, sc: ScanControl, maxScan: number): number {
    const gen = this.gen!;
    if (gen.nrGens(c, type) <= MIN_NR_GENS) return 0;
    const list = gen.list(c, type, gen.minSeq[c * 2 + type]!);
    const flags = this.flags;
    let scanned = 0;
    let reclaimed = 0;
    while (scanned < maxScan && sc.reclaimed + reclaimed < sc.lruvecGoal) {
      const page = this.lru.tail(list);
      if (page < 0) break;
      scanned++;
      const f = flags[page]!;
      const t = tierOf(gen.refs[page]!);
      if (t > tier) {
        gen.protect(c, type, page, t);
        continue;
      }
      if (type === T_FILE) {
        if (f & DIRTY) {
          flags[page] = f & ~DIRTY;
          this.fileWritePages++;
          this.queueWrites(1);
          gen.defer(c, type, page);
          continue;
        }
        this.evict(page, c, false);
        reclaimed++;
        continue;
      }
      if (f & SC) {
        this.evict(page, c, true);
        reclaimed++;
        continue;
      }
      if (f & YOUNG) {
        flags[page] = f & ~YOUNG;
        gen.activate(c, type, page);
        continue;
      }
      if (!this.canSwap(c)) {
        if (this.device.freeSlotCount < 1) this.reportSwapFull();
        break;
      }
      if (sc.kswapd && this.kswapdWriteBudget <= 0) {
        sc.nrToReclaim = sc.reclaimed + reclaimed;
        sc.throttled = true;
        break;
      }
      this.swapOut(page, sc);
      this.evict(page, c, true);
      reclaimed++;
    }
    sc.scanned += scanned;
    sc.reclaimed += reclaimed;
    this.countScan(c, scanned);
    return scanned;
  }

  /** Allocates a swap slot for an anonymous page being reclaimed and queues its write. */
  private swapOut(page: number, sc: ScanControl): void {
    this.device.allocSlots(1);
    const owner = this.procs[this.owner[page]!]!;
    this.chargeSwap(owner.cg, 1);
    owner.swap++;
    this.swapOutPages++;
    this.queueWrites(1);
    if (sc.kswapd) this.kswapdWriteBudget--;
    sc.written++;
  }

  /** `memcg_memory_event`: counts in the cgroup and every ancestor below the root (memory.events is hierarchical). */
  memoryEvent(cg: number, ev: number): void {
    const chain = this.cgs[cg]!.chain;
    for (let i = 0; i < chain.length; i++) if (chain[i]! > 0) this.cgs[chain[i]!]!.memoryEvents[ev]!++;
  }

  private countScan(c: number, n: number): void {
    const chain = this.cgs[c]!.chain;
    for (let i = 0; i < chain.length; i++) this.cgs[chain[i]!]!.pgscan += n;
  }

  private noteCost(c: number, file: boolean, cost: number): void {
    if (cost <= 0) return;
    const chain = this.cgs[c]!.chain;
    for (let i = 0; i < chain.length; i++) {
      const cg = this.cgs[chain[i]!]!;
      if (file) cg.fileCost += cost;
      else cg.anonCost += cost;
      const lruPages = cg.usage;
      if (cg.anonCost + cg.fileCost > lruPages / 4) {
        cg.anonCost /= 2;
        cg.fileCost /= 2;
      }
    }
  }

  private ageNonresident(c: number): void {
    const chain = this.cgs[c]!.chain;
    for (let i = 0; i < chain.length; i++) this.cgs[chain[i]!]!.nonresidentAge++;
  }

  /** Frees a resident page's frame, leaving a shadow entry (`workingset_eviction`). */
  private evict(page: number, c: number, toSwap: boolean): void {
    const f = this.flags[page]!;
    const owner = this.procs[this.owner[page]!]!;
    this.lru.remove(page);
    if (this.gen) this.shadow[page] = this.gen.evict(c, f & FILE ? T_FILE : T_ANON, page);
    else {
      this.shadow[page] = this.cgs[c]!.nonresidentAge >>> 0;
      this.ageNonresident(c);
    }
    let nf = (f & (FILE | EVER | WRITABLE)) | (f & WS ? SHADOW_WS : 0);
    if (toSwap) nf |= SWP;
    this.flags[page] = nf;
    if (f & FILE) owner.rssFile--;
    else owner.rssAnon--;
    this.free++;
    this.charge(owner.cg, -1);
  }

  // ---------------------------------------------------------------- the access path

  /**
   * One reference by `p` to `page`. Returns 0 hit, 1 minor fault, 2 major fault, −1 when
   * `p` died (OOM) serving it. Costs go to `p.tick`; the caller adds user CPU.
   */
  touch(p: ProcRt, page: number): number {
    if (this.policy) return this.touchPolicy(p, page, this.policy);
    const flags = this.flags;
    const f = flags[page]!;
    if (f & RES) {
      if (f & SC) {
        // Swap-cache hit after readahead: a minor fault maps it and frees the slot (exclusive).
        flags[page] = (f & ~SC) | YOUNG;
        this.releaseSlot(p, 1);
        p.raHits++;
        this.minorFault(p);
        return 1;
      }
      if (f & FILE) {
        if (f & WRITABLE) flags[page] = f | DIRTY;
        this.markAccessed(page, f);
      } else flags[page] = f | YOUNG;
      return 0;
    }
    // A forked child's first write copies one 4 KiB page (wp_page_copy), never a huge one.
    if (
      this.thpPages > 0 &&
      p.cowParent < 0 &&
      !(f & (EVER | FILE)) &&
      page >= p.anonBase &&
      page < p.anonBase + p.anonCap &&
      this.thpFault(p, page)
    )
      return 1;
    if (!this.allocFrame(p)) return -1;
    const c = p.cg;
    if (!(f & EVER)) {
      const isFile = (f & FILE) !== 0;
      this.mapNew(p, page, isFile ? L_IF : L_IA, f | EVER | RES | YOUNG | (isFile && f & WRITABLE ? DIRTY : 0));
      if (isFile) {
        this.fileReadPages++;
        this.majorFault(p, this.readWaitSec());
        return 2;
      }
      this.minorFault(p);
      return 1;
    }
    // A refault: swap-in or page-cache read of a page evicted before (§2.4, §8.1).
    const isFile = (f & FILE) !== 0;
    let active = false;
    // MGLRU: anon refaults happen in a fault (swap-in), file ones in a buffered read.
    if (this.gen) this.gen.refault(c, isFile ? T_FILE : T_ANON, page, this.shadow[page]!, !isFile);
    else active = this.refaultActivates(page, c, f);
    const nf = (f & (FILE | EVER | WRITABLE)) | RES | YOUNG | (active ? ACT : 0) | (active && f & SHADOW_WS ? WS : 0);
    this.mapNew(p, page, (isFile ? L_IF : L_IA) + (active ? 1 : 0), isFile && f & WRITABLE ? nf | DIRTY : nf);
    if (isFile) {
      this.fileReadPages++;
      this.majorFault(p, this.readWaitSec());
      return 2;
    }
    this.releaseSlot(p, 1);
    this.swapInPages++;
    this.swapReadIos++;
    p.tick.swapIn++;
    this.readahead(p, page);
    if (this.zram) {
      p.tick.major++;
      p.tick.cpuFaultSec +=
        (this.sc.host.costs.majorFaultCpuUs + this.sc.host.swap.decompressCpuUs) * 1e-6 * this.scale;
      this.cgs[p.cg]!.majorTick++;
    } else this.majorFault(p, this.readWaitSec());
    return 2;
  }

  /** The generic access of a registry policy: find → evict until a frame is free → insert. */
  private touchPolicy(p: ProcRt, page: number, pol: ReplacementPolicy): number {
    const flags = this.flags;
    const f = flags[page]!;
    if (pol.find(page, true)) {
      if (f & FILE && f & WRITABLE) flags[page] = f | DIRTY;
      return 0;
    }
    while (this.freeFrames <= 0) {
      const victim = pol.evict();
      if (this.evictPolicyVictim(victim, p)) continue;
      // Anonymous victim and no swap left: nothing can be freed.
      pol.insert(victim);
      this.oomKill(0, 'out of memory: the replacement policy found nothing it could free');
      if (!p.alive) return -1;
    }
    this.free--;
    this.charge(p.cg, 1);
    pol.insert(page);
    const isFile = (f & FILE) !== 0;
    const nf = (f & (FILE | WRITABLE)) | EVER | RES | (isFile && f & WRITABLE ? DIRTY : 0);
    this.flags[page] = nf;
    if (isFile) p.rssFile++;
    else p.rssAnon++;
    if (p.rssAnon + p.rssFile > p.peakRss) p.peakRss = p.rssAnon + p.rssFile;
    if (isFile) {
      this.fileReadPages++;
      this.majorFault(p, this.readWaitSec());
      return 2;
    }
    if (!(f & SWP)) {
      this.minorFault(p);
      return 1;
    }
    this.releaseSlot(p, 1);
    this.swapInPages++;
    this.swapReadIos++;
    p.tick.swapIn++;
    if (this.zram) {
      p.tick.major++;
      p.tick.cpuFaultSec +=
        (this.sc.host.costs.majorFaultCpuUs + this.sc.host.swap.decompressCpuUs) * 1e-6 * this.scale;
    } else this.majorFault(p, this.readWaitSec());
    return 2;
  }

  /** Frees a policy's victim (swap-out or writeback as needed), paid by `p` as reclaim CPU; false if it cannot be freed. */
  private evictPolicyVictim(victim: number, p: ProcRt): boolean {
    const f = this.flags[victim]!;
    const owner = this.procs[this.owner[victim]!]!;
    const isFile = (f & FILE) !== 0;
    if (!isFile) {
      if (!this.canSwap(owner.cg)) {
        this.reportSwapFull();
        return false;
      }
      this.device.allocSlots(1);
      this.chargeSwap(owner.cg, 1);
      owner.swap++;
      this.swapOutPages++;
      this.queueWrites(1);
      owner.rssAnon--;
    } else {
      if (f & DIRTY) {
        this.fileWritePages++;
        this.queueWrites(1);
      }
      owner.rssFile--;
    }
    this.flags[victim] = (f & (FILE | EVER | WRITABLE)) | (isFile ? 0 : SWP);
    this.free++;
    this.charge(owner.cg, -1);
    this.scanDirect++;
    p.tick.cpuReclaimSec += this.sc.host.costs.reclaimScanCpuUs * 1e-6 * this.scale;
    return true;
  }

  /** `mark_page_accessed` for a buffered file read: second access activates (§2.2). */
  private markAccessed(page: number, f: number): void {
    if (this.gen) {
      this.gen.access(page);
      return;
    }
    if (!(f & ACT) && f & REF) {
      this.flags[page] = (this.flags[page]! & ~REF) | ACT;
      const l = this.lru.on[page]!;
      this.lru.moveHead(l + 1, page);
      this.ageNonresident(Math.floor(l / 4));
    } else this.flags[page] = this.flags[page]! | REF;
  }

  /** `workingset_refault` / `workingset_test_recent`: activate iff refault distance ≤ workingset size. */
  private refaultActivates(page: number, c: number, f: number): boolean {
    const cg = this.cgs[c]!;
    const dist = ((cg.nonresidentAge >>> 0) - this.shadow[page]!) >>> 0;
    const s = this.lru.size;
    const b = c * 4;
    const isFile = (f & FILE) !== 0;
    let ws = s[b + L_AF]!;
    if (!isFile) ws += s[b + L_IF]!;
    if (this.canSwap(c)) {
      ws += s[b + L_AA]!;
      if (isFile) ws += s[b + L_IA]!;
    }
    if (dist > ws) return false;
    if (isFile) cg.refaultActivateFile++;
    else cg.refaultActivateAnon++;
    for (let i = 1; i < cg.chain.length; i++) {
      const a = this.cgs[cg.chain[i]!]!;
      if (isFile) a.refaultActivateFile++;
      else a.refaultActivateAnon++;
    }
    this.ageNonresident(c);
    if (f & SHADOW_WS) this.noteCost(c, isFile, this.sc.host.kernel.swapClusterMax);
    return true;
  }

  private mapNew(p: ProcRt, page: number, l: number, nf: number): void {
    if (this.gen) {
      // A buffered read maps nothing (no accessed bit) and is itself one fd access;
      // anon pages arrive through a fault, which makes them active (youngest generation).
      const file = (nf & FILE) !== 0;
      this.flags[page] = nf & ~(ACT | WS | (file ? YOUNG : 0));
      this.gen.add(p.cg, page, !file, file ? T_FILE : T_ANON);
      if (file) this.gen.access(page);
    } else {
      this.flags[page] = nf;
      this.lru.addHead(p.cg * 4 + l, page);
    }
    if (nf & FILE) p.rssFile++;
    else p.rssAnon++;
    const rss = p.rssAnon + p.rssFile;
    if (rss > p.peakRss) p.peakRss = rss;
  }

  private releaseSlot(p: ProcRt, n: number): void {
    this.device.freeSlots(n);
    this.chargeSwap(p.cg, -n);
    p.swap -= n;
  }

  /**
   * Swap readahead (`__swapin_nr_pages`, VMA flavour): the window grows with readahead hits
   * and with adjacent faults, up to 2^page-cluster pages; read pages enter the swap cache.
   */
  private readahead(p: ProcRt, page: number): void {
    const max = 1 << this.pageCluster;
    let win: number;
    const hits = p.raHits;
    p.raHits = 0;
    if (max <= 1) win = 1;
    else {
      win = hits + 2;
      if (win === 2) win = Math.abs(page - p.raPrevPage) === 1 ? 2 : 1;
      else {
        let pow = 4;
        while (pow < win) pow *= 2;
        win = pow;
      }
      if (win > max) win = max;
      if (win < p.raPrevWin / 2) win = Math.max(1, Math.floor(p.raPrevWin / 2));
    }
    p.raPrevWin = win;
    p.raPrevPage = page;
    if (win <= 1) return;
    const lo = page - (page % win);
    const end = Math.min(lo + win, p.anonBase + p.anonCap);
    let read = 1;
    for (let q = Math.max(lo, p.anonBase); q < end; q++) {
      if (q === page) continue;
      const f = this.flags[q]!;
      if ((f & (SWP | RES)) !== SWP) continue;
      if (this.freeFrames <= this.wmMin) break;
      const over = this.overMax(p.cg);
      if (over >= 0) {
        // mem_cgroup_swapin_charge_folio: the readahead folio is charged like any page, so the
        // memcg reclaims for it; a folio it still cannot charge ends the window.
        this.memoryEvent(over, EV_MAX);
        this.reclaimCgroup(over, this.clusterPages, p);
        if (!p.alive || this.overMax(p.cg) >= 0 || this.freeFrames <= this.wmMin) break;
      }
      this.free--;
      this.charge(p.cg, 1);
      // The slot stays allocated: the swap cache still backs the page until it is mapped.
      this.mapNew(p, q, L_IA, (f & (EVER | WRITABLE)) | RES | SC);
      read++;
    }
    // Read on behalf of the faulting process: its swap-ins count them, as the host's do.
    this.swapInPages += read - 1;
    p.tick.swapIn += read - 1;
  }

  private minorFault(p: ProcRt): void {
    p.tick.minor++;
    p.tick.cpuFaultSec += this.sc.host.costs.minorFaultCpuUs * 1e-6 * this.scale;
  }

  private majorFault(p: ProcRt, wait: number): void {
    p.tick.major++;
    const cpu = this.sc.host.costs.majorFaultCpuUs * 1e-6 * this.scale;
    p.tick.cpuFaultSec += cpu;
    p.tick.stallSec += wait;
    p.tick.ioWaitSec += wait;
    this.cgs[p.cg]!.majorTick++;
  }

  private reportSwapFull(): void {
    if (this.swapFullReported) return;
    this.swapFullReported = true;
    this.events.swapFull();
  }

  /** `out_of_memory` in scope `cg` (0: global). */
  oomKill(cg: number, reason: string): void {
    const scale = this.scale;
    const hostTotal = globalOomTotalPages(this.frames * scale, this.device.totalSlots * scale);
    const scope: OomScope =
      cg === 0
        ? { kind: 'global', totalPages: hostTotal }
        : {
            kind: 'memcg',
            cgroup: cg - 1,
            totalPages: memcgOomTotalPages(
              Math.min(this.cgs[cg]!.max, this.frames) * scale,
              this.cgs[cg]!.swapMax * scale,
              this.device.totalSlots * scale,
              this.cgs[cg]!.swappiness ?? this.swappiness,
            ),
            hostTotalPages: hostTotal,
          };
    const procs = this.procs;
    const rss = procs.map((p) => this.rss(p) * scale);
    const swap = procs.map((p) => p.swap * scale);
    const decision = selectOomVictims(
      {
        count: procs.length,
        names: procs.map((p) => p.cfg.name),
        cgroup: procs.map((p) => p.cg - 1),
        rssPages: rss,
        swapPages: swap,
        // One 8-byte PTE per mapped or swapped page: a page-table page per 512.
        pageTablePages: procs.map((_, i) => Math.ceil((rss[i]! + swap[i]!) / 512)),
        oomScoreAdj: procs.map((p) => p.cfg.oomScoreAdj),
        alive: procs.map((p) => (p.alive ? 1 : 0)),
      },
      this.oomCgroups(),
      scope,
    );
    for (const v of decision.victims) {
      const p = procs[v.process]!;
      this.memoryEvent(p.cg, EV_OOM_KILL);
      this.events.oomKill(p, v.badness, `${reason}; ${decision.reason}`, cg);
      this.exitProcess(p, true);
    }
  }

  /** The cgroup table as mechanisms/oom.ts and oomd.ts index it: without the root, −1 for top level. */
  oomCgroups(): { names: string[]; parent: number[]; oomGroup: boolean[] } {
    const rest = this.cgs.slice(1);
    return {
      names: rest.map((c) => c.path),
      parent: rest.map((c) => c.parent - 1),
      oomGroup: rest.map((c) => c.oomGroup),
    };
  }

  // ---------------------------------------------------------------- fork and copy-on-write

  /**
   * `fork` (`dup_mmap` → `copy_present_pte` / `copy_nonpresent_pte`): the child maps every
   * anon page the parent has (resident or in swap) without copying; both keep the frame
   * until the child writes the page. Offsets coincide: the child's anon offset o is the
   * parent's offset o.
   */
  fork(child: ProcRt, parent: ProcRt): void {
    const cow = this.cow!;
    child.cowParent = parent.idx;
    const n = Math.min(child.anonCap, parent.anonCap);
    for (let o = 0; o < n; o++) if (this.flags[parent.anonBase + o]! & EVER) cow[parent.anonBase + o] = 1;
  }

  /**
   * A forked child's touch of its anon page `page`. A page it never wrote and still shares
   * is the parent's frame: a read maps it (a fault on a swapped one swaps it in charged to
   * the parent's cgroup, as `mem_cgroup_swapin_charge_folio` charges the swap entry's owner),
   * with the work and waits paid by the child. The first write of a page in its write set
   * (`cowWriteFraction`, chosen by hash) copies it (`do_wp_page` → `wp_page_copy`): a minor
   * fault allocating the child's own frame, charged to the child's cgroup. Returns as `touch`.
   */
  touchCow(child: ProcRt, page: number): number {
    const o = page - child.anonBase;
    const parent = this.procs[child.cowParent]!;
    const shared = parent.anonBase + o;
    if (o >= parent.anonCap || this.cow![shared] === 0 || this.flags[page]! & EVER) return this.touch(child, page);
    if (hash32(page, COW_SEED) / 4294967296 < child.cfg.cowWriteFraction) return this.touch(child, page);
    // The parent's page-fault path with the child's tick: the same counters, the child's cost.
    const own = parent.tick;
    parent.tick = child.tick;
    const r = this.touch(parent, shared);
    parent.tick = own;
    // −1 means the parent died (OOM) while faulting the page in; the child lives on.
    return Math.max(r, 0);
  }

  /** Resident pages the child maps but has not copied (Linux counts them in both RSS). */
  cowSharedResident(child: ProcRt): number {
    if (child.cowParent < 0) return 0;
    const parent = this.procs[child.cowParent]!;
    const cow = this.cow!;
    let n = 0;
    const end = Math.min(child.anonCap, parent.anonCap);
    for (let o = 0; o < end; o++) {
      const shared = parent.anonBase + o;
      if (cow[shared] === 1 && this.flags[shared]! & RES && !(this.flags[child.anonBase + o]! & EVER)) n++;
    }
    return n;
  }

  /** RSS as /proc reports it: own resident pages plus those shared copy-on-write with a parent. */
  rss(p: ProcRt): number {
    return p.rssAnon + p.rssFile + this.cowSharedResident(p);
  }

  /**
   * A parent's exit ends the sharing: its frames are freed with it, and its children fault
   * their pages as their own from then on. A child's exit only drops its own pages.
   */
  private endCow(p: ProcRt): void {
    p.cowParent = -1;
    for (const q of this.procs) if (q.cowParent === p.idx) q.cowParent = -1;
    this.cow!.fill(0, p.anonBase, p.anonBase + p.anonCap);
  }

  /** Frees everything a process holds (exit, kill, OOM kill: the OOM reaper frees at once). */
  exitProcess(p: ProcRt, killed: boolean): void {
    if (!p.alive) return;
    p.alive = false;
    p.killed = killed;
    if (this.cow) this.endCow(p);
    for (let page = p.anonBase; page < p.leakBase + p.leakCap; page++) {
      const f = this.flags[page]!;
      if (f & RES) {
        if (this.policy) this.policy.remove(page);
        else this.lru.remove(page);
        this.free++;
        this.charge(p.cg, -1);
        if (f & SC) this.releaseSlot(p, 1);
      } else if (f & SWP) this.releaseSlot(p, 1);
      this.flags[page] = f & (FILE | WRITABLE);
    }
    p.rssAnon = 0;
    p.rssFile = 0;
    p.swap = 0;
  }

  /**
   * Effective memory.min / memory.low relative to the reclaim root
   * (`mem_cgroup_calculate_protection`, `effective_protection`, without memory_recursiveprot).
   */
  private computeProtection(root: number): void {
    const order = [root];
    this.cgs[root]!.emin = 0;
    this.cgs[root]!.elow = 0;
    for (let i = 0; i < order.length; i++) {
      const c = this.cgs[order[i]!]!;
      let sumMin = 0;
      let sumLow = 0;
      for (const ch of c.children) {
        const k = this.cgs[ch]!;
        sumMin += Math.min(k.usage, k.min);
        sumLow += Math.min(k.usage, k.low);
      }
      for (const ch of c.children) {
        const k = this.cgs[ch]!;
        if (order[i] === root) {
          k.emin = k.min;
          k.elow = k.low;
        } else {
          k.emin = effectiveProtection(k.usage, k.min, c.emin, sumMin);
          k.elow = effectiveProtection(k.usage, k.low, c.elow, sumLow);
        }
        order.push(ch);
      }
    }
  }

  /** Makes a page resident without a fault (warm start), within the watermarks and cgroup limits. */
  warmInsert(p: ProcRt, page: number, active: boolean): boolean {
    if (this.freeFrames <= this.wmHigh) return false;
    const chain = this.cgs[p.cg]!.chain;
    for (let i = 0; i < chain.length; i++) {
      const c = this.cgs[chain[i]!]!;
      if (c.usage + 1 > Math.min(c.max, c.high)) return false;
    }
    const isFile = (this.flags[page]! & FILE) !== 0;
    this.free--;
    this.charge(p.cg, 1);
    const base = isFile ? L_IF : L_IA;
    const nf = (this.flags[page]! & (FILE | WRITABLE)) | EVER | RES | (active && !this.gen ? ACT | WS : 0);
    this.flags[page] = nf;
    if (this.policy) this.policy.insert(page);
    else if (this.gen) this.gen.addWarm(p.cg, page, isFile ? T_FILE : T_ANON, active);
    else this.lru.addTail(p.cg * 4 + base + (active ? 1 : 0), page);
    if (isFile) p.rssFile++;
    else p.rssAnon++;
    p.peakRss = Math.max(p.peakRss, p.rssAnon + p.rssFile);
    return true;
  }

  /** Resident pages on all lists (for the conservation check: resident + free = frames). */
  residentPages(): number {
    if (this.policy) return this.policy.size;
    let n = 0;
    for (let i = 0; i < this.lru.size.length; i++) n += this.lru.size[i]!;
    return n;
  }

  /** Resident anon and file pages, host-wide. */
  residentSplit(): { anon: number; file: number } {
    let anon = 0;
    let file = 0;
    for (const p of this.procs) {
      anon += p.rssAnon;
      file += p.rssFile;
    }
    return { anon, file };
  }
}

/** `effective_protection` without memory_recursiveprot. */
function effectiveProtection(usage: number, setting: number, parentEffective: number, siblings: number): number {
  const prot = Math.min(usage, setting);
  if (siblings > parentEffective && siblings > 0) return (prot * parentEffective) / siblings;
  return Math.min(prot, parentEffective);
}

/** `inactive_is_low`: inactive · int_sqrt(10 · GiB) < active, sizes in real pages (§2.3). */
export function inactiveIsLow(inactive: number, active: number, rate: number, pageSize: number): boolean {
  const gb = Math.floor((((inactive + active) / rate) * pageSize) / 2 ** 30);
  const ratio = gb > 0 ? Math.floor(Math.sqrt(10 * gb)) : 1;
  return inactive * ratio < active;
}

function normPath(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/** Root first, then cgroups so that a parent always precedes its children (PSI needs that order). */
function buildCgroups(cfgs: CgroupConfig[]): CgroupRt[] {
  const byPath = new Map(cfgs.map((c) => [normPath(c.path), c]));
  const out: CgroupRt[] = [mkCg(null, '', -1)];
  const index = new Map<string, number>([['', 0]]);
  const visit = (path: string): number => {
    const known = index.get(path);
    if (known !== undefined) return known;
    const cfg = byPath.get(path) ?? null;
    const parentPath =
      cfg?.parent != null ? normPath(cfg.parent) : path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const parent = visit(parentPath);
    const i = out.length;
    out.push(mkCg(cfg, path, parent));
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

function mkCg(cfg: CgroupConfig | null, path: string, parent: number): CgroupRt {
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
    throttleSec: 0,
    majorTick: 0,
    pgscan: 0,
    memoryEvents: new Float64Array(5),
  };
}

/**
 * File pages are read from the host's disk, which the scenario describes as its swap
 * device; with zram or no swap, file reads take the SATA SSD figure of kernel-model.md §8.3
 * without queueing.
 */
const FALLBACK_FILE_READ_SEC = 80e-6;

/** HPAGE_PMD_SIZE: a PMD-mapped huge page, 2 MiB on x86-64 (512 pages of 4 KiB). */
const HPAGE_PMD_SIZE = 2 * 1024 * 1024;

/** CPU to zero a 2 MiB huge page at fault, µs (§8.4: ~50–100 µs [estimate]). */
const THP_ZERO_CPU_US = 75;

/** Seed of the hash choosing which shared pages a forked child writes. */
const COW_SEED = 0xc0fe;
