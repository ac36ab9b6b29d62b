import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.js';
import { combinations, expandSweep, shortKeys } from '../../src/scenario/sweep.js';
import { DiagnosticsError } from '../../src/util/errors.js';

describe('combinations (GitHub Actions semantics)', () => {
  const matrix = { a: [1, 2], b: ['x', 'y', 'z'] };

  it('is the cartesian product, first key slowest', () => {
    expect(combinations({ matrix })).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 2, b: 'z' },
    ]);
  });

  it('exclude removes combinations matching every key of an entry', () => {
    expect(combinations({ matrix, exclude: [{ a: 1, b: 'y' }, { b: 'z' }] })).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
  });

  it('include extends matching combinations, never overwriting matrix values, or adds its own', () => {
    const combos = combinations({
      matrix,
      exclude: [{ b: 'z' }],
      include: [
        { a: 1, c: 'extra' },
        { a: 1, c: 'again' },
        { a: 3, b: 'w' },
        { b: 'x', a: 1, d: true },
      ],
    });
    expect(combos).toEqual([
      { a: 1, b: 'x', c: 'again', d: true },
      { a: 1, b: 'y', c: 'again' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 3, b: 'w' },
    ]);
  });

  it('counts a larger product', () => {
    expect(combinations({ matrix: { a: [1, 2, 3], b: [1, 2], c: [1, 2, 3, 4] } })).toHaveLength(24);
  });
});

describe('variant ids', () => {
  it('uses the shortest unique suffix of each path', () => {
    const s = shortKeys([
      'processes.spark.stop',
      'cgroups.batch.memory.max',
      'cgroups.db.memory.max',
      'host.sysctl.vm.swappiness',
      'cgroups.batch.memory.soft_limit_in_bytes',
    ]);
    expect([...s.values()]).toEqual(['stop', 'batch.memory.max', 'db.memory.max', 'swappiness', 'soft-limit']);
  });

  it('is readable, filesystem-safe and unique', () => {
    const points = expandSweep({
      matrix: {
        'processes.spark.stop': ['never', '10m'],
        'host.policy': ['clock:bits=2', 'linux'],
        'host.sysctl.vm.swappiness': [10, null],
      },
    });
    const ids = points.map((p) => p.id);
    expect(ids[0]).toBe('stop-never_policy-clock-bits-2_swappiness-10');
    expect(ids).toContain('stop-10m_policy-linux_swappiness-null');
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('keeps ids when values are added to another key', () => {
    const before = expandSweep({ matrix: { a: [1, 2], b: ['x'] } });
    const after = expandSweep({ matrix: { a: [1, 2, 3], b: ['x', 'y'] } });
    const afterIds = new Map(after.map((p) => [JSON.stringify(p.params), p.id]));
    for (const p of before) expect(afterIds.get(JSON.stringify(p.params))).toBe(p.id);
  });

  it('is deterministic', () => {
    const input = { matrix: { 'x.y': ['a b', 'a-b', 'a/b'], z: [1.5] } };
    expect(expandSweep(input)).toEqual(expandSweep(input));
    expect(expandSweep(input).map((p) => p.id)).toEqual(['y-a-b_z-1.5', 'y-a-b_z-1.5-2', 'y-a-b_z-1.5-3']);
  });

  it('shortens over-long ids with a hash', () => {
    const long = 'v'.repeat(150);
    const [a, b] = expandSweep({ matrix: { k: [long, `${long}w`] } });
    expect(a?.id.length).toBeLessThanOrEqual(100);
    expect(a?.id).not.toBe(b?.id);
  });

  it('is `base` without params', () => {
    expect(expandSweep({ matrix: {}, include: [{}] }).map((p) => p.id)).toEqual(['base']);
  });
});

describe('sweeps in scenario files', () => {
  const head = `name: t
duration: 10m
host: { ram: 4Gi, cpus: 4, swap: { size: 1Gi } }
cgroups:
  system.slice/db.service: {}
  batch:
processes:
  db: { cgroup: system.slice/db.service, memory: { anon: 64Mi } }
  spark: { cgroup: batch, memory: { anon: 64Mi } }
`;

  it('resolves paths through dotted keys and applies values', () => {
    const { variants } = loadScenarioText(
      `${head}sweep:
  matrix:
    cgroups.system.slice/db.service.memory.max: [max, 1Gi]
    cgroups.batch.memory.soft_limit_in_bytes: [none, 512Mi]
    host.policy: [linux, mglru, "clock:bits=2"]
  exclude:
    - host.policy: mglru
      cgroups.batch.memory.soft_limit_in_bytes: 512Mi
  include:
    - host.policy: linux
      host.swap.device: nvme
`,
      's.yaml',
    );
    expect(variants).toHaveLength(10);
    const v = variants.find((x) => x.id === 'max-1Gi_soft-limit-512Mi_policy-linux_device-nvme');
    expect(v?.scenario.cgroups.find((c) => c.path === 'system.slice/db.service')?.max).toBe(2 ** 30);
    expect(v?.scenario.cgroups.find((c) => c.path === 'batch')?.softLimit).toBe(512 * 2 ** 20);
    expect(v?.scenario.host.swap.device).toBe('nvme');
    expect(variants.find((x) => x.id.includes('policy-clock'))?.scenario.host.policy).toBe('clock:bits=2:load=0');
    expect(v?.params).toEqual({
      'cgroups.system.slice/db.service.memory.max': '1Gi',
      'cgroups.batch.memory.soft_limit_in_bytes': '512Mi',
      'host.policy': 'linux',
      'host.swap.device': 'nvme',
    });
  });

  it('reports a semantic problem of one variant at its value in sweep:', () => {
    try {
      loadScenarioText(
        `${head}sweep:\n  matrix:\n    processes.spark.start: [1m, 20m]\n    processes.spark.stop: [never, 5m]\n`,
        's.yaml',
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DiagnosticsError);
      expect((err as DiagnosticsError).message).toBe(
        's.yaml:13:35: error: processes.spark.stop: expected a stop after start (20m), found "5m"',
      );
    }
  });

  it('sweeps list entries by index', () => {
    const { variants } = loadScenarioText(
      `${head}events:\n  - { at: 1m, kill: spark }\nsweep:\n  matrix:\n    events.0.at: [1m, 5m]\n`,
      's.yaml',
    );
    expect(variants.map((v) => [v.id, v.scenario.events[0]?.atMs])).toEqual([
      ['at-1m', 60_000],
      ['at-5m', 300_000],
    ]);
  });

  it('rejects a path that names a section, not a field', () => {
    expect(() => loadScenarioText(`${head}sweep:\n  matrix:\n    host.swap: [a]\n`, 's.yaml')).toThrow(
      /s\.yaml:12:5: error: sweep\.matrix\.host\.swap: sweep path "host\.swap" names a section/,
    );
  });

  it('rejects a sweep that excludes everything', () => {
    expect(() =>
      loadScenarioText(`${head}sweep:\n  matrix:\n    host.cpus: [2]\n  exclude:\n    - host.cpus: 2\n`, 's.yaml'),
    ).toThrow(/the sweep has no combinations left/);
  });
});
