/**
 * Hand-made, incident-like results for report tests, built without the simulation: a
 * 64 GiB host, a database `db` and a Spark job `spark` that starts at 00:02:00 and grows
 * until the host thrashes (00:05:12 by default). Shapes are smooth curves plus seeded
 * noise, so the same options always give the same bytes.
 */
import {
  CGROUP_SERIES,
  HOST_SERIES,
  LATENCY_METRIC,
  PROCESS_SERIES,
  RUN_COUNTERS,
} from '../../src/analysis/metrics.js';
import { computeVerdict } from '../../src/analysis/verdict.js';
import { seriesError } from '../../src/engine/observed.js';
import type {
  CheckResult,
  EventRecord,
  MetricInfo,
  RunResult,
  RunSetEntry,
  RunSetManifest,
  Series,
} from '../../src/result/types.js';
import { SCHEMA_VERSION } from '../../src/result/types.js';
import { Rng } from '../../src/util/rng.js';

const GiB = 2 ** 30;
const PAGE = 4096;

export interface FixtureOptions {
  variantId?: string;
  params?: Record<string, string | number | boolean | null>;
  steps?: number;
  /** Name of the database process (the escaping tests use a hostile one). */
  db?: string;
  spark?: string;
  /** When the host starts thrashing (s); null: never. */
  thrashFromS?: number | null;
  /** When the trouble ends (s); null: lasts to the end. */
  thrashToS?: number | null;
  /** faultCpuPct while in trouble: ~84 for thrashing, ~30 for a degraded host. */
  troubleFaultCpuPct?: number;
  /** db step p99 reached while in trouble. */
  dbPeakP99Ms?: number;
  /** When spark is OOM-killed (s); null: never. */
  oomKillAtS?: number | null;
  /** cgroup batch memory.max in bytes, if capped. */
  batchMaxBytes?: number | null;
  /** Spark thrashes inside its own cgroup: db keeps its pages (no stalls, no major faults, its usual latency). */
  dbContained?: boolean;
  /** Level of the `host.faultCpuPct: max < 50` check (the bundled incident makes it a warning). */
  faultCpuCheckLevel?: CheckResult['level'];
  seed?: number;
}

const DEFAULTS: Required<FixtureOptions> = {
  variantId: 'base',
  params: {},
  steps: 1800,
  db: 'db',
  spark: 'spark',
  thrashFromS: 312,
  thrashToS: null,
  troubleFaultCpuPct: 84,
  dbPeakP99Ms: 230_000,
  oomKillAtS: 1450,
  batchMaxBytes: null,
  dbContained: false,
  faultCpuCheckLevel: 'error',
  seed: 7,
};

/** A smooth 0 → 1 ramp between a and b (s). */
function ramp(s: number, a: number, b: number): number {
  if (s <= a) return 0;
  if (s >= b) return 1;
  const x = (s - a) / (b - a);
  return x * x * (3 - 2 * x);
}

