import { describe, expect, it } from 'vitest';
import { chooseFidelity, MEASURED_SAMPLING_ERROR_PCT } from '../../src/kernel/fidelity.js';
import { simulateHost } from '../../src/kernel/simulate.js';
import { GiB, host, MiB, proc, scenario } from './factory.js';

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

describe('fidelity', () => {
  it('sampling at 1/16 stays within the documented major-fault error of an exact replay', () => {
    const exact = simulateHost(tenants(), { fidelity: { mode: 'exact' } });
    const sampled = simulateHost(tenants(), { fidelity: { mode: 'sampled', sampleRate: 1 / 16 } });
    expect(exact.fidelity.mode).toBe('exact');
    expect(sampled.fidelity).toMatchObject({
      mode: 'sampled',
      sampleRate: 1 / 16,
      measuredErrorPct: MEASURED_SAMPLING_ERROR_PCT,
    });
    const err = Math.abs(sampled.summary.host.majorFaults / exact.summary.host.majorFaults - 1) * 100;
    // Measured 6.6 % when written; MEASURED_SAMPLING_ERROR_PCT records it.
    expect(err).toBeLessThanOrEqual(MEASURED_SAMPLING_ERROR_PCT);
    expect(exact.summary.host.majorFaults).toBeGreaterThan(10_000);
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
