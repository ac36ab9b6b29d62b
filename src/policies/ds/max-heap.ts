/**
 * A 4-ary max-heap of int32 keys, each carrying an int32 value, in fixed Int32Arrays: half
 * the levels of a binary heap, and the four children of a node share a cache line. push and
 * pop are O(log n); pushing a key smaller than most (the common case for OPT's next-use
 * times) is O(1) on average. `retain` rebuilds the heap in O(n) keeping only the entries a
 * predicate accepts, for callers that delete lazily and must bound the heap.
 */
export class MaxHeap {
  private readonly keys: Int32Array;
  private readonly values: Int32Array;
  length = 0;

  constructor(readonly capacity: number) {
    this.keys = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
  }

  /** Precondition: `length < capacity`. */
  push(key: number, value: number): void {
    const { keys, values } = this;
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pk = keys[parent]!;
      if (pk >= key) break;
      keys[i] = pk;
      values[i] = values[parent]!;
      i = parent;
    }
    keys[i] = key;
    values[i] = value;
  }

  /** Largest key. Precondition: not empty. */
  topKey(): number {
    return this.keys[0]!;
  }

  /** Value of the largest key. Precondition: not empty. */
  topValue(): number {
    return this.values[0]!;
  }

  /** Removes the entry with the largest key. Precondition: not empty. */
  pop(): void {
    const n = --this.length;
    if (n > 0) this.siftDown(0, this.keys[n]!, this.values[n]!, n);
  }

  /** Keeps only the entries for which `keep` is true, then restores heap order. */
  retain(keep: (key: number, value: number) => boolean): void {
    const { keys, values } = this;
    let n = 0;
    for (let i = 0; i < this.length; i++) {
      const k = keys[i]!;
      const v = values[i]!;
      if (keep(k, v)) {
        keys[n] = k;
        values[n++] = v;
      }
    }
    this.length = n;
    for (let i = (n - 2) >> 2; i >= 0; i--) this.siftDown(i, keys[i]!, values[i]!, n);
  }

  private siftDown(i: number, key: number, value: number, n: number): void {
    const { keys, values } = this;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let c = first;
      let ck = keys[first]!;
      const last = Math.min(first + 4, n);
      for (let j = first + 1; j < last; j++) {
        const k = keys[j]!;
        if (k > ck) {
          ck = k;
          c = j;
        }
      }
      if (ck <= key) break;
      keys[i] = ck;
      values[i] = values[c]!;
      i = c;
    }
    keys[i] = key;
    values[i] = value;
  }
}
