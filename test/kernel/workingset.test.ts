import { describe, expect, it } from 'vitest';
import { Host } from '../../src/kernel/host.js';
import { evict } from '../../src/kernel/shrink-folio.js';
import { LRU_ACTIVE_ANON, LRU_LISTS, type ProcRt } from '../../src/kernel/state.js';
import { ageNonresident, refaultActivates } from '../../src/kernel/workingset.js';
import { cgroup, host, MiB, proc, scenario } from './factory.js';

const events = { oomKill: () => {}, swapFull: () => {} };

/** Two siblings under one parent, each with 1 MiB of anon; nothing runs, pages are placed by hand. */
function siblings() {
  const sc = scenario({
    host: host({ ramBytes: 1024 * MiB, device: 'ssd' }),
    cgroups: [cgroup('lab'), cgroup('lab/a', { parent: 'lab' }), cgroup('lab/b', { parent: 'lab' })],
    processes: [
      proc('pa', { cgroup: 'lab/a', memory: { anonBytes: MiB } }),
      proc('pb', { cgroup: 'lab/b', memory: { anonBytes: MiB } }),
    ],
  });
  const h = new Host(sc, 1, events);
  const s = h.state;
  const [pa, pb] = s.procs as ProcRt[];
  const cg = (path: string) => s.cgs.findIndex((c) => c.path === path);
  return { h, s, pa: pa!, pb: pb!, lab: cg('lab'), a: cg('lab/a'), b: cg('lab/b') };
}

describe('workingset: refaults judged where the eviction happened (workingset_eviction, workingset_test_recent)', () => {
  it("a page evicted by its parent's reclaim refaults against the parent's age and whole subtree", () => {
    const { h, s, pa, pb, lab, a, b } = siblings();
    // Sixteen active anon pages in b, none in a.
    for (let i = 0; i < 16; i++) h.warmInsert(pb, pb.anonBase + i, true);
    for (let i = 0; i < 4; i++) h.warmInsert(pa, pa.anonBase + i, false);
    expect(s.lru.size[b * LRU_LISTS + LRU_ACTIVE_ANON]).toBe(16);
    expect(s.lru.size[a * LRU_LISTS + LRU_ACTIVE_ANON]).toBe(0);
    const x = pa.anonBase;
    const y = pa.anonBase + 1;
    // x is evicted by reclaim for the parent's limit, y by reclaim for a's own.
    evict(s, x, a, false, lab);
    evict(s, y, a, false, a);
    // x: distance 2 in lab's age (its own eviction and y's, which aged a's ancestors too) against
    // lab's active anon, b's 16 included: activates. y: distance 1 in a's age against a's 0: does not.
    expect(refaultActivates(s, x, a, s.flags[x]!)).toBe(true);
    expect(refaultActivates(s, y, a, s.flags[y]!)).toBe(false);
  });

  it("the distance counts the evicting memcg's age: past its workingset size, no activation", () => {
    const { h, s, pa, pb, lab, a } = siblings();
    for (let i = 0; i < 16; i++) h.warmInsert(pb, pb.anonBase + i, true);
    h.warmInsert(pa, pa.anonBase, false);
    const x = pa.anonBase;
    evict(s, x, a, false, lab);
    // 15 more evictions or activations under lab: distance 16, the size of lab's workingset.
    for (let i = 0; i < 15; i++) ageNonresident(s, lab);
    expect(refaultActivates(s, x, a, s.flags[x]!)).toBe(true);
    const y = pa.anonBase + 1;
    h.warmInsert(pa, y, false);
    evict(s, y, a, false, lab);
    for (let i = 0; i < 16; i++) ageNonresident(s, lab);
    // Distance 17 (its own eviction and 16 more; x's activation came before y's eviction) > 16.
    expect(refaultActivates(s, y, a, s.flags[y]!)).toBe(false);
  });
});
