/**
 * LIRS (Jiang & Zhang, "LIRS: An Efficient Low Inter-reference Recency Set Replacement
 * Policy", SIGMETRICS'02, §4), with the reference simulator's choices by default
 * (docs/policies.md, "LIRS"). Pages with a low inter-reference recency (LIR) keep
 * `Llirs = C − Lhirs` frames, `Lhirs = max(1, floor(hir·C))`; resident HIR pages wait in
 * the queue Q (front = next victim). Recency lives in the stack S, which also keeps
 * non-resident HIR entries and is pruned so that its bottom is a LIR page.
 *
 * Where the reference departs from the paper (each a parameter, the paper's choice named):
 * - `stack=2`: S holds at most 2·C entries; past that, the non-resident HIR entries leave S
 *   in the order they became non-resident (`stack=0`: unbounded, as §4 describes S).
 * - `hitq=demote`: a hit on a resident HIR page that is not in S also demotes the bottom LIR
 *   page to the end of Q when the LIR set is full, which evicts Q's front if Q is full; the
 *   next miss then takes the free LIR frame without an eviction (`hitq=keep`: the page only
 *   moves to the top of S and the end of Q). With one Q frame (`C < 200` at the default
 *   `hir`) the front of Q is the hit page itself: it leaves Q but stays resident in S,
 *   a "stray" page that hits until it is pruned from S (then it is gone) or hit again (then
 *   it is LIR). So the reference can hold more than C pages; `access` reproduces that.
 * - `C = 1` (`Llirs = 0`) admits nothing. At `C = 2` (one LIR frame) the reference's LIR count
 *   can go below zero (it is unsigned); its counts there are not reproduced.
 *
 * Through the frame-by-frame interface (find / evict / insert, the kernel model) pages must
 * not outnumber frames: a page the policy drops during a hit, or a stray page pruned from S,
 * keeps its frame until the next `evict` returns it, and `evict` takes a stray page first
 * when frames run out. Replays go through `access`, which has the reference's counts.
 * Cost per access: amortised O(1) (each pruned or trimmed entry was pushed once).
 */
import { LinkedLists } from './ds/linked-lists.js';
import { num, type PolicyFactory, str } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

const ONE = 0;
/** Page state bits. A LIR page is resident and in S; a resident HIR page is in Q, in S, or both (stray: S only). */
const LIR = 1;
const RES = 2;
const IN_S = 4;
const IN_Q = 8;
/** Non-resident HIR entry of S, queued in NH by the time it became non-resident. */
const IN_NH = 16;

