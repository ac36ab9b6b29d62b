/**
 * The block device's queue within one tick, as requests in issue order: a fluid FIFO of
 * channel-µs of work (kernel-model.md §11) that also knows how many requests each stretch of
 * work is. The device drains `channels` µs of work per µs of the tick, oldest first.
 *
 * Why requests and not only work: a submitter sleeps for a tag when the queue's request pool
 * is used up (`blk_mq_get_tag` from `submit_bio`), and that pool counts requests whatever
 * their size. A few large readahead requests are a lot of work and few requests; as many
 * 128 KiB swap-out clusters fill the pool with much less work.
 *
 * Runs of equal requests issued one after another are kept as one entry (where its work
 * starts, its requests' occupancy, the requests before it): a reclaimer queueing its writes
 * page by page adds to one run.
 */
export class BlockQueue {
  /** Work queued before each run, channel-µs since the tick started. */
  private start = new Float64Array(64);
  /** Channel occupancy of each request of the run, µs. */
  private occ = new Float64Array(64);
  /** Requests queued before each run. */
  private before = new Float64Array(64);
  private runs = 0;
  private requests = 0;
  private work = 0;

  /** Channel-µs of work queued since the tick started, the carried backlog included. */
  get workUs(): number {
    return this.work;
  }

  /** Starts a tick with the device's backlog: `workUs` channel-µs in `requests` requests. */
  reset(workUs: number, requests: number): void {
    this.runs = 0;
    this.requests = 0;
    this.work = 0;
    if (workUs > 0 && requests > 0) this.add(requests, workUs / requests);
  }

  /** Queues `requests` requests of `occUs` channel-µs each at the tail. */
  add(requests: number, occUs: number): void {
    if (!(requests > 0 && occUs > 0)) return;
    const last = this.runs - 1;
    // Requests are fractional (a sampled page stands for part of one); a run ends where the next begins.
    if (last < 0 || this.occ[last] !== occUs) {
      if (this.runs === this.start.length) this.grow();
      const i = this.runs++;
      this.start[i] = this.work;
      this.occ[i] = occUs;
      this.before[i] = this.requests;
    }
    this.requests += requests;
    this.work += requests * occUs;
  }

  /**
   * How much of the queue must be served (channel-µs from the tick's start) before at most
   * `keep` requests are left in it: where the submitter of the last request wakes when the
   * pool has `keep` tags (every request left then holds one).
   */
  drainedWhenLeft(keep: number): number {
    const served = this.requests - keep;
    if (served <= 0) return 0;
    let lo = 0;
    let hi = this.runs - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.before[mid]! <= served) lo = mid;
      else hi = mid - 1;
    }
    return this.start[lo]! + (served - this.before[lo]!) * this.occ[lo]!;
  }

  private grow(): void {
    const n = this.start.length * 2;
    const widen = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.start = widen(this.start);
    this.occ = widen(this.occ);
    this.before = widen(this.before);
  }
}
