/**
 * FIFO: evict the page loaded longest ago; hits change nothing (policy-definitions.md,
 * "FIFO"; the classic textbook policy that exhibits Belady's anomaly).
 * Cost per access: O(1): a hit is one byte read, a fault unlinks the queue head and appends.
 */
import { LinkedLists } from './ds/linked-lists.js';
import type { PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

const Q = 0;

class Fifo implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  private readonly resident: Uint8Array;
  private readonly queue: LinkedLists;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
  ) {
    this.resident = new Uint8Array(ctx.maxPageId);
    this.queue = new LinkedLists(ctx.maxPageId, 1);
  }

  access(page: PageId): boolean {
    if (this.find(page, true)) return true;
    while (this.size >= this.capacity) this.evict();
    this.insert(page);
    return false;
  }

  find(page: PageId, _touch: boolean): boolean {
    return this.resident[page] !== 0;
  }

  insert(page: PageId): void {
    this.resident[page] = 1;
    this.queue.pushBack(Q, page);
    this.size++;
  }

  evict(): PageId {
    const victim = this.queue.popFront(Q);
    this.resident[victim] = 0;
    this.size--;
    return victim;
  }

  remove(page: PageId): boolean {
    if (this.resident[page] === 0) return false;
    this.queue.unlink(Q, page);
    this.resident[page] = 0;
    this.size--;
    return true;
  }
}

export const fifo: PolicyFactory = {
  id: 'fifo',
  params: [],
  create: (capacity, ctx, _params, spec) => new Fifo(capacity, ctx, spec),
};
