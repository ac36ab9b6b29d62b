import { describe, expect, it } from 'vitest';
import {
  chooseFidelity,
  fidelityInfo,
  SAMPLING_ERROR_TABLE,
  type SamplingMeasurement,
  samplingErrorAt,
} from '../../src/kernel/fidelity.js';
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

type Scen = SamplingMeasurement['scenario'];
/** The table's rows of `scen`. */
const rowsOf = (scen: Scen) => SAMPLING_ERROR_TABLE.filter((m) => m.scenario === scen);
/** The row of `scen` at `rate` or within 0.5 % of it (the incident's 1/70.44 reads the 1/70.4 row). */
const rowAt = (scen: Scen, rate: number) => rowsOf(scen).find((m) => Math.abs(m.rate / rate - 1) <= 5e-3);

/**
 * Replays `make(seed)` exactly and at each rate; the signed error of every metric must lie in the
 * table row of `scen` at that rate (seed is among the row's seeds, so the row is reproduced, to its
 * rounding), and the figures a run at that rate reports must cover it.
 */
function checkRows(scen: Scen, make: (seed: number) => Scenario, seed: number, tenant: string, rates: number[]): void {
  const metrics = (sc: Scenario, fidelity: { mode: 'exact' | 'sampled'; sampleRate?: number }) => {
    const out = simulateHost(sc, { fidelity });
    return {
      info: out.fidelity,
      majorFaults: out.summary.host.majorFaults,
      faultCpuPctAvg: out.summary.host.faultCpuPctAvg,
      latencyP99: out.summary.processes[tenant]!.latencyMs!.p99Ms,
    };
  };
  const exact = metrics(make(seed), { mode: 'exact' });
  // The shape the table was measured on: the run faults heavily (else every error is noise).
  expect(exact.majorFaults).toBeGreaterThan(100_000);
  for (const rate of rates) {
    const row = rowAt(scen, rate);
    expect(row?.seeds, `${scen} row at rate ${rate}`).toContain(seed);
    const s = metrics(make(seed), { mode: 'sampled', sampleRate: rate });
    const figures = s.info.measuredErrorsPct;
    expect(figures, `rate ${rate}`).toBeDefined();
    const check = (
      k: 'majorFaults' | 'faultCpuPctAvg' | 'latencyP99',
      range: readonly [number, number],
      fig: number,
    ) => {
      const err = (s[k] / exact[k] - 1) * 100;
      const what = `${scen} ${k} at rate 1/${(1 / rate).toFixed(2)}: ${err.toFixed(2)} %`;
      expect(err, what).toBeGreaterThanOrEqual(range[0] - 0.05);
      expect(err, what).toBeLessThanOrEqual(range[1] + 0.05);
      expect(Math.abs(err), what).toBeLessThanOrEqual(fig);
    };
    check('majorFaults', row!.majorFaultsPct, figures!.majorFaults);
    check('faultCpuPctAvg', row!.faultCpuPctAvgPct, figures!.faultCpuPctAvg);
    check('latencyP99', row!.latencyP99Pct, figures!.latencyP99);
  }
}

