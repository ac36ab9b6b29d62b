/**
 * The state of one simulated host, in one plain object: per-page typed arrays, the LRU lists,
 * cgroups, processes, free frames, watermarks and this tick's counters. Behaviour lives in
 * the modules named after the kernel code they follow (vmscan.ts, memcontrol.ts, fault.ts, …);
 * they all read and write this object, as the kernel's functions share `struct pglist_data`,
 * `struct mem_cgroup` and `struct page`.
 */
import type { ReplacementPolicy } from '../policies/types.js';
import type { CgroupConfig, ProcessConfig, Scenario } from '../scenario/types.js';
import type { Rng } from '../util/rng.js';
import type { MrcStream } from '../workload/mrc-stream.js';
import type { RegionStream } from '../workload/stream.js';
import type { TraceStream } from '../workload/trace-stream.js';
import type { LruLists } from './lru.js';
import type { BlockQueue } from './mechanisms/block-queue.js';
import type { SwapClusters } from './mechanisms/swap-cluster.js';
import type { SwapDevice } from './mechanisms/swap-device.js';
import type { Generations } from './mglru.js';

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
/** PG_readahead: reaching this file page starts the next readahead window (`page_cache_async_ra`). */
export const RA_MARK = 4096;
/** A file page read ahead into the page cache and not yet mapped by its mmap reader. */
export const UNMAPPED = 8192;
/**
 * With SC: an anon page reclaim unmapped and wrote to swap, still in the swap cache until a
 * later reclaim frees it (writeback.ts); its swap charge waits for that.
 */
export const WB = 16384;

/**
 * List index within a cgroup's lruvec (LK `enum lru_list`); the active list of a type is its
 * inactive list + 1, and a lruvec's lists are `cgroup · LRU_LISTS + index`.
 */
export const LRU_INACTIVE_ANON = 0;
export const LRU_ACTIVE_ANON = 1;
export const LRU_INACTIVE_FILE = 2;
export const LRU_ACTIVE_FILE = 3;
export const LRU_LISTS = 4;

/** memory.events entries (LK `enum memcg_memory_event`, cgroup-v2.rst). */
export const EV_LOW = 0;
export const EV_HIGH = 1;
export const EV_MAX = 2;
export const EV_OOM = 3;
export const EV_OOM_KILL = 4;

export interface ProcStats {
  touches: number;
  minor: number;
  major: number;
  swapIn: number;
  /** File pages read into the page cache for this process: its misses and their readahead. */
  fileIn: number;
  /**
   * Thread-seconds off CPU waiting on memory (fault reads, reclaim's waits for its writes,
   * memory.high throttling), real time. Reclaim's own CPU is cpuReclaimSec, counted once.
   */
  stallSec: number;
  /** Part of stallSec that is waiting for a device read. */
  ioWaitSec: number;
  /**
   * Part of ioWaitSec that PSI counts as a memory stall: reads of refaulting pages that were
   * in the working set (PG_workingset restored; `swap_read_folio`, `filemap_read_folio`).
   * Other reads are plain IO wait.
   */
  memstallIoSec: number;
  cpuUserSec: number;
  cpuFaultSec: number;
  cpuReclaimSec: number;
  throttleSec: number;
  /**
   * Direct and memcg-limit reclaim, its CPU included (also in cpuReclaimSec), plus
   * memory.high sleeps: the memory stalls other than reads (PSI's memstall, the request
   * model's reclaim lumps).
   */
  reclaimStallSec: number;
  /** Thread-seconds waiting for a trace's next timestamp: neither running nor stalled. */
  idleSec: number;
  /** Direct/memcg reclaim invocations (real count: one per SWAP_CLUSTER_MAX pages asked). */
  reclaimCalls: number;
}

export function emptyStats(): ProcStats {
  return {
    touches: 0,
    minor: 0,
    major: 0,
    swapIn: 0,
    fileIn: 0,
    stallSec: 0,
    ioWaitSec: 0,
    memstallIoSec: 0,
    cpuUserSec: 0,
    cpuFaultSec: 0,
    cpuReclaimSec: 0,
    throttleSec: 0,
    reclaimStallSec: 0,
    idleSec: 0,
    reclaimCalls: 0,
  };
}