export function incidentResult(options: FixtureOptions = {}): RunResult {
  const o = { ...DEFAULTS, ...options };
  const rng = new Rng(o.seed);
  const noise = (scale: number) => 1 + scale * (rng.nextFloat() * 2 - 1);
  const n = o.steps;
  const killS = o.oomKillAtS ?? Number.POSITIVE_INFINITY;
  const from = o.thrashFromS ?? Number.POSITIVE_INFINITY;
  const to = Math.min(o.thrashToS ?? Number.POSITIVE_INFINITY, killS + 20);
  const sparkEnd = Math.min(killS, o.thrashToS ?? Number.POSITIVE_INFINITY);
  const sparkCap = o.batchMaxBytes ?? 110 * GiB;

  const timeMs: number[] = [];
  const host: Record<string, Series> = {};
  for (const k of Object.keys(HOST_SERIES)) host[k] = [];
  const proc = (): Record<string, Series> => {
    const r: Record<string, Series> = {};
    for (const k of Object.keys(PROCESS_SERIES)) r[k] = [];
    return r;
  };
  const db = proc();
  const spark = proc();
  const cgDb: Record<string, Series> = {};
  const cgBatch: Record<string, Series> = {};
  for (const k of Object.keys(CGROUP_SERIES)) {
    cgDb[k] = [];
    cgBatch[k] = [];
  }
  const push = (m: Record<string, Series>, k: string, v: number | null) => m[k]!.push(v);

  for (let i = 0; i < n; i++) {
    const s = i + 1;
    timeMs.push(s * 1000);
    const sparkOn = s > 120 && s <= sparkEnd;
    const trouble = s > from && s <= to ? ramp(s, from - 3, from + 3) * (1 - ramp(s, to - 5, to + 30)) : 0;
    const pressure = sparkOn ? ramp(s, 120, from) : 0;
    const fc = Math.min(100, (2 + pressure * 8 + trouble * (o.troubleFaultCpuPct - 10)) * noise(0.06));
    const majorsHost = (0.4 + pressure * 6 + trouble * 9000) * noise(0.15);
    const sparkAnon = sparkOn ? Math.min(sparkCap, 4 * GiB + (s - 120) * 0.5 * GiB) : 0;
    const dbAnon = 20 * GiB - trouble * 12 * GiB;
    // 62 GiB usable: spark's growth eats free memory, then the page cache, then db's pages go to swap.
    const sparkRes = Math.min(sparkAnon, 62 * GiB - dbAnon - 2.4 * GiB);
    const cache = Math.max(2 * GiB, Math.min(12 * GiB, 62 * GiB - 0.4 * GiB - dbAnon - sparkRes));
    const free = Math.max(0.4 * GiB, 62 * GiB - dbAnon - sparkRes - cache);
    const user = Math.max(2, (sparkOn ? 70 : 25) * (1 - trouble * 0.85) * noise(0.05));
    const fault = fc * 0.35;
    const reclaim = fc * 0.25;
    const iowait = fc * 0.4;
    const idle = Math.max(0, 100 - user - fault - reclaim - iowait);
    push(host, 'minorFaultsPerSec', (3000 + pressure * 20000 + trouble * 40000) * noise(0.1));
    push(host, 'majorFaultsPerSec', majorsHost);
    push(host, 'swapInPagesPerSec', majorsHost * 0.9);
    push(host, 'swapOutPagesPerSec', (pressure * 200 + trouble * 8500) * noise(0.15));
    push(host, 'faultCpuPct', fc);
    push(host, 'cpuUserPct', user);
    push(host, 'cpuFaultPct', fault);
    push(host, 'cpuReclaimPct', reclaim);
    push(host, 'cpuIowaitPct', iowait);
    push(host, 'cpuIdlePct', idle);
    push(host, 'memFreeBytes', free);
    push(host, 'memAnonBytes', dbAnon + sparkRes);
    push(host, 'memFileBytes', cache);
    push(host, 'swapUsedBytes', trouble * 50 * GiB);
    push(host, 'psiSomeAvg10Pct', Math.min(100, (pressure * 4 + trouble * 92) * noise(0.03)));
    push(host, 'psiFullAvg10Pct', Math.min(100, (pressure * 1 + trouble * 61) * noise(0.05)));
    push(host, 'psiSomePct', Math.min(100, (pressure * 4 + trouble * 92) * noise(0.1)));
    push(host, 'psiFullPct', Math.min(100, (pressure * 1 + trouble * 61) * noise(0.1)));
    push(host, 'swapDeviceUtilPct', Math.min(100, trouble * 99 + pressure * 3));
    push(host, 'swapReadLatencyMs', 0.1 + trouble * 40);

    const dbTrouble = o.dbContained ? 0 : trouble;
    const dbMajors = majorsHost * (o.dbContained ? 0.01 : 0.3);
    push(db, 'minorFaultsPerSec', (1500 + trouble * 8000) * noise(0.1));
    push(db, 'majorFaultsPerSec', dbMajors);
    push(db, 'rssBytes', dbAnon + cache * 0.8);
    push(db, 'anonBytes', dbAnon);
    push(db, 'swapBytes', trouble * 12 * GiB);
    push(db, 'stallPct', Math.min(100, dbTrouble * 95 * noise(0.03)));
    push(db, 'cpuUserPct', 24 * (1 - dbTrouble * 0.9));
    // In deep trouble most seconds see no request complete: those steps have no latency.
    const silent = dbTrouble > 0.6 && rng.nextFloat() < 0.5;
    const p99 = 210 * (1 + dbTrouble * (o.dbPeakP99Ms / 210 - 1) * ramp(s, from, from + 240)) * noise(0.08);
    push(db, 'latencyP99Ms', silent ? null : p99);
    push(db, 'latencyP50Ms', silent ? null : p99 * (dbTrouble > 0.1 ? 0.3 : 0.29));
    push(db, 'requestsPerSec', silent ? 0 : 40 * (1 - dbTrouble * 0.97));

    push(spark, 'minorFaultsPerSec', sparkOn ? (1500 + pressure * 20000 + trouble * 30000) * noise(0.1) : 0);
    push(spark, 'majorFaultsPerSec', sparkOn ? majorsHost - dbMajors : 0);
    push(spark, 'rssBytes', sparkRes);
    push(spark, 'anonBytes', sparkRes);
    push(spark, 'swapBytes', sparkOn ? Math.max(0, sparkAnon - sparkRes) : 0);
    push(spark, 'stallPct', sparkOn ? Math.min(100, trouble * 80) : 0);
    push(spark, 'cpuUserPct', sparkOn ? 46 * (1 - trouble * 0.85) : 0);
    push(spark, 'latencyP99Ms', null);
    push(spark, 'latencyP50Ms', null);
    push(spark, 'requestsPerSec', null);

    push(cgDb, 'usageBytes', dbAnon + cache * 0.8);
    push(cgDb, 'swapBytes', trouble * 12 * GiB);
    push(cgDb, 'majorFaultsPerSec', dbMajors);
    push(cgDb, 'throttledMsPerSec', 0);
    push(cgDb, 'psiSomeAvg10Pct', trouble * 90);
    push(cgDb, 'psiFullAvg10Pct', trouble * 55);
    push(cgBatch, 'usageBytes', sparkRes);
    push(cgBatch, 'swapBytes', sparkOn ? Math.max(0, sparkAnon - sparkRes) : 0);
    push(cgBatch, 'majorFaultsPerSec', sparkOn ? majorsHost * 0.7 : 0);
    push(cgBatch, 'throttledMsPerSec', 0);
    push(cgBatch, 'psiSomeAvg10Pct', trouble * 80);
    push(cgBatch, 'psiFullAvg10Pct', trouble * 40);
  }

  const events: EventRecord[] = [
    {
      timeMs: 120_000,
      kind: 'scenario',
      message: `${o.spark} job submitted (misconfigured: 120 GiB working set)`,
      process: o.spark,
    },
    { timeMs: 120_000, kind: 'process-start', process: o.spark, cgroup: 'batch', message: `${o.spark} started` },
  ];
  if (o.thrashToS !== null && o.thrashToS < killS)
    events.push({ timeMs: o.thrashToS * 1000, kind: 'scenario', process: o.spark, message: `${o.spark} stopped` });
  if (Number.isFinite(killS) && killS <= n)
    events.push({
      timeMs: killS * 1000,
      kind: 'oom-kill',
      process: o.spark,
      cgroup: 'batch',
      message: `global OOM: killed ${o.spark} (badness 912, oom_score_adj 0)`,
      detail: { badness: 912, rssBytes: 44 * GiB },
    });

  const sum = (a: Series) => a.reduce<number>((acc, v) => acc + (v ?? 0), 0);
  const max = (a: Series) => a.reduce<number>((acc, v) => Math.max(acc, v ?? 0), 0);
  const avg = (a: Series) => sum(a) / a.length;
  const oomKills = events.filter((e) => e.kind === 'oom-kill').length;
  const dbP99 = db.latencyP99Ms!.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const q = (p: number) => dbP99[Math.min(dbP99.length - 1, Math.floor(p * dbP99.length))] ?? 0;
  const dbLatency = {
    count: Math.round(sum(db.requestsPerSec!)),
    meanMs: avg(db.latencyP50Ms!.map((v) => v ?? 0)),
    p50Ms: q(0.5) * 0.3,
    p95Ms: q(0.9),
    p99Ms: q(0.99),
    maxMs: max(db.latencyP99Ms!) * 1.2,
  };
  const summary: RunResult['summary'] = {
    host: {
      faultCpuPctMax: max(host.faultCpuPct!),
      faultCpuPctAvg: avg(host.faultCpuPct!),
      majorFaultsPerSecMax: max(host.majorFaultsPerSec!),
      majorFaults: Math.round(sum(host.majorFaultsPerSec!)),
      minorFaults: Math.round(sum(host.minorFaultsPerSec!)),
      oomKills,
      allocFailures: 0,
      swapInPages: Math.round(sum(host.swapInPagesPerSec!)),
      swapOutPages: Math.round(sum(host.swapOutPagesPerSec!)),
      psiSomeAvg10PctMax: max(host.psiSomeAvg10Pct!),
      psiFullAvg10PctMax: max(host.psiFullAvg10Pct!),
    },
    processes: {
      [o.db]: {
        minorFaults: Math.round(sum(db.minorFaultsPerSec!)),
        majorFaults: Math.round(sum(db.majorFaultsPerSec!)),
        swapInPages: Math.round(sum(db.majorFaultsPerSec!) * 0.9),
        oomKilled: false,
        allocFailures: 0,
        peakRssBytes: max(db.rssBytes!),
        stallPct: avg(db.stallPct!),
        latencyMs: dbLatency,
      },
      [o.spark]: {
        minorFaults: Math.round(sum(spark.minorFaultsPerSec!)),
        majorFaults: Math.round(sum(spark.majorFaultsPerSec!)),
        swapInPages: Math.round(sum(spark.majorFaultsPerSec!) * 0.9),
        oomKilled: oomKills > 0,
        ...(oomKills > 0 ? { oomKilledAtMs: killS * 1000 } : {}),
        allocFailures: 0,
        peakRssBytes: max(spark.rssBytes!),
        stallPct: avg(spark.stallPct!),
      },
    },
    phases: [
      phase('before spark', 0, Math.min(n, 120), host, db.latencyP99Ms!, o.db),
      phase('spark running', Math.min(n, 120), n, host, db.latencyP99Ms!, o.db),
    ],
  };

  const dbName = o.db;
  const checks: CheckResult[] = [
    check(
      `processes.${dbName}.latencyMs: p(99) < 1000`,
      `processes.${dbName}.latencyMs`,
      'p(99)',
      '<',
      1000,
      dbLatency.p99Ms,
      'ms',
    ),
    check(
      o.faultCpuCheckLevel === 'warn'
        ? 'host.faultCpuPct: { threshold: "max < 50", level: warn }'
        : 'host.faultCpuPct: max < 50',
      'host.faultCpuPct',
      'max',
      '<',
      50,
      summary.host.faultCpuPctMax,
      'pct',
      o.faultCpuCheckLevel,
    ),
    check('oomKills: == 0', 'oomKills', 'last', '==', 0, oomKills, 'count'),
    check('allocFailures: == 0', 'allocFailures', 'last', '==', 0, 0, 'count', 'warn'),
  ];

  const metrics: Record<string, MetricInfo> = {};
  for (const [k, v] of Object.entries(HOST_SERIES)) metrics[`host.${k}`] = v;
  for (const [k, v] of Object.entries(PROCESS_SERIES)) metrics[`process.${k}`] = v;
  for (const [k, v] of Object.entries(CGROUP_SERIES)) metrics[`cgroup.${k}`] = v;
  for (const [k, v] of Object.entries(RUN_COUNTERS)) metrics[k] = v;
  metrics['process.latencyMs'] = LATENCY_METRIC;

  const partial = { status: 'ok' as const, timeMs, host, processes: { [o.db]: db, [o.spark]: spark }, events, summary };
  const cgroups = [
    { path: 'db', limits: { 'memory.max': 'max' as const } },
    { path: 'batch', limits: { 'memory.max': o.batchMaxBytes ?? ('max' as const) } },
  ];
  const processes = [
    { name: o.db, cgroup: 'db', anonBytes: 20 * GiB, fileBytes: 12 * GiB, startMs: 0, hasRequests: true },
    { name: o.spark, cgroup: 'batch', anonBytes: 120 * GiB, fileBytes: 0, startMs: 120_000, hasRequests: false },
  ];
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run',
    tool: { name: 'faultline', version: '0.1.0' },
    scenario: {
      name: 'incident-spark-120g-on-64g',
      title: 'A 120 GiB Spark job on a 64 GiB database host',
      description: 'The reference incident: a misconfigured Spark job outgrows RAM and the database thrashes.',
      file: 'scenarios/incident-spark-120g-on-64g.yaml',
      variantId: o.variantId,
      params: o.params,
      seed: 42,
      durationMs: n * 1000,
      stepMs: 1000,
      host: {
        ramBytes: 64 * GiB,
        cpus: 16,
        pageSizeBytes: PAGE,
        swapBytes: 128 * GiB,
        swapDevice: 'ssd',
        policy: 'linux',
        sysctl: { 'vm.swappiness': 60, 'vm.overcommit_memory': 0 },
      },
      cgroups,
      processes,
    },
    fidelity: {
      mode: 'sampled',
      sampleRate: 1 / 64,
      simulatedFrames: 262_144,
      measuredErrorPct: 2.8,
      note: 'pages hash-sampled at 1/64; memory scaled by the same factor; counts scaled by 64',
    },
    ...partial,
    cgroups: { db: cgDb, batch: cgBatch },
    checks,
    verdict: computeVerdict({ ...partial, checks, scenario: { cgroups, processes } }),
    warnings: [
      {
        code: 'sampled-fidelity',
        message: 'Simulated at 1/64 spatial sampling: major-fault counts carry about ±3% error.',
      },
    ],
    metrics,
  };
}

