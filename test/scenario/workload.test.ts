import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.js';

/** Written beside the fixture data, so that relative paths resolve as they would in a real file. */
const FILE = 'test/fixtures/scenarios/workload.yaml';
const HEAD = `name: t
duration: 10m
host: { ram: 4Gi, cpus: 4 }
processes:
`;

const load = (processes: string) => loadScenarioText(HEAD + processes, FILE);
const proc = (processes: string, i = 0) => {
  const p = load(processes).scenario.processes[i];
  if (!p) throw new Error('no process');
  return p;
};

describe('workload fields resolve', () => {
  it('defaults: address-order first touch, no stop by count, mmap file access, growth takes every touch', () => {
    const p = proc('  p: { memory: { anon: 64Mi } }\n');
    expect(p.firstTouch).toBe('address');
    expect(p.stopAfterTouches).toBe(Number.POSITIVE_INFINITY);
    expect(p.fileAccess).toEqual({ via: 'mmap', advice: 'normal', readAheadKb: 128 });
    expect(p.memory).toMatchObject({ growthShare: 1, anonAdvice: 'normal', sizedByTrace: null });
    expect(p.cpu).toEqual({ threads: 1, cores: 1, perTouchUs: 0.1 });
    expect(p.access).toEqual([{ atMs: 0, atTouches: 0, pattern: { kind: 'uniform' }, touchesPerSec: null }]);
  });

  it('touchesPerSec max is Infinity with its CPU per touch; stopAfterTouches and rank order as given', () => {
    const p = proc(`  p:
    memory: { anon: 64Mi, anonInitial: 16Mi, growthPerSec: 8Mi, growthShare: 0.25, anonAdvice: hugepage }
    touchesPerSec: max
    cpu: { perTouch: 0.5us }
    stopAfterTouches: 1000000
    firstTouch: rank
`);
    expect(p.touchesPerSec).toBe(Number.POSITIVE_INFINITY);
    expect(p.cpu.perTouchUs).toBe(0.5);
    expect(p.stopAfterTouches).toBe(1_000_000);
    expect(p.firstTouch).toBe('rank');
    expect(p.memory).toMatchObject({ growthShare: 0.25, anonAdvice: 'hugepage' });
  });

  it('phases by touch count, with their own rates; a phase without a pattern keeps the previous one', () => {
    const p = proc(`  p:
    memory: { anon: 64Mi }
    touchesPerSec: max
    access:
      pattern: scan
      phases:
        - { afterTouches: 16384, pattern: zipf, alpha: 0.9, touchesPerSec: 1000 }
        - { afterTouches: 100000, touchesPerSec: max }
`);
    expect(p.access).toEqual([
      { atMs: 0, atTouches: 0, pattern: { kind: 'scan' }, touchesPerSec: null },
      { atMs: 0, atTouches: 16384, pattern: { kind: 'zipf', alpha: 0.9 }, touchesPerSec: 1000 },
      { atMs: 0, atTouches: 100000, pattern: { kind: 'zipf', alpha: 0.9 }, touchesPerSec: Number.POSITIVE_INFINITY },
    ]);
  });

  it('closed-loop requests keep their clients and think time, with N/(S+Z) as the sizing bound', () => {
    const p = proc(`  db:
    requests: { clients: 8, thinkTime: 15ms, cpu: 5ms, pagesPerRequest: 100 }
`);
    expect(p.requests).toEqual({
      ratePerSec: 400,
      cpuMs: 5,
      pagesPerRequest: 100,
      closed: { clients: 8, thinkTimeMs: 15 },
      wake: 'event',
    });
    const open = proc('  db: { requests: { ratePerSec: 40, cpu: 5ms, pagesPerRequest: 100 } }\n');
    expect(open.requests?.closed).toBeNull();
    const timer = proc('  db: { requests: { ratePerSec: 40, cpu: 5ms, pagesPerRequest: 100, wake: timer } }\n');
    expect(timer.requests?.wake).toBe('timer');
  });

  it('file access as written', () => {
    const p = proc(`  reader:
    memory: { file: 1Gi }
    fileAccess: { via: read, advice: sequential, readAheadKb: 512 }
`);
    expect(p.fileAccess).toEqual({ via: 'read', advice: 'sequential', readAheadKb: 512 });
  });

  it('a trace: path beside the scenario, reader flags, its position, and its region sized when read', () => {
    const loaded = load(`  replay:
    access:
      pattern: trace
      file: ../traces/msr-cambridge1-sample.csv
      read: { expandPages: true, ops: [Read] }
      timing: timestamps
      atEnd: stop
`);
    const p = loaded.scenario.processes[0];
    expect(p?.access[0]?.pattern).toEqual({
      kind: 'trace',
      file: 'test/fixtures/traces/msr-cambridge1-sample.csv',
      format: 'auto',
      read: { ids: 'auto', expandPages: true, offsetUnit: 1, lenient: false, ops: ['Read'] },
      timing: 'timestamps',
      // detected as msr: Windows FILETIME, 100 ns
      timeUnitMs: 1e-4,
      atEnd: 'stop',
      region: 'anon',
      where: `${FILE}:8:13`,
      prepared: null,
    });
    expect(p?.memory).toMatchObject({ anonBytes: 0, sizedByTrace: 'anon' });
    const sized = proc(`  replay:
    memory: { file: 16Mi }
    access: { pattern: trace, file: ../traces/lirs-multi1.txt, region: file }
`);
    expect(sized.memory).toMatchObject({ fileBytes: 16 * 2 ** 20, sizedByTrace: null });
  });

  it('an mrc curve is read when the scenario loads and sizes its region', () => {
    const loaded = load(`  synth:
    access: { pattern: mrc, file: data/rising-curve.csv }
`);
    const p = loaded.scenario.processes[0];
    expect(p?.access[0]?.pattern).toEqual({
      kind: 'mrc',
      file: 'test/fixtures/scenarios/data/rising-curve.csv',
      region: 'anon',
      frames: [1, 2, 3, 4],
      // 0.52 at 3 frames rises above 0.5: the running minimum is kept
      missRatio: [0.9, 0.5, 0.5, 0.1],
      distinctPages: 4,
    });
    expect(p?.memory.anonBytes).toBe(4 * 4096);
    expect(loaded.warnings.map((w) => w.message)).toEqual([
      'the curve rises at 1 size(s), which an LRU curve cannot (a sampled estimate); its running minimum is used',
    ]);
  });

  it('sweeps a rate between a number and max', () => {
    const loaded = load(`  p: { memory: { anon: 64Mi } }
sweep:
  matrix:
    processes.p.touchesPerSec: [1000, max]
`);
    expect(loaded.variants.map((v) => [v.id, v.scenario.processes[0]?.touchesPerSec])).toEqual([
      ['touchesPerSec-1000', 1000],
      ['touchesPerSec-max', Number.POSITIVE_INFINITY],
    ]);
  });
});
