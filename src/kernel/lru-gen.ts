/**
 * Reclaim under the multi-generational LRU (LK mm/vmscan.c, MGLRU section:
 * `try_to_shrink_lruvec`, `evict_folios`, `isolate_folios`, `scan_folios`, `sort_folio`;
 * `lru_gen_add_folio`, `lru_gen_refault`). The generations' bookkeeping is mglru.ts; the page
 * disposition is shrinkFolio's, as for every mode.
 */
import { canSwap, countScan } from './memcontrol.js';
import { type Generations, MAX_REFS, MIN_NR_GENS, T_ANON, T_FILE, tierOf } from './mglru.js';
import { protectedRealPages, protectionOf, sampledScan } from './scan-balance.js';
import { FOLIO_KEEP, FOLIO_THROTTLE, FOLIO_WRITEBACK, shrinkFolio } from './shrink-folio.js';
import {
  ACT,
  EVER,
  FILE,
  type HostState,
  LRU_LISTS,
  type ProcRt,
  priorityDivisor,
  REFAULT_WORKINGSET,
  RES,
  type Reclaim,
  type ScanControl,
  WRITABLE,
  WS,
  YOUNG,
} from './state.js';

export class GenerationsReclaim implements Reclaim {
  readonly kind = 'mglru';
  private readonly s: HostState;
  private readonly gen: Generations;

  constructor(s: HostState, gen: Generations) {
    this.s = s;
    this.gen = gen;
  }

  /**
   * A buffered read maps nothing (no accessed bit) and is itself one fd access; anon pages
   * arrive through a fault, which makes them active (youngest generation).
   */
  add(p: ProcRt, page: number, _list: number, nf: number): void {
    const file = (nf & FILE) !== 0;
    this.s.flags[page] = nf & ~(ACT | WS | (file ? YOUNG : 0));
    this.gen.add(p.cg, page, !file, file ? T_FILE : T_ANON);
    if (file) this.gen.access(page);
  }

  addWarm(p: ProcRt, page: number, active: boolean): void {
    const s = this.s;
    const isFile = (s.flags[page]! & FILE) !== 0;
    s.flags[page] = (s.flags[page]! & (FILE | WRITABLE)) | EVER | RES;
    this.gen.addWarm(p.cg, page, isFile ? T_FILE : T_ANON, active);
  }

  markAccessed(page: number): void {
    this.gen.access(page);
  }

  /**
   * Anon refaults happen in a fault (swap-in), file ones in a buffered read; none activates
   * directly. A recent one restored to the top tier gets PG_workingset (`lru_gen_refault`).
   */
  refault(c: number, page: number, f: number): number {
    const isFile = (f & FILE) !== 0;
    const recent = this.gen.refault(c, isFile ? T_FILE : T_ANON, page, this.s.lru.shadow(page), !isFile);
    return recent && this.gen.refs[page] === MAX_REFS ? REFAULT_WORKINGSET : 0;
  }

  evicted(page: number, c: number, f: number): void {
    this.s.lru.remove(page);
    this.s.lru.setShadow(page, this.gen.evict(c, f & FILE ? T_FILE : T_ANON, page));
  }

  remove(page: number): void {
    this.s.lru.remove(page);
  }

  /** MGLRU ignores inactive_is_low and the cost ladder (§4). */
  prepare(): void {}

  residentPages(): number {
    const size = this.s.lru.size;
    let n = 0;
    for (let i = 0; i < size.length; i++) n += size[i]!;
    return n;
  }

  /**
   * `try_to_shrink_lruvec`: up to (evictable pages >> priority) scanned, in eviction batches
   * from the oldest generation, aging first whenever `should_run_aging` asks for it.
   * memory.min / low scale the budget as in the classic path.
   */
  shrinkLruvec(c: number, sc: ScanControl, ignoreProtection: boolean): void {
    const s = this.s;
    const gen = this.gen;
    const cg = s.cgs[c]!;
    // get_swappiness: no swap for this memcg counts as swappiness 0 (file only).
    const swappiness = sc.maySwap && canSwap(s, c) ? (cg.swappiness ?? s.swappiness) : 0;
    const total = gen.typeSize(c, T_FILE) + (swappiness > 0 ? gen.typeSize(c, T_ANON) : 0);
    if (total === 0) return;
    const protection = protectionOf(s, c, sc, ignoreProtection);
    const real = Math.floor(protectedRealPages(s, total, cg, protection) / priorityDivisor(sc.priority));
    const budget = sampledScan(s, real, c * LRU_LISTS, Number.POSITIVE_INFINITY);
    let scanned = 0;
    sc.lruvecGoal = sc.reclaimed + sc.batch;
    while (scanned < budget && sc.reclaimed < sc.lruvecGoal && !sc.throttled) {
      gen.tryIncMinSeq(c, swappiness > 0);
      if (gen.shouldRunAging(c, swappiness > 0)) gen.age(c, s.flags, YOUNG);
      const n = this.evictFolios(c, sc, swappiness, budget - scanned);
      if (n === 0) break;
      scanned += n;
    }
  }

  /** `evict_folios` → `isolate_folios`: the type (and tier) to evict, the other type if it yields nothing. */
  private evictFolios(c: number, sc: ScanControl, swappiness: number, maxScan: number): number {
    const gen = this.gen;
    let type = gen.typeToScan(c, swappiness);
    let tier = gen.tier;
    for (let i = swappiness === 0 ? 1 : 0; i < 2; i++) {
      if (tier < 0) tier = gen.tierIdx(c, type);
      const n = this.scanFolios(c, type, tier, sc, maxScan);
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
  private scanFolios(c: number, type: number, tier: number, sc: ScanControl, maxScan: number): number {
    const s = this.s;
    const gen = this.gen;
    if (gen.nrGens(c, type) <= MIN_NR_GENS) return 0;
    const list = gen.list(c, type, gen.minSeq[c * 2 + type]!);
    const flags = s.flags;
    let scanned = 0;
    let reclaimed = 0;
    while (scanned < maxScan && sc.reclaimed + reclaimed < sc.lruvecGoal) {
      const page = s.lru.tail(list);
      if (page < 0) break;
      scanned++;
      const f = flags[page]!;
      const t = tierOf(gen.refs[page]!);
      if (t > tier) {
        gen.protect(c, type, page, t);
        continue;
      }
      // A swap-cache page is never young (mapping it clears SC), so SC pages reach shrinkFolio.
      if (type === T_ANON && f & YOUNG) {
        flags[page] = f & ~YOUNG;
        gen.activate(c, type, page);
        continue;
      }
      const d = shrinkFolio(s, page, c, sc);
      if (d === FOLIO_WRITEBACK) {
        gen.defer(c, type, page);
        continue;
      }
      if (d === FOLIO_KEEP) break;
      if (d === FOLIO_THROTTLE) {
        sc.nrToReclaim = sc.reclaimed + reclaimed;
        sc.throttled = true;
        break;
      }
      reclaimed++;
    }
    sc.scanned += scanned;
    sc.reclaimed += reclaimed;
    countScan(s, c, scanned);
    return scanned;
  }
}
