/**
 * Charts comparing the variants of one sweep: a heatmap of one figure over the swept
 * dimensions, and one small chart per variant of the CPU lost to faulting, split into
 * busy and waiting, coloured by the variant's top status.
 */
import { VERDICT_THRESHOLDS } from '../../analysis/verdict.js';
import type { RunResult } from '../../result/types.js';
import { bucketMean, bucketSize, bucketTimes } from '../downsample.js';
import { chartConfig, type Spec, timeX } from './encode.js';
import type { ChartDef, MetricDefinition } from './run-charts.js';

export interface HeatCell {
  /** Value of the first swept dimension. */
  x: string;
  /** The other swept dimensions, `short=value` joined with ` · `, or `all` when there is one dimension. */
  y: string;
  variant: string;
  value: number | null;
  /** The value as the table shows it. */
  label: string;
  passAll: boolean;
}

export interface HeatmapOpts {
  /** The figure's label (`db p99 latency, whole run`). */
  metricLabel: string;
  /** Its unit (`ms`, `pct`, `perSec`, `count`): the legend is labelled in readable units of it. */
  unit: string;
  /** Short name of the first swept dimension (across) and of the others (down), and what each stands for. */
  xTitle: string;
  yNames: string[];
  /** Log colour scale: latencies span orders of magnitude. */
  log: boolean;
  definition: MetricDefinition;
}

/** Legend labels in the figure's unit: `200 ms`, `1.5 s`, `14 min`; `50%`; `9,000/s`. */
const LEGEND_LABELS: Record<string, string> = {
  ms: "datum.value >= 60000 ? format(datum.value / 60000, '.3~r') + ' min' : datum.value >= 1000 ? format(datum.value / 1000, '.3~r') + ' s' : format(datum.value, '.3~r') + ' ms'",
  pct: "format(datum.value, '.3~r') + '%'",
  perSec: "format(datum.value, ',.3~r') + '/s'",
};

/**
 * Legend values for a log colour scale, at most five, inside [lo, hi]: powers of ten (for
 * durations 1 s, 10 s, 1 min, 10 min) when three or more fall inside, else 1-2-5 steps.
 */
