/**
 * Miss-ratio curves. For LRU, one pass computes every cache size at once from stack
 * distances (Mattson et al. 1970): a reference hits in every LRU cache larger than the
 * number of distinct pages touched since its previous use. Those counts come from a
 * Fenwick tree over access slots, one mark per page at its latest slot, so a pass is
 * O(N log M). SHARDS (Waldspurger et al., FAST'15) runs the same pass on the references
 * of a hash-chosen subset of pages and scales distances and counts by the sampling rate.
 */
import { compactSlots, popcount } from '../util/slot-bits.js';

/** Reuse-distance histogram of a reference stream, possibly estimated from a sample. */
export interface StackHistogram {
  /** References counted (after warmup). */
  references: number;
  /** Weight of counted first references: misses at every size. */
  cold: number;
  /** hist[d] = weight of counted references at stack distance d ≥ 1 (a hit iff frames ≥ d). */
  hist: Float64Array;
  /** Total weight; equals references for an exact pass, estimates it for SHARDS. */
  weight: number;
  sampling: Sampling;
}

export type Sampling =
  | { method: 'exact' }
  | { method: 'shards-fixed-rate'; rate: number; sampledPages: number; sampledReferences: number; seed: number }
  | { method: 'shards-fixed-size'; maxPages: number; finalRate: number; sampledReferences: number; seed: number };

export interface MrcOptions {
  /** References that warm the stack but are not counted. */
  warmup?: number;
  seed?: number;
}

const TWO32 = 4294967296;

/**
 * Stack distances over one stream. Each page has one mark, a bit at the slot of its
 * latest access; a reference's distance is the number of marks after its previous
 * slot. Marks live in a bitset (one bit per slot) with a Fenwick tree over 32-slot
 * words, so a count is one popcount plus a log-walk over an array 32× smaller than
 * the slots: for a million pages both fit in L2, where a per-slot tree would not.
 * The word being filled is kept out of the tree (queries only ever ask about words
 * before a slot's own) and added when its last slot is used. Slots are renumbered when
 * they run out, so they span 2× the pages in play rather than the stream length.
 */
class StackPass {
  private readonly last: Int32Array;
  private readonly bits: Int32Array;
  private readonly tree: Int32Array;
  private readonly pageAt: Int32Array;
  private readonly slots: number;
  private readonly words: number;
  private t = 0;
  /** Pages with a mark (distinct pages in the stack). */
  active = 0;

  /** `maxActive` must bound the pages marked at once: renumbering then frees at least half the slots. */
  constructor(maxPageId: number, maxActive: number) {
    this.last = new Int32Array(maxPageId).fill(-1);
    this.slots = Math.max(1024, Math.ceil((2 * maxActive) / 32) * 32);
    this.words = this.slots >>> 5;
    this.bits = new Int32Array(this.words);
    this.tree = new Int32Array(this.words + 1);
    this.pageAt = new Int32Array(this.slots);
  }

  /** Records a reference to `p`; returns its stack distance, or 0 for a first reference. */
  access(p: number): number {
    if (this.t === this.slots) this.compact();
    const t = this.t;
    const bits = this.bits;
    const L = this.last[p]!;
    let d = 0;
    if (L < 0) {
      this.active++;
    } else {
      const w = L >>> 5;
      let prefix = popcount(bits[w]! & (0xffffffff >>> (31 - (L & 31))));
      const tree = this.tree;
      for (let i = w; i > 0; i -= i & -i) prefix += tree[i]!;
      d = this.active - prefix + 1;
      bits[w] = bits[w]! & ~(1 << (L & 31));
      if (w < t >>> 5) this.addToTree(w, -1);
    }
    const tw = t >>> 5;
    bits[tw] = bits[tw]! | (1 << (t & 31));
    if ((t & 31) === 31) this.addToTree(tw, popcount(bits[tw]!));
    this.last[p] = t;
    this.pageAt[t] = p;
    this.t = t + 1;
    return d;
  }

  /** Forgets `p` (SHARDS fixed-size eviction from the sample). */
  drop(p: number): void {
    const L = this.last[p]!;
    if (L < 0) return;
    const w = L >>> 5;
    this.bits[w] = this.bits[w]! & ~(1 << (L & 31));
    if (w < this.t >>> 5) this.addToTree(w, -1);
    this.last[p] = -1;
    this.active--;
  }

