/**
 * Naive, obviously-correct reference implementations of every policy, written straight from
 * docs/policies.md and docs/reference/policy-definitions.md with plain arrays, Sets and
 * Maps (O(C) per access). They share no code with src/policies/ except the seeded Rng, so a
 * difference in fault counts points at a bug in one of the two. Each returns the fault count.
 */
import { Rng } from '../../src/util/rng.js';

type Params = Readonly<Record<string, number | string>>;
export type NaivePolicy = (stream: readonly number[], capacity: number, params: Params, seed: number) => number;

function removeAt<T>(a: T[], x: T): void {
  const i = a.indexOf(x);
  if (i < 0) throw new Error(`naive: ${x} not in list`);
  a.splice(i, 1);
}

const fifo: NaivePolicy = (stream, c) => {
  const q: number[] = [];
  let faults = 0;
  for (const x of stream) {
    if (q.includes(x)) continue;
    faults++;
    if (q.length === c) q.shift();
    q.push(x);
  }
  return faults;
};

/** Recency list, least recent first; `evictMru` takes the other end. */
function recency(evictMru: boolean): NaivePolicy {
  return (stream, c) => {
    const r: number[] = [];
    let faults = 0;
    for (const x of stream) {
      if (r.includes(x)) {
        removeAt(r, x);
        r.push(x);
        continue;
      }
      faults++;
      if (r.length === c) {
        if (evictMru) r.pop();
        else r.shift();
      }
      r.push(x);
    }
    return faults;
  };
}

const clock: NaivePolicy = (stream, c, params) => {
  const max = 2 ** (params.bits as number) - 1;
  const q: { page: number; count: number }[] = [];
  let faults = 0;
  for (const x of stream) {
    const e = q.find((y) => y.page === x);
    if (e) {
      e.count = Math.min(e.count + 1, max);
      continue;
    }
    faults++;
    if (q.length === c) {
      for (;;) {
        const head = q.shift()!;
        if (head.count === 0) break;
        head.count--;
        q.push(head);
      }
    }
    q.push({ page: x, count: params.load as number });
  }
  return faults;
};

const sieve: NaivePolicy = (stream, c) => {
  const q: number[] = []; // index 0 = tail (oldest)
  const visited = new Map<number, boolean>();
  let hand: number | null = null; // an index into q
  let faults = 0;
  for (const x of stream) {
    if (q.includes(x)) {
      visited.set(x, true);
      continue;
    }
    faults++;
    if (q.length === c) {
      let i: number = hand ?? 0;
      while (visited.get(q[i]!)) {
        visited.set(q[i]!, false);
        i = (i + 1) % q.length;
      }
      visited.delete(q[i]!);
      q.splice(i, 1);
      hand = i < q.length ? i : null;
    }
    q.push(x);
    visited.set(x, false);
  }
  return faults;
};

const random: NaivePolicy = (stream, c, _params, seed) => {
  const rng = new Rng(seed);
  const a: number[] = [];
  let faults = 0;
  for (const x of stream) {
    if (a.includes(x)) continue;
    faults++;
    if (a.length === c) {
      const i = rng.nextInt(a.length);
      a[i] = a[a.length - 1]!;
      a.pop();
    }
    a.push(x);
  }
  return faults;
};

const lfu: NaivePolicy = (stream, c) => {
  // `since` orders pages by when they reached their current count.
  const a: { page: number; count: number; since: number }[] = [];
  let now = 0;
  let faults = 0;
  for (const x of stream) {
    now++;
    const e = a.find((y) => y.page === x);
    if (e) {
      e.count++;
      e.since = now;
      continue;
    }
    faults++;
    if (a.length === c) {
      let v = 0;
      for (let i = 1; i < a.length; i++) {
        const y = a[i]!;
        const b = a[v]!;
        if (y.count < b.count || (y.count === b.count && y.since < b.since)) v = i;
      }
      a.splice(v, 1);
    }
    a.push({ page: x, count: 1, since: now });
  }
  return faults;
};

const opt: NaivePolicy = (stream, c) => {
  const next: number[] = new Array(stream.length);
  const seen = new Map<number, number>();
  for (let i = stream.length - 1; i >= 0; i--) {
    next[i] = seen.get(stream[i]!) ?? Number.POSITIVE_INFINITY;
    seen.set(stream[i]!, i);
  }
  const resident = new Map<number, number>(); // page → its next use
  let faults = 0;
  stream.forEach((x, t) => {
    if (resident.has(x)) {
      resident.set(x, next[t]!);
      return;
    }
    faults++;
    if (resident.size === c) {
      let victim = -1;
      let far = -1;
      for (const [p, n] of resident) {
        if (n > far) {
          far = n;
          victim = p;
        }
      }
      resident.delete(victim);
    }
    resident.set(x, next[t]!);
  });
  return faults;
};

