import { describe, expect, it } from 'vitest';
import { SwapClusters } from '../../../src/kernel/mechanisms/swap-cluster.js';

/** A device of `slots` slots in clusters of `size`; `take(n)` allocates n slots for page ids 0, 1, … */
function device(slots: number, size: number) {
  const map = new Int32Array(slots).fill(-1);
  const clusters = new SwapClusters(map, size);
  let page = 0;
  return {
    map,
    take(n: number): number[] {
      const got: number[] = [];
      for (let i = 0; i < n; i++) {
        const slot = clusters.alloc();
        if (slot >= 0) map[slot] = page++;
        got.push(slot);
      }
      return got;
    },
    free(...slots: number[]) {
      for (const s of slots) {
        map[s] = -1;
        clusters.free(s);
      }
    },
  };
}

describe('cluster_alloc_swap_entry (order 0, no discard)', () => {
  it('fills a cluster in order, then opens the next free one', () => {
    const d = device(12, 4);
    expect(d.take(6)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('fills the holes of clusters with freed slots, oldest first, before opening a free cluster', () => {
    const d = device(16, 4);
    d.take(10); // clusters 0 and 1 full, cluster 2 holds 8 and 9
    d.free(6, 1, 2); // cluster 1 gets a hole first, then cluster 0
    // The current cluster (2) goes on where it stopped: 10, 11. It is full then; the nonfull
    // list gives cluster 1 (its hole was first), then cluster 0 from its start: 1, 2.
    expect(d.take(5)).toEqual([10, 11, 6, 1, 2]);
    // Every cluster but the last is full: the free cluster 3 is next.
    expect(d.take(2)).toEqual([12, 13]);
  });

  it('puts an emptied cluster back on the free list, after the untouched ones', () => {
    const d = device(12, 4);
    d.take(6); // cluster 0 full, cluster 1 holds 4 and 5
    d.free(0, 1, 2, 3); // cluster 0 empty: back on the free list behind cluster 2
    // Cluster 1 is still the current one: 6, 7; then the free list's head, cluster 2, then 0.
    expect(d.take(7)).toEqual([6, 7, 8, 9, 10, 11, 0]);
  });

  it('returns −1 when every slot is taken, and a freed slot again after', () => {
    const d = device(8, 4);
    expect(d.take(8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(d.take(1)).toEqual([-1]);
    d.free(5);
    expect(d.take(2)).toEqual([5, -1]);
  });

  it('handles a last cluster shorter than the rest', () => {
    const d = device(6, 4);
    expect(d.take(7)).toEqual([0, 1, 2, 3, 4, 5, -1]);
    d.free(4);
    expect(d.take(1)).toEqual([4]);
  });
});
