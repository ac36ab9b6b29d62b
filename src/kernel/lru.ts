/**
 * Intrusive doubly linked lists over dense page ids, in one Int32Array: the kernel's `lruvec`
 * lists (LK `include/linux/mmzone.h`, `enum lru_list`) without a node object per page. List
 * `l` has a sentinel node `pages + l`; its next is the head (most recently added), its prev
 * the tail (where reclaim scans). A node's next, prev and list sit side by side
 * (`node[3i]`, `node[3i + 1]`, `node[3i + 2]`): unlinking a cold page then misses the cache
 * once for all three, not once each (reclaim's scans and a fault's insertion take pages at
 * random addresses).
 */
export class LruLists {
  private readonly node: Int32Array;
  readonly size: Int32Array;
  private readonly base: number;

  constructor(pages: number, lists: number) {
    this.base = pages;
    this.node = new Int32Array(3 * (pages + lists));
    this.size = new Int32Array(lists);
    for (let i = 0; i < pages; i++) this.node[3 * i + 2] = -1;
    for (let l = 0; l < lists; l++) {
      const s = 3 * (pages + l);
      this.node[s] = pages + l;
      this.node[s + 1] = pages + l;
      this.node[s + 2] = l;
    }
  }

  /** The sentinel node of list `l`: walking `prev` from it visits the list tail first and ends back at it. */
  sentinel(l: number): number {
    return this.base + l;
  }

  /** The node before `node` (towards the tail): a page, or the sentinel when `node` is the tail. */
  prev(node: number): number {
    return this.node[3 * node + 1]!;
  }

  /** Which list `page` is on, −1 when on none. */
  listOf(page: number): number {
    return this.node[3 * page + 2]!;
  }

  /** Tail page of list `l`, or −1 when empty. */
  tail(l: number): number {
    const s = this.base + l;
    const t = this.node[3 * s + 1]!;
    return t === s ? -1 : t;
  }

  addHead(l: number, page: number): void {
    const node = this.node;
    const s = this.base + l;
    const h = node[3 * s]!;
    node[3 * page] = h;
    node[3 * page + 1] = s;
    node[3 * page + 2] = l;
    node[3 * h + 1] = page;
    node[3 * s] = page;
    this.size[l]!++;
  }

  addTail(l: number, page: number): void {
    const node = this.node;
    const s = this.base + l;
    const t = node[3 * s + 1]!;
    node[3 * page + 1] = t;
    node[3 * page] = s;
    node[3 * page + 2] = l;
    node[3 * t] = page;
    node[3 * s + 1] = page;
    this.size[l]!++;
  }

  remove(page: number): void {
    const node = this.node;
    const l = node[3 * page + 2]!;
    if (l < 0) return;
    const n = node[3 * page]!;
    const p = node[3 * page + 1]!;
    node[3 * p] = n;
    node[3 * n + 1] = p;
    node[3 * page + 2] = -1;
    this.size[l]!--;
  }

  /** Moves a page (on some list) to the head of list `l`. */
  moveHead(l: number, page: number): void {
    this.remove(page);
    this.addHead(l, page);
  }
}
