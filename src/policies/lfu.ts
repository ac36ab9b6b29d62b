/**
 * LFU: evict the resident page with the fewest references since it was loaded; among equal
 * counts, the one that reached that count first (policy-definitions.md, "LFU"; counts are
 * forgotten on eviction). The O(1) structure of Shah, Mitra & Matani (2010): one FIFO of
 * pages per distinct count, and the counts in ascending order in a list of buckets.
 * Cost per access: O(1): a hit moves the page to the next bucket, creating it if needed.
 */
import { LinkedLists } from './ds/linked-lists.js';
import type { PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

const CHAIN = 0;

class Lfu implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  /** Bucket of each page, or -1 if not resident. */
  private readonly bucketOf: Int32Array;
  /** Per bucket b, list b holds its pages in order of arrival at its count. */
  private readonly pages: LinkedLists;
  /** Live buckets in ascending count order (nodes are bucket indices). */
  private readonly chain: LinkedLists;
  private readonly count: Float64Array;
  private readonly free: Int32Array;
  private freeTop: number;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
  ) {
    // A hit needs its new bucket before the old one can empty: at most one more than the
    // resident pages, which never exceed min(C, pages) however many frames are asked for.
    const buckets = Math.min(capacity, ctx.maxPageId) + 1;
    this.bucketOf = new Int32Array(ctx.maxPageId).fill(-1);
    this.pages = new LinkedLists(ctx.maxPageId, buckets);
    this.chain = new LinkedLists(buckets, 1);
    this.count = new Float64Array(buckets);
    this.free = new Int32Array(buckets);
    for (let i = 0; i < buckets; i++) this.free[i] = buckets - 1 - i;
    this.freeTop = buckets;
  }

  access(page: PageId): boolean {
    if (this.find(page, true)) return true;
    while (this.size >= this.capacity) this.evict();
    this.insert(page);
    return false;
  }

  find(page: PageId, touch: boolean): boolean {
    const b = this.bucketOf[page]!;
    if (b < 0) return false;
    if (!touch) return true;
    const c = this.count[b]! + 1;
    let nb = this.chain.after(CHAIN, b);
    if (nb < 0 || this.count[nb] !== c) {
      nb = this.free[--this.freeTop]!;
      this.count[nb] = c;
      this.chain.insertAfter(CHAIN, b, nb);
    }
    this.pages.unlink(b, page);
    this.pages.pushBack(nb, page);
    this.bucketOf[page] = nb;
    this.releaseIfEmpty(b);
    return true;
  }

  insert(page: PageId): void {
    let b = this.chain.front(CHAIN);
    if (b < 0 || this.count[b] !== 1) {
      b = this.free[--this.freeTop]!;
      this.count[b] = 1;
      this.chain.pushFront(CHAIN, b);
    }
    this.pages.pushBack(b, page);
    this.bucketOf[page] = b;
    this.size++;
  }

  evict(): PageId {
    const b = this.chain.front(CHAIN);
    const victim = this.pages.popFront(b);
    this.bucketOf[victim] = -1;
    this.releaseIfEmpty(b);
    this.size--;
    return victim;
  }

  remove(page: PageId): boolean {
    const b = this.bucketOf[page]!;
    if (b < 0) return false;
    this.pages.unlink(b, page);
    this.bucketOf[page] = -1;
    this.releaseIfEmpty(b);
    this.size--;
    return true;
  }

  private releaseIfEmpty(b: number): void {
    if (this.pages.len[b] !== 0) return;
    this.chain.unlink(CHAIN, b);
    this.free[this.freeTop++] = b;
  }
}

export const lfu: PolicyFactory = {
  id: 'lfu',
  params: [],
  fillsPageState: true,
  create: (capacity, ctx, _params, spec) => new Lfu(capacity, ctx, spec),
};
