import { describe, expect, it } from 'vitest';
import { simulateHost } from '../../src/kernel/simulate.js';
import { cgroup, MiB, proc, scenario } from './factory.js';

/** A 64 MiB parent forks at 5 s (a snapshot child, as Redis BGSAVE); the child touches its whole image. */
const forked = (cowWriteFraction: number, childCgroup = '') =>
  scenario({
    cgroups: [cgroup('snap')],
    processes: [
      proc('redis', { memory: { anonBytes: 64 * MiB } }),
      proc('bgsave', {
        cgroup: childCgroup,
        startMs: 5000,
        forkOf: 'redis',
        cowWriteFraction,
        memory: { anonBytes: 64 * MiB },
      }),
    ],
  });

const at = (xs: (number | null)[], s: number) => xs[s] as number;

describe('fork with copy-on-write (forkOf, cowWriteFraction)', () => {
  it('a child that writes nothing adds ~no memory, yet its RSS counts the shared pages', () => {
    const out = simulateHost(forked(0));
    const before = at(out.host.memAnonBytes!, 3);
    const after = at(out.host.memAnonBytes!, 15);
    expect(before).toBeGreaterThan(60 * MiB);
    expect(after - before).toBeLessThan(MiB);
    expect(at(out.processes.bgsave!.rssBytes!, 15)).toBeGreaterThan(60 * MiB);
    expect(at(out.processes.redis!.rssBytes!, 15)).toBeGreaterThan(60 * MiB);
    expect(out.summary.processes.bgsave!.minorFaults).toBe(0);
  });

  it('a child that writes everything doubles it: each first write is a minor fault copying the page', () => {
    const out = simulateHost(forked(1));
    const before = at(out.host.memAnonBytes!, 3);
    const after = at(out.host.memAnonBytes!, 15);
    expect(after / before).toBeGreaterThan(1.95);
    expect(after / before).toBeLessThan(2.05);
    expect(out.summary.processes.bgsave!.minorFaults).toBe(16_384);
    expect(at(out.processes.bgsave!.rssBytes!, 15)).toBeGreaterThan(62 * MiB);
  });

  it('copies are charged to the child cgroup, shared pages stay with the parent', () => {
    const half = simulateHost(forked(0.5, 'snap'));
    const snap = at(half.cgroups.snap!.usageBytes!, 15);
    expect(snap).toBeGreaterThan(28 * MiB);
    expect(snap).toBeLessThan(36 * MiB);
    // RSS counts private and shared pages alike.
    expect(at(half.processes.bgsave!.rssBytes!, 15)).toBeGreaterThan(62 * MiB);
  });

  it('conserves frames and frees only private copies when the child is killed', () => {
    const sc = forked(0.5);
    sc.events = [{ atMs: 12_000, action: 'kill', process: 'bgsave', label: 'done' }];
    let ok = true;
    const out = simulateHost(sc, {
      onTick: (h) => {
        let usage = 0;
        for (const p of h.state.procs) usage += p.rssAnon + p.rssFile;
        ok &&=
          h.residentPages() + h.state.free + h.state.kernelFrames === h.state.frames && usage === h.residentPages();
      },
    });
    expect(ok).toBe(true);
    expect(at(out.processes.redis!.rssBytes!, 15)).toBeGreaterThan(60 * MiB);
    expect(Math.abs(at(out.host.memAnonBytes!, 15) - at(out.host.memAnonBytes!, 3))).toBeLessThan(MiB);
  });

  it('OOM badness counts shared pages in the child: a memcg OOM picks by RSS including them', () => {
    const sc = forked(0, 'snap');
    // A small private hog beside the child in the same limited cgroup: the child (64 MiB of
    // shared RSS) scores higher, as Linux's get_mm_rss does.
    sc.cgroups = [cgroup('snap', { max: 24 * MiB, swapMax: 0 })];
    sc.processes.push(
      proc('hog', {
        cgroup: 'snap',
        startMs: 8000,
        memory: { anonBytes: 40 * MiB, anonInitialBytes: 0, growthBytesPerSec: 20 * MiB },
      }),
    );
    const kill = simulateHost(sc).events.find((e) => e.kind === 'oom-kill');
    expect(kill?.process).toBe('bgsave');
    expect(Number(kill!.detail!.rssBytes)).toBeGreaterThan(60 * MiB);
  });
});
