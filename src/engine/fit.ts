/**
 * `faultline fit`: finds the values of a few unknown scenario fields that make the
 * simulation reproduce observed telemetry.
 *
 * Each candidate is an ordinary variant: the scenario with a one-point `sweep.matrix` over
 * the varied paths, loaded by the scenario loader, so paths and values go through the same
 * resolution and validation as any sweep (no second path resolver here). Candidates run in
 * parallel on the batch engine; each run's `observed.errors` (engine/observed.ts) gives the
 * objective.
 *
 * Objective: the mean over the compared metrics of `normalisedError` (MAE over the mean
 * absolute observed value), so faults/s, bytes and percentages weigh alike. A candidate
 * that fails to load or run scores +∞.
 *
 * Search, on coordinates normalised to [0, 1] per parameter: the scenario's own values
 * (the start) and a coarse grid, in one batch; then a compass search from the best point:
 * all 2·d neighbours at ±h in one batch, move to the best if it improves, else halve h.
 * It needs no gradient, tolerates the roughness a seeded simulation has (a fixed seed
 * makes the objective deterministic, so a cached point is never re-run), and every round
 * is parallel, which Nelder–Mead's one-point-at-a-time steps are not.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import YAML, { isMap, isScalar, parseDocument } from 'yaml';
import { renderSvg } from '../report/charts/render-svg.js';
import type { ObservedError, RunResult } from '../result/types.js';
import { parseFitRange } from '../scenario/fit-range.js';
import { loadScenarioText } from '../scenario/load.js';
import { ScenarioSpec } from '../scenario/schema.js';
import { kindOf, resolveDottedPath } from '../scenario/schema-walk.js';
import type { Variant } from '../scenario/types.js';
import { DiagnosticsError, InputError } from '../util/errors.js';
import { parseDuration, parseSize } from '../util/units.js';
import { runBatch } from './batch.js';

export interface FitParam {
  /** The dotted path as given to --vary. */
  path: string;
  /** The path split into real keys (schema-walk's resolution). */
  segments: string[];
  low: number;
  high: number;
  /** Suffix written after the number (`Mi`, `us`), '' for plain numbers. */
  unit: string;
  /** Both bounds written as integers without a unit: the field may accept only integers. */
  integer: boolean;
}

export interface ObservedInput {
  kind: string;
  file: string;
  offsetMs: number;
}

export interface FitOptions {
  /** `--vary path=low..high`; when empty, the scenario's `fit:` section declares the unknowns. */
  vary: readonly string[];
  /** Replaces the scenario's `observed:` when given (`--observed kind:file[@offset]`). */
  observed?: readonly ObservedInput[];
  /** Restricts the objective to these host metrics (default: every compared metric). */
  metrics?: readonly string[];
  /** Most simulation runs. */
  budget: number;
  jobs: number;
  onRun?: (done: number, budget: number, objective: number, best: number) => void;
}

export interface FitIteration {
  run: number;
  phase: 'start' | 'grid' | 'search';
  /** Varied path → value as written into the scenario. */
  params: Record<string, string | number>;
  /** null for +∞ (the candidate failed). */
  objective: number | null;
  bestObjective: number | null;
}

export interface FitReport {
  kind: 'fit';
  scenario: string;
  objective: { definition: string; metrics: string[] };
  parameters: {
    path: string;
    low: number;
    high: number;
    unit: string;
    start: string | number;
    value: string | number;
  }[];
  best: { objective: number | null; errors: ObservedError[] };
  budget: number;
  runs: number;
  stoppedBecause: 'budget' | 'converged';
  iterations: FitIteration[];
}

export interface FitOutcome {
  report: FitReport;
  /** The best run (with its `observed` comparison). */
  best: RunResult;
  params: FitParam[];
  /** Normalised coordinates of the best point. */
  bestPoint: number[];
  /** The scenario file's text, which the fitted scenario edits. */
  text: string;
}

export const OBJECTIVE_DEFINITION =
  'mean over the compared host metrics of normalisedError = MAE / max(mean |observed|, unit floor); lower is better, 0 is a perfect match';

/** Smallest compass step, in normalised coordinates: 1/256 of a range is finer than the simulation's noise. */
const MIN_STEP = 1 / 256;