const twoQ: NaivePolicy = (stream, c, params) => {
  const kin = Math.floor(c * (params.kin as number));
  const kout = Math.floor(c * (params.kout as number));
  if (kin === 0) return stream.length;
  const a1in: number[] = []; // oldest first
  const am: number[] = []; // LRU first
  const a1out: number[] = []; // oldest first
  let faults = 0;
  for (const x of stream) {
    if (a1in.includes(x)) continue;
    if (am.includes(x)) {
      removeAt(am, x);
      am.push(x);
      continue;
    }
    faults++;
    const ghost = a1out.includes(x);
    if (ghost) removeAt(a1out, x);
    while (a1in.length + am.length >= c) {
      if (a1in.length > kin || am.length === 0) {
        const y = a1in.shift()!;
        if (kout > 0) {
          if (a1out.length >= kout) a1out.shift();
          a1out.push(y);
        }
      } else {
        am.shift();
      }
    }
    if (ghost) am.push(x);
    else a1in.push(x);
  }
  return faults;
};

const arc: NaivePolicy = (stream, c, params) => {
  const integer = params.p === 'int';
  const t1: number[] = [];
  const t2: number[] = [];
  const b1: number[] = [];
  const b2: number[] = [];
  let p = 0;
  let faults = 0;
  const replace = (fromB2: boolean) => {
    if (t1.length > 0 && (t1.length > p || (fromB2 && t1.length === p) || t2.length === 0)) b1.push(t1.shift()!);
    else b2.push(t2.shift()!);
  };
  const step = (a: number, b: number) => (integer ? Math.floor(a / b) : a / b);
  for (const x of stream) {
    if (t1.includes(x) || t2.includes(x)) {
      if (t1.includes(x)) removeAt(t1, x);
      else removeAt(t2, x);
      t2.push(x);
      continue;
    }
    faults++;
    const full = t1.length + t2.length === c;
    if (b1.includes(x)) {
      p = Math.min(p + (b2.length > b1.length ? step(b2.length, b1.length) : 1), c);
      removeAt(b1, x);
      if (full) replace(false);
      t2.push(x);
    } else if (b2.includes(x)) {
      p = Math.max(p - (b1.length > b2.length ? step(b1.length, b2.length) : 1), 0);
      removeAt(b2, x);
      if (full) replace(true);
      t2.push(x);
    } else {
      if (full) {
        if (t1.length + b1.length === c) {
          if (t1.length < c) {
            b1.shift();
            replace(false);
          } else {
            t1.shift();
          }
        } else {
          if (t1.length + t2.length + b1.length + b2.length === 2 * c) b2.shift();
          replace(false);
        }
      }
      t1.push(x);
    }
  }
  return faults;
};

const s3fifo: NaivePolicy = (stream, c, params) => {
  const smallRatio = params.small as number;
  const floored = Math.floor(c * smallRatio);
  const minSmall = params.minsmall === 1;
  if (floored <= 1 && !minSmall) return stream.length;
  const s = Math.max(floored, minSmall ? 1 : 0);
  // The paper's real test |S| >= small·C, i.e. |S| >= ceil(small·C); rounded to 6 places
  // first so that 0.1 × 30 = 3.0000000000000004 counts as 3.
  const exact = Math.round(c * smallRatio * 1e6) / 1e6;
  const sThreshold = params.round === 'real' ? Math.ceil(exact) : s;
  const g = Math.floor(c * (params.ghost as number));
  const threshold = params.threshold as number;
  const S: number[] = []; // oldest first
  const M: number[] = [];
  const G: number[] = [];
  const freq = new Map<number, number>();
  let faults = 0;
  const evictM = () => {
    for (;;) {
      const t = M.shift()!;
      const f = freq.get(t)!;
      if (f >= 1) {
        freq.set(t, Math.min(f, 3) - 1);
        M.push(t);
      } else {
        freq.delete(t);
        return;
      }
    }
  };
  const evictS = (): boolean => {
    while (S.length > 0) {
      const t = S.shift()!;
      if (freq.get(t)! >= threshold) {
        M.push(t);
        if (params.promote === 'reset') freq.set(t, 0);
      } else {
        freq.delete(t);
        if (g > 0 && !G.includes(t)) {
          if (G.length >= g) G.shift();
          G.push(t);
        }
        return true;
      }
    }
    return false;
  };
  for (const x of stream) {
    if (S.includes(x) || M.includes(x)) {
      freq.set(x, freq.get(x)! + 1);
      continue;
    }
    faults++;
    const ghostHit = G.includes(x);
    if (ghostHit) removeAt(G, x);
    while (S.length + M.length === c) {
      if (M.length > c - sThreshold || S.length === 0) evictM();
      else evictS();
    }
    freq.set(x, 0);
    if (ghostHit) M.push(x);
    else S.push(x);
  }
  return faults;
};

/**
 * LIRS with the reference simulator's choices (docs/policies.md): S bounded at stack·C by
 * dropping the earliest-made non-resident entries, a hit on a queued page outside S demoting
 * the bottom LIR page (`hitq=demote`), stray resident pages in S after a one-frame Q drops
 * the hit page, and C = 1 admitting nothing. Plain arrays and sets, rules in the order the
 * reference applies them.
 */