/** A phase's figures taken from the series between steps [from, to). */
function phase(
  name: string,
  from: number,
  to: number,
  host: Record<string, Series>,
  dbP99: Series,
  db: string,
): RunResult['summary']['phases'][number] {
  const slice = (k: string) => (host[k] ?? []).slice(from, to).map((v) => v ?? 0);
  const fc = slice('faultCpuPct');
  const total = (k: string) => Math.round(slice(k).reduce((a, b) => a + b, 0));
  const p99s = dbP99
    .slice(from, to)
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  const p99 = p99s[Math.floor(0.99 * (p99s.length - 1))] ?? 0;
  return {
    name,
    startMs: from * 1000,
    endMs: to * 1000,
    host: {
      faultCpuPctMax: Math.max(0, ...fc),
      faultCpuPctAvg: fc.length ? fc.reduce((a, b) => a + b, 0) / fc.length : 0,
      majorFaultsPerSecMax: Math.max(0, ...slice('majorFaultsPerSec')),
      swapInPages: total('swapInPagesPerSec'),
      swapOutPages: total('swapOutPagesPerSec'),
    },
    processes: {
      [db]: {
        majorFaults: 0,
        minorFaults: 0,
        latencyMs: {
          count: p99s.length * 40,
          meanMs: p99 * 0.3,
          p50Ms: p99 * 0.3,
          p95Ms: p99 * 0.9,
          p99Ms: p99,
          maxMs: p99 * 1.2,
        },
      },
    },
  };
}

