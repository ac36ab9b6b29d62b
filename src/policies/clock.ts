/**
 * Clock (second chance, FIFO-reinsertion) and n-bit Clock: a FIFO whose oldest page, if its
 * counter is non-zero, is decremented and reinserted at the newest end instead of evicted
 * (Corbató 1968; policy-definitions.md, "Clock"). Aliases: second-chance.
 * `bits=n` gives counters in 0..2^n−1; `load=0` (default, as the reference) starts a loaded
 * page at 0, `load=1` sets it to 1 as in the textbook (changes counts).
 * Cost per access: O(1) for a hit; a fault is amortised O(2^n) reinsertions, each a pop and a
 * push on a ring of page ids (ds/ring-queue.ts).
 */
import { RingQueue } from './ds/ring-queue.js';
import { num, type PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

class Clock implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  /** 0 = not resident, otherwise counter + 1: one byte read answers both questions on a hit. */
  private readonly state: Uint8Array;
  /**
   * The queue, oldest first: the oldest page is where the hand points, and passing over a
   * page with a non-zero counter moves it to the newest end, which on a ring is one pop and
   * one push (the classic clock's hand, with the new page taking the victim's place).
   */
  private readonly queue: RingQueue;
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
    this.queue = new RingQueue(ctx.maxPageId, Math.min(capacity, ctx.maxPageId));
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
    this.queue.push(page);
    this.size++;
  }

  evict(): PageId {
    const { state, queue } = this;
    for (;;) {
      const x = queue.pop();
      const s = state[x]!;
      if (s === 1) {
        state[x] = 0;
        this.size--;
        return x;
      }
      state[x] = s - 1;
      queue.push(x);
    }
  }

  remove(page: PageId): boolean {
    if (this.state[page] === 0) return false;
    this.queue.remove(page);
    this.state[page] = 0;
    this.size--;
    return true;
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
