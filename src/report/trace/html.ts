import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { TopLevelSpec } from 'vega-lite';
import type { Curve, TraceResult } from '../../result/trace.js';
import { renderSvg } from '../charts/render-svg.js';

const TEMPLATE = new URL('../../../templates/trace.hbs', import.meta.url);

/** The most points a chart line gets; longer series are thinned (vega renders ~1 ms per point). */
const MAX_CHART_POINTS = 400;

/**
 * A self-contained HTML page for a trace result: inline CSS and static SVG, no
 * scripts and no network. A pure function of the result (every string in it is
 * escaped by handlebars; the SVG comes from vega, which escapes its own text).
 */
export async function renderTraceHtml(result: TraceResult): Promise<string> {
  const hb = Handlebars.create();
  const template = hb.compile(readFileSync(TEMPLATE, 'utf8'), { strict: true });
  const charts: { title: string; svg: string }[] = [];
  if (result.rows.length > 0) {
    charts.push({ title: 'Fault ratio per policy and size', svg: await renderSvg(replaySpec(result)) });
  }
  if (result.curves.length > 0) {
    charts.push({ title: 'Miss-ratio curve', svg: await renderSvg(curveSpec(result)) });
  }
  return template(viewModel(result, charts));
}

function pct(v: number): string {
  return `${(v * 100).toFixed(v < 0.001 && v > 0 ? 4 : 2)}%`;
}

function methodText(c: Curve): string {
  switch (c.method) {
    case 'exact-stack':
      return 'exact (stack distances)';
    case 'shards-fixed-rate':
      return `SHARDS, fixed rate ${c.rate} (${c.sampledPages.toLocaleString('en-US')} pages, ${c.sampledReferences.toLocaleString('en-US')} sampled references)`;
    case 'shards-fixed-size':
      return `SHARDS, fixed size ${c.maxPages} pages (final rate ${c.finalRate.toPrecision(3)})`;
    case 'simulation':
      return `simulated at ${c.points.length} sizes`;
  }
}

function viewModel(r: TraceResult, charts: { title: string; svg: string }[]) {
  const t = r.trace;
  const facts: [string, string][] = [
    ['file', t.file],
    ['format', `${t.format}${t.compression === 'none' ? '' : ` (${t.compression})`}`],
    [
      'references',
      `${t.references.toLocaleString('en-US')} (${r.warmup.toLocaleString('en-US')} warm-up, not counted)`,
    ],
    ['distinct pages', t.distinctPages.toLocaleString('en-US')],
    [
      'keyed by',
      t.keyedBy === 'pages'
        ? `the ${t.pageSize}-byte pages each record covers (offset unit ${t.offsetUnit} bytes)`
        : t.keyedBy === 'offset'
          ? 'start offset of each record'
          : 'id of each record',
    ],
  ];
  if (t.columns) {
    facts.push([
      'columns',
      Object.entries(t.columns)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
    ]);
  }
  if (t.ops)
    facts.push(['ops kept', `${t.ops.join(', ')} (${t.filteredRecords.toLocaleString('en-US')} records left out)`]);
  if (r.ram) facts.push(['RAM', `${r.ram.frames.toLocaleString('en-US')} frames (--ram ${r.ram.given})`]);
  if (r.target !== undefined) facts.push(['target fault ratio', pct(r.target)]);
  return {
    title: `faultline ${r.command}: ${t.file}`,
    facts: facts.map(([k, v]) => ({ k, v })),
    malformed: t.malformed.count > 0 ? t.malformed : null,
    charts,
    rows: r.rows.map((row) => ({
      policy: row.policy,
      frames: row.frames.toLocaleString('en-US'),
      framesSpec: row.framesSpec,
      faults: row.faults.toLocaleString('en-US'),
      ratio: pct(row.faultRatio),
    })),
    curves: r.curves.map((c) => ({
      policy: c.policy,
      method: methodText(c),
      atRam: r.ram ? pct(ratioAt(c, r.ram.frames)) : null,
      target:
        c.targetFrames === undefined
          ? null
          : c.targetFrames === null
            ? 'no size meets it'
            : `${c.targetFrames.toLocaleString('en-US')} frames`,
    })),
    hasRam: r.ram !== undefined,
    hasTarget: r.target !== undefined,
  };
}

