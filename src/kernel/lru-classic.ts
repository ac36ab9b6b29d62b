/**
 * The classic two-list LRU (LK mm/vmscan.c `shrink_lruvec`, `shrink_active_list`,
 * `shrink_inactive_list` with `folio_check_references`; mm/swap.c `folio_mark_accessed`):
 * per cgroup an inactive and an active list of each type, second chances from the accessed
 * bit and PG_referenced, refault activation from workingset.ts.
 */
import { inactiveIsLow } from '../linux/mm.js';
import { lruSizesRead } from './memcg-stats.js';
import { canSwap, countScan } from './memcontrol.js';
import { getScanCount, noteCost, prepareScanControl, protectionOf } from './scan-balance.js';
import { FOLIO_BUSY, FOLIO_KEEP, FOLIO_SWAPPED, FOLIO_THROTTLE, FOLIO_WRITEBACK, shrinkFolio } from './shrink-folio.js';
import {
  ACT,
  EVER,
  FILE,
  type HostState,
  LRU_ACTIVE_ANON,
  LRU_ACTIVE_FILE,
  LRU_INACTIVE_ANON,
  LRU_INACTIVE_FILE,
  LRU_LISTS,
  type ProcRt,
  REF,
  REFAULT_ACTIVATE,
  REFAULT_WORKINGSET,
  RES,
  type Reclaim,
  type ScanControl,
  SHADOW_WS,
  WRITABLE,
  WS,
  YOUNG,
} from './state.js';
import { ageNonresident, recordShadow, refaultActivates } from './workingset.js';
import { advanceReclaimClock, finishReclaimPlug } from './writeback.js';

export class ClassicReclaim implements Reclaim {
  readonly kind = 'classic';
  private readonly s: HostState;
  /** Per-list scan targets of the lruvec being shrunk (reused: nothing is allocated per pass). */
  private readonly nr = [0, 0, 0, 0];
  /** Sampled replay: the targets get_scan_count gave this pass and the carried fractions before it. */
  private readonly given = [0, 0, 0, 0];
  private readonly carry0 = [0, 0, 0, 0];
  /** Pages of the throttled chunk not processed (the throttling page included), and its list. */
  private unscanned = 0;
  private throttledList = -1;

  constructor(s: HostState) {
    this.s = s;
  }

  add(p: ProcRt, page: number, list: number, nf: number): void {
    this.s.flags[page] = nf;
    this.s.lru.addHead(p.cg * LRU_LISTS + list, page);
  }

  /** A warm anon page keeps the accessed bit of its last touch: no reclaim has cleared it yet. */
  addWarm(p: ProcRt, page: number, active: boolean): void {
    const s = this.s;
    const isFile = (s.flags[page]! & FILE) !== 0;
    const young = isFile ? 0 : YOUNG;
    s.flags[page] = (s.flags[page]! & (FILE | WRITABLE)) | EVER | RES | young | (active ? ACT | WS : 0);
    s.lru.addTail(p.cg * LRU_LISTS + (isFile ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON) + (active ? 1 : 0), page);
  }

  /** `folio_mark_accessed` for a buffered file read: the second access activates (§2.2). */
  markAccessed(page: number, f: number): void {
    const s = this.s;
    if (!(f & ACT) && f & REF) {
      s.flags[page] = (s.flags[page]! & ~REF) | ACT;
      const l = s.lru.listOf(page);
      s.lru.moveHead(l + 1, page);
      ageNonresident(s, Math.floor(l / LRU_LISTS));
    } else s.flags[page] = s.flags[page]! | REF;
  }

  refault(c: number, page: number, f: number): number {
    if (!refaultActivates(this.s, page, c, f)) return 0;
    return REFAULT_ACTIVATE | (f & SHADOW_WS ? REFAULT_WORKINGSET : 0);
  }

  evicted(page: number, _c: number, _f: number, target: number): void {
    this.s.lru.remove(page);
    recordShadow(this.s, page, target);
  }

  remove(page: number): void {
    this.s.lru.remove(page);
  }

  prepare(sc: ScanControl): void {
    prepareScanControl(this.s, sc);
  }

  residentPages(): number {
    const size = this.s.lru.size;
    let n = 0;
    for (let i = 0; i < size.length; i++) n += size[i]!;
    return n;
  }

  /** `shrink_lruvec`: get_scan_count's targets scanned in SWAP_CLUSTER_MAX chunks until the lruvec gave its batch. */
  shrinkLruvec(c: number, sc: ScanControl, ignoreProtection: boolean): void {
    const s = this.s;
    const size = s.lru.size;
    const base = c * LRU_LISTS;
    if (size[base]! + size[base + 1]! + size[base + 2]! + size[base + 3]! === 0) return;
    const clusterMax = s.clusterPages;
    const nr = this.nr;
    const sampled = s.scale !== 1;
    if (sampled) for (let l = 0; l < LRU_LISTS; l++) this.carry0[l] = s.scanCarry[base + l]!;
    getScanCount(s, c, sc, protectionOf(s, c, sc, ignoreProtection), nr);
    if (sampled) {
      for (let l = 0; l < LRU_LISTS; l++) this.given[l] = nr[l]!;
      this.unscanned = 0;
    }
    sc.lruvecGoal = sc.reclaimed + sc.batch;
    while (
      (nr[LRU_INACTIVE_ANON]! > 0 || nr[LRU_ACTIVE_FILE]! > 0 || nr[LRU_INACTIVE_FILE]! > 0) &&
      sc.reclaimed < sc.lruvecGoal &&
      !sc.throttled
    ) {
      for (let l = 0; l < LRU_LISTS; l++) {
        const n = Math.min(nr[l]!, clusterMax);
        if (n === 0) continue;
        nr[l]! -= n;
        if (l === LRU_ACTIVE_ANON || l === LRU_ACTIVE_FILE) {
          if (l === LRU_ACTIVE_ANON ? sc.mayDeactAnon : sc.mayDeactFile) this.shrinkActive(c, l, n, sc);
          else sc.skippedDeactivate = true;
        } else this.shrinkInactive(c, l, n, sc);
      }
    }
    if (sampled && sc.throttled) this.keepCarryAfterThrottle(base);
    // Keep the inactive anon list aged even when anon is not scanned (shrink_lruvec tail).
    const read = lruSizesRead(s, c, false);
    if (canSwap(s, c) && inactiveIsLow(read[LRU_INACTIVE_ANON]!, read[LRU_ACTIVE_ANON]!, s.rate, s.pageSize))
      this.shrinkActive(c, LRU_ACTIVE_ANON, clusterMax, sc);
    if (s.asyncPageout) finishReclaimPlug(s);
  }

