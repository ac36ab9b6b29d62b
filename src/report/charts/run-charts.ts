/**
 * The charts of one variant's report, each a pure function of the result: a vega-lite
 * spec plus the caption that says how to read it and which metrics it draws.
 */
import { VERDICT_THRESHOLDS } from '../../analysis/verdict.js';
import type { ObservedComparison, RunResult, Series } from '../../result/types.js';
import { formatBytes } from '../../util/units.js';
import { bucketMax, bucketMean, bucketSize, bucketTimes } from '../downsample.js';
import { formatClock, formatDurationMs } from '../format.js';
import { type MetricScope, metricInfo } from '../metric-info.js';
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  chartConfig,
  eventLayers,
  eventMarks,
  type Layer,
  PALETTE,
  ruleAt,
  type Spec,
  seriesColor,
  timeX,
} from './encode.js';

export interface MetricDefinition {
  name: string;
  unit: string;
  description: string;
}

export interface ChartDef {
  /** Stable, HTML-id-safe name. */
  id: string;
  title: string;
  /** How to read the chart, in plain words. */
  caption: string;
  definitions: MetricDefinition[];
  spec: Spec;
}

interface Row {
  t: number;
  series: string;
  v: number | null;
}

interface Ctx {
  result: RunResult;
  size: number;
  times: number[];
  events: Layer[];
  x: Record<string, unknown>;
  /** Process name → colour, the same on every chart. */
  processColors: Map<string, string>;
  /** What downsampling did, for captions: empty when every step is drawn. */
  bucketNote: (kind: 'max' | 'mean') => string;
}

const GiB = 2 ** 30;

/** Legend label of the simulated host total drawn beside an observed one. */
const HOST_TOTAL = 'all processes (simulated)';

/** The time charts of a run; none when it has no steps (a run that failed before its first). */
export function runChartDefs(result: RunResult): ChartDef[] {
  if (result.timeMs.length === 0) return [];
  const size = bucketSize(result.timeMs.length);
  const durationMs = result.scenario.durationMs || (result.timeMs[result.timeMs.length - 1] ?? 0);
  const processColors = new Map(Object.keys(result.processes).map((p, i) => [p, PALETTE[i % PALETTE.length]!]));
  const ctx: Ctx = {
    result,
    size,
    times: bucketTimes(result.timeMs, size),
    events: eventLayers(eventMarks(result.events, durationMs), durationMs),
    x: timeX(durationMs),
    processColors,
    bucketNote: (kind) =>
      size <= 1
        ? ''
        : ` Each point covers ${formatDurationMs(size * result.scenario.stepMs)} (${size} steps) and shows ${kind === 'max' ? 'their maximum, so short spikes stay visible' : 'their mean, so the bands still add up'}.`,
  };
  return [
    faultsChart(ctx, 'majorFaultsPerSec', 'major-faults', 'Major page faults per second, per process'),
    faultsChart(ctx, 'minorFaultsPerSec', 'minor-faults', 'Minor page faults per second, per process'),
    cpuChart(ctx),
    memoryChart(ctx),
    linesChart(ctx, {
      id: 'swap',
      title: 'Swap traffic (pages per second)',
      caption:
        'Pages written to swap (swap-out) and read back (swap-in). Sustained swap-ins mean processes keep touching pages that were pushed out: their working sets do not fit.',
      series: [
        ['swap-in', 'swapInPagesPerSec'],
        ['swap-out', 'swapOutPagesPerSec'],
      ],
      yTitle: 'pages/s',
      colors: ['#D55E00', '#0072B2'],
    }),
    ...(ctx.result.observed?.host.swapUsedBytes
      ? [
          linesChart(ctx, {
            id: 'swap-used',
            title: 'Swap in use (GiB)',
            caption:
              'Swap space holding pages pushed out of RAM. It grows while anonymous memory is swapped out faster than it is read back or freed; the observed log has this series, so it is drawn against the simulation.',
            series: [['in use', 'swapUsedBytes']],
            yTitle: 'GiB',
            colors: ['#0072B2'],
            scale: GiB,
          }),
        ]
      : []),
    linesChart(ctx, {
      id: 'psi',
      title: 'Memory pressure stall information (PSI avg10)',
      caption:
        'Share of time tasks were stalled waiting for memory. "some": at least one task waited; "full": every runnable task waited at once, so the host did no useful work in that time.',
      series: [
        ['some', 'psiSomeAvg10Pct'],
        ['full', 'psiFullAvg10Pct'],
      ],
      yTitle: '% of time',
      colors: ['#E69F00', '#C0392B'],
      domain: [0, 100],
    }),
    ...latencyChart(ctx),
  ];
}