/** Time stalled on memory as stallPct reports it: the waits plus the CPU of direct/memcg reclaim. */
export function memoryStallSec(t: ProcStats): number {
  return t.stallSec + t.cpuReclaimSec;
}

export function addStats(a: ProcStats, b: ProcStats): void {
  a.touches += b.touches;
  a.minor += b.minor;
  a.major += b.major;
  a.swapIn += b.swapIn;
  a.fileIn += b.fileIn;
  a.stallSec += b.stallSec;
  a.ioWaitSec += b.ioWaitSec;
  a.memstallIoSec += b.memstallIoSec;
  a.cpuUserSec += b.cpuUserSec;
  a.cpuFaultSec += b.cpuFaultSec;
  a.cpuReclaimSec += b.cpuReclaimSec;
  a.throttleSec += b.throttleSec;
  a.reclaimStallSec += b.reclaimStallSec;
  a.idleSec += b.idleSec;
  a.reclaimCalls += b.reclaimCalls;
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
  /** The streams of the process's trace and mrc phases, by phase index (null for the other patterns). */
  streams: (TraceStream | MrcStream | null)[];
  /** The access phase in force, and when it began (simulated ms). */
  phase: number;
  phaseStartMs: number;
  /** Touches since the start, in simulated pages (a sampled touch stands for 1/rate). */
  touched: number;
  /** `touched` at which something happens: the next phase by touch count, or stopAfterTouches. */
  touchLimit: number;
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
  /**
   * Page-cache readahead state of the process's file (`struct file_ra_state`, real file
   * offsets): the last window's start, size and async part, the last read's offset, and
   * `mmap_miss`.
   */
  raStart: number;
  raSize: number;
  raAsync: number;
  raPrevFile: number;
  mmapMiss: number;
  /** Frames of page tables the process holds, and the fraction of the next one its first touches owe. */
  ptFrames: number;
  ptDebt: number;
  /** Frames of the process's fixed memory (`memory.fixed`), charged at start. */
  fixedFrames: number;
  /**
   * Host time (µs) until which `p` has already waited for file reads. A process whose position
   * is clamped at the tick's end keeps touching from there: each later wait is counted from
   * this, not again from the clamped clock.
   */
  ioUntilUs: number;
  /**
   * The process's file pages still under IO on a device that completes on drain (filemap.ts
   * `completeOnDrain`): sampled page ids [flightLo, flightHi), all done at flightEndUs (host µs).
   */
  flightLo: number;
  flightHi: number;
  flightEndUs: number;
  /**
   * Sampled replay of a request-model process: queue (µs per channel) each real read of one of
   * its sampled faults waits for behind the process's own earlier reads at the same clock, which
   * the exact replay has and the sampled one loses (fidelity.ts `selfQueueUs`); 0 when exact.
   */
  selfQueueUs: number;
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
  /**
   * memory.stat as of the last statistics flush (memcg-stats.ts flushMemcgStatsIfDue; unused
   * when they are read live): the four LRU sizes of the subtree (sampled pages, LRU_* order)
   * and the refault activations.
   */
  statLru: Float64Array;
  statActivateAnon: number;
  statActivateFile: number;
  /** This tick: memory.high throttle sleep of its tasks, seconds, and major faults (sampled). */
  throttleSec: number;
  majorTick: number;
  /** memory.stat pgscan, hierarchical, simulated pages (systemd-oomd ranks by its growth). */
  pgscan: number;
  /** memory.events, hierarchical: counts indexed by EV_LOW … EV_OOM_KILL. */
  memoryEvents: Float64Array;
}

export interface HostEvents {
  oomKill(p: ProcRt, badness: number, reason: string, scopeCg: number): void;
  swapFull(): void;
}

export const REFAULT_ACTIVATE = 1;
export const REFAULT_WORKINGSET = 2;

