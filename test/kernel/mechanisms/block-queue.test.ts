import { describe, expect, it } from 'vitest';
import { BlockQueue } from '../../../src/kernel/mechanisms/block-queue.js';

describe('BlockQueue: the in-tick queue counted in requests', () => {
  it('the submitter of the last request wakes once the pool holds every request left', () => {
    const q = new BlockQueue();
    q.reset(0, 0);
    q.add(7, 2000); // an 8 MiB window as 7 requests of 2 000 channel-µs: 14 000
    q.add(200, 300); // 200 write clusters of 300 channel-µs: 60 000
    expect(q.workUs).toBe(74_000);
    // 207 requests, 128 tags: 79 must complete first, the 7 reads and 72 writes:
    // 14 000 + 72 · 300 = 35 600 channel-µs.
    expect(q.drainedWhenLeft(128)).toBe(35_600);
    expect(q.drainedWhenLeft(207)).toBe(0);
    expect(q.drainedWhenLeft(300)).toBe(0);
  });

  it('a few large reads are a lot of work but few requests: no tag wait', () => {
    const q = new BlockQueue();
    q.reset(0, 0);
    for (let w = 0; w < 10; w++) q.add(7, 2913); // ten 8 MiB windows: 204 ms of channel work
    q.add(32, 319);
    expect(q.workUs).toBeCloseTo(10 * 7 * 2913 + 32 * 319, 6);
    expect(q.drainedWhenLeft(128)).toBe(0); // 102 requests
  });

  it('carries the backlog as its first run and merges equal requests issued in a row', () => {
    const q = new BlockQueue();
    q.reset(1000, 4); // 4 requests of 250 channel-µs
    q.add(0.5, 100); // half a write cluster at a time, as a sampled reclaimer queues them
    q.add(0.5, 100);
    q.add(1, 50);
    expect(q.workUs).toBe(1150);
    // 6 requests: with 1 left, the backlog and the merged write are done.
    expect(q.drainedWhenLeft(1)).toBe(1100);
    // With 2.5 left, 3.5 of the backlog's 4 are done.
    expect(q.drainedWhenLeft(2.5)).toBe(875);
    q.reset(0, 0);
    expect(q.workUs).toBe(0);
    expect(q.drainedWhenLeft(0)).toBe(0);
  });
});
