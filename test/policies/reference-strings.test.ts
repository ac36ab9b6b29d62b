/**
 * Fault counts worked out by hand from the definitions (docs/policies.md and
 * docs/reference/policy-definitions.md). Each derivation is written next to its case:
 * `F` = fault, `H` = hit, queues are written oldest first.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicySpec } from '../../src/policies/registry.js';
import { simulate } from '../../src/policies/simulate.js';
import { NAIVE } from './naive.js';

const s = (text: string) => Int32Array.from(text.trim().split(/\s+/).map(Number));
const faults = (spec: string, stream: string, capacity: number) => simulate(spec, s(stream), capacity).faults;

const ARTICLE = '1 2 3 4 1 2 5 1 2 3 4 5';
const TEXTBOOK = '7 0 1 2 0 3 0 4 2 3 0 3 2 1 2 0 1 7 0 1';

interface Case {
  spec: string;
  stream: string;
  capacity: number;
  faults: number;
}

const cases: Case[] = [
  // incident.md: the article's comment says 8 for LRU; by hand it is 10.
  { spec: 'lru', stream: ARTICLE, capacity: 3, faults: 10 },
  // Belady's anomaly: FIFO faults more with 4 frames than with 3.
  { spec: 'fifo', stream: ARTICLE, capacity: 3, faults: 9 },
  { spec: 'fifo', stream: ARTICLE, capacity: 4, faults: 10 },
  { spec: 'opt', stream: ARTICLE, capacity: 3, faults: 7 },
  // Silberschatz's reference string.
  { spec: 'fifo', stream: TEXTBOOK, capacity: 3, faults: 15 },
  { spec: 'lru', stream: TEXTBOOK, capacity: 3, faults: 12 },
  { spec: 'opt', stream: TEXTBOOK, capacity: 3, faults: 9 },

  // Clock, counter at load 0. 1F 2F 3F [1:0 2:0 3:0]; 1H → 1:1. 4F: 1 has 1 → 0, to the back
  // [2 3 1]; 2 has 0 → out [3 1 4]. 2F: 3 out [1 4 2]. 5F: 1 out [4 2 5]. 1F: 4 out. 7 faults.
  { spec: 'clock', stream: '1 2 3 1 4 2 5 1', capacity: 3, faults: 7 },
  // Same with load=1 (textbook): 1F 2F 3F all 1; 1H stays 1. 4F: 1,2,3 each drop to 0 and go
  // round; 1 out [2:0 3:0 4:1]. 2H → 1. 5F: 2 → 0 round [3 4 2]; 3 out [4:1 2:0 5:1].
  // 1F: 4 → 0 round [2 5 4]; 2 out. Faults 1 2 3 4 5 1 = 6.
  { spec: 'clock:load=1', stream: '1 2 3 1 4 2 5 1', capacity: 3, faults: 6 },
  // 1-bit: 1F 1H(1) 1H(1) 2F 3F [1:1 2 3]. 4F: 1 → 0 round, 2 out [3 1 4]. 5F: 3 out [1 4 5].
  // 6F: 1 out [4 5 6]. 1F. Faults 1 2 3 4 5 6 1 = 7.
  { spec: 'clock', stream: '1 1 1 2 3 4 5 6 1', capacity: 3, faults: 7 },
  // 2-bit: 1 reaches 2. 4F: 1 → 1 round, 2 out [3 1:1 4]. 5F: 3 out [1:1 4 5]. 6F: 1 → 0
  // round, 4 out [5 1 6]. 1H. Faults 6.
  { spec: 'clock:bits=2', stream: '1 1 1 2 3 4 5 6 1', capacity: 3, faults: 6 },

  // SIEVE: 1F 2F 3F [1 2 3]; 1H v(1). 4F: hand empty → start at 1: visited, clear, step to 2:
  // evict 2, hand → 3 [1 3 4]. 5F: 3 unvisited, out, hand → 4 [1 4 5]. 1H v(1). 6F: 4 out,
  // hand → 5. Faults 6 (FIFO gives 7 here: it evicts 1 at the 4F).
  { spec: 'sieve', stream: '1 2 3 1 4 5 1 6', capacity: 3, faults: 6 },
  { spec: 'fifo', stream: '1 2 3 1 4 5 1 6', capacity: 3, faults: 7 },
  // SIEVE wrap-around: 1F 2F, 1H 2H (both visited). 3F: 1 clear → 2 clear → past the head,
  // wrap to 1: unvisited, evict; hand → 2 [2 3]. 2H (visited again). 1F: hand at 2, visited:
  // clear, step to 3: evict 3, hand empty (3 was the head) [2 1]. 2H. Faults 1 2 3 1 = 4.
  { spec: 'sieve', stream: '1 2 1 2 3 2 1 2', capacity: 2, faults: 4 },

  // LFU: 1F(1) 1H(2) 2F(1). 3F: min count 1 is 2 → out. 2F: 3 out. 3F: 2 out. 1H. Faults 5.
  { spec: 'lfu', stream: '1 1 2 3 2 3 1', capacity: 2, faults: 5 },
  // Tie: 1F 2F, 1H (1 reaches 2 first), 2H (2 reaches 2). 3F: both count 2, 1 got there
  // first → out {2:2 3:1}. 1F: 3 (count 1) out. 2H. Faults 1 2 3 1 = 4.
  { spec: 'lfu', stream: '1 2 1 2 3 1 2', capacity: 2, faults: 4 },

  // 2Q, C=4: Kin=1, Kout=2. 1-4F A1in [1 2 3 4]. 5F: |A1in|=4>1 → 1 to A1out [1]; A1in
  // [2 3 4 5]. 1F ghost hit: 2 to A1out [2]; 1 → Am [1]. 5H (A1in: no change). 6F: 3 out
  // [2 3]; A1in [4 5 6]. 1H (Am). 7F: 4 out, A1out full → drop 2 [3 4]; A1in [5 6 7].
  // 2F (no ghost): 5 out, drop 3 [4 5]; A1in [6 7 2]. 4F ghost: [5]; 6 out [5 6]; Am [1 4];
  // A1in [7 2]. 1H → Am [4 1]. 8F: 7 out, drop 5 [6 7]; A1in [2 8]. 9F: 2 out, drop 6 [7 2];
  // A1in [8 9]. 2F ghost: [7]; 8 out [7 8]; Am [4 1 2]; A1in [9]. 10F: |A1in|=1 ≤ Kin → Am's
  // LRU 4 goes, unrecorded. 1H. Faults: 1 2 3 4 5 1 6 7 2 4 8 9 2 10 = 14.
  { spec: '2q', stream: '1 2 3 4 5 1 5 6 1 7 2 4 1 8 9 2 10 1', capacity: 4, faults: 14 },
  // C=3: Kin = 0, nothing is admitted.
  { spec: '2q', stream: '1 1 1', capacity: 3, faults: 3 },

  // ARC, C=2, p=0. 1F 2F T1 [1 2]. 1H → T2 [1], T1 [2]. 3F new: |T1|+|B1|=1<2, total 2<4 →
  // REPLACE: |T1|=1>p → 2 to B1; T1 [3]. 2F in B1: δ=1, p=1; REPLACE: |T1|=1 not > 1 → T2's 1
  // to B2; T2 [2]. 1F in B2: δ=1, p=0; REPLACE(from B2): |T1|=1>0 → 3 to B1; T2 [2 1].
  // 3F in B1: p=1; T1 empty → T2's 2 to B2 [2]; T2 [1 3]. 4F new: |T1|+|B1|=0, total 3 →
  // REPLACE: T1 empty → 1 to B2 [2 1]; T1 [4]. Faults 1 2 3 2 1 3 4 = 7.
  { spec: 'arc', stream: '1 2 1 3 2 1 3 4', capacity: 2, faults: 7 },
  // Scan with |T1| = C: the LRU of T1 is dropped with no ghost, so nothing ever returns to T2.
  { spec: 'arc', stream: '1 2 3 1 2 3 1 2 3', capacity: 2, faults: 9 },

  // LIRS as the paper describes it (lirs:stack=0:hitq=keep), C=3: Lhirs=1, Llirs=2 ("g" = non-resident HIR in S). 1F 2F LIR, S [1 2]. 3F HIR:
  // S [1 2 3], Q [3]. 4F: evict 3 (stays in S as 3g); S [1 2 3g 4], Q [4]. 3F: evict 4 (4g);
  // 3 was in S → LIR, top; bottom LIR 1 → Q [1]; S [2 4g 3]. 1H: HIR not in S → S top, Q end:
  // S [2 4g 3 1]. 5F: evict 1 (1g); S [2 4g 3 1g 5], Q [5]. 4F: evict 5 (5g); 4 in S → LIR;
  // 2 demoted, Q [2]; S [3 1g 5g 4]. 2H: S [3 1g 5g 4 2]. 3H: LIR at the bottom → top, prune
  // 1g 5g: S [4 2 3]. 1F: evict 2 (2g); S [4 2g 3 1], Q [1]. 2F: evict 1 (1g); 2 in S → LIR,
  // 4 demoted, Q [4]. Faults 1 2 3 4 3 5 4 1 2 = 9 (LRU: 10).
  { spec: 'lirs:stack=0:hitq=keep', stream: '1 2 3 4 3 1 5 4 2 3 1 2', capacity: 3, faults: 9 },
  // The reference's LIRS (the default), same string: ... 3F as above: S [2 4g 3], Q [1]. 1H: not
  // in S, and the LIR set is full, so bottom LIR 2 is demoted into the one-frame Q, which
  // evicts Q's front, 1 itself; prune drops 4g; 1 goes on top of S anyway, resident in no
  // queue ("stray" 1s): S [3 1s], LIR {3}, Q [2]. 5F: a LIR frame is free: S [3 1s 5].
  // 4F: evict 2; S [3 1s 5 4], Q [4]. 2F: evict 4 (4g); S [3 1s 5 4g 2], Q [2]. 3H: bottom
  // LIR → top, prune drops the stray 1: S [5 4g 2 3]. 1F: evict 2 (2g); Q [1]. 2F: in S →
  // LIR; bottom 5 demoted after evicting 1. Faults 1 2 3 4 3 5 4 2 1 2 = 10, as cachesim gives.
  { spec: 'lirs', stream: '1 2 3 4 3 1 5 4 2 3 1 2', capacity: 3, faults: 10 },
  { spec: 'lru', stream: '1 2 3 4 3 1 5 4 2 3 1 2', capacity: 3, faults: 10 },

  // S3-FIFO, C=4 with small=0.5: s=2, m=2, g=floor(3.6)=3. 1-4F S [1 2 3 4]. 1H 1H (f=2),
  // 2H (f=1). 5F: EVICT-S: 1 f=2 → M [1] f=0; 2 f=1 → G [2]. S [3 4 5]. 2F ghost: G []; EVICT-S:
  // 3 → G [3]; M [1 2]. 1H(1) 2H 2H(2). 6F: |M|=2 not > 2 → EVICT-S: 4 → G [3 4]; S [5 6].
  // 3F ghost: G [4]; 5 → G [4 5]; M [1 2 3], S [6]. 7F: |M|=3 > 2 → EVICT-M: 1 f=1 → 0,
  // round; 2 f=2 → 1, round; 3 f=0 → out (not to G). S [6 7]. 3F (not in G): 6 → G [4 5 6].
  // 8F: 7 → G full → drop 4 [5 6 7]. 4F (dropped): 3 → G [6 7 3]. Faults 1 2 3 4 5 2 6 3 7 3 8 4 = 12.
  { spec: 's3fifo:small=0.5', stream: '1 2 3 4 1 1 2 5 2 1 2 2 6 3 7 3 8 4', capacity: 4, faults: 12 },
  // Defaults, C=20 (s=2, m=18, g=18). 1-20F into S. 1H 1H. 21F: 1 (f=2) → M; 2 → G. 2F ghost:
  // 3 → G; 2 → M. 22F: 4 → G. 1H. 3F ghost: 5 → G; 3 → M. 2H 3H. Faults 20 + 4 = 24.
  {
    spec: 's3fifo',
    stream: '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 1 1 21 2 22 1 3 2 3',
    capacity: 20,
    faults: 24,
  },
  // C=19: floor(C/10)=1, the reference admits nothing.
  { spec: 's3fifo', stream: '1 1 1 2 2', capacity: 19, faults: 5 },
  // minsmall=1, C=3: s=1, m=2, g=2. 1F 2F 3F S [1 2 3]. 1H 1H (f=2). 4F: |M|=0, so EVICT-S:
  // 1 → M (f=0); 2 → G [2]; S [3 4]. 2F ghost → G []; EVICT-S: 3 → G [3]; M [1 2], S [4].
  // 5F: |M|=2 not > 2 → EVICT-S: 4 → G [3 4]; S [5]. 1H (in M). Faults 1 2 3 4 2 5 = 6.
  { spec: 's3fifo:minsmall=1', stream: '1 2 3 1 1 4 2 5 1', capacity: 3, faults: 6 },
];

describe('hand-worked fault counts', () => {
  for (const c of cases) {
    it(`${c.spec} on "${c.stream}" with ${c.capacity} frames → ${c.faults}`, () => {
      expect(faults(c.spec, c.stream, c.capacity)).toBe(c.faults);
      // The naive reference must agree too, so a wrong hand count cannot hide in both.
      const { factory, params } = parsePolicySpec(c.spec);
      const naive = NAIVE[factory.id]!;
      expect(naive(Array.from(s(c.stream)), c.capacity, params, 0)).toBe(c.faults);
    });
  }
});

describe('simulate', () => {
  it('does not count warm-up references', () => {
    // LRU, 3 frames: the first 4 references fault; counted from the 5th on: 1 2 5 1 2 3 4 5
    // → 6 faults of the 10 total.
    const r = simulate('lru', s(ARTICLE), 3, { warmup: 4 });
    expect(r).toEqual({ faults: 6, references: 8, spec: 'lru' });
  });

  it('reports the canonical spec with every parameter', () => {
    expect(simulate('clock:bits=2', s(ARTICLE), 3).spec).toBe('clock:bits=2:load=0');
    expect(simulate('S3-FIFO', s(ARTICLE), 3).spec).toBe(
      's3fifo:small=0.1:ghost=0.9:threshold=2:promote=reset:round=floor:minsmall=0',
    );
  });

  it('rejects page ids outside maxPageId and a bad warm-up', () => {
    expect(() => simulate('lru', s('1 2 9'), 2, { maxPageId: 5 })).toThrow(/page id 9 at reference 2/);
    expect(() => simulate('lru', s('1 2'), 2, { warmup: 3 })).toThrow(/warm-up/);
  });
});
