import { describe, expect, it } from 'vitest';
import {
  globalOomTotalPages,
  memcgOomTotalPages,
  type OomCgroups,
  type OomProcesses,
  procOomScore,
  selectOomVictims,
} from '../../../src/kernel/mechanisms/oom.js';
import { oomBadness } from '../../../src/linux/mm.js';

interface P {
  name: string;
  cgroup?: number;
  rss: number;
  swap?: number;
  pt?: number;
  adj?: number;
  alive?: boolean;
  dying?: boolean;
}

function table(ps: P[]): OomProcesses {
  return {
    count: ps.length,
    names: ps.map((p) => p.name),
    cgroup: Int32Array.from(ps.map((p) => p.cgroup ?? -1)),
    rssPages: Float64Array.from(ps.map((p) => p.rss)),
    swapPages: Float64Array.from(ps.map((p) => p.swap ?? 0)),
    pageTablePages: Float64Array.from(ps.map((p) => p.pt ?? 0)),
    oomScoreAdj: Int16Array.from(ps.map((p) => p.adj ?? 0)),
    alive: Uint8Array.from(ps.map((p) => (p.alive === false ? 0 : 1))),
    dying: Uint8Array.from(ps.map((p) => (p.dying ? 1 : 0))),
  };
}

const NO_CGROUPS: OomCgroups = { names: [], parent: [], oomGroup: [] };
const HOST = 1_048_576; // 4 GiB of 4 KiB pages, no swap

describe('oom_badness and oom_score', () => {
  it('sums rss, swap and page tables, then adds adj·⌊totalpages/1000⌋', () => {
    expect(oomBadness(1000, 200, 10, 0, 1_000_999)).toBe(1210);
    // ⌊1 000 999/1000⌋ = 1000: 1210 + 500·1000
    expect(oomBadness(1000, 200, 10, 500, 1_000_999)).toBe(501_210);
    // negative badness stays eligible (5.9+)
    expect(oomBadness(1000, 200, 10, -500, 1_000_999)).toBe(-498_790);
    expect(oomBadness(1e9, 0, 0, -1000, 1_000_999)).toBeNull();
  });
  it('oom_score maps badness into 0..2000 (·2/3 of 1000 + permille)', () => {
    // half of RAM+swap: 1000·524 288/1 048 576 = 500 → (1000 + 500)·2/3 = 1000
    expect(procOomScore(524_288, HOST)).toBe(1000);
    expect(procOomScore(0, HOST)).toBe(666); // 2000/3 = 666.7, truncated
    expect(procOomScore(HOST, HOST)).toBe(1333);
    // adj 1000 on a process using all of 1 000 000 pages: badness 1e6 + 1000·1000 = 2e6 → (1000 + 2000)·2/3 = 2000
    expect(procOomScore(oomBadness(1e6, 0, 0, 1000, 1e6), 1e6)).toBe(2000);
    // with 1 048 576 pages ⌊total/1000⌋ = 1048 rounds the adj term down: 2 096 576·1000/1 048 576 → 1999 → 1999
    expect(procOomScore(oomBadness(HOST, 0, 0, 1000, HOST), HOST)).toBe(1999);
    // negative: (1000 − 500)·2/3 = 333.3 → 333
    expect(procOomScore(-524_288, HOST)).toBe(333);
    expect(procOomScore(null, HOST)).toBe(0);
  });
  it('totalpages per scope', () => {
    expect(globalOomTotalPages(HOST, 262_144)).toBe(1_310_720);
    expect(memcgOomTotalPages(1000, 500, 300)).toBe(1300);
    expect(memcgOomTotalPages(1000, Number.POSITIVE_INFINITY, 300)).toBe(1300);
    expect(memcgOomTotalPages(1000, 500, 300, 0)).toBe(1000);
    expect(memcgOomTotalPages(0, 0, 0)).toBe(1);
  });
});

describe('selectOomVictims: global', () => {
  it('kills the largest rss + swap + page tables', () => {
    const d = selectOomVictims(
      table([
        { name: 'db', rss: 300_000 },
        { name: 'spark', rss: 200_000, swap: 150_000, pt: 1000 },
        { name: 'web', rss: 100_000 },
      ]),
      NO_CGROUPS,
      { kind: 'global', totalPages: HOST },
    );
    expect(d.victims.map((v) => v.name)).toEqual(['spark']);
    expect(d.victims[0]!.badness).toBe(351_000);
    expect(d.victims[0]!.oomScore).toBe(Math.trunc(((1000 + Math.trunc(351_000_000 / HOST)) * 2) / 3));
    expect(d.reason).toBe('global OOM: killed spark (badness 351000, oom_score 889, oom_score_adj 0)');
  });
  it('oom_score_adj moves the choice; −1000 is never chosen', () => {
    const procs = table([
      { name: 'db', rss: 300_000, adj: -1000 },
      { name: 'batch', rss: 50_000, adj: 300 }, // 50 000 + 300·1048 = 364 400
      { name: 'web', rss: 200_000 },
    ]);
    const d = selectOomVictims(procs, NO_CGROUPS, { kind: 'global', totalPages: HOST });
    expect(d.victims.map((v) => v.name)).toEqual(['batch']);
    expect(d.victims[0]!.badness).toBe(364_400);
  });
  it('ties go to the last process visited (points >= chosen_points)', () => {
    const d = selectOomVictims(
      table([
        { name: 'a', rss: 1000 },
        { name: 'b', rss: 1000 },
        { name: 'c', rss: 10 },
      ]),
      NO_CGROUPS,
      { kind: 'global', totalPages: HOST },
    );
    expect(d.victims[0]!.name).toBe('b');
  });
  it('skips dead processes; nobody killable → no victim', () => {
    const d = selectOomVictims(
      table([
        { name: 'gone', rss: 9e6, alive: false },
        { name: 'sshd', rss: 100, adj: -1000 },
      ]),
      NO_CGROUPS,
      { kind: 'global', totalPages: HOST },
    );
    expect(d.victims).toEqual([]);
    expect(d.aborted).toBe(false);
    expect(d.reason).toBe('global OOM: no killable process (the kernel would panic)');
  });
  it('aborts while an earlier victim is still exiting', () => {
    const d = selectOomVictims(
      table([
        { name: 'big', rss: 9e5 },
        { name: 'victim', rss: 10, dying: true },
      ]),
      NO_CGROUPS,
      { kind: 'global', totalPages: HOST },
    );
    expect(d.aborted).toBe(true);
    expect(d.victims).toEqual([]);
  });
});

