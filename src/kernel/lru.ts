/**
 * Intrusive doubly linked lists over dense page ids, in one Int32Array: the kernel's `lruvec`
 * lists (LK `include/linux/mmzone.h`, `enum lru_list`) without a node object per page. List
 * `l` has a sentinel node `pages + l`; its next is the head (most recently added), its prev
 * the tail (where reclaim scans). A node's next, prev and list sit side by side with the
 * page's shadow entry (`node[4i]` … `node[4i + 3]`), 16 bytes, so no node straddles two cache
 * lines: unlinking a cold page then misses the cache once for all three links, and eviction
 * (unlink, write the shadow) and a refault (read the shadow, link) once for both (reclaim's
 * scans and faults take pages at random addresses). The shadow is stored as its 32 bits and
 * read back unsigned, as the Uint32Array it replaces held it.
 */
export class LruLists {
  private readonly node: Int32Array;
  readonly size: Int32Array;
  private readonly base: number;

  constructor(pages: number, lists: number) {
    this.base = pages;
    this.node = new Int32Array(4 * (pages + lists));
    this.size = new Int32Array(lists);
    for (let i = 0; i < pages; i++) this.node[4 * i + 2] = -1;
    for (let l = 0; l < lists; l++) {
      const s = 4 * (pages + l);
      this.node[s] = pages + l;
      this.node[s + 1] = pages + l;
      this.node[s + 2] = l;
    }
  }

  /** The sentinel node of list `l`: walking `prev` from it visits the list tail first and ends back at it. */
  sentinel(l: number): number {
    return this.base + l;
  }

  /** The neighbour of `node` on the head side (reclaim's next step from the tail): a page, or the sentinel when `node` is the head. */
  prev(node: number): number {
    return this.node[4 * node + 1]!;
  }

  /** Which list `page` is on, −1 when on none. */
  listOf(page: number): number {
    return this.node[4 * page + 2]!;
  }

  /** The shadow entry of `page` (`workingset_eviction`'s stamp; 0 until one is recorded). */
  shadow(page: number): number {
    return this.node[4 * page + 3]! >>> 0;
  }

  setShadow(page: number, shadow: number): void {
    this.node[4 * page + 3] = shadow;
  }

  /** Tail page of list `l`, or −1 when empty. */
  tail(l: number): number {
    const s = this.base + l;
    const t = this.node[4 * s + 1]!;
    return t === s ? -1 : t;
  }

  addHead(l: number, page: number): void {
    const node = this.node;
    const s = this.base + l;
    const h = node[4 * s]!;
    node[4 * page] = h;
    node[4 * page + 1] = s;
    node[4 * page + 2] = l;
    node[4 * h + 1] = page;
    node[4 * s] = page;
    this.size[l]!++;
  }

  addTail(l: number, page: number): void {
    const node = this.node;
    const s = this.base + l;
    const t = node[4 * s + 1]!;
    node[4 * page + 1] = t;
    node[4 * page] = s;
    node[4 * page + 2] = l;
    node[4 * t] = page;
    node[4 * s + 1] = page;
    this.size[l]!++;
  }

  remove(page: number): void {
    const node = this.node;
    const l = node[4 * page + 2]!;
    if (l < 0) return;
    const n = node[4 * page]!;
    const p = node[4 * page + 1]!;
    node[4 * p] = n;
    node[4 * n + 1] = p;
    node[4 * page + 2] = -1;
    this.size[l]!--;
  }

  /** Moves a page (on some list) to the tail of list `l`. */
  moveTail(l: number, page: number): void {
    this.remove(page);
    this.addTail(l, page);
  }

  /** Moves a page (on some list) to the head of list `l`. */
  moveHead(l: number, page: number): void {
    this.remove(page);
    this.addHead(l, page);
  }
}
