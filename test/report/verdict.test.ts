import { describe, expect, it } from 'vitest';
import { computeVerdict, sustained, VERDICT_THRESHOLDS, type VerdictInput } from '../../src/analysis/verdict.js';
import type { Series } from '../../src/result/types.js';
import { incidentResult } from './fixtures.js';

/** A quiet 120-step run with series overridden where given. */
function run(overrides: { faultCpu?: Series; majors?: Series; p99?: Series; oomKills?: number } = {}): VerdictInput {
  const n = 120;
  const fill = (v: number): Series => Array.from({ length: n }, () => v);
  return {
    status: 'ok',
    timeMs: Array.from({ length: n }, (_, i) => (i + 1) * 1000),
    host: { faultCpuPct: overrides.faultCpu ?? fill(2), majorFaultsPerSec: overrides.majors ?? fill(0.5) },
    processes: { db: { latencyP99Ms: overrides.p99 ?? fill(200) } },
    events: [],
    summary: {
      host: {
        faultCpuPctMax: 0,
        faultCpuPctAvg: 0,
        majorFaultsPerSecMax: 0,
        majorFaults: 0,
        minorFaults: 0,
        oomKills: overrides.oomKills ?? 0,
        allocFailures: 0,
        swapInPages: 0,
        swapOutPages: 0,
        psiSomeAvg10PctMax: 0,
        psiFullAvg10PctMax: 0,
      },
    },
  };
}

const withWindow = (base: number, from: number, to: number, v: number): Series =>
  Array.from({ length: 120 }, (_, i) => (i >= from && i < to ? v : base));

describe('computeVerdict', () => {
  it('tells the incident in one line: when thrashing began, how bad, and the latency against its baseline', () => {
    const v = incidentResult().verdict;
    expect(v.status).toBe('oom');
    expect(v.thrashingFromMs).toBe(312_000);
    expect(v.headline).toBe(
      'thrashing from 00:05:12 to 00:24:30: 84% of CPU on faults; OOM killed spark at 00:24:10; db p99 reached 4.14 min (baseline 212 ms)',
    );
  });

  it('says healthy with the peaks when nothing is sustained', () => {
    expect(computeVerdict(run())).toEqual({
      status: 'healthy',
      headline: 'healthy: at most 2% of CPU on faults, 0.5 major faults/s; db p99 200 ms at worst',
    });
  });

  it('leads with an OOM kill when faulting itself stayed healthy', () => {
    const input = run({ oomKills: 1 });
    input.events = [{ timeMs: 96_000, kind: 'oom-kill', process: 'leaky', message: 'memcg OOM: killed leaky' }];
    expect(computeVerdict(input)).toEqual({
      status: 'oom',
      headline: 'OOM killed leaky at 00:01:36; otherwise healthy: at most 2% of CPU on faults, 0.5 major faults/s',
    });
  });

  it('ignores a spike shorter than the sustained window', () => {
    const spike = withWindow(2, 50, 59, 95); // 9 s above the thrashing level
    expect(computeVerdict(run({ faultCpu: spike })).status).toBe('healthy');
    const long = withWindow(2, 50, 60, 95); // 10 s
    expect(computeVerdict(run({ faultCpu: long })).status).toBe('thrashing');
  });

  it('calls sustained major faults above the rule of thumb degraded, with the baseline taken before the trouble', () => {
    const majors = withWindow(0.5, 60, 120, 40);
    const p99 = withWindow(200, 60, 120, 900);
    const v = computeVerdict(run({ majors, p99 }));
    expect(v.status).toBe('degraded');
    expect(v.headline).toBe(
      'degraded from 00:01:00: 40 major faults/s, 2% of CPU on faults; db p99 reached 900 ms (baseline 200 ms)',
    );
  });

  it('calls latency far above its baseline degraded even without fault trouble', () => {
    const p99 = withWindow(200, 90, 120, 200 * (VERDICT_THRESHOLDS.degradedLatencyFactor + 1));
    const v = computeVerdict(run({ p99 }));
    expect(v.status).toBe('degraded');
    expect(v.headline).toContain('request latency far above its baseline');
  });

  it('reports OOM kills from the summary even without kill events', () => {
    const v = computeVerdict(run({ oomKills: 2 }));
    expect(v.status).toBe('oom');
    expect(v.headline).toContain('2 OOM kills');
  });

  it('says when a failed run failed, first line only', () => {
    const v = computeVerdict({ ...run(), status: 'failed', error: 'worker crashed\nstack…' });
    expect(v).toEqual({ status: 'failed', headline: 'run failed: worker crashed' });
  });

  it('breaks a sustained stretch at a step with no value', () => {
    const t = Array.from({ length: 20 }, (_, i) => (i + 1) * 1000);
    const s: Series = Array.from({ length: 20 }, (_, i) => (i === 8 ? null : 90));
    expect(sustained(t, s, (v) => v > 50)).toEqual([{ from: 9, to: 19 }]);
  });
});
