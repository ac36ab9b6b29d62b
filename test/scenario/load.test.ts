import { describe, expect, it } from 'vitest';
import { defaultMinFreeKbytes } from '../../src/linux/mm.js';
import { loadScenarioFile, loadScenarioText } from '../../src/scenario/load.js';
import { parseSystemdSize } from '../../src/scenario/resolve.js';
import { DiagnosticsError } from '../../src/util/errors.js';

const BASE = `name: t
duration: 10m
host: { ram: 4Gi, cpus: 4 }
`;

function load(extra: string, head = BASE) {
  return loadScenarioText(head + extra, 'mem.yaml');
}

function errorsOf(text: string): string[] {
  try {
    loadScenarioText(text, 'mem.yaml');
  } catch (err) {
    if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => `${d.pos?.line}:${d.path}: ${d.message}`);
    throw err;
  }
  return [];
}

describe('the incident scenario', () => {
  const loaded = loadScenarioFile('scenarios/incident-spark-120g-on-64g.yaml');

  it('resolves units and defaults', () => {
    const s = loaded.scenario;
    expect(s.host.ramBytes).toBe(64 * 2 ** 30);
    expect(s.host.swap).toMatchObject({
      sizeBytes: 128 * 2 ** 30,
      device: 'custom',
      readLatencyUs: 1000,
      writeLatencyUs: 1000,
      iops: 16_000,
      bandwidthBytesPerSec: 250e6,
      // No figure of its own: readahead reads at the sequential bandwidth.
      readaheadBytesPerSec: 250e6,
      queueDepth: 32,
    });
    expect(s.host.sysctl['vm.min_free_kbytes']).toBe(32768);
    expect(s.durationMs).toBe(30 * 60_000);
    const spark = s.processes.find((p) => p.name === 'spark');
    expect(spark).toMatchObject({ startMs: 120_000, stopMs: Number.POSITIVE_INFINITY, cgroup: 'batch' });
    expect(spark?.memory.growthBytesPerSec).toBe(256 * 2 ** 20);
    expect(s.processes.find((p) => p.name === 'db')?.requests).toEqual({
      ratePerSec: 12,
      cpuMs: 180,
      pagesPerRequest: 1500,
      closed: null,
      wake: 'event',
    });
  });

  it('expands the sweep into 16 variants with the swept values applied', () => {
    expect(loaded.variants).toHaveLength(16);
    const v = loaded.variants.find((x) => x.id === 'stop-10m_max-36Gi_swappiness-10_soft-limit-8Gi');
    expect(v).toBeDefined();
    const batch = v?.scenario.cgroups.find((c) => c.path === 'batch');
    expect(batch).toMatchObject({ max: 36 * 2 ** 30, softLimit: 8 * 2 ** 30 });
    expect(v?.scenario.host.sysctl['vm.swappiness']).toBe(10);
    expect(v?.scenario.processes.find((p) => p.name === 'spark')?.stopMs).toBe(600_000);
    expect(loaded.scenario.cgroups.find((c) => c.path === 'batch')?.max).toBe(Number.POSITIVE_INFINITY);
  });

  it('parses the expectations', () => {
    expect(loaded.scenario.expect.map((e) => [e.metric, e.aggregation, e.op, e.threshold])).toEqual([
      ['processes.db.latencyMs', 'p(99)', '<', 1000],
      ['host.faultCpuPct', 'max', '<', 50],
      ['oomKills', 'value', '==', 0],
    ]);
    expect(loaded.scenario.expect[0]?.where).toMatch(/^scenarios\/incident-spark-120g-on-64g\.yaml:\d+:\d+$/);
  });
});

