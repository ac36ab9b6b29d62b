/**
 * FIFO: evict the page loaded longest ago; hits change nothing (policy-definitions.md,
 * "FIFO"; the classic textbook policy that exhibits Belady's anomaly).
 * Cost per access: O(1): a hit is one byte read, a fault pops the ring's oldest id and
 * pushes the new one (ds/ring-queue.ts).
 */
import { RingQueue } from './ds/ring-queue.js';
import type { PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

class Fifo implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  private readonly resident: Uint8Array;
  private readonly queue: RingQueue;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
  ) {
    this.resident = new Uint8Array(ctx.maxPageId);
    this.queue = new RingQueue(ctx.maxPageId, Math.min(capacity, ctx.maxPageId));
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
    this.queue.push(page);
    this.size++;
  }

  evict(): PageId {
    const victim = this.queue.pop();
    this.resident[victim] = 0;
    this.size--;
    return victim;
  }

  remove(page: PageId): boolean {
    if (this.resident[page] === 0) return false;
    this.queue.remove(page);
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
