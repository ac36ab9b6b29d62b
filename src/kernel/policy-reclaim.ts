/**
 * `host.policy` set to a registry replacement policy (`clock:bits=2`, `arc`, …): one global
 * list in the policy's order replaces the kernel's per-cgroup LRU, and a fault evicts the
 * policy's victims until a frame is free, at once: the simple path, without anon/file
 * balancing, kswapd, watermarks or cgroup-limit reclaim. Victims go through the same
 * shrinkFolio as the kernel's own reclaim.
 */
import { createPolicy, parsePolicySpec } from '../policies/registry.js';
import type { ReplacementPolicy } from '../policies/types.js';
import type { Scenario } from '../scenario/types.js';
import { InputError } from '../util/errors.js';
import { majorFault, minorFault } from './fault.js';
import { readWaitSec } from './io-queue.js';
import { charge } from './memcontrol.js';
import { oomKill } from './oom-kill.js';
import { FOLIO_KEEP, FOLIO_WRITEBACK, shrinkFolio } from './shrink-folio.js';
import {
  ACT,
  DIRTY,
  EVER,
  FILE,
  freeFrames,
  type HostState,
  ownerOf,
  type ProcRt,
  RES,
  type Reclaim,
  type ScanControl,
  SWP,
  WRITABLE,
  WS,
} from './state.js';
import { releaseSlot, reportSwapFull } from './swap-state.js';
import { newScanControl } from './vmscan.js';

/** The registry policy for `host.policy`, refused where it cannot stand in for the kernel's reclaim. */
export function createGlobalPolicy(sc: Scenario, frames: number, totalPages: number): ReplacementPolicy {
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
  const pol = createPolicy(sc.host.policy, frames, { maxPageId: totalPages, seed: sc.seed });
  if (!pol.admits) throw new InputError(`host.policy ${pol.spec} admits no page with ${frames} frames`);
  return pol;
}

export class PolicyReclaim implements Reclaim {
  readonly kind = 'policy';
  private readonly s: HostState;
  private readonly pol: ReplacementPolicy;
  /** The scan control victims are reclaimed under: a direct reclaim by the faulting task. */
  private readonly sc: ScanControl;

  constructor(s: HostState, pol: ReplacementPolicy) {
    this.s = s;
    this.pol = pol;
    this.sc = newScanControl(s, 0, true, 1);
  }

  /** The generic access of a registry policy: find → evict until a frame is free → insert. */
  touch(p: ProcRt, page: number): number {
    const s = this.s;
    const pol = this.pol;
    const flags = s.flags;
    const f = flags[page]!;
    if (pol.find(page, true)) {
      if (f & FILE && f & WRITABLE) flags[page] = f | DIRTY;
      return 0;
    }
    while (freeFrames(s) <= 0) {
      const victim = pol.evict();
      if (this.reclaimVictim(victim, p)) continue;
      // Anonymous victim and no swap left: nothing can be freed.
      pol.insert(victim);
      oomKill(s, 0, 'out of memory: the replacement policy found nothing it could free');
      if (!p.alive) return -1;
    }
    s.free--;
    charge(s, p.cg, 1);
    pol.insert(page);
    const isFile = (f & FILE) !== 0;
    const nf = (f & (FILE | WRITABLE)) | EVER | RES | (isFile && f & WRITABLE ? DIRTY : 0);
    flags[page] = nf;
    if (isFile) p.rssFile++;
    else p.rssAnon++;
    if (p.rssAnon + p.rssFile > p.peakRss) p.peakRss = p.rssAnon + p.rssFile;
    if (isFile) {
      s.counters.fileReadPages++;
      p.tick.fileIn++;
      s.counters.fileReadIos++;
      majorFault(s, p, readWaitSec(s));
      return 2;
    }
    if (!(f & SWP)) {
      minorFault(s, p);
      return 1;
    }
    releaseSlot(s, p, page);
    s.counters.swapInPages++;
    s.counters.swapReadIos++;
    p.tick.swapIn++;
    if (s.zram) {
      p.tick.major++;
      p.tick.cpuFaultSec += (s.sc.host.costs.majorFaultCpuUs + s.sc.host.swap.decompressCpuUs) * 1e-6 * s.scale;
    } else majorFault(s, p, readWaitSec(s));
    return 2;
  }

  /**
   * Frees a policy's victim through shrinkFolio (a dirty file page is written back, then
   * dropped), paid by `p` as reclaim CPU; false if it cannot be freed.
   */
  private reclaimVictim(victim: number, p: ProcRt): boolean {
    const s = this.s;
    const owner = ownerOf(s, victim);
    const written = this.sc.written;
    let d = shrinkFolio(s, victim, owner.cg, this.sc);
    if (d === FOLIO_WRITEBACK) d = shrinkFolio(s, victim, owner.cg, this.sc);
    if (d === FOLIO_KEEP) {
      reportSwapFull(s);
      return false;
    }
    s.counters.scanDirect++;
    const costs = s.sc.host.costs;
    const out = (this.sc.written - written) * costs.pageOutCpuUs;
    p.tick.cpuReclaimSec += (costs.reclaimScanCpuUs + out) * 1e-6 * s.scale;
    return true;
  }

  add(_p: ProcRt, page: number, _list: number, nf: number): void {
    this.s.flags[page] = nf;
    this.pol.insert(page);
  }

  addWarm(_p: ProcRt, page: number, active: boolean): void {
    const s = this.s;
    s.flags[page] = (s.flags[page]! & (FILE | WRITABLE)) | EVER | RES | (active ? ACT | WS : 0);
    this.pol.insert(page);
  }

  /** The policy saw the access in `touch`. */
  markAccessed(): void {}

  /** No refault detection: a policy keeps its own history (ghost lists) if it has one. */
  refault(): number {
    return 0;
  }

  /** The policy chose and removed the victim itself. */
  evicted(): void {}

  remove(page: number): void {
    this.pol.remove(page);
  }

  /** No kswapd or memcg reclaim reaches a policy host: the faulting task evicts. */
  prepare(): void {}

  shrinkLruvec(): void {}

  residentPages(): number {
    return this.pol.size;
  }
}
