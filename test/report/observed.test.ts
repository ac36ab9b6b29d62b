/**
 * Observed series in the run report (docs/postmortem.md, "The `observed` field of a
 * result"): dashed overlays on the simulated charts and the "Simulation vs observed" table.
 * A result without `observed` renders as before: the snapshots in charts.test.ts hold that.
 */
import { describe, expect, it } from 'vitest';
import { MAPE_NEAR_ZERO_SHARE, OBSERVED_MAPPINGS } from '../../src/engine/observed.js';
import { runChartDefs } from '../../src/report/charts/run-charts.js';
import { renderRunReport } from '../../src/report/html.js';
import { MAPE_RULE_CAPTION, runViewModel } from '../../src/report/view-model-run.js';
import { incidentResult, withObserved } from './fixtures.js';

const short = () => incidentResult({ steps: 60, thrashFromS: 20, oomKillAtS: 50 });

type Values = { series: string; v: number | null; t: number }[];
type LayerLike = {
  data?: { values: Values };
  encoding?: { strokeDash?: { scale: { domain: string[]; range: number[][] } } };
};

function layers(spec: unknown): LayerLike[] {
  return (spec as { layer: LayerLike[] }).layer;
}

/** Label → dash pattern of the chart's overlay layer (the one with the observed dash); undefined when it has none. */
function dashes(spec: unknown): Record<string, number[]> | undefined {
  const overlay = layers(spec).find((l) => l.encoding?.strokeDash?.scale.range.some((r) => r.join() === '6,3'));
  const sd = overlay?.encoding?.strokeDash?.scale;
  return sd && Object.fromEntries(sd.domain.map((d, i) => [d, sd.range[i] as number[]]));
}

/** `(outline)` of charts.test.ts: the structure, not every row. */
function outline(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(outline);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] =
        k === 'values' && Array.isArray(v) && v.length > 4 ? [...v.slice(0, 3), `… ${v.length} rows`] : outline(v);
    return out;
  }
  return value;
}

describe('run charts with an observed comparison', () => {
  const defs = runChartDefs(withObserved(short(), { offsetS: 10 }));
  const byId = Object.fromEntries(defs.map((d) => [d.id, d]));

  it('draw each observed series dashed beside its simulated counterpart, and add swap in use', () => {
    expect(defs.map((d) => d.id)).toEqual([
      'major-faults',
      'minor-faults',
      'cpu',
      'memory',
      'swap',
      'swap-used',
      'psi',
      'latency',
    ]);
    expect(dashes(byId['major-faults']!.spec)).toEqual({
      'all processes (simulated)': [1, 0],
      'observed (sar)': [6, 3],
    });
    expect(dashes(byId.swap!.spec)).toEqual({
      'swap-in, observed (sar)': [6, 3],
      'swap-out, observed (sar)': [6, 3],
    });
    expect(dashes(byId.psi!.spec)).toEqual({ 'some, observed (psi)': [6, 3], 'full, observed (psi)': [6, 3] });
    expect(dashes(byId.memory!.spec)).toEqual({ 'free, observed (sar)': [6, 3] });
    expect(dashes(byId['swap-used']!.spec)).toEqual({ 'in use, observed (sar)': [6, 3] });
    for (const id of ['minor-faults', 'cpu', 'latency']) expect(dashes(byId[id]!.spec), id).toBeUndefined();
  });

  it('align observed points with the run steps: nothing before the log starts', () => {
    const swap = layers(byId.swap!.spec);
    const observed = swap[1]!.data!.values.filter((r) => r.series === 'swap-in, observed (sar)');
    const simulated = swap[0]!.data!.values.filter((r) => r.series === 'swap-in');
    expect(observed.map((r) => r.t)).toEqual(simulated.map((r) => r.t));
    expect(observed.filter((r) => r.t <= 10_000).every((r) => r.v === null)).toBe(true);
    expect(observed.filter((r) => r.t > 10_000).every((r) => r.v !== null)).toBe(true);
  });

  it('put observed free memory at the lower edge the free band would have', () => {
    const result = withObserved(short(), { offsetS: 10, gain: 1 });
    const memory = runChartDefs(result).find((d) => d.id === 'memory')!;
    const line = layers(memory.spec).find((l) => l.data?.values[0]?.series === 'free, observed (sar)')!;
    const i = 40;
    const stackTop =
      (Object.values(result.processes).reduce((s, p) => s + (p.anonBytes?.[i] ?? 0), 0) +
        (result.host.memFileBytes?.[i] ?? 0) +
        (result.host.memFreeBytes?.[i] ?? 0)) /
      2 ** 30;
    const observedFree = (result.observed!.host.memFreeBytes![i] as number) / 2 ** 30;
    expect(line.data!.values[i]!.v).toBeCloseTo(stackTop - observedFree, 9);
  });

  it('say in the caption where the dashed lines come from, and define them', () => {
    expect(byId.swap!.caption).toContain(
      'Dashed lines are the host as observed: sar-thrash.txt (sar, first sample at 00:00:10), averaged over each step',
    );
    expect(byId.psi!.caption).toContain('pressure.txt (psi, first sample at 00:00:10)');
    expect(byId['major-faults']!.caption).toContain('The grey line is the host total of the simulation');
    expect(byId.swap!.definitions.map((d) => d.name)).toEqual([
      'host.swapInPagesPerSec',
      'host.swapOutPagesPerSec',
      'observed.swapInPagesPerSec',
      'observed.swapOutPagesPerSec',
    ]);
    expect(byId.swap!.definitions[2]!.description).toContain('column swap_in_pages_per_sec of sar-thrash.txt (sar)');
  });

  it('match the reviewed snapshot', () => {
    for (const id of ['major-faults', 'memory', 'swap', 'swap-used', 'psi'])
      expect(outline(byId[id]!.spec)).toMatchSnapshot(id);
  });
});

