import { describe, expect, it } from 'vitest';
import { Host } from '../../src/kernel/host.js';
import { simulateHost } from '../../src/kernel/simulate.js';
import { ACT, LRU_ACTIVE_ANON, LRU_LISTS, type ProcRt, REF, RES, SC, WB, YOUNG } from '../../src/kernel/state.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { InputError } from '../../src/util/errors.js';
import { cgroup, GiB, host, MiB, proc, scenario, sum } from './factory.js';

describe('page accounting', () => {
  it('conserves frames: resident + free = frames after every tick', () => {
    const sc = scenario({
      processes: [
        proc('a', { memory: { anonBytes: 200 * MiB, fileBytes: 80 * MiB }, fileTouchFraction: 0.3 }),
        proc('b', {
          startMs: 5000,
          memory: { anonBytes: 100 * MiB, anonInitialBytes: 0, growthBytesPerSec: 40 * MiB },
        }),
      ],
      events: [{ atMs: 12_000, action: 'kill', process: 'a', label: 'kill a' }],
    });
    let ticks = 0;
    simulateHost(sc, {
      onTick: (h) => {
        ticks++;
        // Page-table frames are neither on an LRU list nor free.
        expect(h.residentPages() + h.state.free + h.state.kernelFrames).toBe(h.state.frames);
        let usage = 0;
        for (const p of h.state.procs) usage += p.rssAnon + p.rssFile;
        expect(usage).toBe(h.residentPages());
      },
    });
    expect(ticks).toBe(200);
  });

  it('is deterministic for a seed (byte-identical JSON)', () => {
    const sc = scenario({ processes: [proc('a', { memory: { anonBytes: 300 * MiB } })] });
    expect(JSON.stringify(simulateHost(sc))).toBe(JSON.stringify(simulateHost(scenario({ ...sc }))));
  });

  it('never has more major faults with more RAM on a stable workload', () => {
    const run = (ram: number) =>
      simulateHost(
        scenario({
          host: host({ ramBytes: ram }),
          processes: [
            proc('a', {
              memory: { anonBytes: 320 * MiB },
              access: [{ atMs: 0, pattern: { kind: 'zipf', alpha: 0.9 } }],
            }),
          ],
        }),
      ).summary.host.majorFaults;
    const faults = [192, 256, 320].map((m) => run(m * MiB));
    expect(faults[0]).toBeGreaterThan(faults[1]!);
    expect(faults[1]).toBeGreaterThan(faults[2]!);
  });
});

describe('anon/file balancing (get_scan_count)', () => {
  const run = (swappiness: number) => {
    const sc = scenario({
      processes: [
        proc('a', {
          memory: { anonBytes: 180 * MiB, fileBytes: 180 * MiB },
          fileTouchFraction: 0.5,
          access: [{ atMs: 0, pattern: { kind: 'zipf', alpha: 0.6 } }],
        }),
      ],
    });
    sc.host.sysctl['vm.swappiness'] = swappiness;
    return simulateHost(sc).summary.host.swapOutPages;
  };
  it('swaps far more anon at swappiness 200 than at 0', () => {
    const s0 = run(0);
    const s200 = run(200);
    expect(s200).toBeGreaterThan(4 * Math.max(1, s0));
  });
});