describe('units', () => {
  it('reads Ki/Mi/Gi as powers of 1024 and K/M/G as powers of 1000', () => {
    const bin = load('processes:\n  p: { memory: { anon: 1Gi, file: 512Mi } }\n');
    const dec = load('processes:\n  p: { memory: { anon: 1G, file: 512M } }\n');
    expect(bin.scenario.processes[0]?.memory.anonBytes).toBe(1073741824);
    expect(dec.scenario.processes[0]?.memory.anonBytes).toBe(1e9);
    expect(bin.scenario.processes[0]?.memory.fileBytes).toBe(536870912);
    expect(dec.scenario.processes[0]?.memory.fileBytes).toBe(512e6);
  });

  it('reads systemd sizes with systemd units (K/M/G are powers of 1024)', () => {
    expect(parseSystemdSize('4G', 0)).toBe(4 * 2 ** 30);
    expect(parseSystemdSize('512M', 0)).toBe(512 * 2 ** 20);
    expect(parseSystemdSize('infinity', 0)).toBe(Number.POSITIVE_INFINITY);
    expect(parseSystemdSize('50%', 8 * 2 ** 30)).toBe(4 * 2 ** 30);
    expect(parseSystemdSize('4Gi', 0)).toBeUndefined();
  });

  it('computes min_free_kbytes as the kernel does', () => {
    expect(defaultMinFreeKbytes(4 * 2 ** 30)).toBe(8192);
    expect(defaultMinFreeKbytes(16 * 2 ** 30)).toBe(16384);
    expect(defaultMinFreeKbytes(64 * 2 ** 20)).toBe(1024);
    expect(defaultMinFreeKbytes(2 ** 20)).toBe(128);
    expect(defaultMinFreeKbytes(16 * 2 ** 40)).toBe(262144);
  });
});

describe('cgroups', () => {
  it('implies missing parents, parents first, and maps systemd and Kubernetes sugar', () => {
    const s = load(`cgroups:
  system.slice/db.service:
    systemd: { MemoryHigh: 1G, MemoryMax: 2G }
  kubepods/burstable/web:
    kubernetes: { requests: { memory: 1Gi }, limits: { memory: 2Gi }, memoryQoS: tiered }
  kubepods/guaranteed/api:
    kubernetes: { limits: { memory: 1Gi }, memoryQoS: tiered }
  legacy:
    memory.limit_in_bytes: 1Gi
    memory.soft_limit_in_bytes: 512Mi
processes:
  web: { cgroup: kubepods/burstable/web, memory: { anon: 64Mi } }
  api: { cgroup: kubepods/guaranteed/api, memory: { anon: 64Mi } }
  solo: { memory: { anon: 64Mi }, oomScoreAdj: 100 }
`).scenario;
    expect(s.cgroups.map((c) => c.path)).toEqual([
      'system.slice',
      'system.slice/db.service',
      'kubepods',
      'kubepods/burstable',
      'kubepods/burstable/web',
      'kubepods/guaranteed',
      'kubepods/guaranteed/api',
      'legacy',
    ]);
    const by = new Map(s.cgroups.map((c) => [c.path, c]));
    expect(by.get('system.slice')).toMatchObject({ parent: null, max: Number.POSITIVE_INFINITY, origin: 'v2' });
    expect(by.get('system.slice/db.service')).toMatchObject({
      parent: 'system.slice',
      high: 2 ** 30,
      max: 2 * 2 ** 30,
      origin: 'systemd',
    });
    const web = by.get('kubepods/burstable/web');
    expect(web).toMatchObject({ max: 2 * 2 ** 30, low: 2 ** 30, min: 0, origin: 'kubernetes' });
    // request + 0.9 × (limit − request), page-aligned.
    expect(web?.high).toBe(Math.floor((2 ** 30 + 0.9 * 2 ** 30) / 4096) * 4096);
    expect(by.get('kubepods/guaranteed/api')).toMatchObject({
      max: 2 ** 30,
      min: 2 ** 30,
      high: Number.POSITIVE_INFINITY,
    });
    // The kubelet writes the sums on the QoS-class and pods cgroups.
    expect(by.get('kubepods/guaranteed')).toMatchObject({ min: 2 ** 30, low: 0, origin: 'kubernetes' });
    expect(by.get('kubepods')).toMatchObject({ min: 2 ** 30, low: 2 ** 30, origin: 'kubernetes' });
    expect(s.warnings).toEqual([]);
    expect(by.get('legacy')).toMatchObject({ max: 2 ** 30, softLimit: 512 * 2 ** 20, origin: 'v1' });
    const adj = Object.fromEntries(s.processes.map((p) => [p.name, p.oomScoreAdj]));
    expect(adj).toEqual({ web: 1000 - Math.floor(1000 / 4), api: -997, solo: 100 });
    expect(s.processes.find((p) => p.name === 'solo')?.cgroup).toBe('');
  });

  it('warns about suspicious limits, with their position', () => {
    const { scenario } = load(`cgroups:
  a:
    memory.high: 2Gi
    memory.max: 1Gi
  a/b:
    memory.max: 2Gi
    memory.min: 256Mi
processes:
  p: { cgroup: a/b, memory: { anon: 64Mi } }
`);
    expect(scenario.warnings.map((w) => [w.code, w.where])).toEqual([
      ['high-above-max', 'mem.yaml:6:18'],
      ['child-above-parent', 'mem.yaml:9:17'],
      ['protection-capped', 'mem.yaml:10:17'],
    ]);
  });
});

