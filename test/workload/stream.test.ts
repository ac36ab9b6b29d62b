import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { phaseAt, phaseIndexAt, RegionStream } from '../../src/workload/stream.js';

describe('RegionStream', () => {
  it('adoptLayout: a forked child places ranks where its parent does (same region size only)', () => {
    const zipf = { kind: 'zipf', alpha: 1 } as const;
    const parent = new RegionStream(1000, new Rng(1));
    const child = new RegionStream(1000, new Rng(2));
    const other = new RegionStream(999, new Rng(3));
    for (const s of [parent, child, other]) s.configure(zipf, 500);
    const ranks = (s: RegionStream) => Array.from({ length: 50 }, (_, r) => s.offsetOfRank(r));
    expect(ranks(child)).not.toEqual(ranks(parent));
    child.adoptLayout(parent);
    expect(ranks(child)).toEqual(ranks(parent));
    const before = ranks(other);
    other.adoptLayout(parent);
    expect(ranks(other)).toEqual(before);
  });

  it('zipf: the hottest pages are popular but not adjacent', () => {
    const s = new RegionStream(10_000, new Rng(1));
    s.configure({ kind: 'zipf', alpha: 1 }, 10_000);
    const counts = new Int32Array(10_000);
    for (let i = 0; i < 200_000; i++) counts[s.next()]!++;
    const hot = s.offsetOfRank(0);
    expect(counts[hot]).toBeGreaterThan(10_000);
    expect(Math.abs(s.offsetOfRank(1) - hot)).toBeGreaterThan(1);
  });

  it('zipf under sampling: a sampled page gets the mean popularity of the real ranks it stands for', () => {
    // 1000 sampled pages at scale 8 stand for 8000 real ranks; sampled rank k is real ranks
    // [8k, 8k + 8). A Zipf over the 1000 sampled ranks would give rank 0 the share of real
    // rank 0 alone, far too little here: 1/H(1000) vs H(8)/H(8000), 17 % vs 46 % at α 1.2.
    const alpha = 1.2;
    const h = (n: number) => {
      let x = 0;
      for (let r = 1; r <= n; r++) x += r ** -alpha;
      return x;
    };
    const s = new RegionStream(1000, new Rng(3), 8);
    s.configure({ kind: 'zipf', alpha }, 1000);
    const draws = 200_000;
    const counts = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      const o = s.next();
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    const share = (rank: number) => (counts.get(s.offsetOfRank(rank)) ?? 0) / draws;
    expect(share(0)).toBeCloseTo(h(8) / h(8000), 2);
    expect(share(1)).toBeCloseTo((h(16) - h(8)) / h(8000), 2);
    expect(share(999)).toBeCloseTo((h(8000) - h(7992)) / h(8000), 3);
    // Exact replay (scale 1) is the plain Zipf.
    const exact = new RegionStream(1000, new Rng(3));
    exact.configure({ kind: 'zipf', alpha }, 1000);
    let top = 0;
    for (let i = 0; i < draws; i++) if (exact.next() === exact.offsetOfRank(0)) top++;
    expect(top / draws).toBeCloseTo(1 / h(1000), 2);
  });

  it('growth keeps the offsets of the ranks already in use', () => {
    const s = new RegionStream(1000, new Rng(2));
    const pattern = { kind: 'uniform' } as const;
    s.configure(pattern, 100);
    const before = Array.from({ length: 100 }, (_, r) => s.offsetOfRank(r));
    s.configure(pattern, 500);
    expect(Array.from({ length: 100 }, (_, r) => s.offsetOfRank(r))).toEqual(before);
    const seen = new Set<number>();
    for (let i = 0; i < 20_000; i++) seen.add(s.next());
    expect(seen.size).toBe(500);
  });

  it('scan is sequential and wraps; loop stays in its prefix', () => {
    const s = new RegionStream(10, new Rng(3));
    s.configure({ kind: 'scan' }, 4);
    expect(Array.from({ length: 6 }, () => s.next())).toEqual([0, 1, 2, 3, 0, 1]);
    s.configure({ kind: 'loop', fraction: 0.5 }, 10);
    const xs = Array.from({ length: 12 }, () => s.next());
    expect(Math.max(...xs)).toBe(4);
  });

  it('hot/cold sends hotProbability of touches to the hot fraction', () => {
    const s = new RegionStream(1000, new Rng(4));
    const pattern = { kind: 'hotcold', hotFraction: 0.1, hotProbability: 0.9 } as const;
    s.configure(pattern, 1000);
    const hot = new Set(Array.from({ length: 100 }, (_, r) => s.offsetOfRank(r)));
    let hits = 0;
    for (let i = 0; i < 50_000; i++) if (hot.has(s.next())) hits++;
    expect(hits / 50_000).toBeGreaterThan(0.88);
    expect(hits / 50_000).toBeLessThan(0.92);
  });

  it('phaseAt picks the last phase started, by time or by touch count', () => {
    const byTime = [
      { atMs: 0, atTouches: 0, pattern: { kind: 'uniform' } as const, touchesPerSec: null },
      { atMs: 1000, atTouches: 0, pattern: { kind: 'scan' } as const, touchesPerSec: null },
    ];
    expect(phaseAt(byTime, 999).kind).toBe('uniform');
    expect(phaseAt(byTime, 1000).kind).toBe('scan');
    const byTouches = [
      { atMs: 0, atTouches: 0, pattern: { kind: 'uniform' } as const, touchesPerSec: null },
      { atMs: 0, atTouches: 5000, pattern: { kind: 'scan' } as const, touchesPerSec: 100 },
    ];
    expect(phaseAt(byTouches, 1e9, 4999).kind).toBe('uniform');
    expect(phaseAt(byTouches, 0, 5000).kind).toBe('scan');
    expect(phaseIndexAt(byTouches, 0, 5000)).toBe(1);
  });
});

