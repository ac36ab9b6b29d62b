import type { LruLists } from './lru.js';

/**
 * The multi-generational LRU's bookkeeping (kernel-model.md §4; LK `mm/vmscan.c`, MGLRU
 * section, as of 6.1; `include/linux/mmzone.h`): per cgroup lruvec and type (anon, file) a
 * sliding window of generations `[minSeq[type], maxSeq]`, each generation one intrusive list
 * of the shared `LruLists` (list `c·8 + type·4 + seq mod 4`), per-page access counts for the
 * tiers, and the refault counters of the PID controller. Everything is in typed arrays; the
 * host (`host.ts`) does the page disposition (swap-out, writeback, freeing) and calls in here
 * for every decision that is MGLRU's own.
 */

/** `MIN_NR_GENS`: two generations are needed for a second chance (mmzone.h). */
export const MIN_NR_GENS = 2;
/** `MAX_NR_GENS`. */
export const MAX_NR_GENS = 4;
/** `MAX_NR_TIERS`: tiers 0..3 by `order_base_2` of the fd access count. */
export const MAX_NR_TIERS = 4;
/** `MIN_LRU_BATCH = BITS_PER_LONG`: refaults below this are noise to the controller (real pages). */
export const MIN_LRU_BATCH = 64;
export const T_ANON = 0;
export const T_FILE = 1;
/** Lists per cgroup: MAX_NR_GENS generations × two types. */
export const GEN_LISTS = 2 * MAX_NR_GENS;
/** Access count kept per page: enough for the top tier (`LRU_REFS_MASK` saturates). */
export const MAX_REFS = 5;
/** Bits of a shadow entry holding the access count; the rest holds min_seq at eviction. */
const REFS_BITS = 3;

/**
 * Tier of a page accessed `n` times through file descriptors: `lru_tier_from_refs` of
 * `folio_lru_refs`, i.e. order_base_2(n) (0 and 1 access: tier 0; 2: 1; 3–4: 2; 5+: 3).
 */
export function tierOf(n: number): number {
  return n <= 1 ? 0 : n === 2 ? 1 : n <= 4 ? 2 : 3;
}

export class Generations {
  readonly lists: LruLists;
  /** `lrugen->max_seq`, per cgroup. */
  readonly maxSeq: Float64Array;
  /** `lrugen->min_seq[type]`, index c·2 + type. */
  readonly minSeq: Float64Array;
  /** fd accesses since the page entered its generation (`PG_referenced`, `PG_workingset`, `LRU_REFS`). */
  readonly refs: Uint8Array;
  /** PID controller inputs, index (c·2 + type)·4 + tier (`lrugen->refaulted/evicted/protected/avg_*`). */
  readonly refaulted: Float64Array;
  readonly evicted: Float64Array;
  readonly protectedPages: Float64Array;
  readonly avgRefaulted: Float64Array;
  readonly avgTotal: Float64Array;
  /** MIN_LRU_BATCH in simulated pages (a sampled page stands for 1/rate real ones). */
  private readonly minBatch: number;
  /** Tier chosen by the last `typeToScan`, −1 when the caller must ask `tierIdx`. */
  tier = -1;
  /** Aging passes (`inc_max_seq`), all cgroups. */
  agings = 0;

  constructor(lists: LruLists, cgroups: number, pages: number, rate: number) {
    this.lists = lists;
    this.maxSeq = new Float64Array(cgroups).fill(MIN_NR_GENS + 1);
    this.minSeq = new Float64Array(cgroups * 2);
    this.refs = new Uint8Array(pages);
    const n = cgroups * 2 * MAX_NR_TIERS;
    this.refaulted = new Float64Array(n);
    this.evicted = new Float64Array(n);
    this.protectedPages = new Float64Array(n);
    this.avgRefaulted = new Float64Array(n);
    this.avgTotal = new Float64Array(n);
    this.minBatch = MIN_LRU_BATCH * rate;
  }

  list(c: number, type: number, seq: number): number {
    return c * GEN_LISTS + type * MAX_NR_GENS + (seq % MAX_NR_GENS);
  }

