/**
 * Which swap slot a page being swapped out gets (LK mm/swapfile.c `cluster_alloc_swap_entry`
 * for order-0 slots, without discard, as on a swap file): the device is cut into clusters of
 * SWAPFILE_CLUSTER slots, each on one list by its state (free, nonfull, frag, full). An
 * allocation continues in the cluster the last one used (`global_cluster->next`), else fills
 * the holes of clusters that had slots freed, oldest first (`nonfull_clusters`, scanned from
 * the cluster's start), else opens a free cluster, else tries one fragmented cluster.
 *
 * So once pages are swapped in again (their slots freed), new swap-outs land in those holes,
 * between slots written at other times by other processes: cluster swap readahead, which reads
 * the aligned block of slots around a fault, then brings in whatever shares the block.
 */

/** Cluster states (`CLUSTER_FLAG_*`); NONE is a cluster taken off its list while it is scanned. */
const NONE = 0;
const FREE = 1;
const NONFULL = 2;
const FRAG = 3;
const FULL = 4;
const LISTS = 5;

export class SwapClusters {
  /** Slots per cluster. */
  readonly size: number;
  private readonly slots: Int32Array;
  private readonly count: Int32Array;
  private readonly flag: Uint8Array;
  private readonly prev: Int32Array;
  private readonly nextOf: Int32Array;
  private readonly head = new Int32Array(LISTS).fill(-1);
  private readonly tail = new Int32Array(LISTS).fill(-1);
  /** Where the next allocation looks first (`global_cluster->next[0]`), −1 for none. */
  private next = -1;

  /** `slots[i]` is −1 for a free slot; the caller fills it with the page right after `alloc`. */
  constructor(slots: Int32Array, clusterSlots: number) {
    this.slots = slots;
    this.size = Math.max(1, Math.floor(clusterSlots));
    const n = Math.ceil(slots.length / this.size);
    this.count = new Int32Array(n);
    this.flag = new Uint8Array(n);
    this.prev = new Int32Array(n).fill(-1);
    this.nextOf = new Int32Array(n).fill(-1);
    for (let c = 0; c < n; c++) this.push(c, FREE);
  }

  /** A free slot, taken (`cluster_alloc_swap_entry`); −1 when there is none. */
  alloc(): number {
    const at = this.next;
    if (at >= 0) {
      const c = Math.floor(at / this.size);
      // `cluster_is_usable`: anything but a full cluster; an emptied one restarts at its beginning.
      if (this.flag[c]! !== FULL) {
        const found = this.scan(c, this.count[c] === 0 ? c * this.size : at);
        if (found >= 0) return found;
      }
    }
    for (let c = this.head[NONFULL]!; c >= 0; c = this.head[NONFULL]!) {
      this.isolate(c);
      const found = this.scan(c, c * this.size);
      if (found >= 0) return found;
    }
    const found = this.openHead(FREE);
    return found >= 0 ? found : this.openHead(FRAG);
  }

  /** Slot `slot` was freed (`swap_entries_free`): an emptied cluster is free again, any other nonfull. */
  free(slot: number): void {
    const c = Math.floor(slot / this.size);
    this.count[c]!--;
    if (this.count[c] === 0) this.move(c, FREE);
    else if (this.flag[c] !== NONFULL) this.move(c, NONFULL);
  }

  /**
   * `alloc_swap_scan_cluster`: the first free slot of cluster `c` from `from` on; where the next
   * allocation continues; the cluster then goes to the frag or full list (`relocate_cluster`).
   */
  private scan(c: number, from: number): number {
    const end = Math.min((c + 1) * this.size, this.slots.length);
    let found = -1;
    this.next = -1;
    if (this.count[c]! < end - c * this.size) {
      for (let o = from; o < end; o++) {
        if (this.slots[o] !== -1) continue;
        found = o;
        this.count[c]!++;
        if (this.count[c]! < this.size && o + 1 < end) this.next = o + 1;
        break;
      }
    }
    if (this.count[c] === 0) this.move(c, FREE);
    else if (this.count[c]! < end - c * this.size) {
      if (this.flag[c] !== FRAG) this.move(c, FRAG);
    } else if (this.flag[c] !== FULL) this.move(c, FULL);
    return found;
  }

  /** The first cluster of `list`, taken off it and scanned from its start (`alloc_swap_scan_list`). */
  private openHead(list: number): number {
    const c = this.head[list]!;
    if (c < 0) return -1;
    this.isolate(c);
    return this.scan(c, c * this.size);
  }

  private isolate(c: number): void {
    this.unlink(c);
    this.flag[c] = NONE;
  }

  private move(c: number, list: number): void {
    this.unlink(c);
    this.push(c, list);
  }

  private push(c: number, list: number): void {
    this.flag[c] = list;
    this.prev[c] = this.tail[list]!;
    this.nextOf[c] = -1;
    if (this.tail[list]! >= 0) this.nextOf[this.tail[list]!] = c;
    else this.head[list] = c;
    this.tail[list] = c;
  }

  private unlink(c: number): void {
    const list = this.flag[c]!;
    if (list === NONE) return;
    const p = this.prev[c]!;
    const n = this.nextOf[c]!;
    if (p >= 0) this.nextOf[p] = n;
    else this.head[list] = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail[list] = p;
    this.prev[c] = -1;
    this.nextOf[c] = -1;
  }
}
