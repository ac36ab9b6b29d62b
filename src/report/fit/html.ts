/**
 * The fit page (fit.html): a pure function of the fit result (result/fit.ts) and its best run,
 * through templates/fit.hbs. Observed against fitted overlays for every term of the objective,
 * the parameters with their profile ranges, the trade-offs, and the objective per run.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { TopLevelSpec } from 'vega-lite';
import { DERIVED_PROCESS_SERIES, simulatedProcessSeries } from '../../analysis/derived-series.js';
import type { FitResult } from '../../result/fit.js';
import type { RunResult, Series } from '../../result/types.js';
import { renderSvg } from '../charts/render-svg.js';

const TEMPLATE = new URL('../../../templates/fit.hbs', import.meta.url);

const fmt = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : Number(x.toPrecision(4)).toString();

/** The simulated and observed series of one term (`majorFaultsPerSec`, `cgroups.<path>.<m>`, `processes.<name>.<m>`). */
function seriesOf(best: RunResult, term: string): { sim: Series; obs: Series; unit: string } | undefined {
  const o = best.observed;
  if (!o) return undefined;
  const m = /^(cgroups|processes)\.(.+)\.([A-Za-z0-9]+)$/.exec(term);
  if (!m) {
    const obs = o.host[term];
    return obs && { sim: best.host[term] ?? [], obs, unit: best.metrics[`host.${term}`]?.unit ?? '' };
  }
  const [, scope, owner, metric] = m as unknown as [string, 'cgroups' | 'processes', string, string];
  const obs = o[scope]?.[owner]?.[metric];
  const sim =
    scope === 'processes' ? simulatedProcessSeries(best.processes[owner], metric) : best[scope][owner]?.[metric];
  // A derived series (a process's faultsPerSec) takes the unit of the first series it sums.
  const unitOf = DERIVED_PROCESS_SERIES[metric]?.[0] ?? metric;
  return (
    obs &&
    sim && { sim, obs, unit: best.metrics[`${scope === 'cgroups' ? 'cgroup' : 'process'}.${unitOf}`]?.unit ?? '' }
  );
}

function overlaySpec(best: RunResult, title: string, s: { sim: Series; obs: Series; unit: string }): TopLevelSpec {
  const values: { t: number; value: number; series: string }[] = [];
  best.timeMs.forEach((t, i) => {
    const a = s.sim[i];
    const b = s.obs[i];
    if (a !== null && a !== undefined) values.push({ t: t / 1000, value: a, series: 'fitted (simulated)' });
    if (b !== null && b !== undefined) values.push({ t: t / 1000, value: b, series: 'observed' });
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 680,
    height: 160,
    data: { values },
    mark: { type: 'line' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'simulated time (s)' },
      y: { field: 'value', type: 'quantitative', title: s.unit },
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: ['observed', 'fitted (simulated)'], range: ['#000000', '#0072B2'] },
      },
    },
    config: { aria: false, legend: { orient: 'top' } },
  } as TopLevelSpec;
}

function traceSpec(report: FitResult): TopLevelSpec {
  const values = report.iterations.flatMap((it) => [
    ...(it.objective !== null ? [{ run: it.run, value: it.objective, series: `candidate (${it.phase})` }] : []),
    ...(it.bestObjective !== null && it.phase !== 'profile'
      ? [{ run: it.run, value: it.bestObjective, series: 'best so far' }]
      : []),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'objective per run',
    width: 680,
    height: 160,
    data: { values },
    mark: { type: 'point', filled: true, size: 14 },
    encoding: {
      x: { field: 'run', type: 'quantitative', title: 'run' },
      y: { field: 'value', type: 'quantitative', title: 'objective', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal' },
    },
    config: { aria: false, legend: { orient: 'top' } },
  } as TopLevelSpec;
}

export async function renderFitHtml(report: FitResult, best: RunResult): Promise<string> {
  const hb = Handlebars.create();
  const template = hb.compile(readFileSync(TEMPLATE, 'utf8'), { strict: true });
  const charts: { svg: string }[] = [];
  for (const t of report.best.terms) {
    const s = seriesOf(best, t.name);
    if (s) charts.push({ svg: await renderSvg(overlaySpec(best, t.name, s)) });
  }
  const trace = await renderSvg(traceSpec(report));
  const oom = report.best.oom;
  return template({
    title: `fit: ${report.scenario}`,
    objective: fmt(report.best.objective),
    runs: report.runs,
    budget: report.budget,
    stoppedBecause:
      report.stoppedBecause === 'converged' ? 'converged' : 'the budget (a hard cap) was spent before convergence',
    definition: report.objective.definition,
    parameters: report.parameters.map((p) => ({
      path: p.path,
      range: `${p.low}${p.unit} – ${p.high}${p.unit}${p.scale === 'log' ? ' (log scale)' : ''}`,
      start: `${p.start} (${p.startFrom})`,
      value: String(p.value),
      profile: p.profile
        ? `${p.profile.openLow ? '≤ ' : ''}${p.profile.low} – ${p.profile.high}${p.profile.openHigh ? ' or more' : ''}`
        : 'not computed',
    })),
    tolerancePct: report.identifiability.tolerancePct,
    note: report.identifiability.note,
    tradeOffs: report.identifiability.tradeOffs.map((t) => ({ ...t, ratio: fmt(t.ratio) })),
    terms: report.best.terms.map((t) => ({
      name: t.name,
      column: t.observedColumn ?? '',
      inObjective: report.objective.terms.includes(t.name),
      points: t.points,
      mape: fmt(t.mapePct),
      normalised: fmt(t.normalisedError),
    })),
    oom: oom && {
      observed: oom.observed.map((k) => `${k.process} at ${fmt(k.timeMs / 1000)} s`).join(', ') || 'none',
      simulated: oom.simulated.map((k) => `${k.process} at ${fmt(k.timeMs / 1000)} s`).join(', ') || 'none',
      victimsMatch: oom.victimsMatch,
    },
    charts,
    trace,
  });
}