function check(
  source: string,
  metric: string,
  aggregation: string,
  op: CheckResult['op'],
  threshold: number,
  observed: number | null,
  unit: string,
  level: CheckResult['level'] = 'error',
): CheckResult {
  const passed =
    observed !== null &&
    {
      '<': observed < threshold,
      '<=': observed <= threshold,
      '>': observed > threshold,
      '>=': observed >= threshold,
      '==': observed === threshold,
      '!=': observed !== threshold,
    }[op];
  return { source, metric, aggregation, op, threshold, level, observed, passed, unit };
}

/**
 * A sweep of 6 variants on two dimensions, the post-mortem's fixes: stopping Spark at
 * 10 min, and capping the batch cgroup at 48 GiB or 36 GiB.
 */
export function sweepFixture(options: Pick<FixtureOptions, 'db' | 'steps'> = {}): {
  manifest: RunSetManifest;
  results: RunResult[];
} {
  const results: RunResult[] = [];
  for (const stop of ['never', '10m'] as const)
    for (const max of ['max', '48Gi', '36Gi'] as const) {
      const stopped = stop === '10m';
      const cap = max === 'max' ? null : max === '48Gi' ? 48 * GiB : 36 * GiB;
      const contained = max === '36Gi';
      const opts: FixtureOptions = {
        ...options,
        variantId: `stop=${stop},batch-max=${max}`,
        params: { 'processes.spark.stop': stop, 'cgroups.batch.memory.max': max },
        batchMaxBytes: cap,
        thrashFromS: contained ? null : 312,
        thrashToS: stopped ? 600 : null,
        oomKillAtS: stopped || cap !== null ? null : 1450,
        troubleFaultCpuPct: max === '48Gi' ? 32 : 84,
        dbPeakP99Ms: max === '48Gi' ? 3200 : 230_000,
      };
      results.push(incidentResult(opts));
    }
  const manifest: RunSetManifest = {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run-set',
    tool: { name: 'faultline', version: '0.1.0' },
    generatedAt: '2026-11-26T05:00:00.000Z',
    entries: results.map((r, i) => entryOf(r, i)),
  };
  return { manifest, results };
}