/** IO and reclaim work of the current tick, in simulated pages: what the simulation reads after it. */
export class TickCounters {
  swapInPages = 0;
  swapReadIos = 0;
  swapOutPages = 0;
  /** File pages read in small folios (a random read, an mmap fault's read-around, a stream's first window). */
  fileReadPages = 0;
  /** Their reads (a window is one), simulated units. */
  fileReadIos = 0;
  /** The block requests those windows were split into (mechanisms/block-queue.ts), simulated units. */
  fileReadRequests = 0;
  /** The same for asynchronous readahead windows, read in large folios. */
  raReadPages = 0;
  raReadIos = 0;
  raReadRequests = 0;
  fileWritePages = 0;
  scanKswapd = 0;
  scanDirect = 0;

  reset(): void {
    this.swapInPages = 0;
    this.swapReadIos = 0;
    this.swapOutPages = 0;
    this.fileReadPages = 0;
    this.fileReadIos = 0;
    this.fileReadRequests = 0;
    this.raReadPages = 0;
    this.raReadIos = 0;
    this.raReadRequests = 0;
    this.fileWritePages = 0;
    this.scanKswapd = 0;
    this.scanDirect = 0;
  }
}

/** Scan control: one reclaim invocation (LK `struct scan_control`). */
export interface ScanControl {
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
  /** µs this reclaim waited for swap writes in flight (writeback.ts). */
  waitUs: number;
  lowReclaim: boolean;
  lowSkipped: boolean;
  mayDeactAnon: boolean;
  mayDeactFile: boolean;
  cacheTrim: boolean;
  fileTiny: boolean;
  kswapd: boolean;
  /** kswapd met its writeback limit (`reclaim_throttle`): the invocation ends with what it has. */
  throttled: boolean;
  /** Anon pages may go to swap (`may_swap`): false when the v1 memsw limit refused the charge. */
  maySwap: boolean;
  /**
   * Visit every memcg under the target in each pass (kswapd, and the retry of a direct reclaim
   * that freed nothing); otherwise the walk resumes where the last one stopped and ends once
   * the goal is met (`memcg_full_walk`, the partial walks of `shrink_node_memcgs`).
   */
  memcgFullWalk: boolean;
  /**
   * `skipped_deactivate`: an active list was due a scan that may_deactivate refused; a reclaim
   * that then freed nothing retries with `force_deactivate` (deactivation whatever
   * inactive_is_low and the refault snapshot say), `do_try_to_free_pages`.
   */
  skippedDeactivate: boolean;
  forceDeactivate: boolean;
}

/**
 * 2^`priority`, the divisor of get_scan_count's `size >> priority` (priority 0…20: DEF_PRIORITY
 * is at most 20), as a shift: `2 ** priority` is a call of V8's ieee754::pow, which took 15 % of
 * the incident replay (perf record, 2 runs of incident/0).
 */
export function priorityDivisor(priority: number): number {
  return 1 << priority;
}

/**
 * The LRU ordering behind reclaim, one of three chosen once when the host is built
 * (`host.policy`): the classic two-list LRU (lru-classic.ts), the multi-generational LRU
 * (lru-gen.ts), or a registry replacement policy as one global list (policy-reclaim.ts).
 * Everything else (charging, watermarks, swap, OOM) is shared.
 */