describe('warnings', () => {
  it('flags a working set larger than RAM plus swap, and swappiness > 100 on a disk', () => {
    const { scenario, warnings } = loadScenarioText(
      `name: t
duration: 1m
host:
  ram: 1Gi
  cpus: 1
  swap: { size: 1Gi, device: hdd }
  sysctl: { vm.swappiness: 150 }
processes:
  p: { memory: { anon: 3Gi } }
`,
      'w.yaml',
    );
    expect(scenario.warnings.map((w) => w.code).sort()).toEqual(['swappiness-disk', 'working-set-exceeds-memory']);
    expect(warnings.every((d) => d.level === 'warning' && d.pos?.file === 'w.yaml')).toBe(true);
  });

  it('flags a process in a cgroup that has children', () => {
    const { scenario } = load(`cgroups:
  a/b: {}
processes:
  p: { cgroup: a, memory: { anon: 64Mi } }
`);
    expect(scenario.warnings).toEqual([
      {
        code: 'internal-process',
        message: 'a has child cgroups, and cgroup v2 allows processes only in leaves (move p into a leaf such as a/p)',
        where: 'mem.yaml:7:16',
      },
    ]);
  });

  it('does not flag swappiness > 100 with zram', () => {
    const { scenario } = load(
      'processes:\n  p: { memory: { anon: 64Mi } }\n',
      'name: t\nduration: 1m\nhost: { ram: 1Gi, cpus: 1, swap: { size: 1Gi, device: zram }, sysctl: { vm.swappiness: 180 } }\n',
    );
    expect(scenario.warnings).toEqual([]);
    expect(scenario.host.swap).toMatchObject({ device: 'zram', compressionRatio: 2.5, decompressCpuUs: 2 });
  });
});

