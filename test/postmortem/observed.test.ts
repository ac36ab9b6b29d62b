import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareObserved, loadObservedData, resampleOnto, seriesError } from '../../src/engine/observed.js';
import { runVariant } from '../../src/engine/run-variant.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { Variant } from '../../src/scenario/types.js';
import { importTelemetry, tableToCsv } from '../../src/traces/telemetry/index.js';

const SCENARIO = new URL('../fixtures/postmortem/synthetic.yaml', import.meta.url).pathname;
const VMSTAT = new URL('../fixtures/telemetry/vmstat-t-thrash.txt', import.meta.url).pathname;

describe('resampleOnto', () => {
  it('averages finer samples over each step, weighted by time', () => {
    const sim = [1000, 2000, 3000, 4000];
    expect(resampleOnto(sim, [1, 2, 3, 5], 1000, [2000, 4000])).toEqual([1.5, 4]);
    // A step only partly covered by finite values averages what it has, if that is at least half.
    expect(resampleOnto(sim, [1, Number.NaN, 3, 5], 1000, [2000, 4000])).toEqual([1, 4]);
    expect(resampleOnto(sim, [Number.NaN, Number.NaN, 3, 5], 1000, [2000, 4000])).toEqual([null, 4]);
  });

  it('holds a coarser sample over the interval it closes, and leaves steps outside the file null', () => {
    // Rows at 5 s and 10 s: the first covers (0, 5 s], the second (5 s, 10 s].
    expect(resampleOnto([5000, 10000], [10, 20], 5000, [2000, 4000, 6000, 10000, 12000])).toEqual([
      10,
      10,
      15,
      20,
      null,
    ]);
  });
});

describe('seriesError', () => {
  it('skips near-zero observed points in MAPE but not in MAE', () => {
    // Near zero: below max(floor 1, 5% of the largest |observed| 200 = 10): the 0 and the 0.2.
    const e = seriesError([1, 0.2, 110, 180, 5], [0, 0.2, 100, 200, null], 1);
    expect(e.points).toBe(4);
    expect(e.maeValue).toBeCloseTo((1 + 0 + 10 + 20) / 4, 12);
    expect(e.mapePoints).toBe(2);
    expect(e.mapePct).toBeCloseTo(10, 12);
    expect(e.normalisedError).toBeCloseTo(7.75 / (300.2 / 4), 12);
  });

  it('has no MAPE when every observed point is near zero, and floors the normaliser', () => {
    const e = seriesError([0.5, 0], [0.1, 0], 1);
    expect(e.mapePct).toBeNull();
    // MAE (0.4 + 0) / 2 over the floor 1, since the mean |observed| 0.05 is below it.
    expect(e.normalisedError).toBeCloseTo(0.2, 12);
  });
});