  /**
   * Sampled replay, a pass stopped by writeback throttling: what it did not scan goes back to the
   * carried fractions. An exact pass computes `size >> priority` afresh and drops what a throttle
   * left, and a throttled kswapd comes back to the first memcg of its walk at once (the db's
   * lruvec in the incident: 70 % of its throttles there, against batch's 30 %); a sampled target
   * of a fraction of a page is paid out as a whole page every few passes, so a throttled pass
   * that drew one spent the target of the passes before it (incident/16 at 1/22.4, 28–50 s: kswapd
   * took 155 K real pages of the db's anon against 228 K exact, and the db kept 507 MiB of anon
   * at 50 s against 154 MiB). The carry becomes what it was before the pass, less what the
   * pass scanned beyond its own target; exact replays never come here.
   */
  private keepCarryAfterThrottle(base: number): void {
    const s = this.s;
    const nr = this.nr;
    for (let l = 0; l < LRU_LISTS; l++) {
      const earned = s.scanCarry[base + l]! + this.given[l]! - this.carry0[l]!;
      const used = this.given[l]! - nr[l]! - (l === this.throttledList ? this.unscanned : 0);
      s.scanCarry[base + l] = Math.max(0, this.carry0[l]! - Math.max(0, used - earned));
    }
  }

  /** `shrink_active_list`: deactivate from the tail, setting PG_workingset (§2.2). */
  private shrinkActive(c: number, l: number, n: number, sc: ScanControl): void {
    const s = this.s;
    const inactive = c * LRU_LISTS + l - 1;
    const list = c * LRU_LISTS + l;
    let i = 0;
    for (; i < n; i++) {
      const page = s.lru.tail(list);
      if (page < 0) break;
      s.flags[page] = (s.flags[page]! & ~(ACT | YOUNG)) | WS;
      s.lru.moveHead(inactive, page);
    }
    sc.scanned += i;
    countScan(s, c, i);
  }

  /** `shrink_inactive_list` + `shrink_folio_list`: second chance by `folio_check_references`, then shrinkFolio. */
  private shrinkInactive(c: number, l: number, n: number, sc: ScanControl): void {
    const s = this.s;
    const list = c * LRU_LISTS + l;
    const flags = s.flags;
    let reclaimed = 0;
    let scanned = 0;
    let pageout = 0;
    for (let i = 0; i < n; i++) {
      const page = s.lru.tail(list);
      if (page < 0) break;
      scanned++;
      const f = flags[page]!;
      if (f & YOUNG) {
        if (f & REF) {
          // Referenced twice while on the inactive list: activate. PG_referenced stays set, so a
          // page deactivated later and used once more comes straight back (folio_check_references).
          flags[page] = (f & ~YOUNG) | ACT;
          s.lru.moveHead(list + 1, page);
          ageNonresident(s, c);
        } else {
          flags[page] = (f & ~YOUNG) | REF;
          s.lru.moveHead(list, page);
        }
        continue;
      }
      const d = shrinkFolio(s, page, c, sc);
      if (d === FOLIO_THROTTLE) {
        this.unscanned = n - i;
        this.throttledList = l;
        // Too much under writeback: kswapd stops and waits (reclaim_throttle on writeback).
        sc.nrToReclaim = sc.reclaimed + reclaimed;
        sc.throttled = true;
        break;
      }
      if (d === FOLIO_BUSY) {
        s.lru.moveHead(list, page);
        continue;
      }
      if (d === FOLIO_WRITEBACK || d === FOLIO_KEEP) {
        // Written back (comes round again clean) or nowhere to swap: back to the head, its
        // PG_referenced used up (folio_check_references tests and clears it).
        if (d === FOLIO_WRITEBACK) pageout++;
        flags[page] = flags[page]! & ~REF;
        s.lru.moveHead(list, page);
        continue;
      }
      if (d === FOLIO_SWAPPED) pageout++;
      reclaimed++;
    }
    sc.scanned += scanned;
    sc.reclaimed += reclaimed;
    countScan(s, c, scanned);
    if (s.asyncPageout) {
      const costs = s.sc.host.costs;
      advanceReclaimClock(s, (scanned * costs.reclaimScanCpuUs + pageout * costs.pageOutCpuUs) * s.scale);
    }
    // lru_note_cost: IO weighted by SWAP_CLUSTER_MAX, rotations by one (§3).
    noteCost(s, c, l >= LRU_INACTIVE_FILE, pageout * s.sc.host.kernel.swapClusterMax + (scanned - reclaimed));
  }
}
