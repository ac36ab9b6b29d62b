/**
 * The classic Linux two-list LRU on one stream (kernel-model.md §2; LK mm/vmscan.c
 * `folio_check_references`, `shrink_active_list`, `inactive_is_low`; mm/workingset.c).
 * Faults enter the inactive list with the accessed bit set; hits set it. Reclaim demotes the
 * active tail while `inactive·ratio < active`, then takes the inactive tail: accessed and
 * `referenced` → activate; accessed only → mark referenced and rotate; otherwise evict.
 * `ratio=0` derives int_sqrt(10·GiB) at 4 KiB pages; `workingset=1` activates close refaults.
 * Simplified: one page per reclaim step, anonymous pages only, shadows never expire.
 * Cost per access: O(1) for a hit; a fault is amortised O(1) list moves.
 */
import { inactiveRatio } from '../linux/mm.js';
import { LinkedLists } from './ds/linked-lists.js';
import { num, type PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

const INACTIVE = 0;
const ACTIVE = 1;
/**
 * One state byte per page, so that a hit reads and writes a single byte: the low two bits
 * are the list (list index + 1; 0 = not resident), then the flags below.
 */
const LIST_MASK = 3;
/** The page-table accessed ("young") bit, set by every reference. */
const ACCESSED = 4;
/** PG_referenced: one reference already seen by a reclaim scan. */
const REFERENCED = 8;
/** A non-resident page whose eviction stamp is in `shadow`. */
const SHADOW = 16;
/** Page ids are 4 KiB pages for the list-pair size in inactive_is_low's ratio. */
const PAGE_BYTES = 4096;

class Linux implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  private readonly state: Uint8Array;
  private readonly lists: LinkedLists;
  private readonly fixedRatio: number;
  private readonly workingset: boolean;
  /**
   * Nonresident age at each page's last eviction. Ages are compared modulo 2^32, like the
   * kernel's packed shadow entries, so a distance is exact below 2^31.
   */
  private readonly shadow: Int32Array;
  private nonresidentAge = 0;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
    ratio: number,
    workingset: boolean,
  ) {
    this.fixedRatio = ratio;
    this.workingset = workingset;
    this.state = new Uint8Array(ctx.maxPageId);
    this.lists = new LinkedLists(ctx.maxPageId, 2);
    this.shadow = new Int32Array(workingset ? ctx.maxPageId : 0);
  }

  access(page: PageId): boolean {
    if (this.find(page, true)) return true;
    if (!this.admits) return false;
    while (this.size >= this.capacity) this.evict();
    this.insert(page);
    return false;
  }

  find(page: PageId, touch: boolean): boolean {
    const s = this.state[page]!;
    if ((s & LIST_MASK) === 0) return false;
    if (touch && (s & ACCESSED) === 0) this.state[page] = s | ACCESSED;
    return true;
  }

  insert(page: PageId): void {
    let list = INACTIVE;
    if ((this.state[page]! & SHADOW) !== 0) {
      const distance = (this.nonresidentAge - this.shadow[page]!) | 0;
      if (distance <= this.lists.len[ACTIVE]!) {
        list = ACTIVE;
        this.nonresidentAge = (this.nonresidentAge + 1) | 0;
      }
    }
    this.lists.pushBack(list, page);
    this.state[page] = list + 1 + ACCESSED;
    this.size++;
  }

  evict(): PageId {
    const { lists, state } = this;
    const len = lists.len;
    // Rotations and activations keep the list pair's size, so the ratio holds for the whole scan.
    const ratio = this.fixedRatio > 0 ? this.fixedRatio : this.autoRatio();
    for (;;) {
      while (len[ACTIVE]! > 0 && (len[INACTIVE] === 0 || len[INACTIVE]! * ratio < len[ACTIVE]!)) {
        const d = lists.popFront(ACTIVE);
        lists.pushBack(INACTIVE, d);
        state[d] = (state[d]! & REFERENCED) | (INACTIVE + 1);
      }
      const t = lists.front(INACTIVE);
      const s = state[t]!;
      if ((s & ACCESSED) === 0) {
        lists.unlink(INACTIVE, t);
        if (this.workingset) {
          this.shadow[t] = this.nonresidentAge;
          state[t] = SHADOW;
        } else {
          state[t] = 0;
        }
        this.nonresidentAge = (this.nonresidentAge + 1) | 0;
        this.size--;
        return t;
      }
      // The mark is set for activated pages too, so a recently demoted but used page comes back fast.
      if ((s & REFERENCED) !== 0) {
        lists.unlink(INACTIVE, t);
        lists.pushBack(ACTIVE, t);
        state[t] = ACTIVE + 1 + REFERENCED;
        this.nonresidentAge = (this.nonresidentAge + 1) | 0;
      } else {
        lists.moveToBack(INACTIVE, t);
        state[t] = INACTIVE + 1 + REFERENCED;
      }
    }
  }

  remove(page: PageId): boolean {
    const list = (this.state[page]! & LIST_MASK) - 1;
    if (list < 0) return false;
    this.lists.unlink(list, page);
    this.state[page] = 0;
    this.size--;
    return true;
  }

  /** inactive_is_low's ratio over the resident pages, counted in 4 KiB pages. */
  private autoRatio(): number {
    return inactiveRatio(this.size * PAGE_BYTES);
  }
}

export const linux: PolicyFactory = {
  id: 'linux',
  aliases: ['linux-lru', 'two-list'],
  params: [
    { key: 'ratio', kind: 'int', default: 0, min: 0, max: 1000, doc: 'inactive ratio; 0 = int_sqrt(10 x GiB)' },
    { key: 'workingset', kind: 'int', default: 1, min: 0, max: 1, doc: 'refault-distance activation on insert' },
  ],
  create: (capacity, ctx, params, spec) =>
    new Linux(capacity, ctx, spec, num(params, 'ratio'), num(params, 'workingset') === 1),
};
