/**
 * The one interface every page-replacement policy implements (architecture.md,
 * "One policy, one file, one registry"). Pages are dense integer ids in
 * `[0, ctx.maxPageId)`; all state lives in typed arrays preallocated from the context,
 * so nothing is allocated per access.
 *
 * The generic access (find → evict until a frame is free → insert) is written once,
 * outside the policies (`access` in `simulate.ts`): a policy never decides on its own to fault.
 */
export type PageId = number;

export interface ReplacementPolicy {
  /** Registry id with all effective parameters in canonical order, e.g. `clock:bits=2:load=0`. */
  readonly spec: string;
  /** Frames this policy may hold. */
  readonly capacity: number;
  /** Resident pages now (never exceeds capacity). */
  readonly size: number;
  /**
   * False when this configuration admits no page at all (S3-FIFO with `C < 20`, 2Q with
   * `C < 4`, as the reference simulator does): every reference faults and the caller must
   * not call `insert`.
   */
  readonly admits: boolean;
  /**
   * True if `page` is resident. With `touch`, records a reference to it: on a hit,
   * recency, reference bits or frequency; on a miss, the ghost bookkeeping and adaptation
   * that the policy's definition performs before evicting (ARC's `p`, S3-FIFO's and 2Q's
   * ghost hits). A miss with `touch` announces that `page` is about to be inserted: the
   * `evict` calls that follow and the `insert(page)` are treated as serving that fault.
   * OPT also counts stream positions with it (one `find(_, true)` per reference, in order).
   */
  find(page: PageId, touch: boolean): boolean;
  /**
   * Makes `page` resident. Precondition: absent, `admits`, and `size < capacity`.
   * Does not evict: the caller frees a frame first.
   */
  insert(page: PageId): void;
  /** Chooses, removes and returns one victim; the next insert can then proceed. Precondition: `size > 0`. */
  evict(): PageId;
  /** Removes `page` if resident (freed by its owner, or its owner was killed); true if it was. */
  remove(page: PageId): boolean;
  /**
   * Optional fused fast path for replay: exactly `access(policy, page)` of simulate.ts
   * (find with touch → evict while full → insert), true on a hit. Lets the replay loop
   * make one call per reference into code specialised for this policy.
   */
  access?(page: PageId): boolean;
}

export interface PolicyContext {
  /** Page ids are in `[0, maxPageId)`; sizes the per-page typed arrays. */
  maxPageId: number;
  /** Seed for randomised policies. */
  seed: number;
  /**
   * For offline policies (OPT): the whole reference stream, so that next uses can be
   * computed up front. The caller then calls `find(page, true)` once per position, in order.
   */
  stream?: Int32Array;
}
