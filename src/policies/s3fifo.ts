/**
 * S3-FIFO (Yang et al., "FIFO queues are all you need for cache eviction", SOSP'23;
 * policy-definitions.md, "S3-FIFO"): a small FIFO S filters one-hit wonders, a main FIFO M
 * with reinsertion holds the rest, and a ghost FIFO G of ids sends returning pages to M.
 * Defaults follow the reference simulator: promoted pages restart at freq 0
 * (`promote=reset`; paper: `keep`) and S is evicted iff `|S| ≥ floor(small·C)`
 * (`round=floor`; paper's real test: `real`). With `floor(small·C) ≤ 1` nothing is admitted
 * (the reference's rule); `minsmall=1` gives S at least one frame and admits instead.
 * Cost per access: O(1) for a hit; a fault is amortised O(1) queue moves, each a pop and a push
 * on a ring of page ids (ds/ring-queue.ts).
 */
import { RingQueue } from './ds/ring-queue.js';
import { num, type PolicyFactory, str } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

const NONE = 0;
const IN_S = 1;
const IN_M = 2;
const IN_G = 3;

/** ceil(x) that ignores the rounding noise of products like 0.1 × 30 = 3.0000000000000004. */
function ceilTolerant(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-9 ? r : Math.ceil(x);
}

class S3Fifo implements ReplacementPolicy {
  size = 0;
  readonly admits: boolean;
  private readonly where: Uint8Array;
  private readonly freq: Uint8Array;
  /** The three queues, each a ring of page ids (ds/ring-queue.ts): every move is a pop and a push. */
  private readonly small: RingQueue;
  private readonly main: RingQueue;
  private readonly ghosts: RingQueue;
  /** M is over its share when it holds more than this; then eviction goes to M. */
  private readonly mTarget: number;
  private readonly ghostCap: number;
  private readonly threshold: number;
  private readonly freqCap: number;
  private readonly keepFreq: boolean;
  private pending = -1;
  private pendingGhost = false;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
    small: number,
    ghost: number,
    threshold: number,
    keepFreq: boolean,
    realTest: boolean,
    minSmall: boolean,
  ) {
    const s = minSmall ? Math.max(1, Math.floor(capacity * small)) : Math.floor(capacity * small);
    // The reference admits a unit page into S only if it is strictly smaller than S.
    this.admits = minSmall || s > 1;
    this.mTarget = capacity - (realTest ? ceilTolerant(capacity * small) : s);
    this.ghostCap = Math.floor(capacity * ghost);
    this.threshold = threshold;
    // Counts above max(3, threshold) behave alike (M reinsertion caps at 3), so saturate in a byte.
    this.freqCap = Math.max(3, threshold);
    this.keepFreq = keepFreq;
    this.where = new Uint8Array(ctx.maxPageId);
    this.freq = new Uint8Array(ctx.maxPageId);
    const resident = Math.min(capacity, ctx.maxPageId);
    this.small = new RingQueue(ctx.maxPageId, resident);
    this.main = new RingQueue(ctx.maxPageId, resident);
    this.ghosts = new RingQueue(ctx.maxPageId, Math.min(this.ghostCap, ctx.maxPageId));
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
    if (w === IN_S || w === IN_M) {
      if (touch && this.freq[page]! < this.freqCap) this.freq[page]!++;
      return true;
    }
    if (touch) {
      this.pending = page;
      this.pendingGhost = w === IN_G;
      if (w === IN_G) this.forgetGhost(page);
    }
    return false;
  }

  insert(page: PageId): void {
    let ghost = this.pendingGhost;
    if (this.pending !== page) {
      ghost = this.where[page] === IN_G;
      if (ghost) this.forgetGhost(page);
    }
    this.pending = -1;
    this.freq[page] = 0;
    if (ghost) {
      this.main.push(page);
      this.where[page] = IN_M;
    } else {
      this.small.push(page);
      this.where[page] = IN_S;
    }
    this.size++;
  }

  evict(): PageId {
    for (;;) {
      if (this.main.length > this.mTarget || this.small.length === 0) return this.evictM();
      const victim = this.evictS();
      if (victim >= 0) return victim;
    }
  }

  remove(page: PageId): boolean {
    const w = this.where[page]!;
    if (w !== IN_S && w !== IN_M) return false;
    (w === IN_S ? this.small : this.main).remove(page);
    this.where[page] = NONE;
    this.size--;
    return true;
  }

  /** Promotes S's oldest pages with enough hits to M until one can go to G; -1 if S empties first. */
  private evictS(): number {
    const { small, main, ghosts, where, freq } = this;
    while (small.length > 0) {
      const t = small.pop();
      if (freq[t]! >= this.threshold) {
        main.push(t);
        where[t] = IN_M;
        if (!this.keepFreq) freq[t] = 0;
        continue;
      }
      where[t] = NONE;
      if (this.ghostCap > 0) {
        if (ghosts.length >= this.ghostCap) where[ghosts.pop()] = NONE;
        ghosts.push(t);
        where[t] = IN_G;
      }
      this.size--;
      return t;
    }
    return -1;
  }

  private evictM(): number {
    const { main, where, freq } = this;
    for (;;) {
      const t = main.pop();
      const f = freq[t]!;
      if (f === 0) {
        where[t] = NONE;
        this.size--;
        return t;
      }
      freq[t] = Math.min(f, 3) - 1;
      main.push(t);
    }
  }

  private forgetGhost(page: PageId): void {
    this.ghosts.remove(page);
    this.where[page] = NONE;
  }
}

export const s3fifo: PolicyFactory = {
  id: 's3fifo',
  aliases: ['s3-fifo'],
  params: [
    { key: 'small', kind: 'float', default: 0.1, min: 0, max: 1, doc: 'S share of C' },
    { key: 'ghost', kind: 'float', default: 0.9, min: 0, max: 10, doc: 'G capacity in ids, as a fraction of C' },
    { key: 'threshold', kind: 'int', default: 2, min: 1, max: 255, doc: 'hits in S needed to move to M' },
    {
      key: 'promote',
      kind: 'enum',
      default: 'reset',
      values: ['reset', 'keep'],
      doc: 'freq of a page moved from S to M: reset to 0 (reference) or kept (paper)',
    },
    {
      key: 'round',
      kind: 'enum',
      default: 'floor',
      values: ['floor', 'real'],
      doc: 'evict from S iff |S| >= floor(small*C) (reference) or >= small*C (paper)',
    },
    {
      key: 'minsmall',
      kind: 'int',
      default: 0,
      min: 0,
      max: 1,
      doc: '1 = S has at least one frame, so caches below 20 frames admit pages',
    },
  ],
  create: (capacity, ctx, params, spec) =>
    new S3Fifo(
      capacity,
      ctx,
      spec,
      num(params, 'small'),
      num(params, 'ghost'),
      num(params, 'threshold'),
      str(params, 'promote') === 'keep',
      str(params, 'round') === 'real',
      num(params, 'minsmall') === 1,
    ),
};
