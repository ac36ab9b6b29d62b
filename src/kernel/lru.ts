/**
 * Intrusive doubly linked lists over dense page ids, in one Int32Array: the kernel's `lruvec`
 * lists (LK `include/linux/mmzone.h`, `enum lru_list`) without a node object per page. List
 * `l` has a sentinel node `pages + l`; its next is the head (most recently added), its prev
 * the tail (where reclaim scans). A node's next and prev sit side by side (`link[2i]`,
 * `link[2i + 1]`): unlinking a cold page then misses the cache once for both, not once each
 * (reclaim's scans and a fault's insertion take pages at random addresses).
 */
export class LruLists {
  private readonly link: Int32Array;
  readonly size: Int32Array;
  /** Which list a page is on, −1 when on none. */
  readonly on: Int16Array;
  private readonly base: number;

  constructor(pages: number, lists: number) {
    this.base = pages;
    this.link = new Int32Array(2 * (pages + lists));
    this.size = new Int32Array(lists);
    this.on = new Int16Array(pages).fill(-1);
    for (let l = 0; l < lists; l++) {
      const s = 2 * (pages + l);
      this.link[s] = pages + l;
      this.link[s + 1] = pages + l;
    }
  }

  /** The sentinel node of list `l`: walking `prev` from it visits the list tail first and ends back at it. */
  sentinel(l: number): number {
    return this.base + l;
  }

  /** The node before `node` (towards the tail): a page, or the sentinel when `node` is the tail. */
  prev(node: number): number {
    return this.link[2 * node + 1]!;
  }

  /** Tail page of list `l`, or −1 when empty. */
  tail(l: number): number {
    const s = this.base + l;
    const t = this.link[2 * s + 1]!;
    return t === s ? -1 : t;
  }

  addHead(l: number, page: number): void {
    const link = this.link;
    const s = this.base + l;
    const h = link[2 * s]!;
    link[2 * page] = h;
    link[2 * page + 1] = s;
    link[2 * h + 1] = page;
    link[2 * s] = page;
    this.on[page] = l;
    this.size[l]!++;
  }

  addTail(l: number, page: number): void {
    const link = this.link;
    const s = this.base + l;
    const t = link[2 * s + 1]!;
    link[2 * page + 1] = t;
    link[2 * page] = s;
    link[2 * t] = page;
    link[2 * s + 1] = page;
    this.on[page] = l;
    this.size[l]!++;
  }

  remove(page: number): void {
    const l = this.on[page]!;
    if (l < 0) return;
    const link = this.link;
    const n = link[2 * page]!;
    const p = link[2 * page + 1]!;
    link[2 * p] = n;
    link[2 * n + 1] = p;
    this.on[page] = -1;
    this.size[l]!--;
  }

  /** Moves a page (on some list) to the head of list `l`. */
  moveHead(l: number, page: number): void {
    this.remove(page);
    this.addHead(l, page);
  }
}
