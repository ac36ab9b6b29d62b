/**
 * 2Q (Johnson & Shasha, VLDB'94, full version; policy-definitions.md, "2Q"): new pages enter
 * a FIFO A1in; pages pushed out of A1in leave their id in the ghost FIFO A1out; a fault on
 * an A1out id loads the page into the LRU list Am. Eviction is the paper's `reclaimfor`.
 * `kin`/`kout` are the A1in and A1out sizes as fractions of C, floored (paper: 25 % / 50 %).
 * With `floor(kin·C) = 0` nothing is admitted (reference behaviour for C < 4).
 * Cost per access: O(1).
 */
import { LinkedLists } from './ds/linked-lists.js';
import { num, type PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

const A1IN = 0;
const AM = 1;
const A1OUT = 2;
const NONE = 0;
const IN_A1IN = 1;
const IN_AM = 2;
const IN_A1OUT = 3;

class TwoQ implements ReplacementPolicy {
  size = 0;
  readonly admits: boolean;
  private readonly where: Uint8Array;
  private readonly lists: LinkedLists;
  private readonly kin: number;
  private readonly kout: number;
  /** The page whose fault `find` announced, and whether its id was in A1out then. */
  private pending = -1;
  private pendingGhost = false;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
    kinRatio: number,
    koutRatio: number,
  ) {
    this.kin = Math.floor(capacity * kinRatio);
    this.kout = Math.floor(capacity * koutRatio);
    this.admits = this.kin > 0;
    this.where = new Uint8Array(ctx.maxPageId);
    this.lists = new LinkedLists(ctx.maxPageId, 3);
  }

  access(page: PageId): boolean {
    if (this.find(page, true)) return true;
    if (!this.admits) return false;
    while (this.size >= this.capacity) this.evict();
    this.insert(page);
    return false;
  }

  find(page: PageId, touch: boolean): boolean {
    const w = this.where[page]!;
    if (w === IN_A1IN) return true;
    if (w === IN_AM) {
      if (touch) this.lists.moveToBack(AM, page);
      return true;
    }
    if (touch) {
      this.pending = page;
      this.pendingGhost = w === IN_A1OUT;
      if (w === IN_A1OUT) this.forgetGhost(page);
    }
    return false;
  }

  insert(page: PageId): void {
    let ghost = this.pendingGhost;
    if (this.pending !== page) {
      ghost = this.where[page] === IN_A1OUT;
      if (ghost) this.forgetGhost(page);
    }
    this.pending = -1;
    if (ghost) {
      this.lists.pushBack(AM, page);
      this.where[page] = IN_AM;
    } else {
      this.lists.pushBack(A1IN, page);
      this.where[page] = IN_A1IN;
    }
    this.size++;
  }

  evict(): PageId {
    const lists = this.lists;
    let victim: number;
    if (lists.len[A1IN]! > this.kin || lists.len[AM] === 0) {
      victim = lists.popFront(A1IN);
      this.where[victim] = NONE;
      if (this.kout > 0) {
        if (lists.len[A1OUT]! >= this.kout) this.where[lists.popFront(A1OUT)] = NONE;
        lists.pushBack(A1OUT, victim);
        this.where[victim] = IN_A1OUT;
      }
    } else {
      victim = lists.popFront(AM);
      this.where[victim] = NONE;
    }
    this.size--;
    return victim;
  }

  remove(page: PageId): boolean {
    const w = this.where[page]!;
    if (w !== IN_A1IN && w !== IN_AM) return false;
    this.lists.unlink(w === IN_A1IN ? A1IN : AM, page);
    this.where[page] = NONE;
    this.size--;
    return true;
  }

  private forgetGhost(page: PageId): void {
    this.lists.unlink(A1OUT, page);
    this.where[page] = NONE;
  }
}

export const twoQ: PolicyFactory = {
  id: '2q',
  aliases: ['two-q', 'twoq'],
  params: [
    { key: 'kin', kind: 'float', default: 0.25, min: 0, max: 1, doc: 'A1in size as a fraction of C (floored)' },
    { key: 'kout', kind: 'float', default: 0.5, min: 0, max: 10, doc: 'A1out ghost ids as a fraction of C (floored)' },
  ],
  create: (capacity, ctx, params, spec) => new TwoQ(capacity, ctx, spec, num(params, 'kin'), num(params, 'kout')),
};