describe('selectOomVictims: memcg scope and memory.oom.group', () => {
  // 0 batch (oom.group), 1 web, 2 batch/job (oom.group), 3 batch/job2
  const cgroups: OomCgroups = {
    names: ['batch', 'web', 'batch/job', 'batch/job2'],
    parent: Int32Array.of(-1, -1, 0, 0),
    oomGroup: Uint8Array.of(1, 0, 1, 0),
  };
  const procs = table([
    { name: 'web-1', cgroup: 1, rss: 900_000 },
    { name: 'job-a', cgroup: 2, rss: 100_000 },
    { name: 'job-b', cgroup: 2, rss: 50_000 },
    { name: 'job2', cgroup: 3, rss: 80_000 },
    { name: 'job2-guard', cgroup: 3, rss: 10, adj: -1000 },
    { name: 'init-ish', cgroup: -1, rss: 5 },
  ]);

  it('a memcg OOM never kills outside the cgroup, and uses the cgroup limit as totalpages', () => {
    const d = selectOomVictims(procs, cgroups, {
      kind: 'memcg',
      cgroup: 3,
      totalPages: 100_000,
      hostTotalPages: HOST,
    });
    // only job2 and job2-guard are in scope; job2-guard is −1000
    expect(d.victims.map((v) => v.name)).toEqual(['job2']);
    expect(d.groupCgroup).toBeNull();
    expect(d.reason.startsWith('memcg OOM in batch/job2: killed job2')).toBe(true);
  });

  it('the highest oom.group cgroup up to the OOM domain is killed whole, except −1000', () => {
    const global = selectOomVictims(procs, cgroups, { kind: 'global', totalPages: HOST });
    expect(global.victims[0]!.name).toBe('web-1'); // web has no oom.group
    expect(global.victims).toHaveLength(1);

    const batch = selectOomVictims(procs, cgroups, {
      kind: 'memcg',
      cgroup: 0,
      totalPages: 300_000,
      hostTotalPages: HOST,
    });
    // victim job-a (batch/job); batch/job and batch both have oom.group → batch (the highest) is killed whole
    expect(batch.groupCgroup).toBe(0);
    expect(batch.victims.map((v) => v.name)).toEqual(['job-a', 'job-b', 'job2']);
    expect(batch.reason).toContain('memory.oom.group of batch: also killed job-b, job2');

    const job = selectOomVictims(procs, cgroups, {
      kind: 'memcg',
      cgroup: 2,
      totalPages: 200_000,
      hostTotalPages: HOST,
    });
    // the walk stops at the OOM domain batch/job, even though batch also has oom.group
    expect(job.groupCgroup).toBe(2);
    expect(job.victims.map((v) => v.name)).toEqual(['job-a', 'job-b']);
  });

  it('memcg scope visits cgroups in pre-order, so a tie goes to the deeper-visited process', () => {
    // 0 a, 1 b, 2 a/c (created after b). Equal badness: p0 in a/c, p1 in a.
    const cg: OomCgroups = { names: ['a', 'b', 'a/c'], parent: Int32Array.of(-1, -1, 0), oomGroup: new Uint8Array(3) };
    const ps = table([
      { name: 'in-a/c', cgroup: 2, rss: 500 },
      { name: 'in-a', cgroup: 0, rss: 500 },
    ]);
    // pre-order from a: a (in-a), then a/c (in-a/c) → in-a/c is visited last and wins
    expect(
      selectOomVictims(ps, cg, { kind: 'memcg', cgroup: 0, totalPages: 1000, hostTotalPages: HOST }).victims[0]!.name,
    ).toBe('in-a/c');
    // global: task-list (index) order → in-a wins
    expect(selectOomVictims(ps, cg, { kind: 'global', totalPages: HOST }).victims[0]!.name).toBe('in-a');
  });

  it('a victim still exiting outside the memcg does not block a memcg OOM', () => {
    const ps = table([
      { name: 'elsewhere', cgroup: 1, rss: 10, dying: true },
      { name: 'job', cgroup: 2, rss: 10 },
    ]);
    const d = selectOomVictims(ps, cgroups, { kind: 'memcg', cgroup: 2, totalPages: 100, hostTotalPages: HOST });
    expect(d.aborted).toBe(false);
    expect(d.victims[0]!.name).toBe('job');
  });
});