/** Parses `path=low..high` (range notation in scenario/fit-range.ts: `256Mi..1Gi` is not accepted, write `256Mi..1024Mi`). */
export function parseVary(spec: string, raw: Record<string, unknown>): FitParam {
  const eq = spec.indexOf('=');
  if (eq <= 0)
    throw new InputError(
      `--vary '${spec}': expected <field path>=<low>..<high>, e.g. processes.db.memory.anon=8Gi..24Gi`,
    );
  const range = parseFitRange(spec.slice(eq + 1));
  if ('error' in range) throw new InputError(`--vary '${spec}': the range ${range.error}`);
  const path = spec.slice(0, eq).trim();
  const res = resolveDottedPath(ScenarioSpec, path, raw);
  if (!res.ok) {
    const known = res.known.length > 0 ? `; known under ${res.at || 'the top level'}: ${res.known.join(', ')}` : '';
    throw new InputError(`--vary '${spec}': the path names no field of the scenario${known}`);
  }
  if (['object', 'record', 'array'].includes(kindOf(res.value.schema))) {
    throw new InputError(`--vary '${spec}': ${path} is a section; name a field inside it`);
  }
  const top = res.value.segments[0];
  if (top === 'sweep' || top === 'observed' || top === 'name' || top === 'fit') {
    throw new InputError(`--vary '${spec}': ${top} cannot be fitted`);
  }
  return {
    path,
    segments: res.value.segments,
    low: range.low,
    high: range.high,
    unit: range.unit,
    integer: range.integer,
  };
}

/** `kind:file[@offset]` as given to --observed. */
export function parseObservedArg(arg: string): ObservedInput {
  const colon = arg.indexOf(':');
  if (colon <= 0) throw new InputError(`--observed '${arg}': expected <kind>:<file>, e.g. vmstat:vmstat.txt`);
  let file = arg.slice(colon + 1);
  let offsetMs = 0;
  const at = file.lastIndexOf('@');
  const offset = at >= 0 ? parseDuration(file.slice(at + 1)) : undefined;
  if (offset !== undefined) {
    offsetMs = offset;
    file = file.slice(0, at);
  }
  return { kind: arg.slice(0, colon), file: resolve(file), offsetMs };
}

/** The value a normalised coordinate stands for, as written into the scenario. */
export function valueAt(p: FitParam, u: number): string | number {
  const x = p.low + Math.min(1, Math.max(0, u)) * (p.high - p.low);
  const n = p.integer ? Math.round(x) : Number(x.toPrecision(6));
  return p.unit === '' ? n : `${n}${p.unit}`;
}

function baseValue(text: string): number | undefined {
  return parseSize(text) ?? parseDuration(text);
}

/** Where the scenario's own value sits in the range (0.5 when absent, out of range or in another form). */
function startOf(p: FitParam, raw: Record<string, unknown>): number {
  let cur: unknown = raw;
  for (const s of p.segments) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[s] : undefined;
  let x: number | undefined;
  if (typeof cur === 'number' && p.unit === '') x = cur;
  if (typeof cur === 'string' && p.unit !== '') {
    const v = baseValue(cur);
    const one = baseValue(`1${p.unit}`);
    if (v !== undefined && one !== undefined && one > 0) x = v / one;
  }
  if (x === undefined || x < p.low || x > p.high) return 0.5;
  return (x - p.low) / (p.high - p.low);
}

function candidateText(
  raw: Record<string, unknown>,
  params: readonly FitParam[],
  point: readonly number[],
  observed: readonly ObservedInput[] | undefined,
): string {
  const doc: Record<string, unknown> = structuredClone(raw);
  // The unknowns are this candidate's one-point sweep now; `fit:` would refuse a swept path.
  delete doc.fit;
  doc.sweep = { matrix: Object.fromEntries(params.map((p, i) => [p.path, [valueAt(p, point[i] as number)]])) };
  if (observed) doc.observed = observed.map((o) => ({ kind: o.kind, file: o.file, offset: `${o.offsetMs}ms` }));
  return YAML.stringify(doc);
}