describe('processes and events', () => {
  it('expands replicas and applies events to every replica', () => {
    const { scenario } = load(`startTime: 2026-03-01T14:00:00Z
processes:
  web: { replicas: 3, memory: { anon: 64Mi } }
events:
  - at: 2026-03-01T14:05:00Z
    kill: web
  - at: 1m
    sysctl: { vm.swappiness: 10 }
  - at: 2m
    cgroup: batch
    set: { memory.max: 1Gi, memory.oom.group: true }
cgroups:
  batch: {}
`);
    expect(scenario.processes.map((p) => p.name)).toEqual(['web-1', 'web-2', 'web-3']);
    expect(scenario.events).toEqual([
      { atMs: 60_000, action: 'sysctl', name: 'vm.swappiness', value: 10, label: 'vm.swappiness=10' },
      {
        atMs: 120_000,
        action: 'cgroup',
        cgroup: 'batch',
        file: 'memory.max',
        field: 'max',
        value: 2 ** 30,
        label: 'batch memory.max=1Gi',
      },
      {
        atMs: 120_000,
        action: 'cgroup',
        cgroup: 'batch',
        file: 'memory.oom.group',
        field: 'oomGroup',
        value: true,
        label: 'batch memory.oom.group=true',
      },
      { atMs: 300_000, action: 'kill', process: 'web-1', label: 'kill web-1' },
      { atMs: 300_000, action: 'kill', process: 'web-2', label: 'kill web-2' },
      { atMs: 300_000, action: 'kill', process: 'web-3', label: 'kill web-3' },
    ]);
  });

  it('resolves access phases and pattern defaults', () => {
    const { scenario } = load(`processes:
  p:
    memory: { anon: 64Mi }
    access:
      pattern: zipf
      phases:
        - { at: 1m, pattern: hotcold, hotFraction: 0.1 }
        - { at: 2m, pattern: loop }
`);
    expect(scenario.processes[0]?.access).toEqual([
      { atMs: 0, atTouches: 0, pattern: { kind: 'zipf', alpha: 1 }, touchesPerSec: null },
      {
        atMs: 60_000,
        atTouches: 0,
        pattern: { kind: 'hotcold', hotFraction: 0.1, hotProbability: 0.8 },
        touchesPerSec: null,
      },
      { atMs: 120_000, atTouches: 0, pattern: { kind: 'loop', fraction: 1 }, touchesPerSec: null },
    ]);
  });

  it('reports cross-section problems even when a section is malformed', () => {
    const errors = errorsOf(`name: t
duration: 1m
host: { ram: 64, cpus: 1 }
processes:
  p: { cgroup: nowhere, memory: { anon: 64Mi } }
events:
  - { at: 1m, kill: q }
`);
    expect(errors).toEqual([
      '3:host.ram: expected a size with a unit such as "64Gi" or "512Mi", found the bare number 64',
      '5:processes.p.cgroup: no cgroup "nowhere" is defined',
      '7:events.0.kill: no process "q" is defined',
    ]);
  });

  it('refuses a size whose letters are in the wrong case, with both spellings it may have meant', () => {
    const err = (() => {
      try {
        loadScenarioText('name: t\nduration: 1m\nhost: { ram: 64gb, cpus: 1 }\n', 'mem.yaml');
      } catch (e) {
        if (e instanceof DiagnosticsError) return e.diagnostics.find((d) => d.path === 'host.ram');
        throw e;
      }
      return undefined;
    })();
    expect(err?.path).toBe('host.ram');
    expect(err?.pos).toMatchObject({ line: 3, col: 14 });
    expect(err?.message).toBe('expected a size with a unit such as "64Gi" or "512Mi", found "64gb"');
    expect(err?.hint).toBe(
      'sizes are case-sensitive: write "64Gi" for 64 × 2^30 bytes or "64G" for 64 × 10^9; a lowercase b would mean bits',
    );
  });

  it('accepts expectations as a check, a {threshold, level} object, or a list of them', () => {
    const { scenario } = load(`processes:
  db:
    memory: { anon: 64Mi }
    requests: { ratePerSec: 10, cpu: 5ms, pagesPerRequest: 10 }
cgroups:
  system.slice/db.service: {}
expect:
  processes.db.latencyMs: p(99.9)<2s
  host.faultCpuPct: [max < 50, { threshold: avg < 20%, level: warn }]
  cgroups.system.slice/db.service.usageBytes: max <= 1.5Gi
  oomKills: { threshold: "== 0", level: warn }
`);
    expect(scenario.expect.map((e) => [e.metric, e.aggregation, e.op, e.threshold, e.level, e.where])).toEqual([
      ['processes.db.latencyMs', 'p(99.9)', '<', 2000, 'error', 'mem.yaml:11:27'],
      ['host.faultCpuPct', 'max', '<', 50, 'error', 'mem.yaml:12:22'],
      ['host.faultCpuPct', 'avg', '<', 20, 'warn', 'mem.yaml:12:45'],
      ['cgroups.system.slice/db.service.usageBytes', 'max', '<=', 1.5 * 2 ** 30, 'error', 'mem.yaml:13:47'],
      ['oomKills', 'value', '==', 0, 'warn', 'mem.yaml:14:26'],
    ]);
  });

  it('resolves OOM daemons with their defaults', () => {
    const { scenario } = load(`cgroups: { batch: {}, web: {} }
processes:
  p: { cgroup: batch, memory: { anon: 64Mi } }
oomd:
  - kind: systemd-oomd
    cgroups: [batch]
  - kind: systemd-oomd
    cgroups: [web]
    ManagedOOMMemoryPressure: auto
    ManagedOOMSwap: kill
    SwapUsedLimit: 80%
  - kind: oomd
    cgroups: [batch, web]
    threshold: "40%"
    pressure: full
    victim: fastest-growing
`);
    expect(scenario.oomDaemons).toEqual([
      {
        kind: 'systemd-oomd',
        cgroups: ['batch'],
        pressureLimitPct: 60,
        pressureKind: 'full',
        durationMs: 30_000,
        swapUsedLimitPct: null,
        victim: 'most-reclaim',
      },
      {
        kind: 'systemd-oomd',
        cgroups: ['web'],
        pressureLimitPct: Number.POSITIVE_INFINITY,
        pressureKind: 'full',
        durationMs: 30_000,
        swapUsedLimitPct: 80,
        victim: 'most-reclaim',
      },
      {
        kind: 'oomd',
        cgroups: ['batch', 'web'],
        pressureLimitPct: 40,
        pressureKind: 'full',
        durationMs: 10_000,
        swapUsedLimitPct: null,
        victim: 'fastest-growing',
      },
    ]);
  });

  it('rejects a document that is not a map', () => {
    expect(errorsOf('- a\n- b\n')).toEqual([
      '1:(root): expected a map of scenario fields (name, duration, host, processes, …), found a list or a value',
    ]);
    expect(errorsOf('')[0]).toMatch(/found an empty document/);
  });

  it('reports a missing file as a diagnostic', () => {
    expect(() => loadScenarioFile('test/fixtures/scenarios/nope.yaml')).toThrow(DiagnosticsError);
  });
});
