import { describe, expect, it } from 'vitest';
import type { Host } from '../../src/kernel/host.js';
import { percentileSorted } from '../../src/kernel/latency.js';
import { LruLists } from '../../src/kernel/lru.js';
import { Generations, MAX_NR_GENS, MIN_NR_GENS, T_ANON, T_FILE, tierOf } from '../../src/kernel/mglru.js';
import { simulateHost } from '../../src/kernel/simulate.js';
import { loadScenarioFile } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';
import { cgroup, MiB, proc, scenario } from './factory.js';

const withPolicy = (sc: Scenario, policy: string): Scenario => {
  sc.host.policy = policy;
  return sc;
};

/** Every resident page sits in a generation inside its type's window [minSeq, maxSeq]. */
function generationsConsistent(h: Host): boolean {
  const g = h.state.gen!;
  for (let c = 0; c < h.state.cgs.length; c++) {
    for (let type = 0; type < 2; type++) {
      const n = g.nrGens(c, type);
      if (n < MIN_NR_GENS || n > MAX_NR_GENS) return false;
      for (let seq = g.maxSeq[c]! + 1; seq < g.minSeq[c * 2 + type]! + MAX_NR_GENS; seq++) {
        if (h.state.lru.size[g.list(c, type, seq)] !== 0) return false;
      }
    }
  }
  return true;
}

describe('MGLRU (host.policy mglru, kernel-model.md §4)', () => {
  // A database with a hot (zipf) page cache read through file descriptors, and a backup
  // streaming a 1 GiB file once through a 256 MiB host.
  const backup = (policy: string) =>
    withPolicy(
      scenario({
        durationMs: 30_000,
        processes: [
          proc('db', {
            memory: { anonBytes: 64 * MiB, fileBytes: 96 * MiB },
            fileTouchFraction: 0.5,
            access: [{ atMs: 0, pattern: { kind: 'zipf', alpha: 0.9 } }],
          }),
          proc('backup', {
            startMs: 5000,
            memory: { anonBytes: 0, fileBytes: 1024 * MiB },
            fileTouchFraction: 1,
            access: [{ atMs: 0, pattern: { kind: 'scan' } }],
          }),
        ],
      }),
      policy,
    );

  it('resists a streaming read: once-read file pages enter the second oldest generation and go first', () => {
    const dbMajor = (policy: string) => simulateHost(backup(policy)).summary.processes.db!.majorFaults;
    const mglru = dbMajor('mglru');
    const linux = dbMajor('linux');
    const lru = dbMajor('lru');
    // Measured: mglru 16.4 K, linux 23.9 K, one global LRU 39 K major faults of the db.
    expect(mglru).toBeGreaterThan(0);
    expect(mglru).toBeLessThan(0.85 * linux);
    expect(mglru).toBeLessThan(0.6 * lru);
  });

  it('conserves pages and keeps every page inside its generation window, aging as it goes', () => {
    const sc = withPolicy(
      scenario({
        cgroups: [cgroup('box', { max: 96 * MiB })],
        processes: [
          proc('a', { memory: { anonBytes: 200 * MiB, fileBytes: 80 * MiB }, fileTouchFraction: 0.3 }),
          proc('b', {
            cgroup: 'box',
            startMs: 5000,
            memory: { anonBytes: 120 * MiB, anonInitialBytes: 0, growthBytesPerSec: 40 * MiB },
          }),
        ],
        events: [{ atMs: 12_000, action: 'kill', process: 'a', label: 'kill a' }],
      }),
      'mglru',
    );
    let ok = true;
    let agings = 0;
    simulateHost(sc, {
      onTick: (h) => {
        let rss = 0;
        for (const p of h.state.procs) rss += p.rssAnon + p.rssFile;
        ok &&=
          h.residentPages() + h.state.free + h.state.kernelFrames === h.state.frames &&
          rss === h.residentPages() &&
          generationsConsistent(h);
        agings = h.state.gen!.agings;
      },
    });
    expect(ok).toBe(true);
    expect(agings).toBeGreaterThan(2);
  });

  it('is deterministic for a seed (byte-identical JSON)', () => {
    const a = JSON.stringify(simulateHost(backup('mglru')));
    expect(JSON.stringify(simulateHost(backup('mglru')))).toBe(a);
  });

  it('enforces cgroup limits: memory.max reclaims inside the cgroup, then the memcg OOM kills inside it', () => {
    const swapping = simulateHost(
      withPolicy(
        scenario({
          cgroups: [cgroup('box', { max: 48 * MiB })],
          processes: [proc('a', { cgroup: 'box', memory: { anonBytes: 96 * MiB } })],
        }),
        'mglru',
      ),
    );
    const usage = swapping.cgroups.box!.usageBytes as number[];
    expect(Math.max(...usage)).toBeLessThanOrEqual(48 * MiB);
    expect(swapping.summary.host.swapOutPages).toBeGreaterThan(0);
    expect(swapping.summary.host.oomKills).toBe(0);
    const oom = simulateHost(
      withPolicy(
        scenario({
          cgroups: [cgroup('box', { max: 32 * MiB, swapMax: 0 })],
          processes: [
            proc('hog', { cgroup: 'box', memory: { anonBytes: 64 * MiB } }),
            proc('other', { memory: { anonBytes: 32 * MiB } }),
          ],
        }),
        'mglru',
      ),
    );
    expect(oom.events.filter((e) => e.kind === 'oom-kill').map((e) => e.process)).toEqual(['hog']);
  });

  it('swappiness picks the type per batch: 0 never swaps, 200 swaps more than 60', () => {
    const run = (swappiness: number) => {
      const sc = withPolicy(
        scenario({
          processes: [
            proc('a', {
              memory: { anonBytes: 180 * MiB, fileBytes: 180 * MiB },
              fileTouchFraction: 0.5,
              access: [{ atMs: 0, pattern: { kind: 'zipf', alpha: 0.6 } }],
            }),
          ],
        }),
        'mglru',
      );
      sc.host.sysctl['vm.swappiness'] = swappiness;
      return simulateHost(sc).summary.host.swapOutPages;
    };
    expect(run(0)).toBe(0);
    const s60 = run(60);
    expect(s60).toBeGreaterThan(0);
    expect(run(200)).toBeGreaterThan(1.1 * s60);
  });
});