function defn(result: RunResult, scope: MetricScope, name: string): MetricDefinition {
  const m = metricInfo(result, scope, name);
  return { name: scope === 'run' ? name : `${scope}.${name}`, unit: m.unit, description: m.description };
}

function rows(ctx: Ctx, label: string, series: Series | undefined, reduce: 'max' | 'mean', scale = 1): Row[] {
  if (!series) return [];
  const b = reduce === 'max' ? bucketMax(series, ctx.size) : bucketMean(series, ctx.size);
  return b.map((v, i) => ({ t: ctx.times[i]!, series: label, v: v === null ? null : v / scale }));
}

/** Where one host metric's observed series came from, when the result carries one (docs/postmortem.md). */
interface ObservedSource {
  series: Series;
  kind: string;
  fileName: string;
  column: string;
  offsetMs: number;
}

/** A file's name without its folder (either separator): captions and legends stay short. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

function observedOf(observed: ObservedComparison | undefined, metric: string): ObservedSource | undefined {
  const series = observed?.host[metric];
  const error = observed?.errors.find((e) => e.metric === metric);
  const source = error && observed?.sources[error.source];
  if (!series || !error || !source) return undefined;
  return {
    series,
    kind: source.kind,
    fileName: fileName(source.file),
    column: error.observedColumn,
    offsetMs: source.offsetMs,
  };
}

const OBSERVED_DASH = [6, 3];
const SOLID = [1, 0];

/** What the dashed lines of a chart are, for its caption: each source once. */
function overlayNote(sources: ObservedSource[]): string {
  if (sources.length === 0) return '';
  const named = [
    ...new Set(sources.map((o) => `${o.fileName} (${o.kind}, first sample at ${formatClock(o.offsetMs)})`)),
  ];
  return ` Dashed lines are the host as observed: ${named.join('; ')}, averaged over each step of the run; where the log does not cover a step there is no dashed line. The table "Simulation vs observed" gives the error figures.`;
}

function observedDefinition(ctx: Ctx, metric: string, o: ObservedSource): MetricDefinition {
  const m = metricInfo(ctx.result, 'host', metric);
  return {
    name: `observed.${metric}`,
    unit: m.unit,
    description: `The same quantity as measured: column ${o.column} of ${o.fileName} (${o.kind}), converted to this unit and averaged over each step.`,
  };
}

/**
 * The comparison lines of a chart in a layer of their own: observed series dashed, the
 * simulated line they are compared with (if the chart has none) solid. Colour and dash on
 * the same field give one legend group with dashed symbols; `independentLegend` keeps it
 * apart from the simulated layer's legend.
 */
function overlayLayer(
  ctx: Ctx,
  values: Row[],
  lines: { label: string; color: string; dashed: boolean }[],
  y: Record<string, unknown>,
): Layer {
  const domain = lines.map((l) => l.label);
  return {
    data: { values },
    // A foreign log can hold values outside a fixed axis (PSI above 100): keep them in the plot.
    mark: { type: 'line', strokeWidth: 1.6, clip: true },
    encoding: {
      x: ctx.x,
      y,
      color: seriesColor(
        domain,
        lines.map((l) => l.color),
      ),
      strokeDash: {
        field: 'series',
        type: 'nominal',
        sort: domain,
        scale: { domain, range: lines.map((l) => (l.dashed ? OBSERVED_DASH : SOLID)) },
        legend: { title: null },
      },
    },
  };
}

function independentLegend(spec: Spec): Spec {
  return { ...spec, resolve: { scale: { color: 'independent', strokeDash: 'independent' } } } as Spec;
}

