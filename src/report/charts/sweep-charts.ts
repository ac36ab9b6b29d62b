/**
 * Charts comparing the variants of one sweep: a heatmap of one metric over the swept
 * dimensions, and small multiples of the CPU lost to faulting in each variant.
 */
import { VERDICT_THRESHOLDS } from '../../analysis/verdict.js';
import type { RunResult } from '../../result/types.js';
import { bucketMax, bucketSize, bucketTimes } from '../downsample.js';
import { chartConfig, type Spec, timeX } from './encode.js';
import type { ChartDef, MetricDefinition } from './run-charts.js';

export interface HeatCell {
  /** Value of the first swept dimension. */
  x: string;
  /** The other swept dimensions, `name=value` joined, or `all` when there is one dimension. */
  y: string;
  variant: string;
  value: number | null;
  /** The value as the table shows it. */
  label: string;
  passAll: boolean;
}

export interface HeatmapOpts {
  metricLabel: string;
  /** Unit of the raw values in the colour legend (`ms`, `%`), empty for counts. */
  unitLabel: string;
  xTitle: string;
  yTitle: string;
  /** Log colour scale: latencies span orders of magnitude. */
  log: boolean;
  definition: MetricDefinition;
}

export function heatmapChart(cells: HeatCell[], o: HeatmapOpts): ChartDef {
  const xs = [...new Set(cells.map((c) => c.x))];
  const ys = [...new Set(cells.map((c) => c.y))];
  const values = cells.map((c) => c.value).filter((v): v is number => v !== null);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const log = o.log && lo > 0;
  // Dark cells get white text: the midpoint is taken on the scale the colours use.
  const mid = log ? Math.sqrt(lo * hi) : (lo + hi) / 2;
  const data = cells.map((c) => ({ ...c, dark: c.value !== null && c.value > mid, mark: c.passAll ? '✓ ' : '' }));
  const title = `${o.metricLabel} by swept value`;
  const x = { field: 'x', type: 'ordinal', sort: xs, title: o.xTitle, axis: { labelAngle: 0 } };
  const y = { field: 'y', type: 'ordinal', sort: ys, title: o.yTitle };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: chartConfig,
    width: Math.min(760, 170 * xs.length),
    height: 46 * ys.length,
    data: { values: data },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          x,
          y,
          color: {
            field: 'value',
            type: 'quantitative',
            title: o.unitLabel ? `${o.metricLabel} (${o.unitLabel})` : o.metricLabel,
            scale: { type: log ? 'log' : 'linear', scheme: 'orangered' },
            legend: {
              orient: 'right',
              direction: 'vertical',
              format: ',.3~r',
              gradientLength: Math.max(60, 46 * ys.length - 20),
            },
          },
        },
      },
      {
        transform: [{ calculate: 'datum.mark + datum.label', as: 'text' }],
        mark: { type: 'text', fontSize: 12, fontWeight: 'bold' },
        encoding: {
          x,
          y,
          text: { field: 'text' },
          color: { condition: { test: 'datum.dark', value: 'white' }, value: '#1d2330' },
        },
      },
    ],
  } as Spec;
  return {
    id: 'heatmap',
    title,
    caption: `Each cell is one variant: across is ${o.xTitle}, down ${o.yTitle === 'all' ? 'nothing else is swept' : `the other swept values`}. Darker is worse${log ? ' (colours on a log scale)' : ''}. A ✓ marks a variant that passes every expectation.`,
    definitions: [o.definition],
    spec,
  };
}

export interface MultipleSeries {
  variant: string;
  passAll: boolean;
  result: RunResult;
}

const MULTIPLE_POINTS = 200;

export function faultCpuMultiples(items: MultipleSeries[], definition: MetricDefinition): ChartDef {
  const order = items.map((i) => i.variant);
  const durationMs = Math.max(...items.map((i) => i.result.scenario.durationMs));
  const steps = bucketSize(Math.max(...items.map((i) => i.result.timeMs.length)), MULTIPLE_POINTS);
  const rows = items.flatMap(({ variant, passAll, result }) => {
    const size = bucketSize(result.timeMs.length, MULTIPLE_POINTS);
    const times = bucketTimes(result.timeMs, size);
    return bucketMax(result.host.faultCpuPct ?? [], size).map((v, i) => ({
      t: times[i]!,
      v,
      variant,
      outcome: passAll ? 'passes all expectations' : 'fails an expectation',
    }));
  });
  const thr = VERDICT_THRESHOLDS.thrashingFaultCpuPct;
  const title = 'CPU lost to faulting, per variant (faultCpuPct, %)';
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: chartConfig,
    data: { values: rows },
    facet: {
      field: 'variant',
      type: 'nominal',
      sort: order,
      title: null,
      header: { labelLimit: 0, labelFontWeight: 'bold' },
    },
    columns: Math.min(3, items.length),
    spec: {
      width: 220,
      height: 90,
      layer: [
        {
          mark: { type: 'area', line: true, opacity: 0.75, interpolate: 'step-after' },
          encoding: {
            x: { ...timeX(durationMs), axis: { format: '%H:%M', title: null, tickCount: 4 } },
            y: {
              field: 'v',
              type: 'quantitative',
              scale: { domain: [0, 100] },
              title: null,
              axis: { values: [0, 50, 100] },
            },
            color: {
              field: 'outcome',
              type: 'nominal',
              scale: { domain: ['passes all expectations', 'fails an expectation'], range: ['#1E7D45', '#B3261E'] },
              legend: { title: null },
            },
          },
        },
        {
          mark: { type: 'rule', strokeDash: [4, 3], color: '#111' },
          encoding: { y: { datum: thr, type: 'quantitative' } },
        },
      ],
    },
  } as Spec;
  return {
    id: 'fault-cpu-multiples',
    title,
    caption:
      `One small chart per variant, same scales: the share of CPU capacity lost to faulting over the run. Above the dashed line (${thr}%) the host is thrashing. Green variants pass every expectation; red ones fail at least one. ${steps > 1 ? `Each point is the maximum over ${steps} steps.` : ''}`.trim(),
    definitions: [definition],
    spec,
  };
}
