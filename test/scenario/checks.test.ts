import { describe, expect, it } from 'vitest';
import {
  aggregateSeries,
  type CheckInput,
  evaluateChecks,
  histogramPercentile,
  seriesPercentile,
} from '../../src/analysis/checks.js';
import type { HostSummary } from '../../src/result/types.js';
import type { ExpectConfig } from '../../src/scenario/types.js';

const hostSummary: HostSummary = {
  faultCpuPctMax: 90,
  faultCpuPctAvg: 40,
  majorFaultsPerSecMax: 500,
  majorFaults: 1000,
  minorFaults: 5000,
  oomKills: 1,
  allocFailures: 0,
  swapInPages: 10,
  swapOutPages: 20,
  psiSomeAvg10PctMax: 50,
  psiFullAvg10PctMax: 20,
};

const result: CheckInput = {
  timeMs: [1000, 2000, 3000, 4000, 5000],
  host: { faultCpuPct: [10, null, 30, 90, 20], memFreeBytes: [null, null, null, null, null] },
  processes: { 'db.primary': { rssBytes: [1, 2, 3, 4, 5] } },
  cgroups: { 'system.slice/db.service': { usageBytes: [100, 200, 300, 200, 100] } },
  summary: {
    host: hostSummary,
    phases: [],
    processes: {
      'db.primary': {
        minorFaults: 0,
        majorFaults: 0,
        swapInPages: 0,
        oomKilled: false,
        allocFailures: 0,
        peakRssBytes: 5,
        stallPct: 0,
        latencyMs: { count: 100, meanMs: 30, p50Ms: 10, p95Ms: 100, p99Ms: 190, maxMs: 250 },
        // Buckets [1·2^i, 1·2^(i+1)): 90 requests in [8,16), 9 in [64,128), 1 in [128,256).
        latencyHistogram: { baseMs: 1, ratio: 2, counts: { '3': 90, '6': 9, '7': 1 } },
      },
      idle: {
        minorFaults: 0,
        majorFaults: 0,
        swapInPages: 0,
        oomKilled: false,
        allocFailures: 0,
        peakRssBytes: 0,
        stallPct: 0,
      },
    },
  },
};

function check(metric: string, aggregation: string, op: ExpectConfig['op'], threshold: number): ExpectConfig {
  return {
    source: `${metric}: ${aggregation} ${op} ${threshold}`,
    metric,
    aggregation,
    op,
    threshold,
    level: 'error',
    where: 'x:1:1',
  };
}

describe('aggregations', () => {
  it('aggregate a series ignoring nulls', () => {
    const s = [10, null, 30, 90, 20];
    expect(aggregateSeries(s, 'max')).toBe(90);
    expect(aggregateSeries(s, 'min')).toBe(10);
    expect(aggregateSeries(s, 'avg')).toBe(37.5);
    expect(aggregateSeries(s, 'last')).toBe(20);
    expect(aggregateSeries(s, 'p(50)')).toBe(20);
    expect(aggregateSeries(s, 'p(100)')).toBe(90);
    expect(aggregateSeries([null, null], 'max')).toBeNull();
    expect(aggregateSeries(undefined, 'max')).toBeNull();
  });

  it('take nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(seriesPercentile(values, 99)).toBe(99);
    expect(seriesPercentile(values, 99.5)).toBe(100);
    expect(seriesPercentile([7], 1)).toBe(7);
  });

  it('read percentiles from the latency histogram as the upper edge of the bucket', () => {
    const h = { baseMs: 1, ratio: 2, counts: { '3': 90, '6': 9, '7': 1 } };
    expect(histogramPercentile(h, 50)).toBe(16);
    expect(histogramPercentile(h, 95)).toBe(128);
    expect(histogramPercentile(h, 100)).toBe(256);
    expect(histogramPercentile({ baseMs: 1, ratio: 2, counts: {} }, 50)).toBeNull();
  });
});

describe('evaluateChecks', () => {
  it('evaluates series, latency and counters, with units', () => {
    const checks = evaluateChecks(
      [
        check('host.faultCpuPct', 'max', '<', 50),
        check('host.faultCpuPct', 'avg', '<=', 37.5),
        check('processes.db.primary.rssBytes', 'last', '==', 5),
        check('cgroups.system.slice/db.service.usageBytes', 'p(50)', '>=', 200),
        check('processes.db.primary.latencyMs', 'p(99)', '<', 200),
        check('processes.db.primary.latencyMs', 'p(98)', '<', 200),
        check('processes.db.primary.latencyMs', 'p(100)', '<', 300),
        check('processes.db.primary.latencyMs', 'avg', '<', 31),
        check('oomKills', 'value', '==', 0),
        check('swapOutPages', 'value', '!=', 0),
      ],
      result,
    );
    expect(checks.map((c) => [c.observed, c.passed, c.unit])).toEqual([
      [90, false, 'pct'],
      [37.5, true, 'pct'],
      [5, true, 'bytes'],
      [200, true, 'bytes'],
      // p(99) is the summary's exact whole-run p99, the number the reports print; p(98) comes from the histogram.
      [190, true, 'ms'],
      [128, true, 'ms'],
      [250, true, 'ms'],
      [30, true, 'ms'],
      [1, false, 'count'],
      [20, true, 'pages'],
    ]);
    expect(checks[0]).toMatchObject({ source: 'host.faultCpuPct: max < 50', level: 'error', threshold: 50, op: '<' });
  });

  it('fails a check whose metric has no value in the run', () => {
    const checks = evaluateChecks(
      [
        check('host.memFreeBytes', 'max', '>', 0),
        check('processes.idle.latencyMs', 'p(99)', '<', 1000),
        check('processes.gone.rssBytes', 'max', '<', 1),
      ],
      result,
    );
    expect(checks.map((c) => [c.observed, c.passed])).toEqual([
      [null, false],
      [null, false],
      [null, false],
    ]);
  });

  it('keeps the level', () => {
    const [c] = evaluateChecks([{ ...check('oomKills', 'value', '==', 0), level: 'warn' }], result);
    expect(c).toMatchObject({ level: 'warn', passed: false });
  });
});
