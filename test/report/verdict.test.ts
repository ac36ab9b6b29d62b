import { describe, expect, it } from 'vitest';
import { computeVerdict, sustained, VERDICT_THRESHOLDS, type VerdictInput } from '../../src/analysis/verdict.js';
import type { CheckResult, Series } from '../../src/result/types.js';
import { incidentResult } from './fixtures.js';

const N = 120;
const fill = (v: number): Series => Array.from({ length: N }, () => v);
const withWindow = (base: number, from: number, to: number, v: number): Series =>
  Array.from({ length: N }, (_, i) => (i >= from && i < to ? v : base));

interface Overrides {
  faultCpu?: Series;
  /** The busy part (fault handling; reclaim stays 0) of faultCpu; the rest is iowait. */
  busy?: Series;
  majors?: Series;
  p99?: Series;
  batchStall?: Series;
  batchMajors?: Series;
  oomKills?: number;
  batchMax?: number | 'max';
  checks?: Partial<CheckResult>[];
}

/**
 * A quiet 120-step run of a request-serving `db` and a `batch` job in its own cgroup,
 * with series overridden where given. db's whole-run p99 is 210 ms.
 */
function run(o: Overrides = {}): VerdictInput {
  const faultCpu = o.faultCpu ?? fill(2);
  const busy = o.busy ?? faultCpu.map((v) => (v ?? 0) * 0.25);
  const majors = o.majors ?? fill(0.5);
  const batchMajors = o.batchMajors ?? majors.map((v) => (v ?? 0) * 0.9);
  return {
    status: 'ok',
    timeMs: Array.from({ length: N }, (_, i) => (i + 1) * 1000),
    host: {
      faultCpuPct: faultCpu,
      cpuFaultPct: busy,
      cpuReclaimPct: fill(0),
      cpuIowaitPct: faultCpu.map((v, i) => (v ?? 0) - (busy[i] ?? 0)),
      majorFaultsPerSec: majors,
    },
    processes: {
      db: {
        latencyP99Ms: o.p99 ?? fill(200),
        stallPct: fill(1),
        majorFaultsPerSec: majors.map((v, i) => (v ?? 0) - (batchMajors[i] ?? 0)),
      },
      batch: { stallPct: o.batchStall ?? fill(0), majorFaultsPerSec: batchMajors },
    },
    events: [],
    checks: (o.checks ?? []).map((c) => ({
      source: 'x',
      metric: 'x',
      aggregation: 'max',
      op: '<',
      threshold: 1,
      level: 'error',
      observed: 0,
      passed: true,
      unit: 'count',
      ...c,
    })),
    summary: {
      host: {
        faultCpuPctMax: 0,
        faultCpuPctAvg: 0,
        majorFaultsPerSecMax: 0,
        majorFaults: 0,
        minorFaults: 0,
        oomKills: o.oomKills ?? 0,
        allocFailures: 0,
        swapInPages: 0,
        swapOutPages: 0,
        psiSomeAvg10PctMax: 0,
        psiFullAvg10PctMax: 0,
      },
      processes: {
        db: {
          minorFaults: 0,
          majorFaults: 0,
          swapInPages: 0,
          oomKilled: false,
          allocFailures: 0,
          peakRssBytes: 0,
          stallPct: 1,
          latencyMs: { count: 1000, meanMs: 150, p50Ms: 140, p95Ms: 190, p99Ms: 210, maxMs: 400 },
        },
        batch: {
          minorFaults: 0,
          majorFaults: 0,
          swapInPages: 0,
          oomKilled: (o.oomKills ?? 0) > 0,
          ...((o.oomKills ?? 0) > 0 ? { oomKilledAtMs: 96_000 } : {}),
          allocFailures: 0,
          peakRssBytes: 0,
          stallPct: 12.5,
        },
      },
    },
    scenario: {
      cgroups: [
        { path: 'db', limits: { 'memory.max': 'max' } },
        { path: 'batch', limits: { 'memory.max': o.batchMax ?? 'max' } },
      ],
      processes: [
        { name: 'db', cgroup: 'db', anonBytes: 0, fileBytes: 0, startMs: 0, hasRequests: true },
        { name: 'batch', cgroup: 'batch', anonBytes: 0, fileBytes: 0, startMs: 0, hasRequests: false },
      ],
    },
  };
}