describe('refault detection and reclaim modes', () => {
  it('activates refaulting working-set pages (workingset_refault)', () => {
    let activations = 0;
    simulateHost(
      scenario({
        processes: [
          proc('a', { memory: { anonBytes: 300 * MiB }, access: [{ atMs: 0, pattern: { kind: 'zipf', alpha: 1 } }] }),
        ],
      }),
      { onTick: (h) => (activations = h.state.cgs[0]!.refaultActivateAnon) },
    );
    expect(activations).toBeGreaterThan(0);
  });

  it('accounts kswapd reclaim on the host and direct reclaim as the allocating process stall', () => {
    let kswapd = 0;
    let direct = 0;
    const slow = scenario({
      processes: [proc('a', { memory: { anonBytes: 300 * MiB, anonInitialBytes: 0, growthBytesPerSec: 30 * MiB } })],
    });
    const out = simulateHost(slow, { onTick: (h) => (kswapd += h.state.counters.scanKswapd) });
    expect(kswapd).toBeGreaterThan(0);
    expect(sum(out.host.cpuReclaimPct!)).toBeGreaterThan(0);
    // A fast allocator on a slow disk outruns kswapd, whose writeback is throttled.
    const fast = scenario({
      host: host({ device: 'hdd' }),
      processes: [
        proc('a', {
          cpu: { threads: 4, cores: 4 },
          memory: { anonBytes: 400 * MiB, anonInitialBytes: 0, growthBytesPerSec: 400 * MiB },
        }),
      ],
    });
    simulateHost(fast, { onTick: (h) => (direct += h.state.counters.scanDirect) });
    expect(direct).toBeGreaterThan(0);
  });

  it('kswapd reclaim is host memory pressure (balance_pgdat inside psi_memstall_enter), FULL on its own CPU', () => {
    // A slow grower: kswapd keeps free memory above min, so the process never reclaims itself.
    const sc = scenario({
      processes: [proc('a', { memory: { anonBytes: 300 * MiB, anonInitialBytes: 0, growthBytesPerSec: 20 * MiB } })],
    });
    let direct = 0;
    const ownStall = new Float64Array(20);
    const out = simulateHost(sc, {
      onTick: (h, ms) => {
        direct += h.state.counters.scanDirect;
        const t = h.state.procs[0]!.tick;
        ownStall[Math.ceil(ms / 1000) - 1]! += t.reclaimStallSec + t.memstallIoSec;
      },
    });
    expect(direct).toBe(0);
    const some = out.host.psiSomePct!;
    const full = out.host.psiFullPct!;
    const reclaim = out.host.cpuReclaimPct!;
    // Steps where only kswapd reclaimed and the process took no memory stall of its own.
    const kswapdOnly = some.map((_, i) => i).filter((i) => (reclaim[i] ?? 0) > 0.1 && ownStall[i] === 0);
    expect(kswapdOnly.length).toBeGreaterThan(0);
    for (const i of kswapdOnly) {
      expect(some[i]).toBeGreaterThan(0);
      // kswapd runs on a CPU of its own: nothing productive there while it reclaims.
      expect(full[i]).toBeCloseTo(some[i]!, 6);
    }
  });

  it("kswapd's writes are paced over the tick: the outcome does not hang on the tick length", () => {
    // Queued all at the start of each tick, a tick's worth of swap-out sat ahead of every read
    // issued early in it: the incident's major faults moved 19 % between 50 ms and 200 ms
    // ticks (13.0 M vs 10.6 M); paced, 7 % (14.4 M vs 15.4 M).
    const incident = loadScenarioFile('scenarios/incident-spark-120g-on-64g.yaml').scenario;
    const run = (tickMs: number) =>
      simulateHost({ ...incident, host: { ...incident.host, kernel: { ...incident.host.kernel, tickMs } } }).summary;
    const fine = run(50);
    const coarse = run(200);
    expect(fine.host.majorFaults).toBeGreaterThan(1e7);
    expect(Math.abs(coarse.host.majorFaults / fine.host.majorFaults - 1)).toBeLessThan(0.1);
  });

  it('sampled get_scan_count works on real list sizes: a list under 4096 sampled pages is scanned at DEF_PRIORITY', () => {
    // At 1/64, 'small' holds 1000 sampled pages (64 000 real, 15 real pages per pass at priority 12)
    // and 'big' 20 000. On sampled sizes 1000 >> 12 = 0: 'small' was never scanned while 'big'
    // met each pass's goal at DEF_PRIORITY.
    const sc = scenario({
      host: host({ ramBytes: 8 * GiB }),
      cgroups: [cgroup('small'), cgroup('big')],
      processes: [
        proc('s', { cgroup: 'small', memory: { anonBytes: 1000 * 64 * 4096 } }),
        proc('b', { cgroup: 'big', memory: { anonBytes: 16 * GiB } }),
      ],
    });
    const h = new Host(sc, 1 / 64, { oomKill: () => {}, swapFull: () => {} });
    const [s, b] = h.state.procs as [ProcRt, ProcRt];
    for (let i = 0; i < 1000; i++) h.warmInsert(s, s.anonBase + i, false);
    let page = b.anonBase;
    while (h.warmInsert(b, page, false)) page++;
    expect(page - b.anonBase).toBeGreaterThan(4096);
    h.setKswapdWriteBudget(Number.POSITIVE_INFINITY);
    const small = h.state.cgs[h.cgroupIndex('small')]!;
    for (let i = 0; i < 400; i++) {
      h.touch(b, page++);
      h.kswapdRun(1);
    }
    // Up to 15/64 of a page per pass: 74 pages over 400 passes here, none on sampled sizes.
    expect(small.pgscan).toBeGreaterThan(40);
  });

  it('a page referenced twice on the inactive list is activated with PG_referenced kept (folio_check_references)', () => {
    for (const device of ['zram', 'ssd'] as const) {
      const h = new Host(
        scenario({ host: host({ device }), processes: [proc('a', { memory: { anonBytes: 64 * MiB } })] }),
        1,
        {
          oomKill: () => {},
          swapFull: () => {},
        },
      );
      const p = h.state.procs[0]!;
      const flags = h.state.flags;
      // 64 warm pages aged once (accessed bit cleared), then one at the tail used twice.
      for (let q = p.anonBase; q < p.anonBase + 64; q++) {
        expect(h.warmInsert(p, q, false)).toBe(true);
        flags[q] = flags[q]! & ~YOUNG;
      }
      const used = p.anonBase + 63;
      flags[used] = flags[used]! | YOUNG | REF;
      const freed = h.reclaimCgroup(p.cg, 32, p);
      if (device === 'zram') {
        // SWP_SYNCHRONOUS_IO: a written page is freed at once.
        expect(freed).toBeGreaterThanOrEqual(32);
      } else {
        // A disk write completes later: a page written stays in the swap cache under writeback
        // until then (pageout -> folio_end_writeback), so reclaim frees fewer than it took, and
        // every page it wrote is either freed or still there.
        let inFlight = 0;
        for (let q = p.anonBase; q < p.anonBase + 64; q++)
          if ((flags[q]! & (RES | SC | WB)) === (RES | SC | WB)) inFlight++;
        expect(freed).toBeLessThan(32);
        expect(freed + inFlight).toBeGreaterThanOrEqual(32);
        expect(freed + inFlight).toBe(h.state.counters.swapOutPages);
      }
      expect(flags[used]! & (ACT | REF | YOUNG)).toBe(ACT | REF);
      expect(h.state.lru.listOf(used)).toBe(p.cg * LRU_LISTS + LRU_ACTIVE_ANON);
    }
  });

  it('kswapd throttled by writeback stops scanning instead of scanning on for nothing', () => {
    const sc = scenario({
      host: host({ ramBytes: 1 * GiB }),
      processes: [proc('a', { memory: { anonBytes: 2 * GiB } })],
    });
    const h = new Host(sc, 1, { oomKill: () => {}, swapFull: () => {} });
    const p = h.state.procs[0]!;
    let page = p.anonBase;
    while (h.warmInsert(p, page, false)) page++;
    // Pages reclaim has aged once (accessed bit cleared): the first one kswapd meets needs a swap-out.
    for (let q = p.anonBase; q < page; q++) h.state.flags[q] = h.state.flags[q]! & ~YOUNG;
    while (h.freeFrames() >= h.state.wmLow) h.touch(p, page++);
    expect(h.state.kswapdAwake).toBe(true);
    h.setKswapdWriteBudget(0);
    h.kswapdRun(4);
    expect(h.state.kswapdProgress).toBe(false);
    // The one page it could not write, not one per SWAP_CLUSTER_MAX batch of the priority's scan
    // (262 144 >> 12 = 64 pages: two batches, and ~64 calls at sampled rates where a batch is one page).
    expect(h.state.counters.scanKswapd).toBe(1);
    h.setKswapdWriteBudget(Number.POSITIVE_INFINITY);
    h.kswapdRun(4);
    expect(h.state.kswapdProgress).toBe(true);
  });
});