  private addToTree(word: number, delta: number): void {
    const tree = this.tree;
    for (let i = word + 1; i <= this.words; i += i & -i) tree[i]! += delta;
  }

  private compact(): void {
    const { tree, words } = this;
    const k = compactSlots(this.last, this.pageAt, this.slots, this.bits);
    const full = k >>> 5;
    // Fenwick tree of the full words (the partial word k>>>5 is the one being filled):
    // each node adds itself to its parent, O(words).
    tree.fill(0);
    for (let i = 1; i <= words; i++) {
      if (i <= full) tree[i]! += 32;
      const j = i + (i & -i);
      if (j <= words) tree[j]! += tree[i]!;
    }
    this.t = k;
  }
}

/** Exact LRU stack distances: every cache size in one pass. */
export function exactHistogram(stream: Int32Array, maxPageId: number, opts: MrcOptions = {}): StackHistogram {
  const warmup = Math.min(opts.warmup ?? 0, stream.length);
  const pass = new StackPass(maxPageId, maxPageId);
  const hist = new Float64Array(maxPageId + 2);
  let cold = 0;
  for (let i = 0; i < warmup; i++) pass.access(stream[i]!);
  for (let i = warmup; i < stream.length; i++) {
    const d = pass.access(stream[i]!);
    if (d === 0) cold++;
    else hist[d]!++;
  }
  const references = stream.length - warmup;
  return { references, cold, hist, weight: references, sampling: { method: 'exact' } };
}

/**
 * The spatial sampling hash (murmur3 finaliser, uniform over uint32). The seed shifts
 * the input by a large odd multiple: XOR with a small seed would only permute dense ids
 * among themselves and give nearly the same sample for every seed.
 */
