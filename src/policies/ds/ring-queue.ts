/**
 * A FIFO of page ids in a circular Int32Array: push at the back, pop at the front. A queue
 * that only ever takes pages at its ends (FIFO, Clock's reinsertion, S3-FIFO's queues) then
 * touches the ring in order on a fault, instead of the links of two random pages and their
 * neighbours as an intrusive list does: FIFO, Clock and S3-FIFO replay 1.6–1.7× as fast
 * (docs/traces.md, "Speed").
 *
 * Removal from the middle (a page freed by its owner, a ghost hit) is lazy: `remove(x)`
 * counts one stale entry of x, and since a page is pushed again only after it was removed,
 * its stale entries are always older than its live one, so `pop` skips the first
 * `stale[x]` entries of x it meets. The per-page counts are allocated on the first removal;
 * a replay that never removes pays one compare per pop.
 */
export class RingQueue {
  private ids: Int32Array;
  private mask: number;
  private head = 0;
  /** Entries in the ring, stale ones included. */
  private count = 0;
  private stale: Uint8Array | undefined;
  private staleCount = 0;

  /** `nodes` bounds the page ids; `expected` is how many live entries to make room for. */
  constructor(
    private readonly nodes: number,
    expected: number,
  ) {
    let size = 16;
    while (size <= expected) size *= 2;
    this.ids = new Int32Array(size);
    this.mask = size - 1;
  }

  /** Live entries (pushed and neither popped nor removed). */
  get length(): number {
    return this.count - this.staleCount;
  }

  push(x: number): void {
    if (this.count === this.ids.length) this.makeRoom();
    this.ids[(this.head + this.count) & this.mask] = x;
    this.count++;
  }

  /** Removes and returns the oldest live entry. Precondition: `length > 0`. */
  pop(): number {
    for (;;) {
      const x = this.ids[this.head]!;
      this.head = (this.head + 1) & this.mask;
      this.count--;
      if (this.staleCount === 0) return x;
      const stale = this.stale!;
      if (stale[x] === 0) return x;
      stale[x]!--;
      this.staleCount--;
    }
  }

  /** Forgets `x`, which must be live in this queue. */
  remove(x: number): void {
    this.stale ??= new Uint8Array(this.nodes);
    if (this.stale[x] === 255) this.dropStale();
    this.stale[x]!++;
    this.staleCount++;
  }

  /** A full ring: dropping the stale entries frees room when they are many, else the ring doubles. */
  private makeRoom(): void {
    if (this.staleCount * 2 >= this.count) {
      this.dropStale();
      return;
    }
    const size = this.ids.length * 2;
    const ids = new Int32Array(size);
    for (let k = 0; k < this.count; k++) ids[k] = this.ids[(this.head + k) & this.mask]!;
    this.ids = ids;
    this.mask = size - 1;
    this.head = 0;
  }

  /** Rewrites the ring without its stale entries, in order, from index 0. */
  private dropStale(): void {
    const stale = this.stale!;
    const old = this.ids;
    const ids = new Int32Array(old.length);
    let n = 0;
    for (let k = 0; k < this.count; k++) {
      const x = old[(this.head + k) & this.mask]!;
      if (stale[x] !== 0) stale[x]!--;
      else ids[n++] = x;
    }
    this.ids = ids;
    this.head = 0;
    this.count = n;
    this.staleCount = 0;
  }
}