  nrGens(c: number, type: number): number {
    return this.maxSeq[c]! - this.minSeq[c * 2 + type]! + 1;
  }

  /** Resident pages of one type of a lruvec, all generations. */
  typeSize(c: number, type: number): number {
    const s = this.lists.size;
    const b = c * GEN_LISTS + type * MAX_NR_GENS;
    return s[b]! + s[b + 1]! + s[b + 2]! + s[b + 3]!;
  }

  /**
   * `lru_gen_add_folio` for a page entering the LRU: a page faulted in through page tables
   * is active (`folio_add_lru` under `lru_gen_in_fault`) and joins the youngest generation;
   * a file page read through a file descriptor is cold and joins the second oldest (the
   * oldest when only MIN_NR_GENS are left), so a one-off read is the first thing evicted.
   */
  add(c: number, page: number, fault: boolean, type: number): void {
    const min = this.minSeq[c * 2 + type]!;
    const max = this.maxSeq[c]!;
    const seq = fault ? max : min + MIN_NR_GENS >= max ? min : min + 1;
    this.lists.addHead(this.list(c, type, seq), page);
  }

  /** Warm start: the hottest pages in the youngest generation, the rest in the oldest. */
  addWarm(c: number, page: number, type: number, hot: boolean): void {
    this.lists.addTail(this.list(c, type, hot ? this.maxSeq[c]! : this.minSeq[c * 2 + type]!), page);
  }

  /** `lru_gen_inc_refs` (mark_page_accessed): one more fd access, saturating. */
  access(page: number): void {
    const r = this.refs[page]!;
    if (r < MAX_REFS) this.refs[page] = r + 1;
  }

  /**
   * `should_run_aging`: fewer than MIN_NR_GENS + 1 generations of an evictable type, or
   * exactly that many with the youngest over 1/MIN_NR_GENS or the oldest under
   * 1/(MIN_NR_GENS + 2) of the pages.
   */
  shouldRunAging(c: number, canSwap: boolean): boolean {
    const max = this.maxSeq[c]!;
    const first = canSwap ? T_ANON : T_FILE;
    let young = 0;
    let old = 0;
    let total = 0;
    for (let type = first; type < 2; type++) {
      for (let seq = this.minSeq[c * 2 + type]!; seq <= max; seq++) {
        const size = this.lists.size[this.list(c, type, seq)]!;
        total += size;
        if (seq === max) young += size;
        else if (seq + MIN_NR_GENS === max) old += size;
      }
    }
    const minSeq = this.minSeq[c * 2 + first]!;
    if (minSeq + MIN_NR_GENS > max) return true;
    if (minSeq + MIN_NR_GENS < max) return false;
    return young * MIN_NR_GENS > total || old * (MIN_NR_GENS + 2) < total;
  }

  /**
   * `inc_max_seq` with the page-table walk abstracted as a sweep (§12): a type already at
   * MAX_NR_GENS first folds its oldest generation into the next (`inc_min_seq`); then every
   * page whose accessed bit is set moves to the new youngest generation with the bit
   * cleared (`walk_pte_range` → `folio_update_gen`, which also clears the tier refs).
   * `young` is the accessed-bit mask of `flags`.
   */
  age(c: number, flags: Uint16Array, young: number): void {
    const lists = this.lists;
    for (let type = 1; type >= 0; type--) {
      if (this.nrGens(c, type) === MAX_NR_GENS) this.incMinSeq(c, type);
    }
    const newSeq = this.maxSeq[c]! + 1;
    for (let type = 0; type < 2; type++) {
      const dst = this.list(c, type, newSeq);
      for (let seq = this.minSeq[c * 2 + type]!; seq < newSeq; seq++) {
        const src = this.list(c, type, seq);
        const sentinel = lists.sentinel(src);
        let page = lists.prev(sentinel);
        while (page !== sentinel) {
          const prev = lists.prev(page);
          const f = flags[page]!;
          if (f & young) {
            flags[page] = f & ~young;
            this.refs[page] = 0;
            lists.moveHead(dst, page);
          }
          page = prev;
        }
      }
    }
    this.maxSeq[c] = newSeq;
    this.agings++;
  }