/**
 * The bundled incident's sweep in shape: 16 variants over four swept fields with the real
 * variant ids (stop Spark at 10 min, cap its cgroup at 36 GiB, swappiness 10, an 8 GiB soft
 * limit). A cap or a soft limit keeps the database healthy while the host still thrashes.
 */
export function incidentSweepFixture(steps = 600): { manifest: RunSetManifest; results: RunResult[] } {
  const results: RunResult[] = [];
  for (const stop of ['never', '10m'])
    for (const max of ['max', '36Gi'])
      for (const swappiness of [60, 10])
        for (const soft of ['none', '8Gi']) {
          const contained = max === '36Gi' || soft === '8Gi';
          results.push(
            incidentResult({
              steps,
              variantId: `stop-${stop}_max-${max}_swappiness-${swappiness}_soft-limit-${soft}`,
              params: {
                'processes.spark.stop': stop,
                'cgroups.batch.memory.max': max,
                'host.sysctl.vm.swappiness': swappiness,
                'cgroups.batch.memory.soft_limit_in_bytes': soft,
              },
              batchMaxBytes: max === '36Gi' ? 36 * GiB : null,
              thrashToS: stop === '10m' ? Math.round(steps * 0.75) : null,
              oomKillAtS: null,
              dbContained: contained,
              faultCpuCheckLevel: 'warn',
              seed: results.length + 1,
            }),
          );
        }
  const manifest: RunSetManifest = {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run-set',
    tool: { name: 'faultline', version: '0.1.0' },
    generatedAt: '2026-11-26T05:00:00.000Z',
    entries: results.map((r, i) => entryOf(r, i)),
  };
  return { manifest, results };
}

