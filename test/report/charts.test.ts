import { describe, expect, it } from 'vitest';
import { runChartDefs } from '../../src/report/charts/run-charts.js';
import { bucketMax, bucketMean, bucketSize } from '../../src/report/downsample.js';
import { renderRunReport, renderSweepReport, sweepTableOf } from '../../src/report/html.js';
import { runViewModel } from '../../src/report/view-model-run.js';
import { sweepViewModel } from '../../src/report/view-model-sweep.js';
import type { RunResult } from '../../src/result/types.js';
import { incidentResult, sweepFixture } from './fixtures.js';

// A short run keeps the snapshots reviewable: 60 steps, thrashing from 00:00:20, OOM kill at 00:00:50.
const short = () => incidentResult({ steps: 60, thrashFromS: 20, oomKillAtS: 50 });

/** The spec with each inline data set cut to its first rows and its length: the structure is what gets reviewed. */
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

describe('run chart specs', () => {
  it('match the reviewed snapshot', () => {
    for (const d of runChartDefs(short())) expect(outline(d)).toMatchSnapshot(d.id);
  });

  it('draw every chart of the report, with captions and metric definitions', () => {
    const defs = runChartDefs(incidentResult());
    expect(defs.map((d) => d.id)).toEqual(['major-faults', 'minor-faults', 'cpu', 'memory', 'swap', 'psi', 'latency']);
    for (const d of defs) {
      expect(d.caption.length).toBeGreaterThan(80);
      expect(d.definitions.length).toBeGreaterThan(0);
      for (const m of d.definitions) expect(m.description).not.toMatch(/No definition/);
    }
  });

  it('downsample 1800 steps to at most 600 points per series and say so in the caption', () => {
    const defs = runChartDefs(incidentResult());
    const major = defs.find((d) => d.id === 'major-faults')!;
    const layer = (major.spec as { layer: { data?: { values: { series: string }[] } }[] }).layer[0]!;
    const db = layer.data!.values.filter((r) => r.series === 'db');
    expect(db.length).toBe(600);
    expect(major.caption).toContain('Each point covers 3 s (3 steps) and shows their maximum');
  });

  it('mark OOM kills and scenario events on every time chart', () => {
    for (const d of runChartDefs(incidentResult())) {
      const text = JSON.stringify(d.spec);
      expect(text, d.id).toContain('OOM kill spark');
      expect(text, d.id).toContain('spark job submitted');
    }
  });
});

describe('downsampling', () => {
  it('keeps a one-step spike in a max bucket and the mean in a mean bucket', () => {
    const s = [1, 1, 50, 1, 1, 1, null, null, null];
    expect(bucketMax(s, 3)).toEqual([50, 1, null]);
    expect(bucketMean(s, 3)).toEqual([52 / 3, 1, null]);
    expect(bucketSize(1800)).toBe(3);
    expect(bucketSize(500)).toBe(1);
  });
});

describe('view models', () => {
  it('run view model matches the reviewed snapshot', () => {
    expect(runViewModel(short(), [])).toMatchSnapshot();
  });

  it('run view model folds repeated events into one row with their span and count', () => {
    const r = short();
    const throttles = Array.from({ length: 100 }, (_, i) => ({
      timeMs: 10_000 + i * 1000,
      kind: 'throttle' as const,
      cgroup: 'batch',
      message: 'memory.high: batch throttled 40 ms',
    }));
    const vm = runViewModel({ ...r, events: [...r.events, ...throttles] }, []);
    const row = vm.events.find((e) => e.kind.startsWith('throttle'))!;
    expect(row).toMatchObject({
      time: '00:00:10–00:01:49',
      kind: 'throttle ×100',
      message: 'memory.high: batch throttled 40 ms (first of 100)',
    });
    expect(vm.events.length).toBe(r.events.length + 1);
  });

  it('sweep view model: a decision table that highlights the variants passing every check', () => {
    const { manifest, results } = sweepFixture();
    const vm = sweepViewModel(manifest, sweepTableOf(manifest, results).table, results, []);
    expect(vm.passing.variants.map((v) => v.label)).toEqual(['max=36Gi · stop=never', 'max=36Gi · stop=10m']);
    expect(vm.rows.map((r) => r.cssClass)).toEqual(['', '', 'pass-all', '', '', 'pass-all']);
    expect(vm.rows[0]!.cells[0]).toMatchObject({
      href: 'stop=never_batch-max=max/report.html',
      text: 'Fails 3 of 4 checks',
    });
    // Status first, then the figures no check observes, then each check, then the swept values.
    expect(vm.columns.map((c) => c.label)).toEqual([
      'status',
      'CPU lost to faulting, run mean',
      'major faults/s, worst step',
      'db p99 latency, whole run < 1 s',
      'CPU lost to faulting, worst step < 50%',
      'OOM kills = 0',
      'allocFailures = 0 (warn)',
      'max',
      'stop',
    ]);
    expect(vm.legend).toEqual([
      { short: 'max', name: 'cgroups.batch.memory.max' },
      { short: 'stop', name: 'processes.spark.stop' },
    ]);
    expect({ columns: vm.columns, rows: vm.rows, passing: vm.passing }).toMatchSnapshot();
  });

  it('sweep chart specs match the reviewed snapshot', async () => {
    const { manifest, results } = sweepFixture({ steps: 60 });
    const html = await renderSweepReport(manifest, results, { interactive: true });
    const specs = [...html.matchAll(/<script type="application\/json" data-chart="[^"]+">([\s\S]*?)<\/script>/g)];
    expect(specs.map(([, body]) => outline(JSON.parse(body!)))).toMatchSnapshot();
  });

  it('sweep report refuses an unknown heatmap metric, naming the valid ones', async () => {
    const { manifest, results } = sweepFixture({ steps: 30 });
    await expect(renderSweepReport(manifest, results, { heatmapMetric: 'nope' })).rejects.toThrow(
      /unknown heatmap metric "nope" \(choose one of: p99:db, faultCpuPctMax, faultCpuPctAvg/,
    );
  });
});

describe('a failed run', () => {
  it('renders its error and no charts, and its sweep still compares the others', async () => {
    const { manifest, results } = sweepFixture({ steps: 60 });
    const failed: RunResult = {
      ...results[0]!,
      status: 'failed',
      error: 'worker exited with code 134',
      timeMs: [],
      host: {},
      processes: {},
      cgroups: {},
      events: [],
      checks: [],
      summary: { ...results[0]!.summary, processes: {}, phases: [] },
      verdict: { status: 'failed', headline: 'run failed: worker exited with code 134', processes: [] },
    };
    const html = await renderRunReport(failed);
    expect(html.includes('<pre>worker exited with code 134</pre>'), 'error shown').toBe(true);
    expect(html.includes('No time series: the run produced no steps.'), 'no charts').toBe(true);
    const entries = manifest.entries.map((e, i) =>
      i === 0 ? { ...e, status: 'failed' as const, verdict: failed.verdict, checks: [] } : e,
    );
    const sweep = await renderSweepReport({ ...manifest, entries }, [failed, ...results.slice(1)]);
    expect(sweep.includes('run failed: worker exited with code 134'), 'failed verdict listed').toBe(true);
    expect(sweep.match(/<figure class="chart"/g)?.length).toBe(2);
  });
});