describe('fidelity', () => {
  it('the table has a row of its own at every rate the bundled scenarios run at', () => {
    // The incident's rates on the scaled-down incident, the other bundled scenarios' on page-cache-vs-batch.
    for (const rate of usedRates([INCIDENT])) expect(rowAt('incident/16', rate), `1/${1 / rate}`).toBeDefined();
    for (const rate of usedRates(BUNDLED)) expect(rowAt('page-cache-vs-batch', rate), `1/${1 / rate}`).toBeDefined();
    expect(usedRates([INCIDENT]).length).toBeGreaterThan(0);
    expect(usedRates(BUNDLED).length).toBeGreaterThan(0);
  });

  it("the incident's rows are reproduced at the incident's rates (scaled-down incident, seed 1)", () => {
    checkRows('incident/16', (seed) => scaledIncident(16, seed), 1, 'db', [1 / 70.4, 1 / 22.4]);
  });

  it("the other bundled scenarios' rows are reproduced at their rates (page-cache-vs-batch, seed 1)", () => {
    checkRows('page-cache-vs-batch', pageCacheVsBatch, 1, 'fileserver', [1 / 1.12, 1 / 2.52, 1 / 4.03]);
  });

  it('a run reports, per scenario, the worst of the rows at the measured rates around its own, worst over scenarios', () => {
    const at = (rate: number) => fidelityInfo({ mode: 'sampled', rate }, 10_000);
    const figs = (rate: number) => at(rate).measuredErrorsPct;
    // Figures worked out by hand from the table. On a measured rate: that rate's rows
    // (1/16: incident/4's +7.5 % major faults, incident/16's −1.7 % fault CPU, the capped one's +32.7 % p99).
    expect(at(1 / 16)).toMatchObject({ measuredAtRate: 1 / 16, measuredErrorPct: 8 });
    expect(figs(1 / 16)).toEqual({ majorFaults: 8, faultCpuPctAvg: 2, latencyP99: 33 });
    expect(figs(0.0625)).toEqual(figs(1 / 16));
    // Between measured rates: both neighbours of each scenario (1/17: incident/16's 1/16 and
    // 1/22.4, incident/4's 1/16 and 1/32 with +11.4 %, page-cache-vs-batch's 1/22.4 with +3.2 % fault CPU,
    // the capped one's 1/16 p99).
    expect(at(1 / 17)).toMatchObject({ measuredAtRate: 1 / 22.4 });
    expect(figs(1 / 17)).toEqual({ majorFaults: 12, faultCpuPctAvg: 4, latencyP99: 33 });
    // The incident's own rate, 1/70.44, reads the 1/70.4 rows: incident/4's +26.3 % and −36.0 %,
    // page-cache-vs-batch's 4.7 % fault CPU; not the 1/128 rows (41, 6, 51).
    expect(at(1 / 70.44)).toMatchObject({ measuredAtRate: 1 / 70.4, errorMetric: 'total major faults' });
    expect(figs(1 / 70.44)).toEqual({ majorFaults: 27, faultCpuPctAvg: 5, latencyP99: 36 });
    expect(figs(1 / 100)).toEqual({ majorFaults: 41, faultCpuPctAvg: 6, latencyP99: 51 });
    expect(at(1 / 100)).toMatchObject({ measuredAtRate: 1 / 128 });
    expect(at(1 / 22.44)).toMatchObject({ measuredAtRate: 1 / 22.4 });
    // Above a scenario's highest measured rate: that rate's row (incident/4's 1/8: +5.2 %, +12.4 % p99).
    expect(at(0.95)).toMatchObject({ measuredAtRate: 1 / 1.12 });
    expect(figs(0.95)).toEqual({ majorFaults: 6, faultCpuPctAvg: 1, latencyP99: 13 });
    // Below every measured rate: no number, a note saying so.
    const low = at(1 / 200);
    expect(low.measuredErrorPct).toBeUndefined();
    expect(low.measuredAtRate).toBeUndefined();
    expect(low.note).toMatch(/not measured this low/);
    expect(samplingErrorAt(1 / 200)).toBeUndefined();
    // Exact replay carries no sampling error.
    expect(fidelityInfo({ mode: 'exact', rate: 1 }, 10_000).measuredErrorPct).toBeUndefined();
  });

  it('the figures a run reports cover every row measured at its rate', () => {
    for (const m of SAMPLING_ERROR_TABLE) {
      const f = samplingErrorAt(m.rate)!;
      const worst = (r: readonly [number, number]) => Math.max(-r[0], r[1]);
      expect(f.majorFaultsPct, `${m.scenario} 1/${1 / m.rate}`).toBeGreaterThanOrEqual(worst(m.majorFaultsPct));
      expect(f.faultCpuPctAvgPct).toBeGreaterThanOrEqual(worst(m.faultCpuPctAvgPct));
      expect(f.latencyP99Pct).toBeGreaterThanOrEqual(worst(m.latencyP99Pct));
      expect(f.minFrames).toBeLessThanOrEqual(m.frames);
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
