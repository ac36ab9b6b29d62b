import type { AccessPattern, AccessPhase } from '../scenario/types.js';
import type { Rng } from '../util/rng.js';
import { ZipfSampler } from './zipf.js';

/** Tries of a re-touch to land on a page already allocated before it falls back to the latest one. */
const RETOUCH_TRIES = 8;

/**
 * A seeded reference stream over one region of a process's pages (its anonymous or its
 * file working set): dense offsets in `[0, capacity)`, following the access pattern of the
 * current phase. The region may grow (a growth ramp): offsets already in use keep their
 * popularity, new ones join as the least popular ranks, so growth adds cold pages and
 * never reshuffles the hot ones.
 *
 * Popularity ranks are mapped to offsets through a fixed affine bijection of the region's
 * final size (`rank · a + b mod capacity`, `a` coprime with the capacity), so that the hot
 * pages of a Zipf or hot/cold pattern are spread over the region instead of adjacent (which
 * would flatter readahead). Sequential patterns (scan, loop) use offsets directly.
 *
 * The stream also keeps which pages the process has allocated (first-touched): pages in use
 * but not yet allocated wait for first touches (`nextFirstTouch`), in ascending address
 * order or hottest first (`order`); re-touches (`nextRetouch`) stay among allocated pages.
 * Nothing is allocated per call.
 */
export class RegionStream {
  readonly capacity: number;
  readonly order: 'address' | 'rank';
  private size = 0;
  /** Pages first-touched so far (allocated). */
  private allocatedCount = 0;
  /** Ranks below this were in use when the last cold fill began: address order allocates them by offset. */
  private fillEnd = 0;
  /** Address order: next offset to examine for the fill. */
  private fillCursor = 0;
  /** Address-order fill pages not allocated yet. */
  private fillLeft = 0;
  /** Next rank to allocate past the fill (growth), in rank order under both orders. */
  private growthRank = 0;
  /** Whether offsets are ranks (scan, loop) for this process's allocations, fixed when it starts. */
  private layoutSequential = false;
  /** Offset of the latest first touch: where a re-touch falls back to. */
  private latest = -1;
  /** (rank · mulA + addB) mod capacity inverted: rank = (offset − addB) · invA mod capacity. */
  private invA = 1;
  private pattern: AccessPattern = { kind: 'uniform' };
  private zipf: ZipfSampler | null = null;
  private cursor = 0;
  private mulA: number;
  private addB: number;
  private readonly rng: Rng;
  /** Real pages per page of this region (1/R of a sampled replay; 1 when exact). */
  private readonly scale: number;

  /**
   * `scale`: real pages each page here stands for. A Zipf region of n sampled pages is then
   * drawn as a Zipf over the n · scale real ranks, rank r landing on sampled rank
   * ⌊(r + u) / scale⌋: each sampled page gets the mean popularity of the block of real ranks it
   * stands for, as a hash sample does on average. A Zipf over n ranks with the same α
   * instead gives the sampled head the popularity of the real head, a block `scale` times
   * narrower: the hottest sampled pages lose mass and a cache of n·R pages misses more
   * than the real one of n (+10 % major faults at 1/8 and +18 % at 1/32 on
   * page-cache-vs-batch, α 0.9; about scale^(α−1) − 1 for α > 1).
   */
  constructor(capacity: number, rng: Rng, scale = 1, order: 'address' | 'rank' = 'address') {
    if (!(scale >= 1)) throw new RangeError(`RegionStream scale must be ≥ 1, got ${scale}`);
    this.capacity = capacity;
    this.rng = rng;
    this.scale = scale;
    this.order = order;
    this.mulA = capacity > 1 ? coprimeNear(capacity, Math.floor(capacity * 0.6180339887) + 1) : 1;
    this.addB = capacity > 1 ? rng.nextInt(capacity) : 0;
    this.invA = capacity > 1 ? modInverse(this.mulA, capacity) : 1;
  }