/** A darker shade of a `#rrggbb` colour: an observed line stays readable over its simulated twin. */
function darker(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const channel = (shift: number) => Math.round(((n >> shift) & 0xff) * 0.55);
  return `#${((channel(16) << 16) | (channel(8) << 8) | channel(0)).toString(16).padStart(6, '0')}`;
}

function base(ctx: Ctx, title: string, layers: Layer[], height = CHART_HEIGHT): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: CHART_WIDTH,
    height,
    config: chartConfig,
    layer: [...layers, ...ctx.events],
  } as Spec;
}

function faultsChart(ctx: Ctx, metric: 'majorFaultsPerSec' | 'minorFaultsPerSec', id: string, title: string): ChartDef {
  const names = Object.keys(ctx.result.processes);
  const data = names.flatMap((p) => rows(ctx, p, ctx.result.processes[p]?.[metric], 'max'));
  // A log measures the whole host, so it is compared with the host total, drawn only then.
  const obs = metric === 'majorFaultsPerSec' ? observedOf(ctx.result.observed, metric) : undefined;
  const overlay = obs
    ? [
        ...rows(ctx, HOST_TOTAL, ctx.result.host.majorFaultsPerSec, 'max'),
        ...rows(ctx, `observed (${obs.kind})`, obs.series, 'max'),
      ]
    : [];
  const yScale = { type: 'symlog', constant: 1 };
  const top = Math.max(1, ...data.map((d) => d.v ?? 0), ...overlay.map((d) => d.v ?? 0));
  // A symlog axis left to itself labels only the top decades; name every power of ten instead.
  const decades = [0];
  for (let v = 1; v <= top && decades.length < 9; v *= 10) decades.push(v);
  const major = metric === 'majorFaultsPerSec';
  const threshold = VERDICT_THRESHOLDS.degradedMajorFaultsPerSec;
  const layers: Layer[] = [
    {
      data: { values: data },
      mark: { type: 'line' },
      encoding: {
        x: ctx.x,
        y: {
          field: 'v',
          type: 'quantitative',
          title: 'faults/s (log scale above 1)',
          scale: yScale,
          axis: { values: decades, format: ',~r' },
        },
        color: seriesColor(
          names,
          names.map((n) => ctx.processColors.get(n)!),
        ),
      },
    },
    ...(obs
      ? [
          overlayLayer(
            ctx,
            overlay,
            [
              { label: HOST_TOTAL, color: '#555', dashed: false },
              { label: `observed (${obs.kind})`, color: '#000', dashed: true },
            ],
            { field: 'v', type: 'quantitative', scale: yScale },
          ),
        ]
      : []),
    ...(major ? ruleAt(threshold, `${threshold}/s: sustained above this is a problem`, yScale) : []),
  ];
  const caption = major
    ? `Faults that had to wait for a read from swap or a file, per process. Each costs milliseconds of device time, against nanoseconds for a memory access: more than about ${threshold} per second sustained (dashed line) is a problem. The scale is logarithmic above 1 so that both quiet and thrashing periods are readable.`
    : 'Faults served without I/O (page mapped from memory or zero-filled), per process. A rise that tracks the major faults usually means reclaim is evicting and re-mapping pages. The scale is logarithmic above 1.';
  const overlayCaption = obs
    ? ` The grey line is the host total of the simulation, which the observed host (dashed black) is compared with.${overlayNote([obs])}`
    : '';
  const spec = base(ctx, title, layers);
  return {
    id,
    title,
    caption: caption + ctx.bucketNote('max') + overlayCaption,
    definitions: [
      defn(ctx.result, 'process', metric),
      ...(obs ? [defn(ctx.result, 'host', metric), observedDefinition(ctx, metric, obs)] : []),
    ],
    spec: obs ? independentLegend(spec) : spec,
  };
}

