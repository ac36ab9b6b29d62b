import type { AccessPattern, AccessPhase } from '../scenario/types.js';
import { InputError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { ZipfSampler } from './zipf.js';

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
 * Nothing is allocated per call.
 */
export class RegionStream {
  readonly capacity: number;
  private size = 0;
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
  constructor(capacity: number, rng: Rng, scale = 1) {
    if (!(scale >= 1)) throw new RangeError(`RegionStream scale must be ≥ 1, got ${scale}`);
    this.capacity = capacity;
    this.rng = rng;
    this.scale = scale;
    this.mulA = capacity > 1 ? coprimeNear(capacity, Math.floor(capacity * 0.6180339887) + 1) : 1;
    this.addB = capacity > 1 ? rng.nextInt(capacity) : 0;
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
  }

  /** Current number of pages in use (≤ capacity). */
  get current(): number {
    return this.size;
  }

  /** Sets the pattern and the region size in use; rebuilds the sampler only when they change. */
  configure(pattern: AccessPattern, size: number): void {
    const n = Math.max(0, Math.min(this.capacity, Math.floor(size)));
    if (pattern === this.pattern && n === this.size) return;
    if (pattern.kind === 'trace' || pattern.kind === 'mrc') {
      throw new InputError(
        `access pattern '${pattern.kind}' (${pattern.file}) cannot drive the host model yet: use uniform, zipf, hotcold, scan or loop`,
      );
    }
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
        throw new Error(`unreachable pattern ${(p as AccessPattern).kind}`);
    }
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

function coprimeNear(n: number, start: number): number {
  let a = start % n || 1;
  while (gcd(a, n) !== 1) a = (a + 1) % n || 1;
  return a;
}