describe('first touches and re-touches', () => {
  const uniform = { kind: 'uniform' } as const;
  const firstTouches = (s: RegionStream, n: number) => Array.from({ length: n }, () => s.nextFirstTouch());

  it('rank order allocates the hottest first, as the host model always did', () => {
    const s = new RegionStream(1000, new Rng(5), 1, 'rank');
    s.configure({ kind: 'zipf', alpha: 1 }, 1000);
    s.beginFill();
    expect(s.pending).toBe(1000);
    expect(firstTouches(s, 1000)).toEqual(Array.from({ length: 1000 }, (_, r) => s.offsetOfRank(r)));
    expect(s.pending).toBe(0);
  });

  it('address order allocates the whole region by ascending offset, whatever the popularity', () => {
    const s = new RegionStream(1000, new Rng(5));
    s.configure({ kind: 'zipf', alpha: 1 }, 1000);
    s.beginFill();
    expect(firstTouches(s, 1000)).toEqual(Array.from({ length: 1000 }, (_, o) => o));
  });

  it('address order over part of a region: the pages in use by offset, then growth by rank', () => {
    const s = new RegionStream(1000, new Rng(6));
    s.configure(uniform, 300);
    const inUse = Array.from({ length: 300 }, (_, r) => s.offsetOfRank(r));
    s.beginFill();
    expect(firstTouches(s, 300)).toEqual([...inUse].sort((a, b) => a - b));
    s.configure(uniform, 310);
    expect(s.pending).toBe(10);
    expect(firstTouches(s, 10)).toEqual(Array.from({ length: 10 }, (_, i) => s.offsetOfRank(300 + i)));
  });

  it('growth arriving during a fill waits until the fill is done', () => {
    const s = new RegionStream(100, new Rng(7));
    s.configure(uniform, 50);
    s.beginFill();
    const fill = firstTouches(s, 20);
    s.configure(uniform, 60);
    const rest = firstTouches(s, 40);
    expect([...fill, ...rest.slice(0, 30)]).toEqual(
      Array.from({ length: 50 }, (_, r) => s.offsetOfRank(r)).sort((a, b) => a - b),
    );
    expect(rest.slice(30)).toEqual(Array.from({ length: 10 }, (_, i) => s.offsetOfRank(50 + i)));
  });

  it('re-touches stay among allocated pages, falling back to the latest when few are', () => {
    for (const order of ['address', 'rank'] as const) {
      const s = new RegionStream(1000, new Rng(8), 1, order);
      s.configure({ kind: 'zipf', alpha: 0.8 }, 1000);
      s.beginFill();
      const allocated = new Set(firstTouches(s, 400));
      let outside = 0;
      for (let i = 0; i < 20_000; i++) if (!allocated.has(s.nextRetouch())) outside++;
      expect(outside).toBe(0);
      const t = new RegionStream(1000, new Rng(9), 1, order);
      t.configure(uniform, 1000);
      t.beginFill();
      const [only] = firstTouches(t, 1);
      // One page in a thousand: almost every draw misses it, and the fallback is that page.
      for (let i = 0; i < 100; i++) expect(t.nextRetouch()).toBe(only);
    }
  });

  it('a scan re-touches round the allocated prefix', () => {
    const s = new RegionStream(100, new Rng(10));
    s.configure({ kind: 'scan' }, 100);
    s.beginFill();
    firstTouches(s, 5);
    expect(Array.from({ length: 12 }, () => s.nextRetouch())).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]);
  });

  it('a warm start allocates everything: re-touches are the pattern itself', () => {
    const a = new RegionStream(500, new Rng(11));
    const b = new RegionStream(500, new Rng(11));
    for (const s of [a, b]) {
      s.configure(uniform, 500);
      s.allocateAll();
    }
    expect(a.pending).toBe(0);
    expect(Array.from({ length: 50 }, () => a.nextRetouch())).toEqual(Array.from({ length: 50 }, () => b.next()));
  });
});