function objectiveOf(result: RunResult, metrics: readonly string[] | undefined): number {
  if (result.status !== 'ok' || !result.observed) return Number.POSITIVE_INFINITY;
  const terms = result.observed.errors.filter((e) => e.points > 0 && (!metrics || metrics.includes(e.metric)));
  if (terms.length === 0) return Number.POSITIVE_INFINITY;
  return terms.reduce((s, e) => s + e.normalisedError, 0) / terms.length;
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

export async function fitScenario(file: string, opts: FitOptions): Promise<FitOutcome> {
  const text = readFileSync(file, 'utf8');
  // Validates the scenario as written first, so its own problems are reported against its lines.
  const loaded = loadScenarioText(text, file);
  const raw = YAML.parse(text) as Record<string, unknown>;
  // --vary replaces the scenario's own `fit:` section as a whole, so a run can try other unknowns.
  const vary =
    opts.vary.length > 0 ? opts.vary : (loaded.scenario.fit ?? []).map((f) => `${f.path}=${f.low}..${f.high}`);
  if (vary.length === 0)
    throw new InputError(
      'nothing to fit: declare unknowns in a fit: section of the scenario or give --vary <field path>=<low>..<high>',
    );
  const params = vary.map((v) => parseVary(v, raw));
  const swept = Object.keys((raw.sweep as { matrix?: object } | undefined)?.matrix ?? {});
  for (const p of params) {
    if (swept.includes(p.path))
      throw new InputError(`--vary ${p.path}: the scenario sweeps this path; fit it or sweep it`);
  }
  if (!opts.observed && loaded.scenario.observed.length === 0) {
    throw new InputError('nothing to fit against: give --observed <kind>:<file> or an observed: section');
  }
  if (!(opts.budget >= 2)) throw new InputError('--budget must be at least 2 runs');

  const d = params.length;
  const cache = new Map<string, number>();
  const iterations: FitIteration[] = [];
  let best: { point: number[]; objective: number; result: RunResult } | undefined;
  let loadError: string | undefined;
  const keyOf = (pt: readonly number[]) => pt.map((u) => u.toFixed(6)).join(',');

  const evaluate = async (points: number[][], phase: FitIteration['phase']) => {
    const fresh: number[][] = [];
    for (const pt of points) {
      if (!cache.has(keyOf(pt)) && !fresh.some((q) => keyOf(q) === keyOf(pt))) fresh.push(pt);
    }
    const todo = fresh.slice(0, opts.budget - cache.size);
    const variants: (Variant | undefined)[] = todo.map((pt) => {
      try {
        return loadScenarioText(candidateText(raw, params, pt, opts.observed), file).variants[0];
      } catch (err) {
        if (!(err instanceof DiagnosticsError)) throw err;
        loadError ??= err.message;
        return undefined;
      }
    });
    const runnable = variants.filter((v): v is Variant => v !== undefined);
    const results = runnable.length > 0 ? await runBatch(runnable, { jobs: opts.jobs }) : [];
    let k = 0;
    todo.forEach((pt, i) => {
      const result = variants[i] ? (results[k++] as RunResult) : undefined;
      const objective = result ? objectiveOf(result, opts.metrics) : Number.POSITIVE_INFINITY;
      cache.set(keyOf(pt), objective);
      if (result && (!best || objective < best.objective)) best = { point: pt, objective, result };
      iterations.push({
        run: iterations.length + 1,
        phase,
        params: Object.fromEntries(params.map((p, j) => [p.path, valueAt(p, pt[j] as number)])),
        objective: finiteOrNull(objective),
        bestObjective: best ? finiteOrNull(best.objective) : null,
      });
      opts.onRun?.(iterations.length, opts.budget, objective, best?.objective ?? Number.POSITIVE_INFINITY);
    });
    return todo.length;
  };

  const start = params.map((p) => startOf(p, raw));
  await evaluate([start], 'start');
  const first = best as { result: RunResult } | undefined;
  if (first?.result.status === 'ok' && !first.result.observed?.errors.some((e) => e.points > 0)) {
    const warned = first.result.warnings.filter((w) => w.code === 'observed-unreadable').map((w) => w.message);
    throw new InputError(
      `the observed files give no series the simulation can be compared with${warned.length > 0 ? `: ${warned.join('; ')}` : ' (docs/postmortem.md lists the columns that map onto host metrics, and offset must place them inside the run)'}`,
    );
  }
  const perDim = Math.min(5, Math.max(2, Math.floor((0.4 * opts.budget) ** (1 / d))));
  const grid: number[][] = [[]];
  for (let j = 0; j < d; j++) {
    const next: number[][] = [];
    for (const g of grid) for (let k = 0; k < perDim; k++) next.push([...g, (k + 0.5) / perDim]);
    grid.splice(0, grid.length, ...next);
  }
  await evaluate(grid, 'grid');

  let h = 1 / (2 * perDim);
  let stoppedBecause: FitReport['stoppedBecause'] = 'converged';
  while (best && Number.isFinite(best.objective) && h >= MIN_STEP) {
    if (cache.size >= opts.budget) {
      stoppedBecause = 'budget';
      break;
    }
    const from = best;
    const neighbours: number[][] = [];
    for (let j = 0; j < d; j++) {
      for (const sign of [-1, 1]) {
        const pt = [...from.point];
        pt[j] = Math.min(1, Math.max(0, (pt[j] as number) + sign * h));
        if (pt[j] !== from.point[j]) neighbours.push(pt);
      }
    }
    const before = from.objective;
    const ran = await evaluate(neighbours, 'search');
    const improved = (best as { objective: number }).objective < before;
    // A round whose points were all cached already says nothing new at this step: refine.
    if (!improved || ran === 0) h /= 2;
  }
  if (!best) throw new InputError(`no candidate could be run: ${loadError ?? 'check the --vary ranges'}`);
  const winner = best as { point: number[]; objective: number; result: RunResult };
  const metrics = winner.result.observed?.errors
    .filter((e) => e.points > 0 && (!opts.metrics || opts.metrics.includes(e.metric)))
    .map((e) => e.metric);
  const report: FitReport = {
    kind: 'fit',
    scenario: file,
    objective: { definition: OBJECTIVE_DEFINITION, metrics: metrics ?? [] },
    parameters: params.map((p, j) => ({
      path: p.path,
      low: p.low,
      high: p.high,
      unit: p.unit,
      start: valueAt(p, start[j] as number),
      value: valueAt(p, winner.point[j] as number),
    })),
    best: { objective: finiteOrNull(winner.objective), errors: winner.result.observed?.errors ?? [] },
    budget: opts.budget,
    runs: iterations.length,
    stoppedBecause,
    iterations,
  };
  return { report, best: winner.result, params, bestPoint: winner.point, text };
}

/**
 * The original scenario text with the fitted values in place (comments kept: the yaml
 * Document API edits nodes, not text). Relative paths (observed files, trace files) are
 * rewritten to stay valid from `outFile`'s folder; `observed` from the command line
 * replaces the section so that a run of the fitted scenario shows the overlay.
 */
export function fittedScenarioText(
  outcome: Pick<FitOutcome, 'text' | 'params' | 'bestPoint' | 'report'>,
  scenarioFile: string,
  outFile: string,
  observed: readonly ObservedInput[] | undefined,
): string {
  const doc = parseDocument(outcome.text);
  outcome.params.forEach((p, j) => {
    const value = valueAt(p, outcome.bestPoint[j] as number);
    const node = doc.getIn(p.segments, true);
    if (isScalar(node)) node.value = value;
    else doc.setIn(p.segments, value);
  });
  const from = dirname(resolve(scenarioFile));
  const to = dirname(resolve(outFile));
  const rebase = (f: string) => (isAbsolute(f) ? f : relative(to, join(from, f)) || '.');
  if (observed) {
    doc.set(
      'observed',
      observed.map((o) => ({ kind: o.kind, file: relative(to, o.file), offset: `${o.offsetMs}ms` })),
    );
  } else {
    const list = doc.get('observed', true);
    if (list && typeof list === 'object' && 'items' in list) {
      for (const item of (list as { items: unknown[] }).items) {
        if (isMap(item)) item.set('file', rebase(String(item.get('file'))));
      }
    }
  }
  const processes = doc.get('processes', true);
  if (isMap(processes)) {
    for (const pair of processes.items) {
      const access = isMap(pair.value) ? pair.value.get('access', true) : undefined;
      if (!isMap(access)) continue;
      const traceFile = access.get('file');
      if (typeof traceFile === 'string') access.set('file', rebase(traceFile));
      const phases = access.get('phases', true);
      if (phases && typeof phases === 'object' && 'items' in phases) {
        for (const ph of (phases as { items: unknown[] }).items) {
          const f = isMap(ph) ? ph.get('file') : undefined;
          if (isMap(ph) && typeof f === 'string') ph.set('file', rebase(f));
        }
      }
    }
  }
  // The editor's schema modeline is a relative path too; yaml attaches a leading comment to the first key.
  const firstKey = isMap(doc.contents) ? doc.contents.items[0]?.key : undefined;
  if (isScalar(firstKey) && firstKey.commentBefore) {
    firstKey.commentBefore = firstKey.commentBefore.replace(
      /(yaml-language-server: \$schema=)(\S+)/,
      (_, head: string, f: string) => `${head}${rebase(f)}`,
    );
  }
  const fitted = outcome.report.parameters.map((p) => `${p.path} = ${p.value}`).join(', ');
  const note = ` Fitted by faultline fit (objective ${outcome.report.best.objective?.toPrecision(3) ?? 'n/a'}): ${fitted}`;
  doc.commentBefore = doc.commentBefore ? `${doc.commentBefore}\n\n${note}` : note;
  return doc.toString();
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function overlaySpec(best: RunResult, metric: string, unit: string): TopLevelSpec {
  const values: { t: number; value: number; series: string }[] = [];
  const obs = best.observed?.host[metric] ?? [];
  best.timeMs.forEach((t, i) => {
    const s = best.host[metric]?.[i];
    const o = obs[i];
    if (s !== null && s !== undefined) values.push({ t: t / 1000, value: s, series: 'fitted (simulated)' });
    if (o !== null && o !== undefined) values.push({ t: t / 1000, value: o, series: 'observed' });
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: metric,
    width: 680,
    height: 180,
    data: { values },
    mark: { type: 'line', point: { size: 12 } },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'simulated time (s)' },
      y: { field: 'value', type: 'quantitative', title: unit },
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: ['observed', 'fitted (simulated)'], range: ['#000000', '#0072B2'] },
      },
    },
    config: { aria: false, legend: { orient: 'top' } },
  } as TopLevelSpec;
}