describe('cgroups', () => {
  it('global reclaim does not depend on the order the cgroups are declared in', () => {
    // Stopping the memcg walk once the batch was reclaimed let the first cgroup pay for every
    // batch: declaring batch before db took the incident's db major faults from 6.5 M to 3.5 M
    // and its p99 from 14.6 to 4.7 min. Every memcg is now visited (shrink_node_memcgs).
    const incident = loadScenarioFile('scenarios/incident-spark-120g-on-64g.yaml').scenario;
    const asDeclared = simulateHost(incident).summary.processes;
    const reversed = simulateHost({ ...incident, cgroups: [...incident.cgroups].reverse() }).summary.processes;
    expect(asDeclared.db!.majorFaults).toBeGreaterThan(1e6);
    expect(Math.abs(reversed.db!.majorFaults / asDeclared.db!.majorFaults - 1)).toBeLessThan(0.1);
    expect(Math.abs(reversed.spark!.majorFaults / asDeclared.spark!.majorFaults - 1)).toBeLessThan(0.1);
  });

  it('memory.max: the cgroup OOM kills the process inside it, not outside', () => {
    const out = simulateHost(
      scenario({
        cgroups: [cgroup('box', { max: 32 * MiB, swapMax: 0 })],
        processes: [
          proc('hog', { cgroup: 'box', memory: { anonBytes: 64 * MiB } }),
          proc('other', { memory: { anonBytes: 32 * MiB } }),
        ],
      }),
    );
    const kills = out.events.filter((e) => e.kind === 'oom-kill');
    expect(kills.map((k) => k.process)).toEqual(['hog']);
    expect(out.summary.processes.other!.oomKilled).toBe(false);
    expect(out.summary.host.oomKills).toBe(1);
  });

  it('oom_score_adj -1000 is never chosen', () => {
    const out = simulateHost(
      scenario({
        cgroups: [cgroup('box', { max: 48 * MiB, swapMax: 0 })],
        processes: [
          proc('big', { cgroup: 'box', oomScoreAdj: -1000, memory: { anonBytes: 40 * MiB } }),
          proc('small', { cgroup: 'box', memory: { anonBytes: 30 * MiB } }),
        ],
      }),
    );
    const victims = out.events.filter((e) => e.kind === 'oom-kill').map((e) => e.process);
    expect(victims).toContain('small');
    expect(victims).not.toContain('big');
  });

  const tenants = (db: Partial<Parameters<typeof cgroup>[1]>, batch: Partial<Parameters<typeof cgroup>[1]>) =>
    scenario({
      cgroups: [cgroup('db', db), cgroup('batch', batch)],
      processes: [
        proc('db', { cgroup: 'db', memory: { anonBytes: 96 * MiB }, touchesPerSec: 5000 }),
        proc('batch', { cgroup: 'batch', memory: { anonBytes: 256 * MiB }, touchesPerSec: 50_000 }),
      ],
    });

  it('memory.low protects a cgroup from global reclaim', () => {
    const open = simulateHost(tenants({}, {})).summary.processes.db!.majorFaults;
    const prot = simulateHost(tenants({ low: 112 * MiB }, {})).summary.processes.db!.majorFaults;
    expect(open).toBeGreaterThan(100);
    expect(prot).toBeLessThan(open / 4);
  });

  it('v1 soft limit: the cgroup over its soft limit is reclaimed first, but the others are not spared', () => {
    const open = simulateHost(tenants({}, {})).summary.processes.db!.majorFaults;
    const soft = simulateHost(tenants({}, { softLimit: 16 * MiB, origin: 'v1' })).summary.processes.db!.majorFaults;
    expect(soft).toBeLessThan(open / 2);
    // balance_pgdat and shrink_zones run the regular pass after the soft-limit one: unlike
    // memory.low (0 faults above), a soft limit on the batch leaves the db in global reclaim
    // (37 499 faults open, 11 189 with the soft limit; 0 when the soft pass replaced the regular one).
    expect(soft).toBeGreaterThan(open / 10);
  });

  it('memory.high throttles the cgroup instead of killing it', () => {
    const out = simulateHost(
      scenario({
        cgroups: [cgroup('box', { high: 48 * MiB, swapMax: 0 })],
        processes: [
          proc('a', {
            cgroup: 'box',
            memory: { anonBytes: 96 * MiB, anonInitialBytes: 0, growthBytesPerSec: 32 * MiB },
          }),
        ],
      }),
    );
    expect(sum(out.cgroups.box!.throttledMsPerSec!)).toBeGreaterThan(0);
    expect(out.summary.host.oomKills).toBe(0);
    expect(Math.max(...(out.cgroups.box!.usageBytes! as number[]))).toBeLessThan(60 * MiB);
  });
});

