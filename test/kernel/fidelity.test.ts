import { describe, expect, it } from 'vitest';
import { chooseFidelity, fidelityInfo, SAMPLING_ERROR_TABLE, samplingErrorAt } from '../../src/kernel/fidelity.js';
import { simulateHost } from '../../src/kernel/simulate.js';
import { loadScenarioFile } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';
import { GiB, host, MiB, proc, scenario } from './factory.js';
import { pageCacheVsBatch, scaledIncident } from './sampling-scenarios.js';

/** Two tenants, the second outgrowing RAM: the shape the incident has, small enough to replay exactly. */
const tenants = () =>
  scenario({
    host: host({ ramBytes: 512 * MiB }),
    durationMs: 30_000,
    processes: [
      proc('db', {
        memory: { anonBytes: 256 * MiB, fileBytes: 128 * MiB },
        fileTouchFraction: 0.3,
        access: [{ atMs: 0, pattern: { kind: 'zipf', alpha: 0.9 } }],
      }),
      proc('batch', {
        startMs: 5000,
        cpu: { threads: 2, cores: 2 },
        memory: { anonBytes: 512 * MiB, anonInitialBytes: 64 * MiB, growthBytesPerSec: 64 * MiB },
        touchesPerSec: 100_000,
      }),
    ],
  });

const INCIDENT = 'scenarios/incident-spark-120g-on-64g.yaml';
const BUNDLED = [
  'scenarios/k8s-node-requests-limits.yaml',
  'scenarios/leak-to-oom-kill.yaml',
  'scenarios/page-cache-vs-batch.yaml',
  'scenarios/zram-laptop.yaml',
];
/** The distinct sampled rates auto fidelity picks for the variants of these scenario files. */
function usedRates(files: string[]): number[] {
  const rates = new Set<number>();
  for (const f of files) {
    const l = loadScenarioFile(f);
    for (const v of l.variants.length > 0 ? l.variants : [{ scenario: l.scenario }]) {
      const c = chooseFidelity(v.scenario);
      if (c.mode === 'sampled') rates.add(c.rate);
    }
  }
  return [...rates].sort((a, b) => b - a);
}

/** Replays `make()` exactly and at each rate; every metric's error must be within the figure reported for the rate. */
function checkAgainstTable(make: () => Scenario, tenant: string, rates: number[]): void {
  const metrics = (sc: Scenario, fidelity: { mode: 'exact' | 'sampled'; sampleRate?: number }) => {
    const out = simulateHost(sc, { fidelity });
    return {
      info: out.fidelity,
      majorFaults: out.summary.host.majorFaults,
      faultCpuPctAvg: out.summary.host.faultCpuPctAvg,
      latencyP99: out.summary.processes[tenant]!.latencyMs!.p99Ms,
    };
  };
  const exact = metrics(make(), { mode: 'exact' });
  // The shape the table was measured on: the run faults heavily (else every error is noise).
  expect(exact.majorFaults).toBeGreaterThan(100_000);
  for (const rate of rates) {
    const s = metrics(make(), { mode: 'sampled', sampleRate: rate });
    const err = (k: 'majorFaults' | 'faultCpuPctAvg' | 'latencyP99') => Math.abs(s[k] / exact[k] - 1) * 100;
    const figures = s.info.measuredErrorsPct;
    // A rate in use below every measured rate: the table needs a lower row.
    expect(figures, `rate ${rate}`).toBeDefined();
    expect(err('majorFaults'), `major faults at rate ${rate}`).toBeLessThanOrEqual(figures!.majorFaults);
    expect(err('faultCpuPctAvg'), `faultCpuPct avg at rate ${rate}`).toBeLessThanOrEqual(figures!.faultCpuPctAvg);
    expect(err('latencyP99'), `${tenant} p99 at rate ${rate}`).toBeLessThanOrEqual(figures!.latencyP99);
  }
}

describe('fidelity', () => {
  it("the incident's sampling rates stay within the measured error table (scaled-down incident)", () => {
    const rates = usedRates([INCIDENT]);
    expect(rates.length).toBeGreaterThan(0);
    checkAgainstTable(() => scaledIncident(16, 1), 'db', rates);
  });

  it("the other bundled scenarios' sampling rates stay within the measured error table (page-cache-vs-batch)", () => {
    const rates = usedRates(BUNDLED);
    expect(rates.length).toBeGreaterThan(0);
    checkAgainstTable(() => pageCacheVsBatch(1), 'fileserver', rates);
  });

  it('fidelityInfo reports the figure of the nearest measured rate at or below the chosen one', () => {
    const at = (rate: number) => fidelityInfo({ mode: 'sampled', rate }, 10_000);
    const row = (inv: number) => SAMPLING_ERROR_TABLE.find((r) => Math.round(1 / r.rate) === inv)!;
    // Exactly on a measured rate, including one given as a rounded fraction.
    expect(at(1 / 16)).toMatchObject({ measuredAtRate: 1 / 16, measuredErrorPct: row(16).majorFaultsPct });
    expect(at(0.0625)).toMatchObject({ measuredAtRate: 1 / 16 });
    // Between two measured rates: the lower one (larger error), never the nearer higher one.
    expect(at(1 / 17)).toMatchObject({ measuredAtRate: 1 / 32, measuredErrorPct: row(32).majorFaultsPct });
    expect(at(0.0142)).toMatchObject({ measuredAtRate: 1 / 128, errorMetric: 'total major faults' });
    expect(at(0.0142).measuredErrorsPct).toEqual({
      majorFaults: row(128).majorFaultsPct,
      faultCpuPctAvg: row(128).faultCpuPctAvgPct,
      latencyP99: row(128).latencyP99Pct,
    });
    // Above the highest measured rate: that rate's figure.
    expect(at(0.9)).toMatchObject({ measuredAtRate: 1 / 8, measuredErrorPct: row(8).majorFaultsPct });
    // Below every measured rate: no number, a note saying so.
    const low = at(1 / 200);
    expect(low.measuredErrorPct).toBeUndefined();
    expect(low.measuredAtRate).toBeUndefined();
    expect(low.note).toMatch(/not measured this low/);
    expect(samplingErrorAt(1 / 200)).toBeUndefined();
    // Exact replay carries no sampling error.
    expect(fidelityInfo({ mode: 'exact', rate: 1 }, 10_000).measuredErrorPct).toBeUndefined();
  });

  it('the table never reports a smaller error for a lower rate', () => {
    const rows = [...SAMPLING_ERROR_TABLE].sort((a, b) => b.rate - a.rate);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.majorFaultsPct).toBeGreaterThanOrEqual(rows[i - 1]!.majorFaultsPct);
      expect(rows[i]!.faultCpuPctAvgPct).toBeGreaterThanOrEqual(rows[i - 1]!.faultCpuPctAvgPct);
      expect(rows[i]!.latencyP99Pct).toBeGreaterThanOrEqual(rows[i - 1]!.latencyP99Pct);
    }
  });

  it('picks exact replay for a small host and sampling for a big one', () => {
    const auto = { mode: 'auto' as const, sampleRate: null, timeBudgetMs: 60_000 };
    expect(chooseFidelity({ ...tenants(), fidelity: auto })).toEqual({ mode: 'exact', rate: 1 });
    const big = scenario({
      fidelity: auto,
      host: host({ ramBytes: 64 * GiB }),
      durationMs: 1_800_000,
      processes: [proc('a', { memory: { anonBytes: 100 * GiB }, touchesPerSec: 400_000 })],
    });
    const c = chooseFidelity(big);
    expect(c.mode).toBe('sampled');
    expect(c.rate).toBeLessThan(0.1);
  });
});