  /**
   * Takes another stream's rank → offset layout: a forked child sees its parent's heap as
   * it is, so the pages it finds hot are the parent's hot pages. Regions of another size
   * cannot share a layout and keep their own.
   */
  adoptLayout(other: RegionStream): void {
    if (other.capacity !== this.capacity) return;
    this.mulA = other.mulA;
    this.addB = other.addB;
    this.invA = other.invA;
  }

  /** Current number of pages in use (≤ capacity). */
  get current(): number {
    return this.size;
  }

  /** Sets the pattern and the region size in use; rebuilds the sampler only when they change. */
  configure(pattern: AccessPattern, size: number): void {
    const n = Math.max(0, Math.min(this.capacity, Math.floor(size)));
    if (pattern === this.pattern && n === this.size) return;
    // A trace or a curve picks its pages itself (TraceStream, MrcStream); the region only keeps its size.
    this.pattern = pattern;
    this.size = n;
    this.zipf =
      pattern.kind === 'zipf' && n > 0
        ? new ZipfSampler(Math.max(n, Math.round(n * this.scale)), pattern.alpha, this.rng)
        : null;
    if (this.cursor >= n) this.cursor = 0;
  }

  /**
   * Next offset in `[0, capacity)`: one of the `current` offsets in use (the first `current`
   * for scan and loop). Precondition `current > 0`.
   */
  next(): number {
    const n = this.size;
    const p = this.pattern;
    switch (p.kind) {
      case 'uniform':
        return this.spread(this.rng.nextInt(n));
      case 'zipf': {
        const r = (this.zipf as ZipfSampler).next();
        if (this.scale === 1) return this.spread(r);
        // Real rank r spread over [r, r + 1): at a fractional scale a block of real ranks then
        // gets exactly the mass it overlaps (with ⌊r / scale⌋ alone, scale 1.12 gave sampled
        // rank 0 both real ranks 0 and 1).
        return this.spread(Math.min(n - 1, Math.floor((r + this.rng.nextFloat()) / this.scale)));
      }
      case 'hotcold': {
        const hot = Math.max(1, Math.min(n, Math.round(n * p.hotFraction)));
        if (hot >= n || this.rng.nextFloat() < p.hotProbability) return this.spread(this.rng.nextInt(hot));
        return this.spread(hot + this.rng.nextInt(n - hot));
      }
      case 'scan': {
        const o = this.cursor;
        this.cursor = o + 1 >= n ? 0 : o + 1;
        return o;
      }
      case 'loop': {
        const len = Math.max(1, Math.min(n, Math.round(n * p.fraction)));
        const o = this.cursor >= len ? 0 : this.cursor;
        this.cursor = o + 1 >= len ? 0 : o + 1;
        return o;
      }
      default:
        // trace and mrc phases draw from their own streams, never from the region's.
        throw new Error(`internal: pattern ${p.kind} has no region sampler`);
    }
  }

  /** Pages in use that the process has not touched yet. */
  get pending(): number {
    return this.size - this.allocatedCount;
  }

  /** Every page in use counts as allocated: a process already running (warm start), or a file on disk. */
  allocateAll(): void {
    this.layoutSequential = this.sequential();
    this.allocatedCount = this.size;
    this.fillEnd = 0;
    this.fillLeft = 0;
    this.growthRank = this.size;
  }

  /** A cold start: every page in use waits for its first touch, in this stream's order. */
  beginFill(): void {
    this.layoutSequential = this.sequential();
    this.allocatedCount = 0;
    // For scan and loop, rank is address: both orders are the same fill.
    this.fillEnd = this.order === 'address' && !this.layoutSequential ? this.size : 0;
    this.fillLeft = this.fillEnd;
    this.fillCursor = 0;
    this.growthRank = this.fillEnd;
    this.latest = -1;
  }