// The three parts of the CPU lost to faulting sit at the bottom of the stack, so that the
// faultCpuPct line runs along the top of the iowait band: busy (fault handling, reclaim),
// then waiting (iowait), then useful work and idle.
const CPU_PARTS = [
  ['busy: fault handling', 'cpuFaultPct', '#D55E00'],
  ['busy: reclaim', 'cpuReclaimPct', '#E69F00'],
  ['waiting: iowait (stalled on memory)', 'cpuIowaitPct', '#CC79A7'],
  ['user work', 'cpuUserPct', '#009E73'],
  ['idle', 'cpuIdlePct', '#E3E6EA'],
] as const;

function cpuChart(ctx: Ctx): ChartDef {
  const h = ctx.result.host;
  const order = CPU_PARTS.map(([label]) => label);
  const stacked = CPU_PARTS.flatMap(([label, metric], k) =>
    rows(ctx, label, h[metric], 'mean').map((row) => ({ ...row, order: k })),
  );
  // Bucketed like the bands (mean), so that the line stays on the top edge of the iowait band.
  const line = rows(ctx, 'faultCpuPct (all faulting)', h.faultCpuPct, 'mean');
  const yEnc = { field: 'v', type: 'quantitative', title: '% of CPU capacity', scale: { domain: [0, 100] } };
  const title = 'Where the CPU went (stacked, % of capacity)';
  const thr = VERDICT_THRESHOLDS.thrashingFaultCpuPct;
  const layers: Layer[] = [
    {
      data: { values: stacked },
      mark: { type: 'area', interpolate: 'step-after' },
      encoding: {
        x: ctx.x,
        y: { ...yEnc, stack: 'zero' },
        color: {
          field: 'series',
          type: 'nominal',
          sort: order,
          scale: { domain: order, range: CPU_PARTS.map((p) => p[2]) },
          legend: { title: null },
        },
        order: { field: 'order', type: 'quantitative' },
      },
    },
    {
      data: { values: line },
      mark: { type: 'line', color: '#111', strokeWidth: 1.2 },
      encoding: { x: ctx.x, y: yEnc },
    },
    ...ruleAt(thr, `${thr}%: thrashing above this`, { domain: [0, 100] }, '#111'),
  ];
  return {
    id: 'cpu',
    title,
    caption:
      `Each band is a share of the host's CPU capacity (cpus × time); the bands add up to 100%. The bottom three are the CPU time lost to faulting: busy (fault handling in red, reclaim in orange: CPUs working on faults) and waiting (iowait in pink: CPUs idle because their tasks are stalled on memory: swap and file reads, writeback in reclaim, throttling). Green is useful work. The black line is faultCpuPct, all three together (busy + waiting), so it runs along the top of the pink band; above ${thr}% (dashed) the host loses most of its CPU time to faulting: it is thrashing. When the pink band is most of it, the CPUs are not busy: their tasks wait, mostly for the swap device.` +
      ctx.bucketNote('mean'),
    definitions: [...CPU_PARTS.map(([, m]) => defn(ctx.result, 'host', m)), defn(ctx.result, 'host', 'faultCpuPct')],
    spec: base(ctx, title, layers),
  };
}

