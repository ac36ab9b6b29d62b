import type { Rng } from '../util/rng.js';
import { compactSlots, popcount } from '../util/slot-bits.js';

/**
 * A reference stream whose exact LRU miss-ratio curve is a given one (the `mrc` pattern).
 *
 * Each reference draws a stack distance d from the curve, P(d > c) = miss ratio at c frames
 * (linear between the curve's sizes; the share beyond its largest size is "a new page"),
 * and touches the page at depth d of an LRU stack: that reference's stack distance is then
 * exactly d, so over a long stream the measured curve converges to the given one. The stack
 * is kept as one mark per page at the time slot of its latest touch (as analysis/mrc.ts
 * measures distances): a bitset of slots with a Fenwick tree over the popcounts of its
 * 32-slot words, small enough to stay in L1 for tens of thousands of pages. The page at
 * depth d is the (pages − d + 1)-th mark: a descent of the tree to its word, then a select
 * within the word. Slots are renumbered when they run out, so they span twice the pages.
 *
 * Pages are first touched in order 0, 1, 2, … (ascending offsets). Once all `capacity` pages
 * have been touched, a new-page draw takes the page at the bottom of the stack, so the
 * stream matches the curve at every size below `capacity`. Typed arrays only; nothing is
 * allocated per reference.
 */
export class MrcStream {
  readonly capacity: number;
  /** Curve sizes with a leading 0 (miss ratio 1): d lies in (frames[i−1], frames[i]]. */
  private readonly frames: Float64Array;
  private readonly ratio: Float64Array;
  private readonly rng: Rng;
  private readonly scale: number;
  private readonly last: Int32Array;
  private readonly pageAt: Int32Array;
  private readonly bits: Int32Array;
  /** Fenwick tree over the popcounts of `bits`' words. */
  private readonly tree: Int32Array;
  private readonly slots: number;
  private readonly words: number;
  /** Highest power of two ≤ words, where the descent starts. */
  private readonly top: number;
  private t = 0;
  /** Pages in the stack (touched at least once). */
  private active = 0;

  /**
   * `frames`/`missRatio`: the curve (ascending sizes in pages, non-increasing ratios).
   * `scale`: real pages per page here (a sampled replay); depths are divided by it.
   */
  constructor(frames: readonly number[], missRatio: readonly number[], capacity: number, rng: Rng, scale = 1) {
    if (frames.length !== missRatio.length || frames.length === 0) {
      throw new RangeError('MrcStream needs as many miss ratios as sizes, at least one');
    }
    if (!(capacity >= 1)) throw new RangeError(`MrcStream needs a capacity ≥ 1, got ${capacity}`);
    this.capacity = capacity;
    this.rng = rng;
    this.scale = scale;
    this.frames = Float64Array.from([0, ...frames]);
    this.ratio = Float64Array.from([1, ...missRatio]);
    this.last = new Int32Array(capacity).fill(-1);
    this.slots = Math.max(1024, Math.ceil((2 * capacity) / 32) * 32);
    this.words = this.slots >>> 5;
    this.pageAt = new Int32Array(this.slots);
    this.bits = new Int32Array(this.words);
    this.tree = new Int32Array(this.words + 1);
    let top = 1;
    while (top * 2 <= this.words) top *= 2;
    this.top = top;
  }

  /** Pages touched so far. */
  get touched(): number {
    return this.active;
  }

  /** The next page, an offset in [0, capacity). */
  next(): number {
    const d = this.drawDistance();
    if (d > this.active) {
      if (this.active < this.capacity) return this.touchNew();
      return this.touchAtDepth(this.active);
    }
    return this.touchAtDepth(d);
  }

  /** A stack distance ≥ 1 from the curve, in this stream's pages; Infinity for a new page. */
  private drawDistance(): number {
    const u = this.rng.nextFloat();
    const ratio = this.ratio;
    const n = ratio.length;
    if (u < ratio[n - 1]!) return Number.POSITIVE_INFINITY;
    // Smallest i with ratio[i] ≤ u (ratio[0] = 1 > u).
    let lo = 1;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ratio[mid]! <= u) hi = mid;
      else lo = mid + 1;
    }
    const c0 = this.frames[lo - 1]!;
    const c1 = this.frames[lo]!;
    const frac = (ratio[lo - 1]! - u) / (ratio[lo - 1]! - ratio[lo]!);
    const d = c0 + Math.max(1, Math.ceil(frac * (c1 - c0)));
    return this.scale === 1 ? d : Math.max(1, Math.round(d / this.scale));
  }

  private touchNew(): number {
    const p = this.active++;
    this.mark(p);
    return p;
  }

  /** Touches the page at `depth` (1 = most recent) and moves it to the top. */
  private touchAtDepth(depth: number): number {
    const slot = this.findKth(this.active - depth + 1);
    const p = this.pageAt[slot]!;
    const w = slot >>> 5;
    this.bits[w] = this.bits[w]! & ~(1 << (slot & 31));
    this.addWord(w, -1);
    // Unmarked before mark() may renumber the slots, so the old slot is not kept.
    this.last[p] = -1;
    this.mark(p);
    return p;
  }

  private mark(p: number): void {
    if (this.t === this.slots) this.compact();
    const t = this.t++;
    this.last[p] = t;
    this.pageAt[t] = p;
    const w = t >>> 5;
    this.bits[w] = this.bits[w]! | (1 << (t & 31));
    this.addWord(w, 1);
  }

  private addWord(word: number, delta: number): void {
    const tree = this.tree;
    for (let i = word + 1; i <= this.words; i += i & -i) tree[i]! += delta;
  }

  /** The slot of the k-th mark (1-based): the word by a descent of the tree, then the bit. */
  private findKth(k: number): number {
    const tree = this.tree;
    const words = this.words;
    let pos = 0;
    let rest = k;
    for (let step = this.top; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= words) {
        const c = tree[next]!;
        if (c < rest) {
          pos = next;
          rest -= c;
        }
      }
    }
    return (pos << 5) + selectBit(this.bits[pos]!, rest);
  }

  /** Renumbers the marks 0..active−1 in slot order and rebuilds the bitset and tree in O(slots). */
  private compact(): void {
    const { tree, words } = this;
    const k = compactSlots(this.last, this.pageAt, this.t, this.bits);
    const full = k >>> 5;
    tree.fill(0);
    for (let i = 1; i <= words; i++) {
      tree[i]! += i <= full ? 32 : i === full + 1 ? k & 31 : 0;
      const j = i + (i & -i);
      if (j <= words) tree[j]! += tree[i]!;
    }
    this.t = k;
  }
}

/**
 * The position of the r-th set bit (1-based) of x, by halving with popcounts and masks
 * rather than branches: clearing bits one at a time mispredicted once per word and doubled
 * the cost of a reference.
 */
function selectBit(x: number, r: number): number {
  let base = 0;
  let c = popcount(x & 0xffff);
  let m = (c - r) >> 31;
  r -= c & m;
  let s = 16 & m;
  x >>>= s;
  base += s;
  c = popcount(x & 0xff);
  m = (c - r) >> 31;
  r -= c & m;
  s = 8 & m;
  x >>>= s;
  base += s;
  c = popcount(x & 0xf);
  m = (c - r) >> 31;
  r -= c & m;
  s = 4 & m;
  x >>>= s;
  base += s;
  c = (x & 1) + ((x >>> 1) & 1);
  m = (c - r) >> 31;
  r -= c & m;
  s = 2 & m;
  x >>>= s;
  base += s;
  m = ((x & 1) - r) >> 31;
  return base + (1 & m);
}