describe('loadObservedData', () => {
  it('reads a csv source through the telemetry csv importer: the same data as its vmstat original', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-observed-'));
    try {
      const csv = join(dir, 'vmstat.csv');
      const { table } = importTelemetry('vmstat', readFileSync(VMSTAT, 'utf8'), { file: VMSTAT, lenient: false });
      writeFileSync(csv, tableToCsv(table));
      expect(loadObservedData('csv', csv)).toEqual(loadObservedData('vmstat', VMSTAT));
      writeFileSync(csv, 'time,t_s,free_bytes\n2026-03-14T02:00:00.000Z,0,1\nnot-a-time,5,2\n');
      expect(() => loadObservedData('csv', csv)).toThrow(`${csv}:3: the time cell is not an ISO 8601 time`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('runVariant with observed:', () => {
  it('puts the vmstat series, in the simulated units, beside the run with its error figures', () => {
    const text = `${readFileSync(SCENARIO, 'utf8')}\nobserved:\n  - kind: vmstat\n    file: ${VMSTAT}\n`;
    const variant = loadScenarioText(text, SCENARIO).variants[0] as Variant;
    const r = runVariant(variant);
    expect(r.status).toBe('ok');
    const o = r.observed;
    if (!o) throw new Error('no observed comparison');
    expect(o.sources).toEqual([{ kind: 'vmstat', file: VMSTAT, offsetMs: 0, rows: 25 }]);
    expect(o.timeMs).toEqual(r.timeMs);
    // vmstat has no major-fault column; si/so are KiB/s of 4 KiB pages.
    expect(o.errors.map((e) => e.metric)).toEqual([
      'swapInPagesPerSec',
      'swapOutPagesPerSec',
      'memFreeBytes',
      'swapUsedBytes',
      'cpuIowaitPct',
    ]);
    // The first kept row (02:00:05, si 1400) sits at simulated 0 and covers the 5 s before it;
    // the next (si 2800) covers (0, 5 s]: steps 0–2 s and 2–4 s, then half of 4–6 s.
    expect(o.host.swapInPagesPerSec?.slice(0, 3)).toEqual([700, 700, (700 + 1050) / 2]);
    expect(o.host.memFreeBytes?.[0]).toBe(7243520 * 1024);
    for (const e of o.errors) {
      expect(e.points).toBe(r.timeMs.length);
      expect(e.maeValue).toBeGreaterThan(0);
      expect(e.observedColumn).toMatch(/^(swap_(in|out)_bytes_per_sec|free_bytes|swap_used_bytes|cpu_iowait_pct)$/);
    }
  });
});

describe('alignment by wall clock', () => {
  const start = Date.parse('2026-03-14T02:00:00Z');
  const csv = (name: string, fromS: number, toS: number, column: string, value: (s: number) => number) => {
    const file = join(mkdtempSync(join(tmpdir(), 'fl-align-')), name);
    const rows = [];
    for (let s = fromS; s <= toS; s++)
      rows.push(`${new Date(start + s * 1000).toISOString()},${s - fromS},${value(s)}`);
    writeFileSync(file, `time,t_s,${column}\n${rows.join('\n')}\n`);
    return file;
  };
  const run = { timeMs: Array.from({ length: 120 }, (_, i) => (i + 1) * 1000), host: {} };
  const host = loadScenarioText(readFileSync(SCENARIO, 'utf8'), SCENARIO).scenario.host;

  it('places each file by its own clock against startTime, and says when their windows differ', () => {
    const psi = csv('psi.csv', 10, 59, 'psi_some_avg10_pct', (s) => s);
    const free = csv('free.csv', 70, 110, 'free_bytes', (s) => s * 2 ** 20);
    const { observed, warnings } = compareObserved(
      {
        host,
        observed: [
          { kind: 'csv', file: psi, offsetMs: 0, startTimeMs: start },
          { kind: 'csv', file: free, offsetMs: 0, startTimeMs: start },
        ],
      },
      run,
    );
    // The psi row at 02:00:30 closes the step ending at 30 s and holds the value 30.
    expect(observed.host.psiSomeAvg10Pct?.[29]).toBe(30);
    expect(observed.host.psiSomeAvg10Pct?.[70]).toBeNull();
    expect(observed.host.memFreeBytes?.[99]).toBe(100 * 2 ** 20);
    expect(warnings).toEqual([
      {
        code: 'observed-window',
        message: `the observed files cover different windows (csv 10 s..59 s, csv 70 s..110 s); they do not overlap`,
      },
    ]);
  });

  it('leaves a frozen column out and says so', () => {
    const frozen = csv('frozen.csv', 0, 30, 'free_bytes', () => 21532492 * 1024);
    const { observed, warnings } = compareObserved(
      { host, observed: [{ kind: 'csv', file: frozen, offsetMs: 0, startTimeMs: start }] },
      run,
    );
    expect(observed.host.memFreeBytes).toBeUndefined();
    expect(warnings.map((w) => w.code)).toEqual(['observed-constant']);
  });
});

describe('PSI from its cumulative total', () => {
  it('compares the share of each step stalled (Δtotal / Δt) with psiSomePct/psiFullPct, whatever avg10 still carries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-psi-'));
    try {
      // avg10 still decays from an earlier load (4.00 → 3.27) while nothing stalls, then 250 ms of
      // "some" (100 ms of it "full") in the third second: the shares are 0, 0, 25 % and 10 %.
      const t0 = Date.parse('2026-03-14T02:00:00Z') / 1000;
      const snap = (s: number, avg: string, some: number, full: number) =>
        `${t0 + s}.000000000\nsome avg10=${avg} avg60=1.00 avg300=0.50 total=${some}\nfull avg10=${avg} avg60=1.00 avg300=0.50 total=${full}\n`;
      const file = join(dir, 'psi.log');
      writeFileSync(
        file,
        snap(0, '4.00', 9_000_000, 8_000_000) +
          snap(1, '3.60', 9_000_000, 8_000_000) +
          snap(2, '3.27', 9_000_000, 8_000_000) +
          snap(3, '5.40', 9_250_000, 8_100_000),
      );
      const host = loadScenarioText(readFileSync(SCENARIO, 'utf8'), SCENARIO).scenario.host;
      const run = { timeMs: [1000, 2000, 3000], host: { psiSomePct: [0, 0, 20], psiFullPct: [0, 0, 10] } };
      const { observed } = compareObserved(
        { host, observed: [{ kind: 'psi', file, offsetMs: 0, startTimeMs: t0 * 1000 }] },
        run,
      );
      expect(observed.host.psiSomePct).toEqual([0, 0, 25]);
      expect(observed.host.psiFullPct).toEqual([0, 0, 10]);
      expect(observed.host.psiSomeAvg10Pct).toEqual([3.6, 3.27, 5.4]);
      const some = observed.errors.find((e) => e.metric === 'psiSomePct');
      expect([some?.observedColumn, some?.maeValue]).toEqual(['psi_some_stall_pct', 5 / 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