export function logTicks(lo: number, hi: number, unit: string): number[] {
  const decades: number[] = [];
  for (let d = 1e-3; d <= 1e9; d *= 10) decades.push(Number(d.toPrecision(1)));
  const coarse = unit === 'ms' ? [1, 10, 100, 1000, 10_000, 60_000, 600_000, 3_600_000] : decades;
  const fine = [
    ...decades.flatMap((d) => [d, Number((2 * d).toPrecision(1)), Number((5 * d).toPrecision(1))]),
    ...(unit === 'ms' ? [30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000] : []),
  ].filter((v) => unit !== 'ms' || v < 60_000 || [60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000].includes(v));
  const within = (list: number[]) => [...new Set(list)].filter((v) => v >= lo && v <= hi).sort((a, b) => a - b);
  let inside = within(coarse);
  if (inside.length < 3) inside = within(fine);
  if (inside.length < 2) return [...new Set([lo, ...inside, hi])];
  if (inside.length <= 5) return inside;
  const [first, last] = [Math.log(inside[0]!), Math.log(inside[inside.length - 1]!)];
  const picked = [0, 1, 2, 3, 4].map((k) =>
    inside.reduce((best, v) =>
      Math.abs(Math.log(v) - (first + (k / 4) * (last - first))) <
      Math.abs(Math.log(best) - (first + (k / 4) * (last - first)))
        ? v
        : best,
    ),
  );
  return [...new Set(picked)];
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
  const title = `${o.metricLabel}, per variant`;
  const rowHeight = 30;
  const x = {
    field: 'x',
    type: 'ordinal',
    sort: xs,
    title: o.xTitle,
    axis: { labelAngle: 0, orient: 'top', labelFontSize: 12, titleFontWeight: 'bold' },
  };
  // One swept field: a single row, which needs no label.
  const y = {
    field: 'y',
    type: 'ordinal',
    sort: ys,
    title: null,
    axis: ys.length === 1 && ys[0] === 'all' ? null : { labelFontSize: 12, labelPadding: 6 },
  };
  const labelExpr = LEGEND_LABELS[o.unit];
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: chartConfig,
    width: Math.min(520, 130 * xs.length),
    height: rowHeight * ys.length,
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
            title: o.metricLabel,
            scale: { type: log ? 'log' : 'linear', scheme: 'orangered' },
            legend: {
              orient: 'right',
              direction: 'vertical',
              gradientLength: Math.max(60, rowHeight * ys.length - 30),
              ...(log ? { values: logTicks(lo, hi, o.unit) } : { tickCount: 4 }),
              ...(labelExpr ? { labelExpr } : { format: ',.2~r' }),
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
  const down = o.yNames.length === 0 ? 'nothing else is swept' : `the other swept values (${o.yNames.join(', ')})`;
  return {
    id: 'heatmap',
    title,
    caption: `Each cell is one variant: across, ${o.xTitle}; down, ${down}; the names are those of the table's columns. Darker is worse${log ? ' (colours on a log scale)' : ''}. A ✓ marks a variant that passes every check.`,
    definitions: [o.definition],
    spec,
  };
}

export interface MultipleSeries {
  /** The variant's status class (`status-pass`, ...), which picks the colours. */
  statusClass: string;
  result: RunResult;
}

const MULTIPLE_POINTS = 150;

/** Busy (dark) and waiting (light) shades of each status colour of the report's palette. */
const STATUS_SHADES: Record<string, [string, string]> = {
  'status-pass': ['#1E7D45', '#93CFA6'],
  'status-healthy': ['#1E7D45', '#93CFA6'],
  'status-warn': ['#9A5B00', '#F1C879'],
  'status-degraded': ['#9A5B00', '#F1C879'],
  'status-fail': ['#B3261E', '#EFA29C'],
  'status-failed': ['#B3261E', '#EFA29C'],
  'status-thrashing': ['#B3261E', '#EFA29C'],
  'status-oom-killed': ['#B3261E', '#EFA29C'],
};

export const MULTIPLE_PARTS = ['busy (fault handling + reclaim)', 'waiting (iowait: stalled on memory)'] as const;

/**
 * One small chart of a variant: the CPU lost to faulting over the run, stacked as busy
 * (fault handling + reclaim) under waiting (iowait), so the top edge is `faultCpuPct`.
 * Same scales in every variant's chart; the dashed line is the thrashing threshold.
 */
export function faultCpuMultiple(item: MultipleSeries, durationMs: number): Spec {
  const r = item.result;
  const size = bucketSize(r.timeMs.length, MULTIPLE_POINTS);
  const times = bucketTimes(r.timeMs, size);
  const busy = bucketMean(
    r.timeMs.map((_, i) => (r.host.cpuFaultPct?.[i] ?? 0) + (r.host.cpuReclaimPct?.[i] ?? 0)),
    size,
  );
  const wait = bucketMean(r.host.cpuIowaitPct ?? [], size);
  const rows = [
    ...busy.map((v, i) => ({ t: times[i]!, v, part: MULTIPLE_PARTS[0], order: 0 })),
    ...wait.map((v, i) => ({ t: times[i]!, v, part: MULTIPLE_PARTS[1], order: 1 })),
  ];
  const shades = STATUS_SHADES[item.statusClass] ?? ['#5B6473', '#C3C8D0'];
  const thr = VERDICT_THRESHOLDS.thrashingFaultCpuPct;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { ...chartConfig, axis: { ...chartConfig.axis, labelFontSize: 10 } },
    width: 240,
    height: 70,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'area', interpolate: 'step-after' },
        encoding: {
          x: (() => {
            const t = timeX(durationMs) as { axis: Record<string, unknown> };
            return { ...t, axis: { ...t.axis, title: null, tickCount: 4, labelFlush: true } };
          })(),
          y: {
            field: 'v',
            type: 'quantitative',
            stack: 'zero',
            scale: { domain: [0, 100] },
            title: null,
            axis: { values: [0, 50, 100], labelExpr: "datum.value + '%'" },
          },
          color: {
            field: 'part',
            type: 'nominal',
            sort: [...MULTIPLE_PARTS],
            scale: { domain: [...MULTIPLE_PARTS], range: shades },
            legend: null,
          },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        data: { values: [{ y: thr }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#111' },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
    ],
  } as Spec;
}

/** The caption and definitions of the small multiples (one chart per variant, drawn by faultCpuMultiple). */
export function multiplesCaption(
  steps: number,
  definitions: MetricDefinition[],
): { title: string; caption: string; definitions: MetricDefinition[] } {
  const thr = VERDICT_THRESHOLDS.thrashingFaultCpuPct;
  return {
    title: 'CPU lost to faulting, per variant (% of CPU capacity)',
    caption: `One small chart per variant, same scales: the CPU time lost to faulting over the run, busy (fault handling and reclaim, dark) under waiting (iowait: tasks stalled on memory, light), so the top edge is faultCpuPct. Above the dashed line (${thr}%) the host thrashes. The colour is the variant's status: green passes its checks, amber passes with warnings, red fails one.${steps > 1 ? ` Each point is the mean over ${steps} steps.` : ''}`,
    definitions,
  };
}
