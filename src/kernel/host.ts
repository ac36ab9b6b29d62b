/**
 * One Linux host at page level (sampled or exact), as the simulation drives it: the state
 * (state.ts, built by build.ts) and the kernel's operations on it, each in the module named
 * after the kernel code it follows. The reclaim mode (two-list, MGLRU, or a registry policy)
 * is chosen here once. Time and CPU are kept by the caller (simulate.ts); every operation
 * returns or records the work it did.
 */
import type { CgroupField, Scenario } from '../scenario/types.js';
import { buildHostState } from './build.js';
import { handleMmFault, touchCow } from './fault.js';
import { ClassicReclaim } from './lru-classic.js';
import { GenerationsReclaim } from './lru-gen.js';
import { flushMemcgStatsIfDue } from './memcg-stats.js';
import { cgroupIndex, memoryEvent, oomCgroups, setCgroupField } from './memcontrol.js';
import { chargeFixed, setWatermarks } from './page-alloc.js';
import { PolicyReclaim } from './policy-reclaim.js';
import { cowSharedResident, exitProcess, fork, rss, warmInsert } from './process.js';
import {
  freeFrames,
  type HostEvents,
  type HostState,
  type ProcRt,
  type ScanControl,
  type TickCounters,
} from './state.js';
import { kswapdRun, newScanControl, reclaimCgroup } from './vmscan.js';

export class Host {
  /** Read-only to callers: the simulation changes it through the methods below. */
  readonly state: HostState;
  /** One reference by `p` to `page`: 0 hit, 1 minor fault, 2 major fault, −1 when `p` died (OOM) serving it. */
  readonly touch: (p: ProcRt, page: number) => number;
  /** kswapd's scan control, reset for each of its batches. */
  private readonly kswapdSc: ScanControl;

  constructor(sc: Scenario, rate: number, events: HostEvents) {
    const s = buildHostState(sc, rate, events);
    this.state = s;
    if (s.policy) {
      const reclaim = new PolicyReclaim(s, s.policy);
      s.reclaim = reclaim;
      this.touch = (p, page) => reclaim.touch(p, page);
    } else {
      s.reclaim = s.gen ? new GenerationsReclaim(s, s.gen) : new ClassicReclaim(s);
      this.touch = (p, page) => handleMmFault(s, p, page);
    }
    this.kswapdSc = newScanControl(s, 0, true, 0);
  }

  /** A forked child's reference to its anon `page`, shared copy-on-write with its parent. */
  touchCow(child: ProcRt, page: number): number {
    return touchCow(this.state, child, page, this.touch);
  }

  /** This tick's IO and reclaim counters, zeroed with the cgroups' per-tick figures; the tick starts at `startUs`. */
  beginTick(startUs = 0): TickCounters {
    const s = this.state;
    s.tickStartUs = startUs;
    flushMemcgStatsIfDue(s, startUs);
    s.counters.reset();
    for (const c of s.cgs) {
      c.majorTick = 0;
      c.throttleSec = 0;
    }
    return s.counters;
  }

  /** Where the running task stands in the tick, µs: IO issued now queues behind the work ahead. */
  setClock(nowUs: number): void {
    this.state.nowUs = nowUs;
  }

  /** The device work carried into the next tick: channel-µs in `requests` requests (mechanisms/swap-device.ts's backlog). */
  setDeviceBacklog(us: number, requests: number): void {
    this.state.devQueue.reset(us, requests);
  }

  /** Pages kswapd may queue for writeback before it throttles. */
  setKswapdWriteBudget(pages: number): void {
    this.state.kswapdWriteBudget = pages;
  }

  /** kswapd (`balance_pgdat`) for at most `maxBatches` batches; returns CPU seconds used. */
  kswapdRun(maxBatches: number): number {
    return kswapdRun(this.state, maxBatches, this.kswapdSc);
  }

  /** memcg reclaim in cgroup `cg` by `p` (memory.high), charged to `p`; returns pages reclaimed. */
  reclaimCgroup(cg: number, pages: number, p: ProcRt): number {
    return reclaimCgroup(this.state, cg, pages, p);
  }

  memoryEvent(cg: number, ev: number): void {
    memoryEvent(this.state, cg, ev);
  }

  /** A sysctl written at run time (scenario event). */
  setSysctl(name: string, value: number): void {
    const s = this.state;
    if (name === 'vm.swappiness') s.swappiness = value;
    else if (name === 'vm.page-cluster') s.pageCluster = value;
    else if (name === 'vm.min_free_kbytes' || name === 'vm.watermark_scale_factor') setWatermarks(s);
  }

  setCgroupField(cg: number, field: CgroupField, value: number | boolean | null): void {
    setCgroupField(this.state, cg, field, value);
  }

  cgroupIndex(path: string): number {
    return cgroupIndex(this.state, path);
  }

  oomCgroups(): { names: string[]; parent: number[]; oomGroup: boolean[] } {
    return oomCgroups(this.state);
  }

  warmInsert(p: ProcRt, page: number, active: boolean): boolean {
    return warmInsert(this.state, p, page, active);
  }

  /** Charges `p`'s fixed memory as it starts; false when it died (OOM) getting it. */
  chargeFixed(p: ProcRt): boolean {
    return chargeFixed(this.state, p);
  }

  fork(child: ProcRt, parent: ProcRt): void {
    fork(this.state, child, parent);
  }

  exitProcess(p: ProcRt, killed: boolean): void {
    exitProcess(this.state, p, killed);
  }

  /** RSS as /proc reports it (copy-on-write shared pages included). */
  rss(p: ProcRt): number {
    return rss(this.state, p);
  }

  cowSharedResident(child: ProcRt): number {
    return cowSharedResident(this.state, child);
  }

  /** Free frames minus the RAM zram's compressed store occupies. */
  freeFrames(): number {
    return freeFrames(this.state);
  }

  /** Resident pages on the LRU (for the conservation check: resident + free = frames). */
  residentPages(): number {
    return this.state.reclaim.residentPages();
  }

  /** Resident anon and file pages, host-wide. */
  residentSplit(): { anon: number; file: number } {
    let anon = 0;
    let file = 0;
    for (const p of this.state.procs) {
      anon += p.rssAnon;
      file += p.rssFile;
    }
    return { anon, file };
  }
}
