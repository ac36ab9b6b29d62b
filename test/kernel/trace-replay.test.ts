import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateHost } from '../../src/kernel/simulate.js';
import { simulate } from '../../src/policies/simulate.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { loadTrace } from '../../src/traces/load.js';
import { Rng } from '../../src/util/rng.js';
import { RegionStream } from '../../src/workload/stream.js';
import { prepareWorkloads } from '../../src/workload/trace-prepare.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-trace-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A Zipf(0.9) trace over 3,000 pages, 20,000 references, written as a txt trace. */
function zipfTrace(): string {
  const s = new RegionStream(3000, new Rng(5));
  s.configure({ kind: 'zipf', alpha: 0.9 }, 3000);
  const file = join(dir, 'zipf.txt');
  writeFileSync(file, `${Array.from({ length: 20_000 }, () => s.next()).join('\n')}\n`);
  return file;
}

async function replayed(yaml: string, file = join(dir, 'scenario.yaml')): Promise<Scenario> {
  const [v] = await prepareWorkloads(loadScenarioText(yaml, file).variants);
  if (!v) throw new Error('no variant');
  return v.scenario;
}

/** One pass of `trace` by one process in a cgroup limited to `limit`, its pages anon (with swap) or file. */
const onePass = (trace: string, limit: string, region: 'anon' | 'file') => `name: replay
duration: 120s
fidelity: { mode: exact }
host:
  ram: 1Gi
  cpus: 2
  swap: { size: 1Gi, device: ssd }
cgroups:
  job: { memory.max: ${limit} }
processes:
  replay:
    cgroup: job
    touchesPerSec: 20000
    access: { pattern: trace, file: ${trace}, atEnd: stop, region: ${region} }
`;

describe('trace-driven processes in the host model', () => {
  it('replays lirs-multi1 under a 2 MiB memory.max, with no fewer faults than OPT at 512 frames', async () => {
    const sc = await replayed(onePass('traces/lirs-multi1.txt', '2Mi', 'anon'), 'test/fixtures/replay.yaml');
    const out = simulateHost(sc);
    const p = out.summary.processes.replay!;
    const stream = (await loadTrace('test/fixtures/traces/lirs-multi1.txt')).stream;
    const opt = simulate('opt', stream, 512, { maxPageId: 2606 }).faults;
    expect(p.touches).toBe(15_858);
    const faults = p.minorFaults + p.majorFaults;
    expect(faults).toBeGreaterThanOrEqual(opt);
    // Never more faults than references, and the cold misses are all there.
    expect(faults).toBeLessThanOrEqual(15_858);
    expect(p.minorFaults).toBeGreaterThanOrEqual(2606);
    expect(
      out.events.some((e) => e.kind === 'process-exit' && e.message === 'replay exited at the end of its trace'),
    ).toBe(true);
  });

  it('faults never below OPT at the same frames: three traces, three limits, anon and file pages', async () => {
    const traces = [
      { file: 'test/fixtures/traces/lirs-multi1.txt' },
      { file: 'test/fixtures/traces/msr-cambridge1-sample.page4k.txt' },
      { file: zipfTrace() },
    ];
    const rows: string[] = [];
    for (const t of traces) {
      const trace = await loadTrace(t.file);
      const stream = trace.stream;
      for (const frames of [128, 512, 1024]) {
        const opt = simulate('opt', stream, frames, { maxPageId: trace.info.distinctPages }).faults;
        const lru = simulate('lru', stream, frames, { maxPageId: trace.info.distinctPages }).faults;
        for (const region of ['anon', 'file'] as const) {
          const sc = await replayed(onePass(resolve(t.file), `${frames * 4}Ki`, region));
          let fileIn = 0;
          const p = simulateHost(sc, {
            onTick: (h) => {
              fileIn = h.state.procs[0]!.total.fileIn;
            },
          }).summary.processes.replay!;
          expect(p.touches, `${t.file} ${frames} ${region}`).toBe(stream.length);
          // Anon pages come in one fault each. File pages come by readahead too, so fewer faults
          // than pages read: what no policy can beat with these frames is OPT's count of pages
          // fetched, prefetching or not (Mattson et al. 1970: a demand policy is optimal in fetches).
          const fetched = region === 'anon' ? p.minorFaults + p.majorFaults : fileIn;
          rows.push(`${t.file.split('/').pop()} ${frames} ${region}: ${fetched} (OPT ${opt}, LRU ${lru})`);
          expect(fetched, rows[rows.length - 1]).toBeGreaterThanOrEqual(opt);
        }
      }
    }
    expect(rows).toHaveLength(18);
  });

  it('several processes replay different traces side by side, each sized by its own', async () => {
    const sc = await replayed(
      `name: two
duration: 30s
fidelity: { mode: exact }
host: { ram: 1Gi, cpus: 2 }
processes:
  a: { access: { pattern: trace, file: traces/lirs-multi1.txt, atEnd: stop } }
  b: { access: { pattern: trace, file: traces/msr-cambridge1-sample.page4k.txt, atEnd: stop, region: file } }
`,
      'test/fixtures/two.yaml',
    );
    expect(sc.processes.map((p) => [p.memory.anonBytes, p.memory.fileBytes])).toEqual([
      [2606 * 4096, 0],
      [0, 1917 * 4096],
    ]);
    const out = simulateHost(sc).summary.processes;
    // Memory is plentiful: every distinct anon page faults once and only once; the file is read
    // by mmap readahead: one major fault, then a minor fault per 16-page fault-around block
    // (1917 pages: 120 blocks) as the windows run ahead of the trace.
    expect([out.a?.touches, out.a?.minorFaults, out.a?.majorFaults]).toEqual([15_858, 2606, 0]);
    expect([out.b?.touches, out.b?.minorFaults, out.b?.majorFaults]).toEqual([2473, 120, 1]);
  });
});

describe('the bundled recorded-trace scenario', () => {
  it('at 2 MiB the trace and its miss-ratio twin fault alike per touch, but readahead makes most of the trace’s faults minor', async () => {
    const { variants } = loadScenarioText(
      readFileSync('scenarios/recorded-trace-under-a-limit.yaml', 'utf8'),
      'scenarios/recorded-trace-under-a-limit.yaml',
    );
    const v = variants.find((x) => x.id === 'recorded.memory.max-2Mi_twin.memory.max-2Mi');
    if (!v) throw new Error(`no 2 MiB variant among ${variants.map((x) => x.id).join(', ')}`);
    const [prepared] = await prepareWorkloads([v]);
    const { recorded, twin } = simulateHost(prepared!.scenario).summary.processes;
    // The curve gives 0.533 at 512 pages.
    expect(Math.abs((recorded?.faultsPerTouch ?? 0) - 0.533)).toBeLessThan(0.03);
    expect(Math.abs((twin?.faultsPerTouch ?? 0) - 0.533)).toBeLessThan(0.03);
    expect(twin?.majorFaultsPerTouch ?? 0).toBeGreaterThan(3 * (recorded?.majorFaultsPerTouch ?? 1));
  });
});