describe('MGLRU bookkeeping (mglru.ts)', () => {
  it('tiers are order_base_2 of the fd access count', () => {
    expect([0, 1, 2, 3, 4, 5].map(tierOf)).toEqual([0, 0, 1, 2, 2, 3]);
  });

  const gens = () => {
    const lists = new LruLists(64, 8);
    return { lists, g: new Generations(lists, 1, 64, 1) };
  };

  it('starts with MAX_NR_GENS generations; faults enter the youngest, fd reads the second oldest', () => {
    const { lists, g } = gens();
    expect(g.nrGens(0, T_ANON)).toBe(MAX_NR_GENS);
    g.add(0, 1, true, T_ANON);
    g.add(0, 2, false, T_FILE);
    expect(lists.listOf(1)).toBe(g.list(0, T_ANON, g.maxSeq[0]!));
    expect(lists.listOf(2)).toBe(g.list(0, T_FILE, g.minSeq[1]! + 1));
  });

  it('aging moves accessed pages to a new youngest generation and clears the bit', () => {
    const { lists, g } = gens();
    const flags = new Uint16Array(64);
    for (let p = 0; p < 8; p++) g.addWarm(0, p, T_ANON, false);
    flags[3] = 16;
    g.age(0, flags, 16);
    expect(g.maxSeq[0]).toBe(MIN_NR_GENS + 2);
    expect(lists.listOf(3)).toBe(g.list(0, T_ANON, g.maxSeq[0]!));
    expect(flags[3]).toBe(0);
    // The window was full: the oldest generation was folded into the next one first.
    expect(g.minSeq[0]).toBe(1);
    expect(lists.listOf(0)).toBe(g.list(0, T_ANON, 1));
  });

  it('the PID controller scans the type with the lower refault rate, weighted by swappiness', () => {
    const { g } = gens();
    // Anon tier 0: 1000 evicted, 300 refaulted; file tier 0: 1000 evicted, 10 refaulted.
    g.evicted[0] = 1000;
    g.refaulted[0] = 300;
    g.evicted[4] = 1000;
    g.refaulted[4] = 10;
    g.minSeq[0] = g.minSeq[1]!;
    expect(g.typeToScan(0, 60)).toBe(T_FILE);
    // File refaults 100 %: 1.0 / 140 > 0.3 / 60, so anon is now the cheaper type.
    g.refaulted[4] = 1000;
    expect(g.typeToScan(0, 60)).toBe(T_ANON);
    // Higher swappiness makes anon look cheaper still; low swappiness keeps file.
    g.refaulted[4] = 150;
    expect(g.typeToScan(0, 60)).toBe(T_FILE);
    expect(g.typeToScan(0, 150)).toBe(T_ANON);
    // At swappiness 0 only file is evicted; at 200 only anon.
    expect(g.typeToScan(0, 0)).toBe(T_FILE);
    expect(g.typeToScan(0, 200)).toBe(T_ANON);
  });

  it('protects tiers whose refault rate exceeds twice tier 0', () => {
    const { g } = gens();
    g.evicted[4] = 1000;
    g.refaulted[4] = 100;
    g.evicted[4 + 2] = 100;
    g.refaulted[4 + 2] = 90;
    expect(g.tierIdx(0, T_FILE)).toBe(1);
    g.refaulted[4 + 2] = 10;
    expect(g.tierIdx(0, T_FILE)).toBe(3);
  });

  it('a refault is recent only while the oldest generation has not moved', () => {
    const { g } = gens();
    g.refs[5] = 4;
    const shadow = g.evict(0, T_FILE, 5);
    expect(g.refault(0, T_FILE, 5, shadow, false)).toBe(true);
    expect(g.refaulted[4 + tierOf(4)]).toBe(1);
    g.minSeq[1]!++;
    expect(g.refault(0, T_FILE, 5, shadow, false)).toBe(false);
  });
});

describe('the reference incident under mglru', () => {
  // Its speed is measured by `npm run bench`, not here: a timed assertion fails on a loaded machine.
  it('thrashes as under the two-list LRU', () => {
    const sc = withPolicy(loadScenarioFile('scenarios/incident-spark-120g-on-64g.yaml').scenario, 'mglru');
    const out = simulateHost(sc);
    const p99 = out.processes.db!.latencyP99Ms!.slice(-300).filter((x): x is number => x !== null);
    p99.sort((a, b) => a - b);
    expect(percentileSorted(p99, 0.5)).toBeGreaterThan(60_000);
    expect(out.summary.host.faultCpuPctMax).toBeGreaterThan(85);
    expect(out.summary.host.oomKills).toBe(0);
  });
});