function pageHash(p: number, seed: number): number {
  let h = (p + Math.imul(seed + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * SHARDS with a fixed sampling rate: pages with hash < rate·2^32 are tracked, and a
 * sampled reuse with k other distinct pages in between counts as k/rate of them. With SHARDS_adj, the gap between the expected
 * (N·rate) and actual sample count goes to the smallest distance, which the paper
 * shows removes most of the error of a sample that over- or under-represents hot pages.
 */
export function shardsFixedRate(
  stream: Int32Array,
  maxPageId: number,
  rate: number,
  opts: MrcOptions = {},
): StackHistogram {
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`SHARDS rate must be in (0, 1], got ${rate}`);
  const seed = opts.seed ?? 0;
  const warmup = Math.min(opts.warmup ?? 0, stream.length);
  const threshold = rate * TWO32;
  let admitted = 0;
  for (let p = 0; p < maxPageId; p++) if (pageHash(p, seed) < threshold) admitted++;
  const pass = new StackPass(maxPageId, admitted);
  const hist = new Float64Array(maxPageId + 2);
  const top = maxPageId + 1;
  // The page universe is known here, so the realised share of pages sampled replaces the
  // nominal rate: on small traces the two differ by several percent, and every distance
  // and count scales by it.
  const scale = admitted > 0 ? maxPageId / admitted : 1 / rate;
  let cold = 0;
  let sampled = 0;
  for (let i = 0; i < stream.length; i++) {
    const p = stream[i]!;
    if (pageHash(p, seed) >= threshold) continue;
    const d = pass.access(p);
    if (i < warmup) continue;
    sampled++;
    if (d === 0) cold += scale;
    else {
      const sd = Math.round((d - 1) * scale) + 1;
      hist[Math.min(sd, top)]! += scale;
    }
  }
  const references = stream.length - warmup;
  // SHARDS_adj, in reference units: expected sampled weight is exactly `references`.
  hist[1]! += references - sampled * scale;
  return {
    references,
    cold,
    hist,
    weight: references,
    sampling: { method: 'shards-fixed-rate', rate, sampledPages: admitted, sampledReferences: sampled, seed },
  };
}

/**
 * SHARDS with a fixed sample size: at most `maxPages` pages are tracked; when one more
 * arrives, the pages with the largest hash leave and the threshold drops to that hash.
 * Each reference is weighted by 1/rate at its time, which is the paper's rescaling of
 * earlier counts by the new rate up to one common factor; the SHARDS_adj correction
 * then brings the total weight to the reference count.
 */
export function shardsFixedSize(
  stream: Int32Array,
  maxPageId: number,
  maxPages: number,
  opts: MrcOptions = {},
): StackHistogram {
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new RangeError(`SHARDS size must be ≥ 1, got ${maxPages}`);
  const seed = opts.seed ?? 0;
  const warmup = Math.min(opts.warmup ?? 0, stream.length);
  const pass = new StackPass(maxPageId, Math.min(maxPageId, maxPages + 1));
  const hist = new Float64Array(maxPageId + 2);
  const top = maxPageId + 1;
  // Max-heap of tracked pages by hash, to find which leave when the threshold drops.
  const heap = new Int32Array(maxPages + 1);
  const hashes = new Uint32Array(maxPages + 1);
  const tracked = new Uint8Array(maxPageId);
  let n = 0;
  let threshold = TWO32;
  let cold = 0;
  let weight = 0;
  let sampled = 0;
  for (let i = 0; i < stream.length; i++) {
    const p = stream[i]!;
    const h = pageHash(p, seed);
    if (h >= threshold) continue;
    if (tracked[p] === 0) {
      tracked[p] = 1;
      let j = n++;
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (hashes[parent]! >= h) break;
        heap[j] = heap[parent]!;
        hashes[j] = hashes[parent]!;
        j = parent;
      }
      heap[j] = p;
      hashes[j] = h;
      if (n > maxPages) {
        threshold = hashes[0]!;
        while (n > 0 && hashes[0]! >= threshold) {
          const q = heap[0]!;
          tracked[q] = 0;
          pass.drop(q);
          n--;
          const lastPage = heap[n]!;
          const lastHash = hashes[n]!;
          let k = 0;
          for (;;) {
            let c = 2 * k + 1;
            if (c >= n) break;
            if (c + 1 < n && hashes[c + 1]! > hashes[c]!) c++;
            if (hashes[c]! <= lastHash) break;
            heap[k] = heap[c]!;
            hashes[k] = hashes[c]!;
            k = c;
          }
          heap[k] = lastPage;
          hashes[k] = lastHash;
        }
        if (h >= threshold) continue;
      }
    }
    const d = pass.access(p);
    if (i < warmup) continue;
    sampled++;
    const scale = TWO32 / threshold;
    weight += scale;
    if (d === 0) cold += scale;
    else {
      const sd = Math.round((d - 1) * scale) + 1;
      hist[Math.min(sd, top)]! += scale;
    }
  }
  const references = stream.length - warmup;
  // SHARDS_adj as for a fixed rate: the sample's weight should equal the reference count.
  hist[1]! += references - weight;
  return {
    references,
    cold,
    hist,
    weight: references,
    sampling: {
      method: 'shards-fixed-size',
      maxPages,
      finalRate: threshold / TWO32,
      sampledReferences: sampled,
      seed,
    },
  };
}

/** Faults for every size 0..maxFrames from a histogram: faults[c] for c frames. */
export class MissCurve {
  /** tail[c] = weight of references that miss with c frames. */
  private readonly tail: Float64Array;

  constructor(readonly h: StackHistogram) {
    const hist = h.hist;
    this.tail = new Float64Array(hist.length);
    let acc = h.cold;
    for (let c = hist.length - 1; c >= 0; c--) {
      this.tail[c] = acc;
      acc += hist[c]!;
    }
  }

  /** Largest size with distinct behaviour: beyond it, only first references miss. */
  get maxFrames(): number {
    return this.tail.length - 1;
  }

  /** Fault ratio with `frames` frames (0 for an empty stream). */
  ratio(frames: number): number {
    if (this.h.weight <= 0) return 0;
    const c = Math.min(Math.max(0, Math.floor(frames)), this.tail.length - 1);
    return Math.min(1, Math.max(0, this.tail[c]! / this.h.weight));
  }

  /** Faults with `frames` frames, in references (estimated when sampled). */
  faults(frames: number): number {
    const r = this.ratio(frames) * this.h.references;
    return this.h.sampling.method === 'exact' ? Math.round(r) : r;
  }

  /** Smallest size whose fault ratio is ≤ target, or undefined if none is. */
  smallestMeeting(target: number): number | undefined {
    if (this.ratio(this.maxFrames) > target) return undefined;
    let lo = 0;
    let hi = this.maxFrames;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ratio(mid) <= target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
