/**
 * LIRS (Jiang & Zhang, "LIRS: An Efficient Low Inter-reference Recency Set Replacement
 * Policy", SIGMETRICS'02, §4; policy-definitions.md, "LIRS"): pages with a low
 * inter-reference recency (LIR) keep `Llirs` frames; the rest (`Lhirs = max(1, floor(hir·C))`)
 * hold resident HIR pages in a FIFO queue Q. Recency lives in the stack S, which also keeps
 * non-resident HIR entries and is pruned so that its bottom is always a LIR page.
 * Llirs is at least 1 (so C = 1 holds one LIR page). S is not bounded beyond that (the paper's optional bound is not applied).
 * Cost per access: amortised O(1) (each pruned entry was pushed once).
 */
import { LinkedLists } from './ds/linked-lists.js';
import { num, type PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

const ONE = 0;
const UNKNOWN = 0;
const LIR = 1;
const HIR = 2;
/** A HIR page that was evicted but is still in S, so its next reference can make it LIR. */
const HIR_GONE = 3;

class Lirs implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  private readonly state: Uint8Array;
  private readonly inStack: Uint8Array;
  /** S: front = bottom (oldest), back = top. */
  private readonly stack: LinkedLists;
  /** Q: front = next resident HIR page to evict. */
  private readonly queue: LinkedLists;
  private readonly lirCap: number;
  private lirCount = 0;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
    hir: number,
  ) {
    // At least one LIR frame: the bottom of S must be a LIR page for demotion to be defined.
    this.lirCap = Math.max(1, capacity - Math.max(1, Math.floor(capacity * hir)));
    this.state = new Uint8Array(ctx.maxPageId);
    this.inStack = new Uint8Array(ctx.maxPageId);
    this.stack = new LinkedLists(ctx.maxPageId, 1);
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
    if (s !== LIR && s !== HIR) return false;
    if (!touch) return true;
    const stack = this.stack;
    if (s === LIR) {
      const wasBottom = stack.front(ONE) === page;
      stack.moveToBack(ONE, page);
      if (wasBottom) this.prune();
    } else if (this.inStack[page] === 1) {
      stack.moveToBack(ONE, page);
      this.queue.unlink(ONE, page);
      this.makeLir(page);
    } else {
      stack.pushBack(ONE, page);
      this.inStack[page] = 1;
      this.queue.moveToBack(ONE, page);
    }
    return true;
  }

  insert(page: PageId): void {
    const stack = this.stack;
    const inStack = this.inStack[page] === 1;
    if (inStack) stack.moveToBack(ONE, page);
    else {
      stack.pushBack(ONE, page);
      this.inStack[page] = 1;
    }
    // Until the LIR set is full every page is LIR; afterwards a page still in S has a
    // smaller recency than the bottom LIR page, so it becomes LIR in its place.
    if (this.lirCount < this.lirCap || inStack) {
      this.makeLir(page);
    } else {
      this.state[page] = HIR;
      this.queue.pushBack(ONE, page);
    }
    this.size++;
  }

  evict(): PageId {
    if (this.queue.len[ONE] === 0) this.demoteBottom();
    const victim = this.queue.popFront(ONE);
    this.state[victim] = this.inStack[victim] === 1 ? HIR_GONE : UNKNOWN;
    this.size--;
    return victim;
  }

  remove(page: PageId): boolean {
    const s = this.state[page]!;
    if (s !== LIR && s !== HIR) return false;
    if (s === LIR) this.lirCount--;
    else this.queue.unlink(ONE, page);
    if (this.inStack[page] === 1) {
      this.stack.unlink(ONE, page);
      this.inStack[page] = 0;
    }
    this.state[page] = UNKNOWN;
    this.size--;
    this.prune();
    return true;
  }

  /** `page` (resident, at the top of S, not in Q) becomes LIR; surplus LIR pages are demoted. */
  private makeLir(page: PageId): void {
    this.state[page] = LIR;
    this.lirCount++;
    while (this.lirCount > this.lirCap) this.demoteBottom();
  }

  /** The LIR page at the bottom of S becomes a resident HIR page at the end of Q. */
  private demoteBottom(): void {
    const bottom = this.stack.popFront(ONE);
    this.inStack[bottom] = 0;
    this.state[bottom] = HIR;
    this.lirCount--;
    this.queue.pushBack(ONE, bottom);
    this.prune();
  }

  /** Drops HIR entries from the bottom of S until a LIR page is there (or S is empty). */
  private prune(): void {
    const { stack, state, inStack } = this;
    for (;;) {
      const b = stack.front(ONE);
      if (b < 0 || state[b] === LIR) return;
      stack.unlink(ONE, b);
      inStack[b] = 0;
      if (state[b] === HIR_GONE) state[b] = UNKNOWN;
    }
  }
}

export const lirs: PolicyFactory = {
  id: 'lirs',
  params: [
    { key: 'hir', kind: 'float', default: 0.01, min: 0, max: 1, doc: 'resident HIR share of C, floored, at least 1' },
  ],
  create: (capacity, ctx, params, spec) => new Lirs(capacity, ctx, spec, num(params, 'hir')),
};
