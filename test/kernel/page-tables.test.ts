import { describe, expect, it } from 'vitest';
import { simulateHost } from '../../src/kernel/simulate.js';
import { cgroup, host, MiB, proc, scenario } from './factory.js';

/** One 64 MiB process in cgroup `app` (limit `maxBytes` when given) on a 1 GiB host. */
function app(opts: {
  fixedBytes?: number;
  maxBytes?: number;
  stopMs?: number;
  pattern: 'scan' | 'uniform';
  durationMs: number;
}) {
  return scenario({
    durationMs: opts.durationMs,
    host: host({ ramBytes: 1024 * MiB }),
    cgroups: [cgroup('app', opts.maxBytes === undefined ? {} : { max: opts.maxBytes })],
    processes: [
      proc('a', {
        cgroup: 'app',
        startMs: 100,
        ...(opts.stopMs === undefined ? {} : { stopMs: opts.stopMs }),
        memory: { anonBytes: 64 * MiB, anonInitialBytes: 64 * MiB, fixedBytes: opts.fixedBytes ?? 0 },
        access: [{ atMs: 0, pattern: { kind: opts.pattern } }],
        touchesPerSec: opts.pattern === 'scan' ? 1e6 : 200_000,
      }),
    ],
  });
}

describe('page tables (pte_alloc with __GFP_ACCOUNT)', () => {
  it('a process holds one page-table page per 512 pages it touched, charged to its memcg, freed at exit', () => {
    const sc = app({ durationMs: 4000, stopMs: 3000, pattern: 'scan' });
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
      simulateHost(app({ durationMs: 6000, maxBytes: maxMiB * MiB, pattern: 'uniform' })).summary.processes.a!
        .majorFaults;
    expect(run(64)).toBeGreaterThan(0);
    expect(run(65)).toBe(0);
  });

  it('fixed memory (memory.fixed) is charged as the process starts, beside its page tables, and freed at exit', () => {
    const sc = app({ durationMs: 4000, stopMs: 3000, fixedBytes: 168 * 1024, pattern: 'scan' });
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
      simulateHost(app({ durationMs: 6000, maxBytes: 64 * MiB + 160 * 1024, fixedBytes, pattern: 'uniform' })).summary
        .processes.a!.majorFaults;
    // 32 page-table pages fit in the 40 spare pages; 32 + 42 do not.
    expect(run(0)).toBe(0);
    expect(run(168 * 1024)).toBeGreaterThan(0);
  });
});
