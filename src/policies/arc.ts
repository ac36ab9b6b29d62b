/**
 * ARC (Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache", FAST'03,
 * Fig. 4 with unit pages; policy-definitions.md, "ARC"): resident lists T1 (seen once) and
 * T2 (seen twice or more), ghost lists B1/B2, and a target size p for T1 that ghost hits
 * move. `p=real` (default, as the reference) adapts with real division; `p=int` uses
 * integer p and integer division, which changes counts.
 * Cost per access: O(1).
 */
import { LinkedLists } from './ds/linked-lists.js';
import { type PolicyFactory, str } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

const T1 = 0;
const T2 = 1;
const B1 = 2;
const B2 = 3;
/** `where` codes are list index + 1; 0 = in no list. */
const NONE = 0;

const MISS_NEW = 0;
const MISS_B1 = 1;
const MISS_B2 = 2;

class Arc implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  private readonly where: Uint8Array;
  private readonly lists: LinkedLists;
  private readonly integer: boolean;
  private p = 0;
  /** The page whose fault `find` announced, and which case of the paper it is. */
  private pending = -1;
  private pendingCase = MISS_NEW;
  /** Only the first eviction for a fault runs that case's ghost pruning and B2 tie rule. */
  private pendingEvict = false;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
    integer: boolean,
  ) {
    this.integer = integer;
    this.where = new Uint8Array(ctx.maxPageId);
    this.lists = new LinkedLists(ctx.maxPageId, 4);
  }

  access(page: PageId): boolean {
    if (this.find(page, true)) return true;
    while (this.size >= this.capacity) this.evict();
    this.insert(page);
    return false;
  }

  find(page: PageId, touch: boolean): boolean {
    const w = this.where[page]! - 1;
    if (w === T1 || w === T2) {
      if (touch) {
        if (w === T1) {
          this.lists.unlink(T1, page);
          this.lists.pushBack(T2, page);
          this.where[page] = T2 + 1;
        } else {
          this.lists.moveToBack(T2, page);
        }
      }
      return true;
    }
    if (touch) this.announce(page);
    return false;
  }

  insert(page: PageId): void {
    if (this.pending !== page) this.announce(page);
    const list = this.pendingCase === MISS_NEW ? T1 : T2;
    this.lists.pushBack(list, page);
    this.where[page] = list + 1;
    this.pending = -1;
    this.pendingEvict = false;
    this.size++;
  }

  evict(): PageId {
    const lists = this.lists;
    const len = lists.len;
    const first = this.pendingEvict;
    this.pendingEvict = false;
    if (!first) return this.replace(false);
    if (this.pendingCase !== MISS_NEW) return this.replace(this.pendingCase === MISS_B2);
    const c = this.capacity;
    const t1 = len[T1]!;
    if (t1 + len[B1]! >= c) {
      if (t1 < c) {
        this.where[lists.popFront(B1)] = NONE;
        return this.replace(false);
      }
      const victim = lists.popFront(T1);
      this.where[victim] = NONE;
      this.size--;
      return victim;
    }
    if (t1 + len[T2]! + len[B1]! + len[B2]! >= 2 * c) this.where[lists.popFront(B2)] = NONE;
    return this.replace(false);
  }

  remove(page: PageId): boolean {
    const w = this.where[page]! - 1;
    if (w !== T1 && w !== T2) return false;
    this.lists.unlink(w, page);
    this.where[page] = NONE;
    this.size--;
    return true;
  }

  /** Classifies a fault on `page` and, for a ghost hit, adapts p and drops the ghost entry. */
  private announce(page: PageId): void {
    const len = this.lists.len;
    const w = this.where[page]! - 1;
    this.pending = page;
    this.pendingEvict = true;
    if (w === B1) {
      const b1 = len[B1]!;
      const b2 = len[B2]!;
      const delta = b2 > b1 ? (this.integer ? Math.floor(b2 / b1) : b2 / b1) : 1;
      this.p = Math.min(this.p + delta, this.capacity);
      this.lists.unlink(B1, page);
      this.where[page] = NONE;
      this.pendingCase = MISS_B1;
    } else if (w === B2) {
      const b1 = len[B1]!;
      const b2 = len[B2]!;
      const delta = b1 > b2 ? (this.integer ? Math.floor(b1 / b2) : b1 / b2) : 1;
      this.p = Math.max(this.p - delta, 0);
      this.lists.unlink(B2, page);
      this.where[page] = NONE;
      this.pendingCase = MISS_B2;
    } else {
      this.pendingCase = MISS_NEW;
    }
  }

  /** The paper's REPLACE: demote T1's or T2's LRU page to its ghost list. */
  private replace(fromB2: boolean): PageId {
    const lists = this.lists;
    const t1 = lists.len[T1]!;
    const fromT1 = t1 > 0 && (t1 > this.p || (fromB2 && t1 === this.p) || lists.len[T2] === 0);
    const victim = lists.popFront(fromT1 ? T1 : T2);
    const ghost = fromT1 ? B1 : B2;
    lists.pushBack(ghost, victim);
    this.where[victim] = ghost + 1;
    this.size--;
    return victim;
  }
}

export const arc: PolicyFactory = {
  id: 'arc',
  params: [
    {
      key: 'p',
      kind: 'enum',
      default: 'real',
      values: ['real', 'int'],
      doc: 'number type of the target p and its steps: real division (reference) or integer',
    },
  ],
  create: (capacity, ctx, params, spec) => new Arc(capacity, ctx, spec, str(params, 'p') === 'int'),
};
