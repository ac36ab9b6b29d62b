/**
 * Maps external ids (64-bit integers given as two uint32 halves, or strings) to dense
 * page ids 0, 1, 2, … in order of first appearance, and collects the dense reference
 * stream. Small integer ids (below 2^25, and not far sparser than the ids seen so far)
 * index a direct Int32Array: 4 bytes per id and no hashing, which keeps a million-id
 * map cache-resident. Other integer keys live in one open-addressing table of
 * interleaved Int32 slots (hi, lo, id+1, pad), one cache line per lookup and no object
 * per id; strings, which only arrive on the slow path, use a Map.
 */
const DIRECT_MAX = 1 << 25;
/** The direct table may grow to cover ids up to this many times the distinct ids seen. */
const DIRECT_DENSITY = 8;

export class DenseIdBuilder {
  /** direct[v] = dense id + 1 for small id v, 0 if unseen. */
  private direct = new Int32Array(1 << 16);
  private slots: Int32Array;
  private mask: number;
  private used = 0;
  private strings: Map<string, number> | undefined;
  private out: Int32Array;
  private n = 0;
  private drained = 0;
  /** Dense ids handed out so far (distinct pages). */
  distinct = 0;

  /**
   * `into`: write the stream into this (shared) array and publish how much is written in
   * `progress[0]` after every batch, so replay threads can simulate while the file is read.
   * `shared`: build the stream in a SharedArrayBuffer from the start, so that `finish(true)`
   * hands it over without a copy.
   */
  constructor(
    expectedRefs = 1 << 16,
    private readonly into?: { stream: Int32Array; progress: Int32Array },
    private readonly shared = false,
  ) {
    const cap = 1 << 12;
    this.slots = new Int32Array(cap * 4);
    this.mask = cap - 1;
    this.out = into ? into.stream : this.allocate(Math.max(1024, expectedRefs));
  }

  private allocate(length: number): Int32Array {
    return this.shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
  }

  /** Publishes the references written so far to threads reading the shared stream. */
  publish(): void {
    if (!this.into) return;
    Atomics.store(this.into.progress, 0, this.n);
    Atomics.notify(this.into.progress, 0);
  }

  /** References held (since the last drain). */
  get references(): number {
    return this.n;
  }

  /**
   * The references added since the last drain, as a view valid until the next one is added;
   * the stream then starts empty again (a streaming reader keeps memory bounded by the chunk).
   */
  drain(): Int32Array {
    const view = this.out.subarray(0, this.n);
    this.drained += this.n;
    this.n = 0;
    return view;
  }

  /** References added in all, drained or not. */
  get total(): number {
    return this.drained + this.n;
  }

  /** A reference to integer id `v`, which must be a safe non-negative integer. */
  addNumber(v: number): void {
    if (v < this.direct.length) {
      const x = this.direct[v]!;
      if (x !== 0) {
        this.push(x - 1);
        return;
      }
    }
    this.addHiLo(Math.floor(v / 4294967296), v >>> 0);
  }

  /**
   * References to the first `count` ids of `ids` (safe non-negative integers): a text
   * trace's batch. Ids already in the direct table are resolved in this loop, as in `addPairs`.
   */
  addNumbers(ids: Float64Array, count: number): void {
    this.reserve(count);
    let out = this.out;
    let direct = this.direct;
    let n = this.n;
    for (let k = 0; k < count; k++) {
      const v = ids[k]!;
      if (v < direct.length) {
        const x = direct[v | 0]!;
        if (x !== 0) {
          out[n++] = x - 1;
          continue;
        }
      }
      this.n = n;
      this.addHiLo(Math.floor(v / 4294967296), v >>> 0);
      n = this.n;
      direct = this.direct;
      out = this.out;
    }
    this.n = n;
  }

  /**
   * References to `count` 64-bit ids stored as uint32 pairs (lo, hi) in `words`, the k-th
   * at `first + k·stride`: oracleGeneral records read in place. Ids already seen in the
   * direct table are resolved in this loop, with the output array and table in locals; only
   * new or wide ids take the general path.
   */
  addPairs(words: Uint32Array, first: number, stride: number, count: number): void {
    this.reserve(count);
    let out = this.out;
    let direct = this.direct;
    let n = this.n;
    for (let k = 0, w = first; k < count; k++, w += stride) {
      const lo = words[w]!;
      const hi = words[w + 1]!;
      if (hi === 0 && lo < direct.length) {
        const x = direct[lo]!;
        if (x !== 0) {
          out[n++] = x - 1;
          continue;
        }
      }
      this.n = n;
      this.addHiLo(hi, lo);
      n = this.n;
      direct = this.direct;
      out = this.out;
    }
    this.n = n;
  }