const lirs: NaivePolicy = (stream, c, params) => {
  const lHirs = Math.max(1, Math.floor(c * (params.hir as number)));
  const lLirs = c - lHirs;
  const stackMax = (params.stack as number) === 0 ? Number.POSITIVE_INFINITY : (params.stack as number) * c;
  const demoteOnQueueHit = params.hitq === 'demote';
  const lir = new Set<number>();
  const resident = new Set<number>(); // every page a reference hits, LIR or HIR
  const S: number[] = []; // bottom first
  const Q: number[] = []; // front = next to evict
  const NH: number[] = []; // non-resident entries of S, oldest first
  let faults = 0;
  const prune = () => {
    // The top of S is never pruned.
    while (S.length > 1 && !lir.has(S[0]!)) {
      const y = S.shift()!;
      if (!resident.has(y)) removeAt(NH, y);
      else if (!Q.includes(y)) resident.delete(y); // a stray page is forgotten
    }
  };
  const evictQ = () => {
    const y = Q.shift()!;
    resident.delete(y);
    if (S.includes(y)) NH.push(y);
  };
  const demoteBottom = () => {
    // Only after a removal can a HIR entry sit below the lowest LIR page (C = 2): dropped first.
    while (!lir.has(S[0]!)) {
      const h = S.shift()!;
      if (!resident.has(h)) removeAt(NH, h);
      else if (!Q.includes(h)) resident.delete(h);
    }
    const y = S.shift()!;
    lir.delete(y);
    if (Q.length >= lHirs) evictQ();
    Q.push(y);
    prune();
  };
  const toTop = (x: number) => {
    if (S.includes(x)) removeAt(S, x);
    S.push(x);
  };
  for (const x of stream) {
    if (resident.has(x)) {
      if (lir.has(x)) {
        toTop(x);
        prune();
      } else if (S.includes(x)) {
        toTop(x);
        if (Q.includes(x)) removeAt(Q, x);
        if (lir.size >= lLirs) demoteBottom();
        lir.add(x);
      } else {
        removeAt(Q, x);
        Q.push(x);
        if (demoteOnQueueHit && lir.size >= lLirs) demoteBottom();
        resident.add(x);
        S.push(x);
      }
    } else {
      faults++;
      if (lLirs >= 1) {
        if (S.includes(x)) {
          toTop(x);
          if (lir.size >= lLirs) demoteBottom();
          removeAt(NH, x);
          lir.add(x);
        } else if (lir.size < lLirs) {
          S.push(x);
          lir.add(x);
        } else {
          if (Q.length >= lHirs) evictQ();
          S.push(x);
          Q.push(x);
        }
        resident.add(x);
      }
    }
    while (S.length > stackMax && NH.length > 0) removeAt(S, NH.shift()!);
  }
  return faults;
};

const linux: NaivePolicy = (stream, c, params) => {
  const inactive: number[] = []; // index 0 = tail (reclaimed first)
  const active: number[] = [];
  const accessed = new Set<number>();
  const referenced = new Set<number>();
  const shadow = new Map<number, number>();
  const workingset = params.workingset === 1;
  let age = 0;
  let faults = 0;
  for (const x of stream) {
    if (inactive.includes(x) || active.includes(x)) {
      accessed.add(x);
      continue;
    }
    faults++;
    if (inactive.length + active.length === c) {
      for (;;) {
        const total = inactive.length + active.length;
        const gib = Math.floor(total / 262144);
        const ratio =
          (params.ratio as number) > 0 ? (params.ratio as number) : gib === 0 ? 1 : Math.floor(Math.sqrt(10 * gib));
        while (active.length > 0 && (inactive.length === 0 || inactive.length * ratio < active.length)) {
          const d = active.shift()!;
          accessed.delete(d);
          inactive.push(d);
        }
        const t = inactive.shift()!;
        if (!accessed.has(t)) {
          referenced.delete(t);
          shadow.set(t, age++);
          break;
        }
        accessed.delete(t);
        const wasReferenced = referenced.has(t);
        referenced.add(t);
        if (wasReferenced) {
          active.push(t);
          age++;
        } else {
          inactive.push(t);
        }
      }
    }
    const evictedAt = shadow.get(x);
    shadow.delete(x);
    if (workingset && evictedAt !== undefined && age - evictedAt <= active.length) {
      active.push(x);
      age++;
    } else {
      inactive.push(x);
    }
    accessed.add(x);
    referenced.delete(x);
  }
  return faults;
};

/** Keyed by registry id. */
export const NAIVE: Readonly<Record<string, NaivePolicy>> = {
  fifo,
  lru: recency(false),
  mru: recency(true),
  clock,
  sieve,
  random,
  lfu,
  opt,
  '2q': twoQ,
  arc,
  s3fifo,
  lirs,
  linux,
};