class Lirs implements ReplacementPolicy {
  readonly admits: boolean;
  private readonly flags: Uint8Array;
  /** S: front = bottom (oldest), back = top. */
  private readonly stack: LinkedLists;
  /** Q: front = next resident HIR page to evict. */
  private readonly queue: LinkedLists;
  /** Non-resident HIR entries of S, front = the earliest to become non-resident. */
  private readonly nonResident: LinkedLists;
  private readonly lirCap: number;
  private readonly hirCap: number;
  /** Entries S may hold before non-resident ones are trimmed; Infinity when unbounded. */
  private readonly stackCap: number;
  private readonly demoteOnQueueHit: boolean;
  private lirCount = 0;
  /** Resident HIR pages in S but not in Q. */
  private strays = 0;
  /** Frame-by-frame use: pages dropped outside `evict` that still hold a frame (a stack). */
  private readonly pending: Int32Array;
  private pendingCount = 0;
  /** True inside `access`, where pages dropped during a hit simply leave (the reference). */
  private fused = false;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
    hir: number,
    stackFactor: number,
    hitq: string,
  ) {
    this.hirCap = Math.max(1, Math.floor(capacity * hir));
    this.lirCap = capacity - this.hirCap;
    this.admits = this.lirCap >= 1;
    this.stackCap = stackFactor === 0 ? Number.POSITIVE_INFINITY : stackFactor * capacity;
    this.demoteOnQueueHit = hitq === 'demote';
    const n = ctx.maxPageId;
    this.flags = new Uint8Array(n);
    this.stack = new LinkedLists(n, 1);
    this.queue = new LinkedLists(n, 1);
    this.nonResident = new LinkedLists(n, 1);
    this.pending = new Int32Array(Math.min(capacity, n) + 1);
  }

  /** Frames in use: LIR and queued pages, strays and pages not yet handed back by `evict`. */
  get size(): number {
    return this.lirCount + this.queue.len[ONE]! + this.strays + this.pendingCount;
  }

  access(page: PageId): boolean {
    this.fused = true;
    const hit = this.find(page, true);
    if (!hit && this.admits) this.load(page, true);
    this.fused = false;
    return hit;
  }

  find(page: PageId, touch: boolean): boolean {
    const f = this.flags[page]!;
    const resident = (f & RES) !== 0;
    if (!touch) return resident;
    if (!resident) {
      // A fault on a non-resident entry of S moves it to the top now, as the reference's
      // lookup does, before anything is evicted for it.
      if (f & IN_S) this.stack.moveToBack(ONE, page);
      return false;
    }
    if (f & LIR) {
      this.stack.moveToBack(ONE, page);
      this.prune();
    } else if (f & IN_S) {
      this.stack.moveToBack(ONE, page);
      if (f & IN_Q) this.leaveQueue(page);
      else this.strays--;
      if (this.lirCount >= this.lirCap) this.demoteBottom();
      this.flags[page]! |= LIR;
      this.lirCount++;
    } else {
      this.queue.moveToBack(ONE, page);
      if (this.demoteOnQueueHit && this.lirCount >= this.lirCap) this.demoteBottom();
      // The demotion may have evicted this very page from a one-frame Q: it stays resident
      // in S as a stray, keeping its frame.
      if ((this.flags[page]! & IN_Q) === 0) {
        this.strays++;
        if (!this.fused) this.pendingCount--;
      }
      this.flags[page]! |= RES | IN_S;
      this.stack.pushBack(ONE, page);
    }
    this.trimStack();
    return true;
  }

  insert(page: PageId): void {
    this.load(page, false);
  }

  /**
   * Loads `page` after a fault. `makeRoom`: evict as the reference does when both sets are
   * full (replays); the frame-by-frame caller has already called `evict` instead.
   */
  private load(page: PageId, makeRoom: boolean): void {
    // A page dropped during a hit whose frame `evict` has not handed back yet is loaded into
    // that frame: it must not be handed back later while resident again.
    if (!makeRoom) this.unpend(page);
    const f = this.flags[page]!;
    if (f & IN_S) {
      // A non-resident HIR entry of S: its recency beats the bottom LIR page's.
      if (this.lirCount >= this.lirCap) this.demoteBottom();
      this.nonResident.unlink(ONE, page);
      this.flags[page] = LIR | RES | IN_S;
      this.lirCount++;
    } else if (this.lirCount < this.lirCap) {
      this.flags[page] = LIR | RES | IN_S;
      this.stack.pushBack(ONE, page);
      this.lirCount++;
    } else {
      if (makeRoom && this.queue.len[ONE]! >= this.hirCap) this.evictQueueFront();
      this.flags[page] = RES | IN_S | IN_Q;
      this.stack.pushBack(ONE, page);
      this.queue.pushBack(ONE, page);
    }
    this.trimStack();
  }

  evict(): PageId {
    if (this.pendingCount > 0) return this.pending[--this.pendingCount]!;
    if (this.strays > 0) return this.evictStray();
    if (this.queue.len[ONE] === 0) this.demoteBottom();
    return this.evictQueueFront();
  }

  remove(page: PageId): boolean {
    if (this.unpend(page)) return true;
    const f = this.flags[page]!;
    if ((f & RES) === 0) return false;
    if (f & LIR) this.lirCount--;
    else if (f & IN_Q) this.queue.unlink(ONE, page);
    else this.strays--;
    if (f & IN_S) this.stack.unlink(ONE, page);
    this.flags[page] = 0;
    this.prune();
    return true;
  }

  /** Takes `page` off the pages not yet handed back by `evict`; false if it is not there. */
  private unpend(page: PageId): boolean {
    for (let i = 0; i < this.pendingCount; i++) {
      if (this.pending[i] === page) {
        this.pending[i] = this.pending[--this.pendingCount]!;
        return true;
      }
    }
    return false;
  }

  private leaveQueue(page: PageId): void {
    this.queue.unlink(ONE, page);
    this.flags[page]! &= ~IN_Q;
  }

  /** The front of Q leaves the cache; if S still holds it, it stays there as a non-resident entry. */
  private evictQueueFront(): PageId {
    const victim = this.queue.popFront(ONE);
    this.dropResident(victim, this.flags[victim]! & ~IN_Q);
    return victim;
  }

  /** A stray page leaves the cache (frame-by-frame use only); S keeps it as non-resident. */
  private evictStray(): PageId {
    // Strays are rare and few; the scan from the top of S finds one in a few steps.
    let page = this.stack.back(ONE);
    while ((this.flags[page]! & (LIR | RES | IN_Q)) !== RES) page = this.stack.before(ONE, page);
    this.strays--;
    this.dropResident(page, this.flags[page]!);
    return page;
  }

  private dropResident(page: PageId, f: number): void {
    if (f & IN_S) {
      this.flags[page] = IN_S | IN_NH;
      this.nonResident.pushBack(ONE, page);
    } else {
      this.flags[page] = 0;
    }
  }

  /**
   * The LIR page at the bottom of S becomes a resident HIR page at the end of Q, after Q's
   * front is evicted if Q is full; then S is pruned. A page evicted here during a hit
   * (frame-by-frame use) keeps its frame until `evict` hands it back.
   */
  private demoteBottom(): void {
    // The bottom is a LIR page in every state a replay reaches with C >= 3; after a kernel's
    // remove of the bottom LIR page, HIR entries left below the next one are dropped first.
    while ((this.flags[this.stack.front(ONE)]! & LIR) === 0) this.dropBottom(this.stack.front(ONE));
    const bottom = this.stack.popFront(ONE);
    this.lirCount--;
    if (this.queue.len[ONE]! >= this.hirCap) {
      const victim = this.evictQueueFront();
      if (!this.fused) this.pending[this.pendingCount++] = victim;
    }
    this.flags[bottom] = RES | IN_Q;
    this.queue.pushBack(ONE, bottom);
    this.prune();
  }

  /**
   * Drops HIR entries from the bottom of S until a LIR page is there; the top entry stays
   * (the reference never prunes it). A stray page pruned here leaves the cache.
   */
  private prune(): void {
    const stack = this.stack;
    for (;;) {
      const b = stack.front(ONE);
      if (b < 0 || b === stack.back(ONE) || this.flags[b]! & LIR) return;
      this.dropBottom(b);
    }
  }

  /** Takes HIR entry `b` off the bottom of S: a non-resident one is forgotten, a stray leaves the cache. */
  private dropBottom(b: PageId): void {
    const f = this.flags[b]!;
    this.stack.unlink(ONE, b);
    if (f & IN_NH) {
      this.nonResident.unlink(ONE, b);
      this.flags[b] = 0;
    } else if (f & IN_Q) {
      this.flags[b] = f & ~IN_S;
    } else {
      this.strays--;
      this.flags[b] = 0;
      if (!this.fused) this.pending[this.pendingCount++] = b;
    }
  }

  /** Bounds S: its oldest non-resident entries leave while it holds more than stackCap. */
  private trimStack(): void {
    while (this.stack.len[ONE]! > this.stackCap && this.nonResident.len[ONE]! > 0) {
      const old = this.nonResident.popFront(ONE);
      this.stack.unlink(ONE, old);
      this.flags[old] = 0;
    }
  }
}

export const lirs: PolicyFactory = {
  id: 'lirs',
  params: [
    { key: 'hir', kind: 'float', default: 0.01, min: 0, max: 1, doc: 'resident HIR share of C, floored, at least 1' },
    {
      key: 'stack',
      kind: 'int',
      default: 2,
      min: 0,
      max: 1000,
      doc: 'S holds at most stack·C entries (non-resident ones trimmed oldest first); 0: unbounded (paper)',
    },
    {
      key: 'hitq',
      kind: 'enum',
      default: 'demote',
      values: ['demote', 'keep'],
      doc: 'hit on a queued HIR page not in S: demote the bottom LIR page (reference) or not (paper)',
    },
  ],
  create: (capacity, ctx, params, spec) =>
    new Lirs(capacity, ctx, spec, num(params, 'hir'), num(params, 'stack'), str(params, 'hitq')),
};
