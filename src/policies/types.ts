/**
 * The one interface every page-replacement policy implements (architecture.md,
 * "One policy, one file, one registry"). Pages are dense integer ids in
 * `[0, ctx.maxPageId)`; all state lives in typed arrays preallocated from the context,
 * so nothing is allocated per access.
 *
 * The generic access (find → evict until a frame is free → insert) is written once,
 * outside the policies (see `access.ts`): a policy never decides on its own to fault.
 */
export type PageId = number;

export interface ReplacementPolicy {
  /** Registry id with effective parameters, e.g. `clock:bits=2`. */
  readonly spec: string;
  /** Frames this policy may hold. */
  readonly capacity: number;
  /** Resident pages now (never exceeds capacity). */
  readonly size: number;
  /**
   * True if `page` is resident. With `touch`, records a reference to it
   * (recency, reference bits, frequency): a hit.
   */
  find(page: PageId, touch: boolean): boolean;
  /**
   * Makes `page` resident. Precondition: absent and `size < capacity`, unless
   * `admits()` said no for tiny caches (S3-FIFO, 2Q), in which case the caller skips it.
   */
  insert(page: PageId): void;
  /** Chooses, removes and returns the victim. Precondition: `size > 0`. */
  evict(): PageId;
  /** Removes `page` if resident (freed by its owner, or its owner was killed); true if it was. */
  remove(page: PageId): boolean;
}

export interface PolicyContext {
  /** Page ids are in `[0, maxPageId)`; sizes the per-page typed arrays. */
  maxPageId: number;
  /** Seed for randomised policies. */
  seed: number;
  /**
   * For offline policies (OPT): the whole reference stream, so that next uses can be
   * computed up front. The caller then passes each access's position in `setTime`.
   */
  stream?: Int32Array;
}