  /** Makes room for `more` references without a reallocation per push. */
  reserve(more: number): void {
    if (this.n + more <= this.out.length) return;
    if (this.into) throw new Error(`internal: the shared stream holds ${this.out.length} references, more were read`);
    let size = this.out.length * 2;
    while (size < this.n + more) size *= 2;
    const next = this.allocate(size);
    next.set(this.out.subarray(0, this.n));
    this.out = next;
  }

  /** A reference to the 64-bit id `hi·2^32 + lo` (both uint32). */
  addHiLo(hi: number, lo: number): void {
    if (hi === 0 && lo < DIRECT_MAX) {
      if (lo >= this.direct.length && lo < DIRECT_DENSITY * (this.distinct + 65536)) this.growDirect(lo);
      if (lo < this.direct.length) {
        const x = this.direct[lo]!;
        if (x !== 0) {
          this.push(x - 1);
        } else {
          const id = this.distinct++;
          this.direct[lo] = id + 1;
          this.push(id);
        }
        return;
      }
    }
    const h32 = hi | 0;
    const l32 = lo | 0;
    let h = l32 ^ Math.imul(h32, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h ^= h >>> 13;
    const slots = this.slots;
    let i = h & this.mask;
    for (;;) {
      const o = i << 2;
      const v = slots[o + 2]!;
      if (v === 0) {
        const id = this.distinct++;
        slots[o] = h32;
        slots[o + 1] = l32;
        slots[o + 2] = id + 1;
        if (++this.used * 2 > this.mask) this.grow();
        this.push(id);
        return;
      }
      if (slots[o + 1] === l32 && slots[o] === h32) {
        this.push(v - 1);
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /**
   * Widens the direct table to cover `v`. Ids it now covers that were hashed before
   * are copied in; their hash entries stay but are never looked up again, since
   * every lookup of an id in range goes to the direct table.
   */
  private growDirect(v: number): void {
    let size = this.direct.length * 2;
    while (size <= v) size *= 2;
    const direct = new Int32Array(Math.min(size, DIRECT_MAX));
    direct.set(this.direct);
    const slots = this.slots;
    for (let o = 0; o < slots.length; o += 4) {
      const lo = slots[o + 1]! >>> 0;
      if (slots[o + 2] !== 0 && slots[o] === 0 && lo >= this.direct.length && lo < direct.length) {
        direct[lo] = slots[o + 2]!;
      }
    }
    this.direct = direct;
  }

  /** A reference to a string id (ids that are not integers, with `--ids string`). */
  addString(key: string): void {
    this.strings ??= new Map();
    let id = this.strings.get(key);
    if (id === undefined) {
      id = this.distinct++;
      this.strings.set(key, id);
    }
    this.push(id);
  }

  /**
   * The dense stream, trimmed to its length (a copy, so the growth slack is freed); with
   * `shared`, in a SharedArrayBuffer that replay workers read without a copy of their own.
   * A stream built shared is handed over as a view of its written part: the slack past it
   * was never written, so it costs address space, not memory.
   */
  finish(shared = false): Int32Array {
    if (this.into || (shared && this.shared)) {
      return this.n === this.out.length ? this.out : this.out.subarray(0, this.n);
    }
    if (!shared) return this.out.slice(0, this.n);
    const s = new Int32Array(new SharedArrayBuffer(this.n * 4));
    s.set(this.out.subarray(0, this.n));
    return s;
  }

  private push(id: number): void {
    if (this.n === this.out.length) this.reserve(1);
    this.out[this.n++] = id;
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    const slots = new Int32Array(cap * 4);
    const mask = cap - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 2] === 0) continue;
      const h32 = old[o]!;
      const l32 = old[o + 1]!;
      let h = l32 ^ Math.imul(h32, 0x9e3779b1);
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h ^= h >>> 13;
      let i = h & mask;
      while (slots[(i << 2) + 2] !== 0) i = (i + 1) & mask;
      const n = i << 2;
      slots[n] = h32;
      slots[n + 1] = l32;
      slots[n + 2] = old[o + 2]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
