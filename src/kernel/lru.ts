/**
 * Intrusive doubly linked lists over dense page ids, all in two Int32Arrays: the kernel's
 * `lruvec` lists (LK `include/linux/mmzone.h`, `enum lru_list`) without a node object per
 * page. List `l` has a sentinel node `pages + l`; `next[sentinel]` is the head (most
 * recently added), `prev[sentinel]` the tail (where reclaim scans).
 */
export class LruLists {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly size: Int32Array;
  /** Which list a page is on, −1 when on none. */
  readonly on: Int16Array;
  private readonly base: number;

  constructor(pages: number, lists: number) {
    this.base = pages;
    this.next = new Int32Array(pages + lists);
    this.prev = new Int32Array(pages + lists);
    this.size = new Int32Array(lists);
    this.on = new Int16Array(pages).fill(-1);
    for (let l = 0; l < lists; l++) {
      const s = pages + l;
      this.next[s] = s;
      this.prev[s] = s;
    }
  }

  /** The sentinel node of list `l`: walking `prev` from it visits the list tail first and ends back at it. */
  sentinel(l: number): number {
    return this.base + l;
  }

  /** Tail page of list `l`, or −1 when empty. */
  tail(l: number): number {
    const s = this.base + l;
    const t = this.prev[s]!;
    return t === s ? -1 : t;
  }

  addHead(l: number, page: number): void {
    const s = this.base + l;
    const h = this.next[s]!;
    this.next[page] = h;
    this.prev[page] = s;
    this.prev[h] = page;
    this.next[s] = page;
    this.on[page] = l;
    this.size[l]!++;
  }

  addTail(l: number, page: number): void {
    const s = this.base + l;
    const t = this.prev[s]!;
    this.prev[page] = t;
    this.next[page] = s;
    this.next[t] = page;
    this.prev[s] = page;
    this.on[page] = l;
    this.size[l]!++;
  }

  remove(page: number): void {
    const l = this.on[page]!;
    if (l < 0) return;
    const n = this.next[page]!;
    const p = this.prev[page]!;
    this.next[p] = n;
    this.prev[n] = p;
    this.on[page] = -1;
    this.size[l]!--;
  }

  /** Moves a page (on some list) to the head of list `l`. */
  moveHead(l: number, page: number): void {
    this.remove(page);
    this.addHead(l, page);
  }
}
