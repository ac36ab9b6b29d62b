import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exactHistogram, MissCurve } from '../../src/analysis/mrc.js';
import { evenSizes } from '../../src/analysis/mrc-run.js';
import { type KernelOutput, simulateHost } from '../../src/kernel/simulate.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import { loadTrace } from '../../src/traces/load.js';
import { prepareWorkloads } from '../../src/workload/trace-prepare.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-workloads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = `name: w
seed: 3
fidelity: { mode: exact }
host: { ram: 1Gi, cpus: 4, swap: { size: 1Gi, device: ssd } }
`;

async function run(yaml: string): Promise<KernelOutput> {
  const file = join(dir, 'scenario.yaml');
  const [v] = await prepareWorkloads(loadScenarioText(HEAD + yaml, file).variants);
  if (!v) throw new Error('no variant');
  return simulateHost(v.scenario);
}

describe('touchesPerSec: max', () => {
  it('touches as fast as the CPU allows: one core at 1 µs a touch is 1 M touches/s', async () => {
    const out = await run(`duration: 10s
processes:
  p: { memory: { anon: 16Mi }, touchesPerSec: max, cpu: { perTouch: 1us } }
  q: { memory: { anon: 16Mi }, touchesPerSec: max, cpu: { perTouch: 1us, threads: 2, cores: 2 } }
`);
    const { p, q } = out.summary.processes;
    expect(Math.abs((p?.touches ?? 0) - 10_000_000)).toBeLessThanOrEqual(32);
    expect(Math.abs((q?.touches ?? 0) - 20_000_000)).toBeLessThanOrEqual(64);
    expect([p?.faultsPerTouch, q?.faultsPerTouch]).toEqual([0, 0]);
  });

  it('its rate falls with fault costs: a cold fill of 4,096 pages at 1 µs CPU a minor fault', async () => {
    const out = await run(`duration: 10s
processes:
  p: { start: 1s, memory: { anon: 16Mi }, touchesPerSec: max, cpu: { perTouch: 1us } }
`);
    const p = out.summary.processes.p;
    expect(p?.minorFaults).toBe(4096);
    // 9 s of one core, less 4,096 minor faults of 1 µs each.
    expect(Math.abs((p?.touches ?? 0) - (9_000_000 - 4096))).toBeLessThanOrEqual(32);
    expect(p?.faultsPerTouch).toBeCloseTo(4096 / 8_995_904, 6);
  });
});

describe('stopAfterTouches and phases by touch count', () => {
  it('exits after exactly N touches, when it reaches them', async () => {
    const out = await run(`duration: 10s
processes:
  p: { memory: { anon: 16Mi }, touchesPerSec: max, cpu: { perTouch: 1us }, stopAfterTouches: 2500000 }
`);
    expect(out.summary.processes.p?.touches).toBe(2_500_000);
    const exit = out.events.find((e) => e.kind === 'process-exit');
    expect(exit?.message).toBe('p exited after 2500000 touches');
    expect(exit?.timeMs).toBe(2400);
  });

  it('a fast fill then a slow loop: each phase with its rate, and touches and faults per touch per phase', async () => {
    const out = await run(`duration: 3s
step: 1ms
processes:
  p:
    start: 1s
    memory: { anon: 16Mi }
    touchesPerSec: max
    cpu: { perTouch: 1us }
    access:
      pattern: scan
      phases:
        - { afterTouches: 4096, pattern: uniform, touchesPerSec: 1000 }
`);
    const phases = out.summary.phases;
    expect(phases.map((ph) => ph.name)).toEqual(['start', 'p started', 'p phase 1 (uniform)']);
    // The fill: 4,096 touches at 1 µs + 1 µs of minor fault each, 8.192 ms after the start at 1 s.
    const [, fill, loop] = phases;
    expect(fill?.startMs).toBe(1000);
    expect(loop?.startMs).toBeCloseTo(1008.192, 6);
    // Per-phase figures sum the output steps inside the phase: the 8 whole steps of 1 ms
    // (500 touches each at 2 µs), all first touches; the fill's last 96 fall in the next step.
    expect(fill?.processes.p).toMatchObject({ touches: 4000, minorFaults: 4000, faultsPerTouch: 1 });
    expect(out.summary.processes.p?.minorFaults).toBe(4096);
    // Then 1,000 touches a second for the remaining 1.99 s, none of them faulting (the 96
    // faults here are the fill's last step's).
    expect(loop?.processes.p?.minorFaults).toBe(96);
    // (A process runs in chunks of 32 touches: the last one may end after the run does.)
    expect(Math.abs((loop?.processes.p?.touches ?? 0) - 96 - 1992)).toBeLessThanOrEqual(32);
  });
});

describe('growth mixed with re-touching', () => {
  it('growthShare gives that share of the touches to new pages; the rest re-touch allocated pages', async () => {
    const yaml = (share: number) => `duration: 1s
step: 100ms
processes:
  loader:
    memory: { anon: 40Mi, anonInitial: 4Mi, growthPerSec: 80Mi, growthShare: ${share} }
    touchesPerSec: 10000