describe('computeVerdict: each tenant told separately', () => {
  it('tells the incident: the host thrashing with its busy and waiting parts, db against its baseline, the kill', () => {
    const v = incidentResult().verdict;
    expect(v.status).toBe('fail');
    expect(v.host).toMatchObject({ state: 'thrashing', fromMs: 312_000, toMs: 1_470_000, oomKills: 1 });
    expect(v.processes.map((p) => [p.process, p.state])).toEqual([
      ['db', 'thrashing'],
      ['spark', 'oom-killed'],
    ]);
    expect(v.headline).toBe(
      // The fixture's busy part is 60% of its faultCpuPct (fault 35% + reclaim 25%), waiting 40%.
      'spark OOM-killed at 00:24:10; db thrashing from 00:05:12 to 00:24:30: whole-run p99 4.12 min (baseline 212 ms), causing 30% of major faults; host thrashing from 00:05:12 to 00:24:30: 83.8% of CPU time lost to faulting (50.3% busy, 33.5% waiting)',
    );
  });

  it('says every tenant is healthy when nothing is sustained', () => {
    expect(computeVerdict(run())).toEqual({
      status: 'unchecked',
      headline: 'db healthy: whole-run p99 210 ms (baseline 200 ms); host healthy',
      host: { state: 'healthy', oomKills: 0 },
      processes: [
        { process: 'db', state: 'healthy', stallPct: 1, latencyP99Ms: 210, worstStepP99Ms: 200, baselineP99Ms: 200 },
        { process: 'batch', state: 'healthy', stallPct: 12.5 },
      ],
    });
  });

  it('names a job thrashing inside its own cap apart from a healthy database, and whose faults the host lost time to', () => {
    const faultCpu = withWindow(2, 40, 120, 75);
    const v = computeVerdict(
      run({
        faultCpu,
        busy: withWindow(0.5, 40, 120, 5),
        majors: withWindow(0.5, 40, 120, 1000),
        batchMajors: withWindow(0.4, 40, 120, 940),
        batchStall: withWindow(0, 40, 120, 85),
        batchMax: 36 * 2 ** 30,
        checks: [{ passed: true }, { passed: false, level: 'warn' }],
      }),
    );
    expect(v.status).toBe('warn');
    expect(v.headline).toBe(
      'db healthy: whole-run p99 210 ms (baseline 200 ms); batch thrashing inside its 36 GiB cap from 00:00:40: stalled 12.5% of its thread time over the run, causing 94% of major faults; host thrashing from 00:00:40: 75% of CPU time lost to faulting (5% busy, 70% waiting)',
    );
    expect(v.host?.majorFaultShares).toEqual([
      { process: 'batch', pct: 94 },
      { process: 'db', pct: 6 },
    ]);
  });

  it('takes the top status from the checks alone: pass, warn, fail', () => {
    const thrashing = { faultCpu: withWindow(2, 40, 120, 90) };
    expect(computeVerdict(run({ ...thrashing, checks: [{ passed: true }] })).status).toBe('pass');
    expect(computeVerdict(run({ checks: [{ passed: true }, { passed: false, level: 'warn' }] })).status).toBe('warn');
    expect(computeVerdict(run({ checks: [{ passed: false, level: 'error' }] })).status).toBe('fail');
    expect(computeVerdict(run(thrashing)).status).toBe('unchecked');
  });

  it('leads with an OOM kill', () => {
    const input = run({ oomKills: 1 });
    input.events = [{ timeMs: 96_000, kind: 'oom-kill', process: 'batch', message: 'memcg OOM: killed batch' }];
    expect(computeVerdict(input).headline).toBe(
      'batch OOM-killed at 00:01:36; db healthy: whole-run p99 210 ms (baseline 200 ms); host healthy',
    );
  });

  it('ignores a spike shorter than the sustained window', () => {
    const spike = withWindow(2, 50, 59, 95); // 9 s above the thrashing level
    expect(computeVerdict(run({ faultCpu: spike })).host?.state).toBe('healthy');
    const long = withWindow(2, 50, 60, 95); // 10 s
    expect(computeVerdict(run({ faultCpu: long })).host?.state).toBe('thrashing');
  });

  it('calls sustained major faults above the rule of thumb a degraded host, the baseline taken before the trouble', () => {
    const majors = withWindow(0.5, 60, 120, 40);
    const p99 = withWindow(200, 60, 120, 900);
    const v = computeVerdict(run({ majors, p99 }));
    expect(v.host?.state).toBe('degraded');
    expect(v.headline).toBe(
      'db healthy: whole-run p99 210 ms (baseline 200 ms); host degraded from 00:01:00: 2% of CPU time lost to faulting (0.5% busy, 1.5% waiting), 40 major faults/s',
    );
  });

  it('calls a process whose latency stays far above its baseline degraded, even on a healthy host', () => {
    const p99 = withWindow(200, 90, 120, 200 * (VERDICT_THRESHOLDS.degradedLatencyFactor + 1));
    const v = computeVerdict(run({ p99 }));
    expect(v.host?.state).toBe('healthy');
    expect(v.processes[0]).toMatchObject({ process: 'db', state: 'degraded', fromMs: 90_000 });
    expect(v.headline).toBe('db degraded from 00:01:30: whole-run p99 210 ms (baseline 200 ms); host healthy');
  });

  it('counts OOM kills from the summary even without kill events', () => {
    const v = computeVerdict(run({ oomKills: 2 }));
    expect(v.headline).toMatch(/^2 OOM kills; batch OOM-killed at 00:01:36; /);
  });

  it('says when a failed run failed, first line only', () => {
    const v = computeVerdict({ ...run(), status: 'failed', error: 'worker crashed\nstack…' });
    expect(v).toEqual({ status: 'failed', headline: 'run failed: worker crashed', processes: [] });
  });

  it('breaks a sustained stretch at a step with no value', () => {
    const t = Array.from({ length: 20 }, (_, i) => (i + 1) * 1000);
    const s: Series = Array.from({ length: 20 }, (_, i) => (i === 8 ? null : 90));
    expect(sustained(t, s, (v) => v > 50)).toEqual([{ from: 9, to: 19 }]);
  });
});
