import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { TopLevelSpec } from 'vega-lite';
import type { Recommendation } from '../../result/recommend.js';
import type { CheckResult } from '../../result/types.js';
import { formatBytes } from '../../util/units.js';
import { renderSvg } from '../charts/render-svg.js';
import { formatValue } from '../format.js';

const TEMPLATE = new URL('../../../templates/recommend.hbs', import.meta.url);

/** Axis unit for the varied size: GiB from 1 GiB up, MiB below (a plain number reads better than bytes). */
function sizeUnit(r: Recommendation): { name: string; bytes: number } {
  return r.grid.high >= 2 ** 30 ? { name: 'GiB', bytes: 2 ** 30 } : { name: 'MiB', bytes: 2 ** 20 };
}

/** The observed value of one check against the size, the threshold, and the answer. */
function checkSpec(r: Recommendation, source: string): TopLevelSpec {
  const unit = sizeUnit(r);
  const first = r.probes.flatMap((p) => p.checks).find((c) => c.source === source) as CheckResult;
  const points = r.probes.flatMap((p) => {
    const c = p.checks.find((k) => k.source === source);
    return c && c.observed !== null
      ? [{ size: p.value / unit.bytes, observed: c.observed, result: c.passed ? 'passes' : 'fails' }]
      : [];
  });
  const flat = points.every((p) => p.observed === 0) && first.threshold === 0;
  const x = {
    field: 'size',
    type: 'quantitative',
    title: `${r.field} (${unit.name})`,
    scale: { zero: false },
  } as const;
  const layers: TopLevelSpec[] | object[] = [
    {
      data: { values: points },
      mark: { type: 'line', color: '#999' },
      encoding: {
        x,
        y: {
          field: 'observed',
          type: 'quantitative',
          title: `${first.aggregation} (${first.unit})`,
          // A count that stays at 0 (no OOM kill) would get a 0-wide axis labelled "0.000000".
          scale: flat ? { domain: [0, 1] } : { zero: true },
          axis: { format: ',~r', ...(first.unit === 'count' ? { tickMinStep: 1 } : {}) },
        },
      },
    },
    {
      data: { values: points },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        x,
        y: { field: 'observed', type: 'quantitative' },
        color: {
          field: 'result',
          type: 'nominal',
          scale: { domain: ['passes', 'fails'], range: ['#27ae60', '#c0392b'] },
          title: null,
        },
      },
    },
    {
      data: { values: [{ threshold: first.threshold }] },
      mark: { type: 'rule', color: '#c0392b', strokeDash: [6, 4] },
      encoding: { y: { field: 'threshold', type: 'quantitative' } },
    },
  ];
  if (r.answer !== null) {
    (layers as object[]).push({
      data: { values: [{ size: r.answer / unit.bytes }] },
      mark: { type: 'rule', color: '#27ae60' },
      encoding: { x: { field: 'size', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 640,
    height: 240,
    title: { text: source, limit: 0 },
    layer: layers,
    config: { aria: false, axis: { labelLimit: 0 } },
  } as TopLevelSpec;
}

function checkText(c: CheckResult | undefined): string {
  if (!c) return '–';
  return `${c.passed ? '✓' : '✗'} ${c.observed === null ? 'no value' : formatValue(c.observed, c.unit)}`;
}

/** A self-contained page: the answer with its margin, one chart per check, every probe. */
export async function renderRecommendHtml(r: Recommendation): Promise<string> {
  const hb = Handlebars.create();
  const template = hb.compile(readFileSync(TEMPLATE, 'utf8'), { strict: true });
  const sources = [
    ...new Set(r.probes.flatMap((p) => p.checks.filter((c) => c.level === 'error').map((c) => c.source))),
  ];
  const charts: { svg: string }[] = [];
  for (const s of sources) charts.push({ svg: await renderSvg(checkSpec(r, s)) });
  // The margin: the checks at the answer and at the next lower probe (at the top of the range when nothing passes).
  const columns: { title: string; checks: CheckResult[] }[] =
    r.answer === null
      ? [{ title: `at ${formatBytes(r.grid.high)}`, checks: r.atLower }]
      : [
          { title: `at ${formatBytes(r.answer)}`, checks: r.atAnswer },
          ...(r.lowerProbe === null ? [] : [{ title: `at ${formatBytes(r.lowerProbe)}`, checks: r.atLower }]),
        ];
  const margin = {
    headers: columns.map((c) => c.title),
    rows: sources.map((s) => ({
      source: s,
      cells: columns.map((c) => checkText(c.checks.find((k) => k.source === s))),
    })),
  };
  return template({
    title: `faultline recommend: ${r.scenario}, ${r.field}`,
    headline: recommendHeadline(r),
    found: r.answer !== null,
    variantId: r.variantId,
    range: `${formatBytes(r.grid.low)} .. ${formatBytes(r.grid.high)} in steps of ${formatBytes(r.grid.step)}`,
    margin,
    charts,
    sources,
    probes: r.probes.map((p) => ({
      size: formatBytes(p.value),
      passed: p.passed,
      verdict: p.verdict.headline,
      checks: sources.map((s) => checkText(p.checks.find((c) => c.source === s))),
    })),
  });
}

/** One line for the terminal and the page. */
export function recommendHeadline(r: Recommendation): string {
  if (r.answer === null) {
    return `no value of ${r.field} up to ${formatBytes(r.grid.high)} passes every check`;
  }
  if (r.lowerProbe === null) {
    return `${r.field} = ${formatBytes(r.answer)} (the bottom of the range) already passes every check`;
  }
  return `smallest ${r.field} that passes every check: ${formatBytes(r.answer)} (${formatBytes(r.lowerProbe)} fails)`;
}
