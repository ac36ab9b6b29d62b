/**
 * Clock (second chance, FIFO-reinsertion) and n-bit Clock: a FIFO whose oldest page, if its
 * counter is non-zero, is decremented and reinserted at the newest end instead of evicted
 * (Corbató 1968; policy-definitions.md, "Clock"). Aliases: second-chance.
 * `bits=n` gives counters in 0..2^n−1; `load=0` (default, as the reference) starts a loaded
 * page at 0, `load=1` sets it to 1 as in the textbook (changes counts).
 * Cost per access: O(1) for a hit; a fault is amortised O(2^n) reinsertions.
 */
import { num, type PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

class Clock implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  /** 0 = not resident, otherwise counter + 1: one byte read answers both questions on a hit. */
  private readonly state: Uint8Array;
  /**
   * The queue as a circular list with no sentinel: `hand` is the oldest page and
   * `prev[hand]` the newest, so reinserting the oldest page at the newest end is one step
   * of the hand, with no relinking. Next and prev of page x are `links[2x]`, `links[2x + 1]`.
   */
  private readonly links: Int32Array;
  private hand = -1;
  private readonly top: number;
  private readonly loadState: number;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
    bits: number,
    load: number,
  ) {
    this.state = new Uint8Array(ctx.maxPageId);
    this.links = new Int32Array(2 * ctx.maxPageId);
    this.top = 2 ** bits;
    this.loadState = 1 + load;
  }

  access(page: PageId): boolean {
    if (this.find(page, true)) return true;
    while (this.size >= this.capacity) this.evict();
    this.insert(page);
    return false;
  }

  find(page: PageId, touch: boolean): boolean {
    const s = this.state[page]!;
    if (s === 0) return false;
    if (touch && s < this.top) this.state[page] = s + 1;
    return true;
  }

  insert(page: PageId): void {
    this.state[page] = this.loadState;
    const a = this.links;
    const h = this.hand;
    if (h < 0) {
      a[2 * page] = page;
      a[2 * page + 1] = page;
      this.hand = page;
    } else {
      const newest = a[2 * h + 1]!;
      a[2 * newest] = page;
      a[2 * page + 1] = newest;
      a[2 * page] = h;
      a[2 * h + 1] = page;
    }
    this.size++;
  }

  evict(): PageId {
    const { state, links } = this;
    let x = this.hand;
    for (;;) {
      const s = state[x]!;
      if (s === 1) break;
      state[x] = s - 1;
      x = links[2 * x]!;
    }
    this.hand = x;
    this.unlink(x);
    return x;
  }

  remove(page: PageId): boolean {
    if (this.state[page] === 0) return false;
    this.unlink(page);
    return true;
  }

  private unlink(page: PageId): void {
    const a = this.links;
    const n = a[2 * page]!;
    const p = a[2 * page + 1]!;
    a[2 * p] = n;
    a[2 * n + 1] = p;
    if (this.hand === page) this.hand = n === page ? -1 : n;
    this.state[page] = 0;
    this.size--;
  }
}

export const clock: PolicyFactory = {
  id: 'clock',
  aliases: ['second-chance'],
  params: [
    { key: 'bits', kind: 'int', default: 1, min: 1, max: 7, doc: 'counter width n: counters run 0..2^n-1' },
    { key: 'load', kind: 'int', default: 0, min: 0, max: 1, doc: 'counter of a newly loaded page (1 = textbook)' },
  ],
  create: (capacity, ctx, params, spec) => new Clock(capacity, ctx, spec, num(params, 'bits'), num(params, 'load')),
};