describe('the Simulation vs observed table', () => {
  it('lists each compared series with MAE in its unit, MAPE and the points behind them', () => {
    const vm = runViewModel(withObserved(short(), { offsetS: 10 }), []);
    expect(vm.observed?.intro).toBe(
      "Observed: sar-thrash.txt (sar, 50 rows, first sample at 00:00:10); pressure.txt (psi, 50 rows, first sample at 00:00:10). Each series is averaged onto the run's 1 s steps and drawn dashed on the charts above, against the simulated host.",
    );
    expect(vm.observed?.rows).toMatchSnapshot();
    const free = vm.observed?.rows.find((r) => r.metric === 'host.memFreeBytes');
    expect(free?.mae).toMatch(/ (MiB|GiB)$/);
    expect(vm.observed?.rows.find((r) => r.metric === 'host.swapInPagesPerSec')?.mae).toMatch(/ pages\/s$/);
    expect(vm.observed?.caption).toBe(MAPE_RULE_CAPTION);
  });

  it('shows "—" for MAPE when every point was near zero', () => {
    const r = withObserved(short());
    const errors = r.observed!.errors.map((e) => ({ ...e, mapePct: null, mapePoints: 0 }));
    const vm = runViewModel({ ...r, observed: { ...r.observed!, errors } }, []);
    expect(vm.observed?.rows.every((row) => row.mape === '—' && row.mapePoints === '0')).toBe(true);
  });

  it('states the near-zero rule with the numbers engine/observed.ts uses', () => {
    expect(MAPE_RULE_CAPTION).toContain(`${MAPE_NEAR_ZERO_SHARE * 100}% of the largest observed magnitude`);
    const floor = (m: string) => OBSERVED_MAPPINGS.find((x) => x.metric === m)?.floor;
    expect(floor('majorFaultsPerSec')).toBe(1);
    expect(floor('swapInPagesPerSec')).toBe(1);
    expect(floor('memFreeBytes')).toBe(2 ** 20);
    expect(floor('psiSomeAvg10Pct')).toBe(0.5);
    expect(MAPE_RULE_CAPTION).toContain('1/s for fault and page rates, 1 MiB for bytes, 0.5 for percentages');
  });

  it('renders in the page, with file names escaped, and not at all without observed', async () => {
    const hostile = '<img src=x onerror=alert(1)>.txt';
    const html = await renderRunReport(withObserved(short(), { file: `/logs/${hostile}` }));
    expect(html).toContain('<h2>Simulation vs observed</h2>');
    expect(html.match(/<tr><th scope="row">[^<]+ <code>host\.\w+<\/code><\/th>/g)?.length).toBe(7);
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;.txt');
    expect(html.includes('<img'), 'raw tag').toBe(false);
    const plain = await renderRunReport(short());
    expect(plain).not.toContain('Simulation vs observed');
    expect(plain).not.toContain('observed (');
    expect('observed' in runViewModel(short(), [])).toBe(false);
  });
});