  /** `inc_min_seq`: the oldest generation's remaining pages move to the next one. */
  private incMinSeq(c: number, type: number): void {
    const k = c * 2 + type;
    const min = this.minSeq[k]!;
    const src = this.list(c, type, min);
    const dst = this.list(c, type, min + 1);
    for (let page = this.lists.tail(src); page >= 0; page = this.lists.tail(src)) {
      this.refs[page] = 0;
      this.lists.remove(page);
      this.lists.addTail(dst, page);
    }
    this.resetCtrlPos(c, type);
    this.minSeq[k] = min + 1;
  }

  /**
   * `try_to_inc_min_seq` after an eviction batch: drop empty oldest generations (keeping
   * MIN_NR_GENS); with swap, file's min_seq never trails anon's, nor anon's leads file's.
   */
  tryIncMinSeq(c: number, canSwap: boolean): void {
    const max = this.maxSeq[c]!;
    let anon = this.minSeq[c * 2 + T_ANON]!;
    let file = this.minSeq[c * 2 + T_FILE]!;
    if (canSwap) while (anon + MIN_NR_GENS <= max && this.lists.size[this.list(c, T_ANON, anon)] === 0) anon++;
    while (file + MIN_NR_GENS <= max && this.lists.size[this.list(c, T_FILE, file)] === 0) file++;
    if (canSwap) {
      anon = Math.min(anon, file);
      file = Math.max(anon, this.minSeq[c * 2 + T_FILE]!);
    }
    if (anon !== this.minSeq[c * 2 + T_ANON]) {
      this.resetCtrlPos(c, T_ANON);
      this.minSeq[c * 2 + T_ANON] = anon;
    }
    if (file !== this.minSeq[c * 2 + T_FILE]) {
      this.resetCtrlPos(c, T_FILE);
      this.minSeq[c * 2 + T_FILE] = file;
    }
  }

  /**
   * `reset_ctrl_pos(carryover)` with NR_HIST_GENS = 1: when the oldest generation retires,
   * its counters are folded into the moving averages (the controller's I term, factor 1/2).
   */
  private resetCtrlPos(c: number, type: number): void {
    const b = (c * 2 + type) * MAX_NR_TIERS;
    for (let t = 0; t < MAX_NR_TIERS; t++) {
      this.avgRefaulted[b + t] = (this.avgRefaulted[b + t]! + this.refaulted[b + t]!) / 2;
      const prot = t > 0 ? this.protectedPages[b + t - 1]! : 0;
      this.avgTotal[b + t] = (this.avgTotal[b + t]! + this.evicted[b + t]! + prot) / 2;
    }
    for (let t = 0; t < MAX_NR_TIERS; t++) {
      this.refaulted[b + t] = 0;
      this.evicted[b + t] = 0;
      this.protectedPages[b + t] = 0;
    }
  }

  /**
   * `positive_ctrl_err(sp, pv)` on `read_ctrl_pos` values: the process variable (type `pt`,
   * tier `ptier`, gain `pg`) has few refaults or a refault rate no worse than the set point's.
   */
  private positive(c: number, st: number, stier: number, sg: number, pt: number, ptier: number, pg: number): boolean {
    const sb = (c * 2 + st) * MAX_NR_TIERS + stier;
    const pb = (c * 2 + pt) * MAX_NR_TIERS + ptier;
    const spRef = this.avgRefaulted[sb]! + this.refaulted[sb]!;
    const spTotal = this.avgTotal[sb]! + this.evicted[sb]! + (stier > 0 ? this.protectedPages[sb - 1]! : 0);
    const pvRef = this.avgRefaulted[pb]! + this.refaulted[pb]!;
    const pvTotal = this.avgTotal[pb]! + this.evicted[pb]! + (ptier > 0 ? this.protectedPages[pb - 1]! : 0);
    return pvRef < this.minBatch || pvRef * (spTotal + this.minBatch) * sg <= (spRef + 1) * pvTotal * pg;
  }