/** Fault ratio at `frames` from the nearest point at or below it (curves are non-increasing). */
function ratioAt(c: Curve, frames: number): number {
  let best = 1;
  for (const p of c.points) if (p.frames <= frames) best = p.faultRatio;
  return best;
}

function thin<T>(xs: readonly T[]): T[] {
  if (xs.length <= MAX_CHART_POINTS) return [...xs];
  const step = xs.length / MAX_CHART_POINTS;
  const out: T[] = [];
  for (let i = 0; i < MAX_CHART_POINTS; i++) out.push(xs[Math.floor(i * step)] as T);
  out.push(xs[xs.length - 1] as T);
  return out;
}

const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 640,
  height: 300,
  config: { aria: false, axis: { labelLimit: 0 }, legend: { labelLimit: 0 } },
} as const;

function ramLayer(r: TraceResult) {
  if (!r.ram) return [];
  return [
    {
      data: { values: [{ frames: r.ram.frames, label: 'RAM' }] },
      mark: { type: 'rule', color: '#c0392b', strokeDash: [6, 3] },
      encoding: { x: { field: 'frames', type: 'quantitative' } },
    },
    {
      data: { values: [{ frames: r.ram.frames, label: 'RAM' }] },
      mark: { type: 'text', color: '#c0392b', align: 'left', dx: 4, baseline: 'top', y: 4 },
      encoding: { x: { field: 'frames', type: 'quantitative' }, text: { field: 'label' } },
    },
  ];
}

function replaySpec(r: TraceResult): TopLevelSpec {
  const values = r.rows.map((row) => ({ policy: row.policy, frames: row.frames, faultRatio: row.faultRatio }));
  return {
    ...BASE,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'frames', type: 'quantitative', title: 'frames' },
          y: { field: 'faultRatio', type: 'quantitative', title: 'fault ratio', axis: { format: '.0%' } },
          color: { field: 'policy', type: 'nominal' },
        },
      },
      ...ramLayer(r),
    ],
  } as TopLevelSpec;
}

function curveSpec(r: TraceResult): TopLevelSpec {
  const values = r.curves.flatMap((c) =>
    thin(c.points).map((p) => ({ curve: c.policy, frames: p.frames, faultRatio: p.faultRatio })),
  );
  const targets = r.curves
    .filter((c) => typeof c.targetFrames === 'number')
    .map((c) => ({ curve: c.policy, frames: c.targetFrames as number, faultRatio: r.target as number }));
  const layers: object[] = [
    {
      data: { values },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'frames', type: 'quantitative', title: 'frames' },
        y: { field: 'faultRatio', type: 'quantitative', title: 'fault ratio', axis: { format: '.0%' } },
        color: { field: 'curve', type: 'nominal', title: 'policy' },
      },
    },
    ...ramLayer(r),
  ];
  if (r.target !== undefined) {
    layers.push({
      data: { values: [{ faultRatio: r.target }] },
      mark: { type: 'rule', color: '#7f8c8d', strokeDash: [2, 2] },
      encoding: { y: { field: 'faultRatio', type: 'quantitative' } },
    });
  }
  if (targets.length > 0) {
    layers.push({
      data: { values: targets },
      mark: { type: 'point', shape: 'diamond', size: 120, filled: true },
      encoding: {
        x: { field: 'frames', type: 'quantitative' },
        y: { field: 'faultRatio', type: 'quantitative' },
        color: { field: 'curve', type: 'nominal', title: 'policy' },
      },
    });
  }
  return { ...BASE, layer: layers } as TopLevelSpec;
}