`;
    const all = (await run(yaml(1))).summary.processes.loader;
    const half = (await run(yaml(0.5))).summary.processes.loader;
    // Every touch allocates while growth waits: 10,000 touches, 9,216 grown pages, all touched.
    expect(all?.minorFaults).toBe(9216);
    // Half of them: ~5,000 new pages (binomial, ±3σ = ±150), and re-touches never fault.
    expect(Math.abs((half?.minorFaults ?? 0) - 5000)).toBeLessThan(150);
    expect(half?.majorFaults).toBe(0);
    // Fewer faults leave more CPU for touching.
    expect(half?.touches ?? 0).toBeGreaterThan(all?.touches ?? 0);
  });
});

describe('first-touch order', () => {
  it('after a fill larger than its limit, rank order (hottest first) faults more in the next pass than address order', async () => {
    const majors = async (order: string, limit: string) => {
      const out = await run(`duration: 30s
cgroups:
  job: { memory.max: ${limit} }
processes:
  p:
    cgroup: job
    start: 1s
    firstTouch: ${order}
    memory: { anon: 16Mi }
    touchesPerSec: 20000
    stopAfterTouches: 8192
    access: { pattern: zipf, alpha: 1 }
`);
      return out.summary.processes.p?.majorFaults ?? 0;
    };
    // The fill (4,096 first touches) faults no page in; the next 4,096 touches are the first pass.
    // Rank order evicts the hottest pages it touched first: measured 1,036 vs 754 (50 %) and
    // 795 vs 378 (75 %) major faults.
    for (const limit of ['8Mi', '12Mi']) {
      const rank = await majors('rank', limit);
      const address = await majors('address', limit);
      expect(rank / address, limit).toBeGreaterThan(1.3);
    }
  });
});

describe('closed-loop requests in the host', () => {
  it('two clients, two threads, no faults: latency is the CPU, throughput N/(S+Z)', async () => {
    const out = await run(`duration: 60s
processes:
  db:
    memory: { anon: 64Mi }
    cpu: { threads: 2, cores: 2 }
    requests: { clients: 2, thinkTime: 50ms, cpu: 10ms, pagesPerRequest: 20 }
`);
    const db = out.summary.processes.db;
    expect(db?.latencyMs?.meanMs).toBeCloseTo(10, 6);
    const served = (db?.latencyMs?.count ?? 0) / 60;
    expect(served / (2 / 0.06)).toBeGreaterThan(0.96);
    expect(served / (2 / 0.06)).toBeLessThan(1.04);
  });
});

describe('traces at their own timestamps', () => {
  it('issues each reference at its time, and loops at the trace’s mean rate', async () => {
    const file = join(dir, 'timed.csv');
    const rows = Array.from({ length: 100 }, (_, i) => `${i * 10},${i % 10}`);
    writeFileSync(file, `time,obj_id\n${rows.join('\n')}\n`);
    const once = await run(`duration: 5s
processes:
  t: { access: { pattern: trace, file: ${file}, timing: timestamps, timeUnit: ms, atEnd: stop } }
`);
    expect(once.summary.processes.t?.touches).toBe(100);
    const exit = once.events.find((e) => e.kind === 'process-exit');
    expect(exit?.message).toBe('t exited at the end of its trace');
    // The last reference is due at 990 ms: the trace ends in the tick that starts at 900 ms.
    expect(exit?.timeMs).toBe(900);
    const looped = await run(`duration: 5s
processes:
  t: { access: { pattern: trace, file: ${file}, timing: timestamps, timeUnit: ms } }
`);
    // A period of 1,000 ms (990 ms of span plus one mean gap): 500 references in 5 s.
    expect(looped.summary.processes.t?.touches).toBe(500);
  });
});

describe('a stream from a miss-ratio curve in the host model', () => {
  it('faults per touch under a limit follow the curve it was made from', async () => {
    const trace = await loadTrace('test/fixtures/traces/lirs-multi1.txt');
    const curve = new MissCurve(exactHistogram(trace.stream, 2606));
    const lines = evenSizes(2606, 200).map((f) => `lru,exact-stack,${f},0,${curve.ratio(f)}`);
    const file = join(dir, 'multi1-mrc.csv');
    writeFileSync(file, `policy,method,frames,faults,fault_ratio\n${lines.join('\n')}\n`);
    const out = await run(`duration: 20s
cgroups:
  job: { memory.max: 4Mi }
processes:
  synth:
    cgroup: job
    touchesPerSec: 20000
    access: { pattern: mrc, file: ${file} }
`);
    const p = out.summary.processes.synth;
    // 1,024 frames: the exact LRU miss ratio there is 0.518; the Linux model is near LRU.
    expect(curve.ratio(1024)).toBeCloseTo(0.518, 3);
    expect(Math.abs((p?.faultsPerTouch ?? 0) - curve.ratio(1024))).toBeLessThan(0.03);
  });
});