  /**
   * `get_tier_idx`: the highest tier whose refault rate stays within twice tier 0's (gain
   * 1:2); tiers above it are protected at eviction.
   */
  tierIdx(c: number, type: number): number {
    let tier = 1;
    for (; tier < MAX_NR_TIERS; tier++) if (!this.positive(c, type, 0, 1, type, tier, 2)) break;
    return tier - 1;
  }

  /**
   * Type to evict (`isolate_folios` → `get_type_to_scan`): swappiness 0 → file; the older
   * type first; 1 → file, 200 → anon; otherwise the PID comparison of tier 0 refault rates
   * weighted by swappiness (anon) and 200 − swappiness (file). Sets `tier` when the
   * comparison also chose the last tier to evict, else −1.
   */
  typeToScan(c: number, swappiness: number): number {
    this.tier = -1;
    if (swappiness === 0) return T_FILE;
    if (this.minSeq[c * 2 + T_ANON]! < this.minSeq[c * 2 + T_FILE]!) return T_ANON;
    if (swappiness === 1) return T_FILE;
    if (swappiness >= 200) return T_ANON;
    const gain = [swappiness, 200 - swappiness];
    const type = this.positive(c, T_ANON, 0, gain[T_ANON]!, T_FILE, 0, gain[T_FILE]!) ? T_FILE : T_ANON;
    const other = 1 - type;
    let tier = 1;
    for (; tier < MAX_NR_TIERS; tier++) {
      if (!this.positive(c, other, 0, gain[other]!, type, tier, gain[type]!)) break;
    }
    this.tier = tier - 1;
    return type;
  }

  /**
   * `sort_folio`, protected case: a page in a tier above the controller's index moves to
   * the next generation (`folio_inc_gen`, refs cleared) and counts as protected.
   */
  protect(c: number, type: number, page: number, tier: number): void {
    const min = this.minSeq[c * 2 + type]!;
    this.protectedPages[(c * 2 + type) * MAX_NR_TIERS + tier - 1]!++;
    this.refs[page] = 0;
    this.lists.remove(page);
    this.lists.addTail(this.list(c, type, min + 1), page);
  }

  /** A referenced page found at eviction (rmap walk, `lru_gen_look_around`): to the youngest generation. */
  activate(c: number, type: number, page: number): void {
    this.refs[page] = 0;
    this.lists.moveHead(this.list(c, type, this.maxSeq[c]!), page);
  }

  /** `sort_folio`, writeback case (`folio_inc_gen(reclaiming)`): wait in the next generation. */
  defer(c: number, type: number, page: number): void {
    this.lists.moveHead(this.list(c, type, this.minSeq[c * 2 + type]! + 1), page);
  }

  /**
   * `lru_gen_eviction`: counts the eviction in the page's tier and returns the shadow entry
   * (min_seq of its type, its access count).
   */
  evict(c: number, type: number, page: number): number {
    const n = this.refs[page]!;
    this.evicted[(c * 2 + type) * MAX_NR_TIERS + tierOf(n)]!++;
    this.refs[page] = 0;
    return ((this.minSeq[c * 2 + type]! * (1 << REFS_BITS)) % 2 ** 32) + n;
  }

  /**
   * `lru_gen_refault` / `lru_gen_test_recent`: a refault is recent when the oldest
   * generation has not moved since the eviction; it then counts against its tier, and a
   * page refaulting in a fault (anon) or with the top access count is restored to the top
   * tier (`LRU_REFS_MASK | PG_workingset`). Returns whether it was recent.
   */
  refault(c: number, type: number, page: number, shadow: number, inFault: boolean): boolean {
    const n = shadow % (1 << REFS_BITS);
    this.refs[page] = 0;
    if (shadow - n !== (this.minSeq[c * 2 + type]! * (1 << REFS_BITS)) % 2 ** 32) return false;
    this.refaulted[(c * 2 + type) * MAX_NR_TIERS + tierOf(n)]!++;
    if (inFault || n >= MAX_REFS - 1) this.refs[page] = MAX_REFS;
    return true;
  }
}