function memoryChart(ctx: Ctx): ChartDef {
  const r = ctx.result;
  const names = Object.keys(r.processes);
  const parts: [string, Series | undefined, string][] = [
    ...names.map((p): [string, Series | undefined, string] => [
      `${p} anonymous`,
      r.processes[p]?.anonBytes,
      ctx.processColors.get(p)!,
    ]),
    ['page cache', r.host.memFileBytes, '#B7C4D1'],
    ['free', r.host.memFreeBytes, '#EEF1F4'],
  ];
  const order = parts.map((p) => p[0]);
  const stacked = parts.flatMap(([label, s], k) =>
    rows(ctx, label, s, 'mean', GiB).map((row) => ({ ...row, order: k })),
  );
  const yScale = { zero: true };
  const limits: Layer[] = [
    ...ruleAt(r.scenario.host.ramBytes / GiB, `RAM ${formatBytes(r.scenario.host.ramBytes)}`, yScale, '#111'),
  ];
  for (const cg of r.scenario.cgroups)
    for (const [file, limit] of Object.entries(cg.limits))
      if (typeof limit === 'number' && /max|high|soft_limit|limit_in_bytes/.test(file))
        limits.push(...ruleAt(limit / GiB, `${cg.path} ${file} ${formatBytes(limit)}`, yScale, '#C0392B'));
  const title = 'Memory (stacked, GiB)';
  const layers: Layer[] = [
    {
      data: { values: stacked },
      mark: { type: 'area', interpolate: 'step-after' },
      encoding: {
        x: ctx.x,
        y: { field: 'v', type: 'quantitative', title: 'GiB', stack: 'zero', scale: yScale },
        color: {
          field: 'series',
          type: 'nominal',
          sort: order,
          scale: { domain: order, range: parts.map((p) => p[2]) },
          legend: { title: null },
        },
        order: { field: 'order', type: 'quantitative' },
      },
    },
    ...limits,
  ];
  const obs = observedOf(r.observed, 'memFreeBytes');
  if (obs) layers.push(observedFreeLayer(ctx, stacked, obs));
  const spec = base(ctx, title, layers);
  return {
    id: 'memory',
    title,
    caption:
      "Resident memory by owner: each process's anonymous memory (heap, not backed by a file), the page cache, and free RAM, stacked. The black line is the host's RAM; red lines are cgroup limits. When free memory is gone and a process keeps growing, the kernel takes pages from the others: the page cache first, then anonymous pages go to swap." +
      ctx.bucketNote('mean') +
      (obs
        ? ` The observed free memory is drawn where the lower edge of the free band would be with that much free (the top of the stack minus observed free): it runs along the band's lower edge where the simulation matches the log, above it where the host had less free memory than simulated.${overlayNote([obs])}`
        : ''),
    definitions: [
      defn(r, 'process', 'anonBytes'),
      defn(r, 'host', 'memFileBytes'),
      defn(r, 'host', 'memFreeBytes'),
      ...(obs ? [observedDefinition(ctx, 'memFreeBytes', obs)] : []),
    ],
    spec: obs ? independentLegend(spec) : spec,
  };
}

/**
 * Observed free memory on the stacked chart: a free band drawn from the observed value
 * would start where the simulated one does, so the line sits at stack top − observed free.
 */
function observedFreeLayer(ctx: Ctx, stacked: (Row & { order: number })[], obs: ObservedSource): Layer {
  const top = new Map<number, number>();
  for (const row of stacked) if (row.v !== null) top.set(row.t, (top.get(row.t) ?? 0) + row.v);
  const label = `free, observed (${obs.kind})`;
  const values = rows(ctx, label, obs.series, 'mean', GiB).map((row) => {
    const t = top.get(row.t);
    return { ...row, v: row.v === null || t === undefined ? null : t - row.v };
  });
  return overlayLayer(ctx, values, [{ label, color: '#000', dashed: true }], { field: 'v', type: 'quantitative' });
}

interface LinesOpts {
  id: string;
  title: string;
  caption: string;
  series: [string, string][];
  yTitle: string;
  colors: string[];
  domain?: [number, number];
  /** Divisor from the metric's unit to the axis unit (bytes → GiB). */
  scale?: number;
}

function linesChart(ctx: Ctx, o: LinesOpts): ChartDef {
  const data = o.series.flatMap(([label, metric]) => rows(ctx, label, ctx.result.host[metric], 'max', o.scale));
  const labels = o.series.map(([l]) => l);
  // Each observed series is dashed, in a darker shade of its simulated counterpart's colour.
  const observed = o.series.flatMap(([label, metric], i) => {
    const obs = observedOf(ctx.result.observed, metric);
    return obs
      ? [{ label: `${label}, observed (${obs.kind})`, metric, obs, color: darker(o.colors[i] as string) }]
      : [];
  });
  const y = { field: 'v', type: 'quantitative', title: o.yTitle, ...(o.domain ? { scale: { domain: o.domain } } : {}) };
  const layers: Layer[] = [
    {
      data: { values: data },
      mark: { type: 'line' },
      encoding: {
        x: ctx.x,
        y,
        color: seriesColor(labels, o.colors),
      },
    },
  ];
  if (observed.length > 0) {
    const values = observed.flatMap((x) => rows(ctx, x.label, x.obs.series, 'max', o.scale));
    layers.push(
      overlayLayer(
        ctx,
        values,
        observed.map((x) => ({ label: x.label, color: x.color, dashed: true })),
        y,
      ),
    );
  }
  const spec = base(ctx, o.title, layers);
  return {
    id: o.id,
    title: o.title,
    caption: o.caption + ctx.bucketNote('max') + overlayNote(observed.map((x) => x.obs)),
    definitions: [
      ...o.series.map(([, m]) => defn(ctx.result, 'host', m)),
      ...observed.map((x) => observedDefinition(ctx, x.metric, x.obs)),
    ],
    spec: observed.length > 0 ? independentLegend(spec) : spec,
  };
}