describe('refusals', () => {
  it('refuses a scenario too large even when sampled, before allocating', () => {
    const sc = scenario({
      host: host({ ramBytes: 2048 * GiB }),
      durationMs: 3_600_000,
      processes: [proc('a', { memory: { anonBytes: 4096 * GiB }, touchesPerSec: 1e9 })],
    });
    expect(() => simulateHost(sc)).toThrow(InputError);
  });
});

describe('registry policies (host.policy other than linux)', () => {
  const looped = (policy: string) => {
    const sc = scenario({
      processes: [
        proc('a', { memory: { anonBytes: 300 * MiB }, access: [{ atMs: 0, pattern: { kind: 'loop', fraction: 1 } }] }),
      ],
    });
    sc.host.policy = policy;
    return sc;
  };

  it('replaces the two-list with one global policy: a loop larger than RAM defeats LRU, not MRU', () => {
    let conserved = true;
    const lru = simulateHost(looped('lru'), {
      onTick: (h) => {
        let rss = 0;
        for (const p of h.state.procs) rss += p.rssAnon + p.rssFile;
        conserved &&=
          h.residentPages() + h.state.free + h.state.kernelFrames === h.state.frames && rss === h.residentPages();
      },
    }).summary.host.majorFaults;
    const mru = simulateHost(looped('mru')).summary.host.majorFaults;
    expect(conserved).toBe(true);
    expect(mru).toBeLessThan(lru / 2);
  });

  it('refuses OPT and cgroup limits it cannot enforce', () => {
    expect(() => simulateHost(looped('opt'))).toThrow(/whole reference stream/);
    const sc = looped('clock');
    sc.cgroups = [cgroup('box', { max: 32 * MiB })];
    expect(() => simulateHost(sc)).toThrow(/cannot be enforced/);
  });
});
