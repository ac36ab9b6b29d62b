/**
 * Several intrusive doubly linked lists over one Int32Array of links, indexed by node id
 * (a page id). A node belongs to at most one list of a set at a time; a policy that needs a
 * page in two lists at once (LIRS: stack and queue) uses two sets. Each list is circular
 * through its own sentinel node (`nodes + list`), so link and unlink have no branches.
 * A node's next and prev sit side by side (`links[2x]`, `links[2x + 1]`): relinking a cold
 * page then misses the cache once, not twice. "Front" is the oldest end (LRU, queue head),
 * "back" the newest. All operations are O(1); nothing is allocated after construction.
 */
export class LinkedLists {
  private readonly links: Int32Array;
  /** Length of each list. */
  readonly len: Int32Array;
  private readonly sentinel0: number;

  constructor(nodes: number, lists: number) {
    this.sentinel0 = nodes;
    this.links = new Int32Array(2 * (nodes + lists));
    this.len = new Int32Array(lists);
    for (let l = 0; l < lists; l++) {
      this.links[2 * (nodes + l)] = nodes + l;
      this.links[2 * (nodes + l) + 1] = nodes + l;
    }
  }

  /** Oldest node of `list`, or -1 if it is empty. */
  front(list: number): number {
    return this.len[list]! === 0 ? -1 : this.links[2 * (this.sentinel0 + list)]!;
  }

  /** Newest node of `list`, or -1 if it is empty. */
  back(list: number): number {
    return this.len[list]! === 0 ? -1 : this.links[2 * (this.sentinel0 + list) + 1]!;
  }

  /** Node after `x` toward the back, or -1 at the back. */
  after(list: number, x: number): number {
    const n = this.links[2 * x]!;
    return n === this.sentinel0 + list ? -1 : n;
  }

  /** Node before `x` toward the front, or -1 at the front. */
  before(list: number, x: number): number {
    const p = this.links[2 * x + 1]!;
    return p === this.sentinel0 + list ? -1 : p;
  }

  /** Appends `x` (not in any list of this set) at the newest end. */
  pushBack(list: number, x: number): void {
    const a = this.links;
    const s = this.sentinel0 + list;
    const p = a[2 * s + 1]!;
    a[2 * p] = x;
    a[2 * x + 1] = p;
    a[2 * x] = s;
    a[2 * s + 1] = x;
    this.len[list]!++;
  }

  /** Prepends `x` (not in any list of this set) at the oldest end. */
  pushFront(list: number, x: number): void {
    const a = this.links;
    const s = this.sentinel0 + list;
    const n = a[2 * s]!;
    a[2 * n + 1] = x;
    a[2 * x] = n;
    a[2 * x + 1] = s;
    a[2 * s] = x;
    this.len[list]!++;
  }

  /** Inserts `x` (not in any list of this set) right after `anchor`, a node of `list`, toward the back. */
  insertAfter(list: number, anchor: number, x: number): void {
    const a = this.links;
    const n = a[2 * anchor]!;
    a[2 * anchor] = x;
    a[2 * x + 1] = anchor;
    a[2 * x] = n;
    a[2 * n + 1] = x;
    this.len[list]!++;
  }

  /** Unlinks `x`, which must be in `list`. */
  unlink(list: number, x: number): void {
    const a = this.links;
    const n = a[2 * x]!;
    const p = a[2 * x + 1]!;
    a[2 * p] = n;
    a[2 * n + 1] = p;
    this.len[list]!--;
  }

  /** Moves `x`, already in `list`, to its newest end. */
  moveToBack(list: number, x: number): void {
    const a = this.links;
    const s = this.sentinel0 + list;
    const b = a[2 * s + 1]!;
    if (b === x) return;
    const n = a[2 * x]!;
    const p = a[2 * x + 1]!;
    a[2 * p] = n;
    a[2 * n + 1] = p;
    a[2 * b] = x;
    a[2 * x + 1] = b;
    a[2 * x] = s;
    a[2 * s + 1] = x;
  }

  /** Removes and returns the oldest node of `list`. Precondition: not empty. */
  popFront(list: number): number {
    const x = this.links[2 * (this.sentinel0 + list)]!;
    this.unlink(list, x);
    return x;
  }
}
