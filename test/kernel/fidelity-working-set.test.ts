import { describe, expect, it } from 'vitest';
import { runVariant } from '../../src/engine/run-variant.js';
import {
  chooseFidelity,
  MIN_SIMULATED_FRAMES,
  samplingErrorAt,
  UNMEASURED_VERDICT_NOTE,
} from '../../src/kernel/fidelity.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { Variant } from '../../src/scenario/types.js';

/** Sampling follows the working set, not RAM alone (issue #16, defect 5). */
function variant(lines: {
  ram: string;
  anon: string;
  duration?: string;
  touches?: number;
  fidelity?: string;
}): Variant {
  const text = [
    'name: ws',
    `duration: ${lines.duration ?? '20s'}`,
    'host:',
    `  ram: ${lines.ram}`,
    '  cpus: 8',
    '  swap: { size: 16Gi, device: ssd }',
    ...(lines.fidelity ? [`fidelity: ${lines.fidelity}`] : []),
    'processes:',
    '  app:',
    `    memory: { anon: ${lines.anon} }`,
    `    touchesPerSec: ${lines.touches ?? 10000}`,
  ].join('\n');
  return loadScenarioText(text, 'ws.yaml').variants[0] as Variant;
}

describe('sampling follows the working set', () => {
  it('defect 5: ram 1000Pi replays the 512 MiB working set exactly: resident 512 MiB, not a healthy 0 bytes', () => {
    const v = variant({ ram: '1000Pi', anon: '512Mi' });
    // Before: the frame budget over RAM alone gave 1e6 / 2.7e14 frames = 3.6e-9, i.e. no page of the working set.
    expect(chooseFidelity(v.scenario)).toEqual({ mode: 'exact', rate: 1 });
    const r = runVariant(v);
    expect(r.status).toBe('ok');
    expect(r.summary.processes.app?.peakRssBytes).toBe(512 * 2 ** 20);
    expect(Math.max(...(r.host.memAnonBytes as number[]))).toBe(512 * 2 ** 20);
    expect(r.fidelity.mode).toBe('exact');
  });

  it('never samples a working set below the minimum, however long it is touched: a small one is replayed whole', () => {
    // 1 MiB (256 pages) touched 10 000 times a second for 30 min: 1.8e7 touches, over the 1e7 budget.
    const v = variant({ ram: '1Gi', anon: '1Mi', duration: '30m' });
    expect(chooseFidelity(v.scenario).rate).toBe(1);
    // A large one keeps at least MIN_SIMULATED_FRAMES sampled pages.
    const big = variant({ ram: '64Gi', anon: '48Gi', duration: '744h', touches: 1e6 });
    const c = chooseFidelity(big.scenario);
    expect(c.mode).toBe('sampled');
    expect(c.rate * 48 * 2 ** 18).toBeGreaterThanOrEqual(MIN_SIMULATED_FRAMES * 0.999_999);
  });

  it('a run sampled below every measured rate carries a warning, and its verdict says so', () => {
    const low = runVariant(variant({ ram: '64Gi', anon: '48Gi', fidelity: '{ mode: sampled, sampleRate: 0.001 }' }));
    expect(low.warnings.map((w) => w.code)).toContain('sampling-unmeasured');
    expect(low.warnings.find((w) => w.code === 'sampling-unmeasured')?.message).toMatch(
      /^sampled at 1\.00e-3 of the pages, below the lowest rate whose error against exact runs was measured \(1\/128\)/,
    );
    expect(low.verdict.headline.endsWith(`(${UNMEASURED_VERDICT_NOTE})`)).toBe(true);
    expect(low.fidelity.measuredErrorPct).toBeUndefined();

    const measured = runVariant(
      variant({ ram: '64Gi', anon: '48Gi', fidelity: '{ mode: sampled, sampleRate: 0.0625 }' }),
    );
    expect(measured.warnings.map((w) => w.code)).not.toContain('sampling-unmeasured');
    expect(measured.verdict.headline).not.toContain(UNMEASURED_VERDICT_NOTE);
    // The 1/16 row of the measured table (docs/kernel.md, Fidelity).
    expect(measured.fidelity.measuredErrorPct).toBe(samplingErrorAt(1 / 16)?.majorFaultsPct);
  });

  it('refuses a swap whose slot table the replay cannot hold (a typed array of 2.7e14 slots), naming the field', () => {
    const v = variant({ ram: '2Gi', anon: '256Mi' });
    v.scenario.host.swap.sizeBytes = 1000 * 2 ** 50;
    expect(() => chooseFidelity(v.scenario)).toThrow(
      expect.objectContaining({
        field: 'host.swap.size',
        message: expect.stringMatching(/^swap of 274877906944000 pages needs/),
      }),
    );
  });

  it('refuses a forced sample rate that leaves too few pages of the working set, naming the field', () => {
    const v = variant({ ram: '64Gi', anon: '1Gi', fidelity: '{ mode: sampled, sampleRate: 0.001 }' });
    expect(() => chooseFidelity(v.scenario)).toThrow(
      'sample rate 1.00e-3 leaves 262 simulated pages of a working set of 262144 pages (262144 of them fit in RAM; minimum 2048): raise the sample rate',
    );
  });
});