  /**
   * The next page to touch for the first time (precondition `pending > 0`). Address order
   * takes the pages in use at the cold start by ascending offset, then grown ones (which
   * arrive a few at a time, all of similar popularity) by rank; rank order takes the
   * hottest first throughout.
   */
  nextFirstTouch(): number {
    this.allocatedCount++;
    let o: number;
    if (this.fillLeft > 0) {
      o = this.fillCursor;
      // Offsets whose rank is past the fill are not in use yet (they come with growth).
      while (this.rankOf(o) >= this.fillEnd) o++;
      this.fillCursor = o + 1;
      this.fillLeft--;
    } else {
      const r = this.growthRank++;
      o = this.layoutSequential ? r : this.spread(r);
    }
    this.latest = o;
    return o;
  }

  /**
   * A re-touch: the pattern's next page among those already allocated. A draw that lands on
   * a page still waiting for its first touch is drawn again, up to RETOUCH_TRIES times, then
   * the latest allocated page is taken (early in a fill, a loader re-reads what it just wrote).
   */
  nextRetouch(): number {
    if (this.allocatedCount >= this.size) return this.next();
    // A scan or loop over a growing region goes round what is allocated so far.
    if (this.layoutSequential && this.cursor >= this.allocatedCount) this.cursor = 0;
    for (let i = 0; i < RETOUCH_TRIES; i++) {
      const o = this.next();
      if (this.isAllocated(o)) return o;
    }
    return this.latest >= 0 ? this.latest : this.nextFirstTouch();
  }

  private isAllocated(offset: number): boolean {
    if (this.layoutSequential) return offset < this.growthRank;
    const rank = this.rankOf(offset);
    if (rank < this.fillEnd) return offset < this.fillCursor;
    return rank < this.growthRank;
  }

  private sequential(): boolean {
    return this.pattern.kind === 'scan' || this.pattern.kind === 'loop';
  }

  /** The popularity rank at `offset` (inverse of spread). */
  private rankOf(offset: number): number {
    const c = this.capacity;
    return mulMod((offset - this.addB + c) % c, this.invA, c);
  }

  /** The offset holding popularity rank `rank` (< current): where growth and warm start place pages. */
  offsetOfRank(rank: number): number {
    const k = this.pattern.kind;
    return k === 'scan' || k === 'loop' ? rank : this.spread(rank);
  }

  private spread(rank: number): number {
    // ranks stay below `current`, so the image of [0, current) is a fixed scattered subset of
    // the region that only gains members as it grows.
    return (rank * this.mulA + this.addB) % this.capacity;
  }
}

/**
 * The index of the phase in force `elapsedMs` after the process started, when it has made
 * `touches` touches (real pages): the last phase whose start, by time and by count, has come
 * (phases are sorted; a process's phases start all by time or all by count).
 */
export function phaseIndexAt(phases: readonly AccessPhase[], elapsedMs: number, touches = 0): number {
  let current = 0;
  for (let i = 1; i < phases.length; i++) {
    const ph = phases[i] as AccessPhase;
    if (ph.atMs <= elapsedMs && ph.atTouches <= touches) current = i;
    else break;
  }
  return current;
}

/** The pattern in force (see phaseIndexAt). */
export function phaseAt(phases: readonly AccessPhase[], elapsedMs: number, touches = 0): AccessPattern {
  return phases[phaseIndexAt(phases, elapsedMs, touches)]?.pattern ?? { kind: 'uniform' };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** a · b mod m for a, b < m < 2^31, exact in doubles (a · b itself may pass 2^53). */
function mulMod(a: number, b: number, m: number): number {
  const hi = Math.floor(b / 65536);
  const lo = b - hi * 65536;
  return (((a * hi) % m) * 65536 + a * lo) % m;
}

/** The inverse of `a` modulo `m` (gcd 1), by the extended Euclidean algorithm. */
function modInverse(a: number, m: number): number {
  let [r0, r1] = [m, a % m];
  let [t0, t1] = [0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return ((t0 % m) + m) % m;
}

function coprimeNear(n: number, start: number): number {
  let a = start % n || 1;
  while (gcd(a, n) !== 1) a = (a + 1) % n || 1;
  return a;
}
