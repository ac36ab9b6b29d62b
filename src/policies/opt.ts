/**
 * OPT (Belady's MIN, 1966): evict the resident page whose next reference is farthest in the
 * future; never-again pages first (policy-definitions.md, "OPT"). Aliases: belady, min.
 * Offline: needs the whole stream (`ctx.stream`); next uses are precomputed in one backward
 * pass at construction (O(n) time, 4n bytes), separately from the replay.
 * Replay cost: a hit pushes the page's new next-use time on a lazy 4-ary max-heap (O(1) on
 * average); a fault pops (O(log C)). Outdated entries are never the maximum and are swept
 * when the heap fills, amortised O(1).
 */
import { InputError } from '../util/errors.js';
import { MaxHeap } from './ds/max-heap.js';
import type { PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

class Opt implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  private readonly stream: Int32Array;
  /**
   * Heap key of the reference after position t: the position of the page's next reference,
   * or `n + page` if there is none (unique, and above every real position).
   */
  private readonly nextKey: Int32Array;
  /** Current heap key of each resident page; -1 if not resident. */
  private readonly key: Int32Array;
  private readonly heap: MaxHeap;
  /** Stream positions consumed by `find(_, true)`. */
  private t = 0;
  private readonly isLive = (k: number, page: number): boolean => this.key[page] === k;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
  ) {
    const stream = ctx.stream;
    if (stream === undefined) throw new InputError('policy opt needs the whole reference stream (offline policy)');
    const n = stream.length;
    if (n + ctx.maxPageId > 0x7fffffff) {
      throw new InputError(`policy opt: stream of ${n} references over ${ctx.maxPageId} pages exceeds int32 keys`);
    }
    this.stream = stream;
    this.nextKey = new Int32Array(n);
    const seen = new Int32Array(ctx.maxPageId).fill(-1);
    for (let i = n - 1; i >= 0; i--) {
      const p = stream[i]!;
      const s = seen[p]!;
      this.nextKey[i] = s >= 0 ? s : n + p;
      seen[p] = i;
    }
    this.key = seen.fill(-1);
    // At most min(C, pages) are resident: a frame count past the page count allocates nothing more.
    this.heap = new MaxHeap(2 * Math.min(capacity, ctx.maxPageId) + 64);
  }

  access(page: PageId): boolean {
    if (this.find(page, true)) return true;
    while (this.size >= this.capacity) this.evict();
    this.insert(page);
    return false;
  }

  find(page: PageId, touch: boolean): boolean {
    const resident = this.key[page]! >= 0;
    if (!touch) return resident;
    const t = this.t++;
    if (this.stream[t] !== page) {
      throw new Error(`internal: opt expected page ${this.stream[t]} at position ${t}, got ${page}`);
    }
    if (resident) this.setKey(page, this.nextKey[t]!);
    return resident;
  }

  insert(page: PageId): void {
    if (this.stream[this.t - 1] !== page) throw new Error(`internal: opt inserts ${page}, not the page just found`);
    this.setKey(page, this.nextKey[this.t - 1]!);
    this.size++;
  }

  evict(): PageId {
    const heap = this.heap;
    for (;;) {
      const k = heap.topKey();
      const page = heap.topValue();
      heap.pop();
      if (this.key[page] === k) {
        this.key[page] = -1;
        this.size--;
        return page;
      }
    }
  }

  remove(page: PageId): boolean {
    if (this.key[page]! < 0) return false;
    this.key[page] = -1;
    this.size--;
    return true;
  }

  private setKey(page: PageId, k: number): void {
    this.key[page] = k;
    if (this.heap.length === this.heap.capacity) this.heap.retain(this.isLive);
    this.heap.push(k, page);
  }
}

export const opt: PolicyFactory = {
  id: 'opt',
  aliases: ['belady', 'min'],
  params: [],
  needsStream: true,
  create: (capacity, ctx, _params, spec) => new Opt(capacity, ctx, spec),
};