const DURATION_TICKS_MS = [1, 10, 100, 1000, 10_000, 60_000, 600_000, 3_600_000];

function latencyChart(ctx: Ctx): ChartDef[] {
  const r = ctx.result;
  const names = Object.keys(r.processes).filter((p) => r.processes[p]?.latencyP99Ms?.some((v) => v !== null));
  if (names.length === 0) return [];
  const data = names.flatMap((p) => [
    ...rows(ctx, `${p} p99`, r.processes[p]?.latencyP99Ms, 'max').map((row) => ({ ...row, process: p, q: 'p99' })),
    ...rows(ctx, `${p} p50`, r.processes[p]?.latencyP50Ms, 'max').map((row) => ({ ...row, process: p, q: 'p50' })),
  ]);
  const yScale = { type: 'log' };
  const values = data.map((d) => d.v).filter((v): v is number => v !== null && v > 0);
  const lo = Math.min(...values);
  const hi = Math.max(...values, ...r.checks.map((c) => c.threshold));
  const ticks = DURATION_TICKS_MS.filter((t) => t >= lo / 3 && t <= hi * 3);
  const rules: Layer[] = [];
  for (const c of r.checks) {
    const p = names.find((n) => c.metric === `processes.${n}.latencyMs`);
    if (p && c.threshold > 0)
      rules.push(
        ...ruleAt(
          c.threshold,
          `${p} expects ${c.aggregation} ${c.op} ${formatDurationMs(c.threshold)}`,
          yScale,
          '#C0392B',
        ),
      );
  }
  const title = 'Request latency per step (log scale)';
  const layers: Layer[] = [
    {
      data: { values: data },
      mark: { type: 'line' },
      encoding: {
        x: ctx.x,
        y: {
          field: 'v',
          type: 'quantitative',
          title: 'latency (log scale)',
          scale: yScale,
          // Durations read better as 4 min than as 240,000 ms.
          axis: {
            values: ticks,
            labelExpr:
              "datum.value >= 60000 ? format(datum.value / 60000, '~r') + ' min' : datum.value >= 1000 ? format(datum.value / 1000, '~r') + ' s' : format(datum.value, '~r') + ' ms'",
          },
        },
        color: {
          field: 'process',
          type: 'nominal',
          sort: names,
          scale: { domain: names, range: names.map((n) => ctx.processColors.get(n)!) },
          legend: { title: null },
        },
        strokeDash: {
          field: 'q',
          type: 'nominal',
          sort: ['p99', 'p50'],
          scale: {
            domain: ['p99', 'p50'],
            range: [
              [1, 0],
              [4, 2],
            ],
          },
          legend: { title: null },
        },
        detail: { field: 'series' },
      },
    },
    ...rules,
  ];
  return [
    {
      id: 'latency',
      title,
      caption:
        'Median (dashed) and 99th-percentile (solid) latency of the requests that completed in each step, on a log scale, so that both a 200 ms baseline and minutes of stall stay readable. Gaps are steps in which no request completed at all, which is worse than a high value, not better. Red dashed lines are the expect: thresholds.' +
        ctx.bucketNote('max'),
      definitions: [defn(r, 'process', 'latencyP50Ms'), defn(r, 'process', 'latencyP99Ms')],
      spec: base(ctx, title, layers),
    },
  ];
}