function traceSpec(report: FitReport): TopLevelSpec {
  const values = report.iterations.flatMap((it) => [
    ...(it.objective !== null ? [{ run: it.run, value: it.objective, series: 'candidate' }] : []),
    ...(it.bestObjective !== null ? [{ run: it.run, value: it.bestObjective, series: 'best so far' }] : []),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'objective per run',
    width: 680,
    height: 180,
    data: { values },
    mark: { type: 'line', point: { size: 12 } },
    encoding: {
      x: { field: 'run', type: 'quantitative', title: 'run' },
      y: { field: 'value', type: 'quantitative', title: 'objective', scale: { type: 'log' } },
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: ['candidate', 'best so far'], range: ['#E69F00', '#0072B2'] },
      },
    },
    config: { aria: false, legend: { orient: 'top' } },
  } as TopLevelSpec;
}

/** The fit report page: parameters, errors per series, overlays of observed vs fitted, the objective trace. */
export async function renderFitHtml(report: FitReport, best: RunResult): Promise<string> {
  const rows = report.parameters
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.path)}</code></td><td>${p.low}${escapeHtml(p.unit)} – ${p.high}${escapeHtml(p.unit)}</td><td>${escapeHtml(String(p.start))}</td><td><b>${escapeHtml(String(p.value))}</b></td></tr>`,
    )
    .join('\n');
  const fmt = (x: number | null) => (x === null ? '–' : Number(x.toPrecision(4)).toString());
  const errRows = report.best.errors
    .map(
      (e) =>
        `<tr><td>${escapeHtml(e.metric)}</td><td><code>${escapeHtml(e.observedColumn)}</code></td><td>${e.points}</td><td>${fmt(e.maeValue)}</td><td>${fmt(e.mapePct)}</td><td>${fmt(e.normalisedError)}</td></tr>`,
    )
    .join('\n');
  const charts: string[] = [];
  for (const e of report.best.errors) {
    const unit = best.metrics[`host.${e.metric}`]?.unit ?? '';
    charts.push(`<figure>${await renderSvg(overlaySpec(best, e.metric, unit))}</figure>`);
  }
  charts.push(`<figure>${await renderSvg(traceSpec(report))}</figure>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fit: ${escapeHtml(report.scenario)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:860px;margin:2em auto;color:#1b1f24}table{border-collapse:collapse}td,th{border-bottom:1px solid #d0d4da;padding:.25em .6em;text-align:left}figure{margin:1.5em 0}</style>
</head><body>
<h1>Fit of ${escapeHtml(report.scenario)}</h1>
<p>Objective ${fmt(report.best.objective)} after ${report.runs} of ${report.budget} runs (${report.stoppedBecause}). ${escapeHtml(report.objective.definition)}.</p>
<h2>Parameters</h2>
<table><tr><th>field</th><th>range</th><th>start</th><th>fitted</th></tr>
${rows}
</table>
<h2>Error per series (fitted run)</h2>
<table><tr><th>metric</th><th>observed column</th><th>points</th><th>MAE</th><th>MAPE %</th><th>normalised</th></tr>
${errRows}
</table>
<h2>Observed vs fitted</h2>
${charts.join('\n')}
</body></html>
`;
}
