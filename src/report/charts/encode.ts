/**
 * Shared pieces of the report's vega-lite specs: one theme, the time axis, series
 * colours and the event rules drawn on every time chart. Specs are plain object
 * literals built from result data; nothing is fetched.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { EventRecord } from '../../result/types.js';

export const CHART_WIDTH = 760;
export const CHART_HEIGHT = 220;

/** Colour-blind-safe categorical palette (Okabe–Ito), in a fixed order so a process keeps its colour on every chart. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/**
 * Static SVG has no canvas to measure text, so vega guesses widths and would cut long
 * (user-supplied) names: `labelLimit: 0` turns cutting off. `aria: false` drops a label per
 * mark (a third of the bytes); each chart's figure carries a caption instead.
 */
export const chartConfig = {
  aria: false,
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: '#d0d4da' },
  axis: {
    labelLimit: 0,
    titleLimit: 0,
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 'normal',
    gridColor: '#eceef1',
  },
  legend: {
    labelLimit: 0,
    titleLimit: 0,
    labelFontSize: 11,
    titleFontSize: 11,
    orient: 'top',
    direction: 'horizontal',
  },
  header: { labelLimit: 0, titleLimit: 0, labelFontSize: 11 },
  title: { fontSize: 13, anchor: 'start' },
  line: { strokeWidth: 1.6 },
} as const;

export type Spec = TopLevelSpec;
// biome-ignore lint/suspicious/noExplicitAny: vega-lite's layer and encoding unions are too deep to name here
export type Layer = any;

/** Time axis in simulated clock time; the format follows the run length so ticks stay readable. */
export function timeX(durationMs: number): Record<string, unknown> {
  return {
    field: 't',
    type: 'temporal',
    scale: { type: 'utc', domain: [0, durationMs] },
    axis: {
      format: durationMs > 20 * 60_000 ? '%H:%M' : '%H:%M:%S',
      title: 'simulated time',
      labelFlush: false,
      tickCount: 8,
    },
  };
}

export function seriesColor(domain: string[], range: string[] = PALETTE): Record<string, unknown> {
  return { field: 'series', type: 'nominal', sort: domain, scale: { domain, range }, legend: { title: null } };
}

const EVENT_COLORS: Record<EventRecord['kind'], string> = {
  'oom-kill': '#C0392B',
  'oomd-kill': '#C0392B',
  'swap-full': '#7B241C',
  'alloc-fail': '#8E44AD',
  throttle: '#D35400',
  scenario: '#34495E',
  'process-start': '#7F8C8D',
  'process-exit': '#7F8C8D',
};

const EVENT_RANK: Record<EventRecord['kind'], number> = {
  'oom-kill': 0,
  'oomd-kill': 0,
  'swap-full': 1,
  'alloc-fail': 2,
  throttle: 3,
  scenario: 4,
  'process-start': 5,
  'process-exit': 5,
};

/** A marker on the time charts: one or more events close enough to share a rule. */
export interface EventMark {
  t: number;
  label: string;
  color: string;
}

const LABEL_MAX = 30;

function eventLabel(e: EventRecord): string {
  const who = e.process ?? e.cgroup ?? '';
  switch (e.kind) {
    case 'oom-kill':
      return `OOM kill ${who}`.trim();
    case 'oomd-kill':
      return `oomd kill ${who}`.trim();
    case 'alloc-fail':
      return `alloc fail ${who}`.trim();
    case 'throttle':
      return `throttle ${who}`.trim();
    case 'swap-full':
      return 'swap full';
    case 'process-start':
      return `${who} starts`;
    case 'process-exit':
      return `${who} exits`;
    case 'scenario':
      // The full message is in the events table; a chart label must fit beside its rule.
      return e.message.length > LABEL_MAX ? `${e.message.slice(0, LABEL_MAX - 1)}…` : e.message;
  }
}

/**
 * Events as chart markers. Events within 1/150 of the run of each other share one rule
 * (labels would overprint); repeats of the same label count up (`throttle db ×12`).
 * The rule takes the colour of the most severe event in it.
 */
export function eventMarks(events: EventRecord[], durationMs: number): EventMark[] {
  const gap = durationMs / 150;
  // The x scale is fixed to the run, and vega does not clip rules outside it.
  const sorted = events.filter((e) => e.timeMs >= 0 && e.timeMs <= durationMs).sort((a, b) => a.timeMs - b.timeMs);
  const groups: EventRecord[][] = [];
  for (const e of sorted) {
    const last = groups[groups.length - 1];
    if (last && e.timeMs - last[last.length - 1]!.timeMs <= gap) last.push(e);
    else groups.push([e]);
  }
  return groups.map((g) => {
    const counts = new Map<string, number>();
    const bySeverity = [...g].sort((a, b) => EVENT_RANK[a.kind] - EVENT_RANK[b.kind]);
    for (const e of bySeverity) counts.set(eventLabel(e), (counts.get(eventLabel(e)) ?? 0) + 1);
    const labels = [...counts].map(([l, n]) => (n > 1 ? `${l} ×${n}` : l));
    // The most severe event names the marker; the rest are counted, and all are in the events table.
    const label = labels.length > 1 ? `${labels[0]} (+${labels.length - 1} more)` : labels[0]!;
    return { t: g[0]!.timeMs, label, color: EVENT_COLORS[bySeverity[0]!.kind] };
  });
}

/**
 * Dashed rules with short horizontal labels near the top of the plot, on a white halo.
 * Labels sit on three staggered rows so that neighbouring events do not overprint, and
 * flip to the left of their rule in the last quarter of the run so they stay inside it.
 */
export function eventLayers(marks: EventMark[], durationMs: number): Layer[] {
  if (marks.length === 0) return [];
  const values = marks.map((m, i) => ({
    t: m.t,
    label: m.label,
    color: m.color,
    row: 4 + (i % 3) * 13,
    flip: m.t > durationMs * 0.75,
  }));
  const x = { field: 't', type: 'temporal' };
  const rule: Layer = {
    data: { values },
    mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1.2 },
    encoding: { x, color: { field: 'color', type: 'nominal', scale: null } },
  };
  const labels = (flip: boolean): Layer[] => {
    const data = { values: values.filter((v) => v.flip === flip) };
    if (data.values.length === 0) return [];
    const text = { type: 'text', align: flip ? 'right' : 'left', baseline: 'top', dx: flip ? -3 : 3, fontSize: 10 };
    const encoding = { x, y: { field: 'row', type: 'quantitative', scale: null }, text: { field: 'label' } };
    return [
      { data, mark: { ...text, stroke: 'white', strokeWidth: 3, strokeOpacity: 0.9 }, encoding },
      { data, mark: text, encoding: { ...encoding, color: { field: 'color', type: 'nominal', scale: null } } },
    ];
  };
  return [rule, ...labels(false), ...labels(true)];
}

/** A horizontal threshold rule with its label at the right end. */
export function ruleAt(y: number, label: string, yScale: Record<string, unknown>, color = '#555'): Layer[] {
  const data = { values: [{ y, label }] };
  const yEnc = { field: 'y', type: 'quantitative', scale: yScale };
  return [
    { data, mark: { type: 'rule', strokeDash: [6, 3], color }, encoding: { y: yEnc } },
    {
      data,
      mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, fontSize: 10, color },
      encoding: { y: yEnc, x: { value: CHART_WIDTH - 4 }, text: { field: 'label' } },
    },
  ];
}
