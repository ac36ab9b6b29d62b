/**
 * SIEVE (Zhang et al., "SIEVE is Simpler than LRU", NSDI'24; policy-definitions.md, "SIEVE"):
 * a FIFO queue with a visited bit and a hand that sweeps from the oldest page toward the
 * newest, clearing bits, and evicts the first unvisited page; survivors never move.
 * Cost per access: O(1) for a hit (one byte write); a fault is amortised O(1) hand steps.
 */
import { LinkedLists } from './ds/linked-lists.js';
import type { PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

const Q = 0;
const ABSENT = 0;
const UNVISITED = 1;
const VISITED = 2;

class Sieve implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  private readonly state: Uint8Array;
  private readonly queue: LinkedLists;
  /** The page the next eviction examines first; -1 means start at the oldest. */
  private hand = -1;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
  ) {
    this.state = new Uint8Array(ctx.maxPageId);
    this.queue = new LinkedLists(ctx.maxPageId, 1);
  }

  access(page: PageId): boolean {
    if (this.find(page, true)) return true;
    while (this.size >= this.capacity) this.evict();
    this.insert(page);
    return false;
  }

  find(page: PageId, touch: boolean): boolean {
    const s = this.state[page]!;
    if (s === ABSENT) return false;
    if (touch && s === UNVISITED) this.state[page] = VISITED;
    return true;
  }

  insert(page: PageId): void {
    this.state[page] = UNVISITED;
    this.queue.pushBack(Q, page);
    this.size++;
  }

  evict(): PageId {
    const state = this.state;
    const queue = this.queue;
    let x = this.hand >= 0 ? this.hand : queue.front(Q);
    while (state[x] === VISITED) {
      state[x] = UNVISITED;
      x = queue.after(Q, x);
      if (x < 0) x = queue.front(Q);
    }
    this.hand = queue.after(Q, x);
    queue.unlink(Q, x);
    state[x] = ABSENT;
    this.size--;
    return x;
  }

  remove(page: PageId): boolean {
    if (this.state[page] === ABSENT) return false;
    // The hand keeps its meaning ("next page to examine") by stepping as an eviction would.
    if (this.hand === page) this.hand = this.queue.after(Q, page);
    this.queue.unlink(Q, page);
    this.state[page] = ABSENT;
    this.size--;
    return true;
  }
}

export const sieve: PolicyFactory = {
  id: 'sieve',
  params: [],
  create: (capacity, ctx, _params, spec) => new Sieve(capacity, ctx, spec),
};