export interface Reclaim {
  readonly kind: 'classic' | 'mglru' | 'policy';
  /** A page `p` faulted or read in joins the LRU (`folio_add_lru`); sets its flags to `nf`. `list` is its two-list index. */
  add(p: ProcRt, page: number, list: number, nf: number): void;
  /** Warm start: a resident page placed without a fault, hot ones protected. Sets its flags. */
  addWarm(p: ProcRt, page: number, active: boolean): void;
  /** `mark_page_accessed` for a file page read through a file descriptor. */
  markAccessed(page: number, f: number): void;
  /**
   * A refault of `page` (flags `f`) in cgroup `c` (`workingset_refault`): REFAULT_ACTIVATE
   * when it goes straight to the active set, REFAULT_WORKINGSET when its PG_workingset is
   * restored (PSI then counts the wait for its read as a memory stall).
   */
  refault(c: number, page: number, f: number): number;
  /**
   * Reclaim freed `page` (flags `f`) from cgroup `c` while reclaiming for `target`: off the
   * LRU, shadow entry recorded.
   */
  evicted(page: number, c: number, f: number, target: number): void;
  /** The page's owner exited: off the LRU without a shadow. */
  remove(page: number): void;
  /** `prepare_scan_control` for a reclaim invocation. */
  prepare(sc: ScanControl): void;
  /** `shrink_lruvec` of cgroup `c`'s own lists. */
  shrinkLruvec(c: number, sc: ScanControl, ignoreProtection: boolean): void;
  /** Resident pages on the LRU, host-wide. */
  residentPages(): number;
}