export function entryOf(r: RunResult, order = 0): RunSetEntry {
  return {
    scenario: r.scenario.name,
    order,
    variantId: r.scenario.variantId,
    params: r.scenario.params,
    dir: r.scenario.variantId.replace(/[^A-Za-z0-9._=-]+/g, '_'),
    status: r.status,
    verdict: r.verdict,
    checks: r.checks,
    summary: { host: r.summary.host, processes: r.summary.processes },
  };
}

/**
 * `result` with the `observed` comparison a sar log (-B -r -S -W) and a PSI capture would
 * give (engine/observed.ts): the simulated host series scaled by `gain` with a little
 * seeded noise, missing up to `offsetS` (the logs start later).
 */
export function withObserved(
  result: RunResult,
  opts: { offsetS?: number; gain?: number; file?: string } = {},
): RunResult {
  const offsetMs = (opts.offsetS ?? 30) * 1000;
  const gain = opts.gain ?? 1.15;
  const rng = new Rng(7);
  const columns: [string, string, number][] = [
    ['majorFaultsPerSec', 'major_faults_per_sec', 0],
    ['swapInPagesPerSec', 'swap_in_pages_per_sec', 0],
    ['swapOutPagesPerSec', 'swap_out_pages_per_sec', 0],
    ['memFreeBytes', 'free_bytes', 0],
    ['swapUsedBytes', 'swap_used_bytes', 0],
    ['psiSomeAvg10Pct', 'psi_some_avg10_pct', 1],
    ['psiFullAvg10Pct', 'psi_full_avg10_pct', 1],
  ];
  const floors: Record<string, number> = { memFreeBytes: 2 ** 20, swapUsedBytes: 2 ** 20 };
  const host: Record<string, Series> = {};
  const errors: NonNullable<RunResult['observed']>['errors'] = [];
  for (const [metric, column, source] of columns) {
    const simulated = result.host[metric] ?? [];
    const cap = metric.endsWith('Pct') ? 100 : Number.POSITIVE_INFINITY;
    const series = simulated.map((v, i) =>
      v === null || (result.timeMs[i] as number) <= offsetMs
        ? null
        : Math.min(cap, v * gain * (0.97 + 0.06 * rng.nextFloat())),
    );
    host[metric] = series;
    errors.push({ metric, source, observedColumn: column, ...seriesError(simulated, series, floors[metric] ?? 1) });
  }
  const rows = result.timeMs.filter((t) => t > offsetMs).length;
  return {
    ...result,
    observed: {
      sources: [
        { kind: 'sar', file: opts.file ?? '/var/log/incident/sar-thrash.txt', offsetMs, rows },
        { kind: 'psi', file: '/var/log/incident/pressure.txt', offsetMs, rows },
      ],
      timeMs: [...result.timeMs],
      host,
      errors,
    },
  };
}
