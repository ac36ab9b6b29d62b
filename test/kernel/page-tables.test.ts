import { describe, expect, it } from 'vitest';
import { simulateHost } from '../../src/kernel/simulate.js';
import { cgroup, host, MiB, proc, scenario } from './factory.js';

describe('page tables (pte_alloc with __GFP_ACCOUNT)', () => {
  it('a process holds one page-table page per 512 pages it touched, charged to its memcg, freed at exit', () => {
    const sc = scenario({
      durationMs: 4000,
      host: host({ ramBytes: 1024 * MiB }),
      cgroups: [cgroup('app')],
      processes: [
        proc('a', {
          cgroup: 'app',
          startMs: 100,
          stopMs: 3000,
          memory: { anonBytes: 64 * MiB, anonInitialBytes: 64 * MiB },
          access: [{ atMs: 0, pattern: { kind: 'scan' } }],
          touchesPerSec: 1e6,
        }),
      ],
    });
    const seen: { pt: number; usage: number; rss: number }[] = [];
    simulateHost(sc, {
      onTick: (h) => {
        const p = h.state.procs[0]!;
        const cg = h.state.cgs.find((c) => c.path === 'app')!;
        seen.push({ pt: p.ptFrames, usage: cg.usage, rss: p.rssAnon + p.rssFile });
        expect(h.residentPages() + h.state.free + h.state.kernelFrames).toBe(h.state.frames);
      },
    });
    // 64 MiB is 16 384 pages: 32 page-table pages once every page has been touched.
    const full = seen.find((x) => x.rss === (64 * MiB) / 4096)!;
    expect(full.pt).toBe(32);
    expect(full.usage).toBe(full.rss + 32);
    // Gone with the address space.
    expect(seen.at(-1)).toEqual({ pt: 0, usage: 0, rss: 0 });
  });

  it('a limit exactly the size of the working set no longer holds it: the page tables push it over', () => {
    const run = (maxMiB: number) =>
      simulateHost(
        scenario({
          durationMs: 6000,
          host: host({ ramBytes: 1024 * MiB }),
          cgroups: [cgroup('app', { max: maxMiB * MiB })],
          processes: [
            proc('a', {
              cgroup: 'app',
              startMs: 100,
              memory: { anonBytes: 64 * MiB, anonInitialBytes: 64 * MiB },
              access: [{ atMs: 0, pattern: { kind: 'uniform' } }],
              touchesPerSec: 200_000,
            }),
          ],
        }),
      ).summary.processes.a!.majorFaults;
    expect(run(64)).toBeGreaterThan(0);
    expect(run(65)).toBe(0);
  });

  it('fixed memory (memory.fixed) is charged as the process starts, beside its page tables, and freed at exit', () => {
    const sc = scenario({
      durationMs: 4000,
      host: host({ ramBytes: 1024 * MiB }),
      cgroups: [cgroup('app')],
      processes: [
        proc('a', {
          cgroup: 'app',
          startMs: 100,
          stopMs: 3000,
          memory: { anonBytes: 64 * MiB, anonInitialBytes: 64 * MiB, fixedBytes: 168 * 1024 },
          access: [{ atMs: 0, pattern: { kind: 'scan' } }],
          touchesPerSec: 1e6,
        }),
      ],
    });
    const seen: { fixed: number; usage: number; rss: number; pt: number }[] = [];
    simulateHost(sc, {
      onTick: (h) => {
        const p = h.state.procs[0]!;
        const cg = h.state.cgs.find((c) => c.path === 'app')!;
        seen.push({ fixed: p.fixedFrames, usage: cg.usage, rss: p.rssAnon + p.rssFile, pt: p.ptFrames });
        expect(h.residentPages() + h.state.free + h.state.kernelFrames).toBe(h.state.frames);
      },
    });
    // 168 KiB is 42 pages, charged before the first touch.
    const first = seen.find((x) => x.fixed > 0)!;
    expect(first.fixed).toBe(42);
    const full = seen.find((x) => x.rss === (64 * MiB) / 4096)!;
    expect(full.usage).toBe(full.rss + 32 + 42);
    expect(seen.at(-1)).toEqual({ fixed: 0, usage: 0, rss: 0, pt: 0 });
  });

  it('fixed memory takes room from the working set under a limit: 64 MiB + page tables no longer fits in 64.2 MiB', () => {
    const run = (fixedBytes: number) =>
      simulateHost(
        scenario({
          durationMs: 6000,
          host: host({ ramBytes: 1024 * MiB }),
          cgroups: [cgroup('app', { max: 64 * MiB + 160 * 1024 })],
          processes: [
            proc('a', {
              cgroup: 'app',
              startMs: 100,
              memory: { anonBytes: 64 * MiB, anonInitialBytes: 64 * MiB, fixedBytes },
              access: [{ atMs: 0, pattern: { kind: 'uniform' } }],
              touchesPerSec: 200_000,
            }),
          ],
        }),
      ).summary.processes.a!.majorFaults;
    // 32 page-table pages fit in the 40 spare pages; 32 + 42 do not.
    expect(run(0)).toBe(0);
    expect(run(168 * 1024)).toBeGreaterThan(0);
  });
});