/** Everything the host model's modules share. Built by build.ts; fields in one shape for V8. */
export interface HostState {
  readonly sc: Scenario;
  readonly rate: number;
  /** Real pages per simulated page. */
  readonly scale: number;
  readonly frames: number;
  free: number;
  /** Frames charged to memcgs on no LRU list: the processes' page tables and fixed memory. */
  kernelFrames: number;
  wmMin: number;
  wmLow: number;
  wmHigh: number;
  swappiness: number;
  pageCluster: number;
  readonly totalPages: number;
  readonly flags: Uint16Array;
  /**
   * Per process, by index: its first page id. Processes own consecutive ranges in index order
   * (anon, file, leak), so a page's owner is found from these few starts (`ownerOf`) rather
   * than from a per-page array, whose read missed the cache on every page reclaim evicted.
   */
  readonly ownerStart: Int32Array;
  readonly lru: LruLists;
  /** Per cgroup × list: the fraction of a sampled page get_scan_count's last target left over. */
  readonly scanCarry: Float64Array;
  readonly procs: ProcRt[];
  readonly cgs: CgroupRt[];
  /** Per cgroup: its subtree in pre-order, itself first (the order `mem_cgroup_iter` walks it). */
  readonly preorder: Int32Array[];
  /**
   * Per reclaim target: where its last partial walk stopped, as an index into its pre-order
   * list, −1 at the start (the reclaim cookie's `iter->position`).
   */
  readonly iterPos: Int32Array;
  readonly device: SwapDevice;
  /** Per page: its swap slot, −1 when it has none; per slot: the page in it, −1 when free. */
  readonly slotOf: Int32Array;
  readonly slotPage: Int32Array;
  /** Which slot a page being swapped out gets (`cluster_alloc_swap_entry`). */
  readonly swapClusters: SwapClusters;
  /**
   * cgroup v1's memory controller (a cgroup sets v1 files, `do_memsw_account`): a page read into
   * the swap cache gives its cgroup's swap charge back at once (`memcg1_swapin`: memory+swap
   * already holds it), and takes it again when its clean copy is dropped (`memcg1_swapout` in
   * `__remove_mapping`), so memory.stat's `swap` counts only pages whose one copy is on swap.
   * On v2 the swap charge lives as long as the slot.
   */
  readonly memswAccount: boolean;
  /** Host-wide readahead state of cluster readahead: hits since the last fault, last fault's slot, last window. */
  raHits: number;
  raPrevOffset: number;
  raLastPages: number;
  /** Pages swap readahead read besides the faulting ones, and those later faulted from the swap cache (vmstat `swap_ra`, `swap_ra_hit`), since the start. */
  swapRaPages: number;
  swapRaHits: number;
  readonly events: HostEvents;
  /** `host.policy: mglru`: the generations' bookkeeping; null otherwise. */
  readonly gen: Generations | null;
  /** A registry policy replacing the kernel's LRU (`host.policy` other than linux/mglru); null otherwise. */
  readonly policy: ReplacementPolicy | null;
  /** The LRU ordering in use; set once by the Host after the state is built. */
  reclaim: Reclaim;
  /**
   * Copy-on-write sharing after fork, per page of a parent's anon region: 1 while the page
   * was in the parent at a fork and is still shared (allocated only when a process forks).
   */
  readonly cow: Uint8Array | null;
  /** `host.thp: always`: simulated pages per 2 MiB huge page (at least 1); 0 without THP. */
  readonly thpPages: number;
  kswapdAwake: boolean;
  kswapdFailures: number;
  /** Whether the last kswapd run freed anything (else kswapd waits for the next tick). */
  kswapdProgress: boolean;
  /** Pages kswapd may still queue for writeback this tick (`reclaim_throttle` beyond it). */
  kswapdWriteBudget: number;
  /**
   * When kswapd, throttled on its writes in flight, goes on (µs since the run began; 0: not
   * waiting): its run is not over while pages it wrote can still be freed (writeback.ts).
   */
  kswapdWakeUs: number;
  swapFullReported: boolean;
  readonly counters: TickCounters;
  /**
   * The disk as a fluid FIFO within the tick (§11 closed loop): the channel-µs of work and the
   * requests queued since the tick started (carried backlog included). An IO issued at `nowUs`
   * waits for the work ahead of it, so a burst of faults in one tick slows itself down at once.
   */
  readonly devQueue: BlockQueue;
  /** Position of the task now running, µs into the tick. */
  nowUs: number;
  /** When the current tick started, µs since the run began. */
  tickStartUs: number;
  /** When the memcg statistics are next flushed (memcg-stats.ts flushMemcgStatsIfDue), µs since the run began. */
  statsFlushAtUs: number;
  /**
   * Per page: when the read that brings it into the page cache completes, µs since the run
   * began (a page read ahead is resident at once but locked until then: a touch waits).
   */
  readonly readyUs: Float64Array;
  /** Anon pageout is asynchronous (writeback.ts): the two-list LRU swapping to a disk. */
  readonly asyncPageout: boolean;
  /** Swap writes in flight, in submission order: a ring of page ids (writeback.ts). */
  wbRing: Int32Array;
  wbHead: number;
  wbLen: number;
  /** The last entries of the ring, written in the running `shrink_lruvec`, not yet submitted. */
  wbPlugged: number;
  /**
   * Requests those plugged writes make, the pages of the first one (the one the plug's size
   * test reads) and of the last one (the one a write merges into) and its last slot (writeback.ts).
   */
  wbPlugRequests: number;
  wbPlugFirstPages: number;
  wbPlugLastPages: number;
  wbPlugLastSlot: number;
  /** A swap-in's readahead plug is open: reclaim's own plugs are nested in it (writeback.ts). */
  wbOuterPlug: boolean;
  /** Per page with WB: when its write completes, µs since the run began. */
  readonly wbDoneUs: Float64Array;
  /**
   * The running reclaim's clock, µs since the run began: it starts at the reclaiming task's
   * time and moves on by its scanning, writing and waiting, so that writes it issued early in
   * a long scan complete before it ends (as on the kernel, where a priority-0 scan takes ms).
   */
  reclaimClockUs: number;
  readonly channels: number;
  /** Occupancy of one swap read IO, µs. */
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
  /** Occupancy of one swap-out IO of SWAP_CLUSTER_MAX pages, µs. */
  readonly occWriteUs: number;
  readonly disk: boolean;
  readonly pageSize: number;
  /** zram swap: (de)compression is CPU of the faulting or reclaiming task, not a device wait (§8.2). */
  readonly zram: boolean;
}

/** The process owning `page`: the last one whose range starts at or before it (an empty process owns nothing). */
export function ownerOf(s: HostState, page: number): ProcRt {
  const start = s.ownerStart;
  let lo = 0;
  let hi = start.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (start[mid]! <= page) lo = mid;
    else hi = mid - 1;
  }
  return s.procs[lo]!;
}

/** Free frames minus the RAM zram's compressed store occupies. */
export function freeFrames(s: HostState): number {
  return s.free - Math.ceil(s.device.ramUsedBytes / s.pageSize);
}
