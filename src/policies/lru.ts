/**
 * LRU: evict the least recently referenced page (policy-definitions.md, "LRU"; a stack
 * algorithm in the sense of Mattson et al. 1970, so it never faults more with more frames).
 * Cost per access: O(1): a hit relinks the page at the most-recent end of an intrusive list.
 */
import { LinkedLists } from './ds/linked-lists.js';
import type { PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

const L = 0;

class Lru implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  private readonly resident: Uint8Array;
  private readonly list: LinkedLists;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
  ) {
    this.resident = new Uint8Array(ctx.maxPageId);
    this.list = new LinkedLists(ctx.maxPageId, 1);
  }

  access(page: PageId): boolean {
    if (this.find(page, true)) return true;
    while (this.size >= this.capacity) this.evict();
    this.insert(page);
    return false;
  }

  find(page: PageId, touch: boolean): boolean {
    if (this.resident[page] === 0) return false;
    if (touch) this.list.moveToBack(L, page);
    return true;
  }

  insert(page: PageId): void {
    this.resident[page] = 1;
    this.list.pushBack(L, page);
    this.size++;
  }

  evict(): PageId {
    const victim = this.list.popFront(L);
    this.resident[victim] = 0;
    this.size--;
    return victim;
  }

  remove(page: PageId): boolean {
    if (this.resident[page] === 0) return false;
    this.list.unlink(L, page);
    this.resident[page] = 0;
    this.size--;
    return true;
  }
}

export const lru: PolicyFactory = {
  id: 'lru',
  params: [],
  create: (capacity, ctx, _params, spec) => new Lru(capacity, ctx, spec),
};
