/**
 * `faultline fit`: finds the values of a few unknown scenario fields that make the
 * simulation reproduce observed telemetry.
 *
 * Each candidate is an ordinary variant: the scenario with a one-point `sweep.matrix` over
 * the varied paths, loaded by the scenario loader, so paths and values go through the same
 * resolution and validation as any sweep (no second path resolver here). Candidates run in
 * parallel on the batch engine; each run's `observed` comparison (engine/observed.ts) gives
 * the objective's terms: host, cgroup and process series, and the OOM kills.
 *
 * Search, on coordinates normalised to [0, 1] per parameter: the start (the scenario's own
 * values, else the preset or schema default) and a coarse grid in one batch; then a compass
 * search from the best point: all 2·d neighbours at ±h in one batch, move to the best if it
 * improves, else halve h, until h is below MIN_STEP (converged) or the budget (a hard cap)
 * is spent. It needs no gradient, tolerates the roughness a seeded simulation has (a fixed
 * seed makes the objective deterministic, so a cached point is never re-run), and every round
 * is parallel. Then a profile around the best point says how far each parameter can move
 * within a tolerance and which pairs trade off (FitResult.identifiability).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import YAML, { isMap, isScalar, parseDocument } from 'yaml';
import {
  FIT_SCHEMA_VERSION,
  type FitIteration,
  type FitParameter,
  type FitProfile,
  type FitResult,
  type FitTerm,
  type FitTradeOff,
} from '../result/fit.js';
import type { RunResult } from '../result/types.js';
import { DEVICE_PRESETS } from '../scenario/defaults.js';
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
  /** How a normalised coordinate maps onto the range (scaleOf). */
  scale: 'linear' | 'log';
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
  /** The objective's terms (FitTerm names); default: every compared one but DEFAULT_EXCLUDED. */
  metrics?: readonly string[];
  /** Most simulation runs of the search (a hard cap; it usually ends on convergence first). */
  budget: number;
  /** Runs for the identifiability profile after the search (0: none). */
  profile?: boolean;
  jobs: number;
  onRun?: (done: number, budget: number, objective: number, best: number) => void;
}

export interface FitOutcome {
  report: FitResult;
  /** The best run (with its `observed` comparison). */
  best: RunResult;
  params: FitParam[];
  /** Normalised coordinates of the best point. */
  bestPoint: number[];
  /** The scenario file's text, which the fitted scenario edits. */
  text: string;
}

export const OBJECTIVE_DEFINITION =
  'mean over the terms of min(1, normalisedError): per compared series (host, cgroup, process) MAE / max(mean |observed|, unit floor); for OOM kills, per kill |Δt| / observed time of the kill, 1 for a kill on one side only or another victim; lower is better, 0 is a perfect match';

/**
 * Series left out of the objective unless named: free memory depends on everything on the
 * host that a post-mortem scenario leaves out, minor faults alone count swap-cache hits, which
 * the model's readahead makes fewer of than the kernel's (a process's sum of majors and minors
 * is compared: DEFAULT_EXCLUDED_PROCESS), and PSI's stall share per second (from total=) stays beside avg10 rather than
 * replacing it: its 1 s spikes, which the model does not make, pulled leak-fast's working set
 * to the edge of its range (docs/postmortem.md, "Objective").
 */
export const DEFAULT_EXCLUDED = ['memFreeBytes', 'minorFaultsPerSec', 'psiSomePct', 'psiFullPct'];

/**
 * Process series left out unless named, beside DEFAULT_EXCLUDED: a process's major faults. Its
 * `faultsPerSec` (majors + minors) is its term: whether a page that comes back is read by its
 * own fault (major) or ahead of it (a swap-cache hit, minor) is swap readahead's, which the model
 * does not follow yet (docs/postmortem.md); that it comes back is the touch rate's. With majors
 * in, leak-fast's leaky (2 096 kernel faults, a third of them readahead hits) drew the fit to
 * five times its touch rate, where the model's majors fell to the kernel's.
 */
export const DEFAULT_EXCLUDED_PROCESS = ['majorFaultsPerSec'];

/**
 * Most a term adds to the objective: 1 is the error of a flat zero against the observed series.
 * A series the model cannot follow at all (a burst where the host was quiet, normalised error
 * 10) then weighs as much as one it misses entirely, and no more, so one such term cannot make
 * "nothing happens" the best fit of an incident.
 */
export const TERM_CAP = 1;

/** Smallest compass step, in normalised coordinates: below 1/128 of a range the simulation's noise dominates. */
const MIN_STEP = 1 / 128;
/** Compass searches after the first, from the best grid cells away from the winner (multi-start). */
const RESTARTS = 2;
/** A parameter value is "as good" when its objective is within this share of the best. */
const PROFILE_TOLERANCE = 0.1;
/**
 * Profile offsets around the best point, normalised: 1/64 and 1/16 of the range on each side.
 * A profile range equal to the fitted value means the objective rises by more than the
 * tolerance within 1/64 of the range: the data pin the parameter that closely.
 */
const PROFILE_STEPS = [-1 / 16, -1 / 64, 1 / 64, 1 / 16];
/**
 * Further offsets probed on a side whose profile is still inside the tolerance at 1/16: a
 * quarter of the range, then the range's end. A parameter the data barely see (a touch rate
 * whose pages stay resident) otherwise shows a ±8 % profile edge that says nothing about how
 * far it could go; this way its range reaches the bound it cannot be told from.
 */
const PROFILE_FAR_STEPS = [1 / 4, 1];
/**
 * Diagonal step of the trade-off test (before the per-parameter scaling of pairSteps, which
 * keeps it within [PAIR_STEP_MIN, PAIR_STEP_MAX]) and the ratio below which a pair trades off.
 */
const PAIR_STEP = 1 / 32;
const PAIR_STEP_MIN = 1 / 256;
const PAIR_STEP_MAX = 1 / 8;
const TRADE_OFF_RATIO = 0.5;

/**
 * A rate (a field named `...PerSec`: touches, leak, growth, requests) whose range spans at
 * least this factor is searched on a log scale: its effect goes with its ratio to the truth
 * (a touch rate over 1 000..50 000 spends half a linear range above 25 000, where the faults
 * it causes hardly change), so equal steps of the search and the profile are equal factors.
 */
const LOG_SCALE_MIN_RATIO = 4;

/** The search's scale for a parameter (FitParam.scale). */
export function scaleOf(segments: readonly string[], low: number, high: number): FitParam['scale'] {
  const field = segments.at(-1) ?? '';
  return field.endsWith('PerSec') && low > 0 && high / low >= LOG_SCALE_MIN_RATIO ? 'log' : 'linear';
}

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
    scale: scaleOf(res.value.segments, range.low, range.high),
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
  const c = Math.min(1, Math.max(0, u));
  const x = p.scale === 'log' ? p.low * (p.high / p.low) ** c : p.low + c * (p.high - p.low);
  const n = p.integer ? Math.round(x) : Number(x.toPrecision(6));
  return p.unit === '' ? n : `${n}${p.unit}`;
}

function baseValue(text: string): number | undefined {
  return parseSize(text) ?? parseDuration(text);
}

/** The value at a dotted path of a plain object, if any. */
function valueAtPath(obj: unknown, segments: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const s of segments) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[s] : undefined;
  return cur;
}

/** A value written in the field's notation, as a number in the parameter's unit. */
function inUnit(p: FitParam, v: unknown): number | undefined {
  if (typeof v === 'number' && p.unit === '') return v;
  if (typeof v === 'string' && p.unit !== '') {
    const x = baseValue(v);
    const one = baseValue(`1${p.unit}`);
    if (x !== undefined && one !== undefined && one > 0) return x / one;
  }
  return undefined;
}

/** The normalised coordinate of a value inside the range (the inverse of valueAt before rounding). */
export function coordinateOf(p: FitParam, x: number): number {
  return p.scale === 'log' ? Math.log(x / p.low) / Math.log(p.high / p.low) : (x - p.low) / (p.high - p.low);
}

/**
 * The start: the scenario's own value, else the default the loader would give the field (a
 * schema default, or the swap device preset for `host.swap.*`), else the middle of the range.
 */
function startOf(p: FitParam, raw: Record<string, unknown>): { u: number; from: FitParameter['startFrom'] } {
  const place = (x: number | undefined) =>
    x === undefined || x < p.low || x > p.high ? undefined : coordinateOf(p, x);
  const own = place(inUnit(p, valueAtPath(raw, p.segments)));
  if (own !== undefined) return { u: own, from: 'scenario' };
  const parsed = ScenarioSpec.safeParse(raw);
  let dflt = parsed.success ? place(inUnit(p, valueAtPath(parsed.data, p.segments))) : undefined;
  if (dflt === undefined && p.segments[0] === 'host' && p.segments[1] === 'swap' && p.segments.length === 3) {
    const device = String(valueAtPath(raw, ['host', 'swap', 'device']) ?? 'ssd');
    const preset = (DEVICE_PRESETS as unknown as Record<string, Record<string, number>>)[device];
    const field = p.segments[2] as string;
    const us = preset?.[`${field}Us`];
    if (us !== undefined) dflt = place(inUnit(p, `${us}us`));
    else if (preset?.[field] !== undefined && p.unit === '') dflt = place(preset[field]);
  }
  if (dflt !== undefined) return { u: dflt, from: 'default' };
  return { u: 0.5, from: 'middle' };
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

/** The objective's terms of one run (FitTerm), every compared series and the OOM comparison. */
export function termsOf(result: RunResult): FitTerm[] {
  const o = result.observed;
  if (!o) return [];
  const terms: FitTerm[] = [
    ...o.errors.map((e) => ({ name: e.metric, ...termFigures(e) })),
    ...(o.scopedErrors ?? []).map((e) => ({
      name: `${e.scope === 'cgroup' ? 'cgroups' : 'processes'}.${e.owner}.${e.metric}`,
      ...termFigures(e),
    })),
  ].filter((t) => t.points > 0);
  if (o.oom) {
    terms.push({ name: 'oom', points: o.oom.observed.length, mapePct: null, normalisedError: o.oom.normalisedError });
  }
  return terms;
}

function termFigures(e: { observedColumn: string; points: number; mapePct: number | null; normalisedError: number }) {
  return { observedColumn: e.observedColumn, points: e.points, mapePct: e.mapePct, normalisedError: e.normalisedError };
}

function selected(name: string, metrics: readonly string[] | undefined): boolean {
  if (metrics) return metrics.includes(name);
  if (name.startsWith('processes.') && DEFAULT_EXCLUDED_PROCESS.some((x) => name.endsWith(`.${x}`))) return false;
  return !DEFAULT_EXCLUDED.some((x) => name === x || name.endsWith(`.${x}`));
}

/**
 * Host series and the cgroup series that counts the same thing (CGROUP_SERIES, engine/observed.ts).
 * When one cgroup holds every process of the scenario its simulated series is the host's, step for
 * step, and its observed counter is the host's but for what else ran on the machine: the pair
 * would score one counter twice (leak-oom's major faults: 1 689 in the cgroup, 1 746 on the host).
 */
const HOST_TWINS: Readonly<Record<string, string>> = {
  majorFaultsPerSec: 'majorFaultsPerSec',
  swapUsedBytes: 'swapBytes',
  psiSomeAvg10Pct: 'psiSomeAvg10Pct',
  psiFullAvg10Pct: 'psiFullAvg10Pct',
};

/**
 * Host terms the default objective leaves to their cgroup twin (HOST_TWINS): those of a run in
 * which one cgroup holds every process as its own, when that cgroup's twin term is compared. The
 * cgroup's stays: like the simulated series, its observed counter counts the incident's processes
 * alone, where the host's also counts the machine's other work (the capture loop's own faults).
 */
export function doubledHostTerms(result: RunResult, terms: readonly FitTerm[]): string[] {
  const procs = result.scenario.processes;
  const owner = procs[0]?.cgroup;
  if (owner === undefined || procs.some((p) => p.cgroup !== owner)) return [];
  const names = new Set(terms.map((t) => t.name));
  return Object.entries(HOST_TWINS)
    .filter(([host, twin]) => names.has(host) && names.has(`cgroups.${owner}.${twin}`))
    .map(([host]) => host);
}

/** The terms the objective averages: `metrics` when given, else the default selection less `doubled` (doubledHostTerms). */
export function objectiveTerms(
  terms: readonly FitTerm[],
  metrics: readonly string[] | undefined,
  doubled: readonly string[] = [],
): FitTerm[] {
  return terms.filter((t) => selected(t.name, metrics) && (metrics !== undefined || !doubled.includes(t.name)));
}

function objectiveOf(result: RunResult, metrics: readonly string[] | undefined): number {
  if (result.status !== 'ok' || !result.observed) return Number.POSITIVE_INFINITY;
  const all = termsOf(result);
  const terms = objectiveTerms(all, metrics, doubledHostTerms(result, all));
  if (terms.length === 0) return Number.POSITIVE_INFINITY;
  return terms.reduce((s, t) => s + Math.min(TERM_CAP, t.normalisedError), 0) / terms.length;
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
  let cap = opts.budget;

  const evaluate = async (points: number[][], phase: FitIteration['phase']) => {
    const fresh: number[][] = [];
    for (const pt of points) {
      if (!cache.has(keyOf(pt)) && !fresh.some((q) => keyOf(q) === keyOf(pt))) fresh.push(pt);
    }
    const todo = fresh.slice(0, Math.max(0, cap - iterations.length));
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
      if (result && phase !== 'profile' && (!best || objective < best.objective))
        best = { point: pt, objective, result };
      iterations.push({
        run: iterations.length + 1,
        phase,
        params: Object.fromEntries(params.map((p, j) => [p.path, valueAt(p, pt[j] as number)])),
        objective: finiteOrNull(objective),
        bestObjective: best ? finiteOrNull(best.objective) : null,
      });
      opts.onRun?.(iterations.length, cap, objective, best?.objective ?? Number.POSITIVE_INFINITY);
    });
    return todo.length;
  };

  const starts = params.map((p) => startOf(p, raw));
  const start = starts.map((s) => s.u);
  await evaluate([start], 'start');
  const first = best as { result: RunResult } | undefined;
  if (first?.result.status === 'ok' && termsOf(first.result).length === 0) {
    const warned = first.result.warnings.filter((w) => w.code.startsWith('observed-')).map((w) => w.message);
    throw new InputError(
      `the observed files give no series the simulation can be compared with${warned.length > 0 ? `: ${warned.join('; ')}` : ' (docs/postmortem.md lists the columns that map onto host metrics, and offset must place them inside the run)'}`,
    );
  }
  const perDim = Math.min(5, Math.max(2, Math.floor((0.25 * opts.budget) ** (1 / d))));
  const grid: number[][] = [[]];
  for (let j = 0; j < d; j++) {
    const next: number[][] = [];
    for (const g of grid) for (let k = 0; k < perDim; k++) next.push([...g, (k + 0.5) / perDim]);
    grid.splice(0, grid.length, ...next);
  }
  await evaluate(grid, 'grid');

  let stoppedBecause: FitResult['stoppedBecause'] = 'converged';
  /** A compass search from `origin` (step h halved until MIN_STEP); its best point and objective. */
  const compass = async (origin: { point: number[]; objective: number }) => {
    let local = origin;
    let h = 1 / (2 * perDim);
    while (Number.isFinite(local.objective) && h >= MIN_STEP) {
      if (iterations.length >= cap) {
        stoppedBecause = 'budget';
        break;
      }
      const pts = neighbours(local.point, h);
      const ran = await evaluate(pts, 'search');
      const next = pts.reduce((b, pt) => {
        const o = cache.get(keyOf(pt)) ?? Number.POSITIVE_INFINITY;
        return o < b.objective ? { point: pt, objective: o } : b;
      }, local);
      // A round whose points were all cached already says nothing new at this step: refine.
      if (next === local || ran === 0) h /= 2;
      local = next;
    }
    return local;
  };
  if (best) await compass(best);
  // The objective is not convex (a limit reached a second earlier or later moves every fault series), so one
  // search can stop in a dip away from the best. More searches start from the best grid cells that are not the
  // winner's or each other's neighbours (deterministic: the grid is fixed), within the same cap.
  const seeds: number[][] = [];
  const far = (a: readonly number[], b: readonly number[]) =>
    a.some((u, j) => Math.abs(u - (b[j] as number)) > 1.5 / perDim);
  const ranked = grid
    .map((pt) => ({ point: pt, objective: cache.get(keyOf(pt)) ?? Number.POSITIVE_INFINITY }))
    .filter((c) => Number.isFinite(c.objective))
    .sort((a, b) => a.objective - b.objective);
  for (const c of ranked) {
    if (seeds.length >= RESTARTS) break;
    if (best && far(c.point, best.point) && seeds.every((q) => far(c.point, q))) seeds.push(c.point);
  }
  for (const pt of seeds) {
    if (iterations.length >= cap) break;
    await compass({ point: pt, objective: cache.get(keyOf(pt)) as number });
  }
  if (!best) throw new InputError(`no candidate could be run: ${loadError ?? 'check the --vary ranges'}`);
  const winner = best as { point: number[]; objective: number; result: RunResult };

  // The profile runs are extra to the search's cap: they describe the answer, they do not move it.
  let profiles: (FitProfile | null)[] = params.map(() => null);
  let tradeOffs: FitTradeOff[] = [];
  let note = 'not computed (--no-profile)';
  if (opts.profile !== false && Number.isFinite(winner.objective)) {
    cap = iterations.length + profileRuns(d);
    const found = await identify(
      params,
      winner,
      (pts) => evaluate(pts, 'profile'),
      (pt) => cache.get(keyOf(pt)),
    );
    profiles = found.profiles;
    tradeOffs = found.tradeOffs;
    const open = unbounded(params, profiles);
    const pairs =
      tradeOffs.length === 0
        ? `no pair of parameters trades off near the best point${open.length === 0 ? ': each is pinned by the data to its profile range' : ''}`
        : `${tradeOffs.map((t) => `${t.a} and ${t.b} (${t.direction === 'together' ? 'raise both' : 'raise one, lower the other'})`).join('; ')}: the data cannot tell these apart; fix one from other knowledge`;
    note = open.length === 0 ? pairs : `${open.join('; ')}; ${pairs}`;
  }

  const terms = termsOf(winner.result);
  const report: FitResult = {
    schemaVersion: FIT_SCHEMA_VERSION,
    kind: 'fit',
    scenario: file,
    objective: {
      definition: OBJECTIVE_DEFINITION,
      terms: objectiveTerms(terms, opts.metrics, doubledHostTerms(winner.result, terms)).map((t) => t.name),
    },
    parameters: params.map((p, j) => ({
      path: p.path,
      low: p.low,
      high: p.high,
      unit: p.unit,
      scale: p.scale,
      start: valueAt(p, start[j] as number),
      startFrom: (starts[j] as { from: FitParameter['startFrom'] }).from,
      value: valueAt(p, winner.point[j] as number),
      profile: profiles[j] ?? null,
    })),
    best: {
      objective: finiteOrNull(winner.objective),
      terms,
      ...(winner.result.observed?.oom ? { oom: winner.result.observed.oom } : {}),
    },
    budget: opts.budget,
    runs: iterations.length,
    stoppedBecause,
    identifiability: { tolerancePct: PROFILE_TOLERANCE * 100, tradeOffs, note },
    iterations,
  };
  return { report, best: winner.result, params, bestPoint: winner.point, text };
}

function neighbours(point: readonly number[], h: number): number[][] {
  const out: number[][] = [];
  point.forEach((u, j) => {
    for (const sign of [-1, 1]) {
      const pt = [...point];
      pt[j] = Math.min(1, Math.max(0, u + sign * h));
      if (pt[j] !== u) out.push(pt);
    }
  });
  return out;
}

type Lookup = (pt: number[]) => number | undefined;

/**
 * Most runs of the identifiability profile for d parameters: 4 axis points each, up to 2
 * further out on each side it is still open, one pair-step point each, two diagonals per pair.
 */
export function profileRuns(d: number): number {
  return (PROFILE_STEPS.length + 2 * PROFILE_FAR_STEPS.length) * d + d + d * (d - 1);
}

/**
 * The identifiability profile around the best point (FitResult.identifiability): first each
 * parameter alone at PROFILE_STEPS, which gives its profile range; then, for the pairs, each
 * parameter alone at its pair step and each pair along both diagonals. `evaluate` runs the
 * points not run yet, `f` reads any point's objective.
 */
export async function identify(
  params: readonly FitParam[],
  winner: { point: number[]; objective: number },
  evaluate: (points: number[][]) => Promise<unknown>,
  f: Lookup,
): Promise<{ profiles: FitProfile[]; tradeOffs: FitTradeOff[] }> {
  const shifted = (moves: readonly [number, number][]) => {
    const pt = [...winner.point];
    for (const [j, du] of moves) pt[j] = Math.min(1, Math.max(0, (pt[j] as number) + du));
    return pt;
  };
  await evaluate(params.flatMap((_, j) => PROFILE_STEPS.map((du) => shifted([[j, du]]))));
  const near = PROFILE_STEPS.at(-1) as number;
  const limit = winner.objective * (1 + PROFILE_TOLERANCE);
  const atEnd = (j: number, du: number) => {
    const u = shifted([[j, du]])[j];
    return u === 0 || u === 1;
  };
  // A side still within the tolerance at its farthest probe, short of the range's end, goes one
  // distance further; `reach` holds each side's farthest probe that was run.
  const sides = params.flatMap((_, j) => [-1, 1].map((side) => ({ j, side, reach: side * near })));
  for (const far of PROFILE_FAR_STEPS) {
    const next = sides.filter(
      (s) => Math.abs(s.reach) < far && !atEnd(s.j, s.reach) && (f(shifted([[s.j, s.reach]])) ?? Infinity) <= limit,
    );
    await evaluate(next.map((s) => shifted([[s.j, s.side * far]])));
    for (const s of next) s.reach = s.side * far;
  }
  const reached = (j: number, du: number) =>
    sides.some((s) => s.j === j && Math.sign(s.reach) === Math.sign(du) && Math.abs(du) <= Math.abs(s.reach));
  const profiles = params.map((p, j) =>
    profileOf(
      p,
      j,
      winner,
      (du) => (reached(j, du) ? f(shifted([[j, du]])) : undefined),
      (k, du) => shifted([[k, du]]),
    ),
  );
  const steps = pairSteps(params.length, winner.objective, (j, du) => f(shifted([[j, du]])));
  const diagonal = (a: number, b: number, sign: number) =>
    shifted([
      [a, steps[a] as number],
      [b, sign * (steps[b] as number)],
    ]);
  const points = params.map((_, j) => shifted([[j, steps[j] as number]]));
  for (let a = 0; a < params.length; a++) {
    for (let b = a + 1; b < params.length; b++) points.push(diagonal(a, b, 1), diagonal(a, b, -1));
  }
  await evaluate(points);
  const rise = (pt: number[]) => (f(pt) ?? Number.POSITIVE_INFINITY) - winner.objective;
  const tradeOffs: FitTradeOff[] = [];
  for (let a = 0; a < params.length; a++) {
    for (let b = a + 1; b < params.length; b++) {
      const single = Math.min(rise(shifted([[a, steps[a] as number]])), rise(shifted([[b, steps[b] as number]])));
      if (!(single > 0) || !Number.isFinite(single)) continue;
      for (const sign of [1, -1]) {
        const ratio = Math.max(0, rise(diagonal(a, b, sign))) / single;
        if (ratio < TRADE_OFF_RATIO) {
          tradeOffs.push({
            a: (params[a] as FitParam).path,
            b: (params[b] as FitParam).path,
            direction: sign === 1 ? 'together' : 'opposite',
            ratio: Number(ratio.toFixed(3)),
          });
        }
      }
    }
  }
  return { profiles, tradeOffs };
}

/**
 * The parameters the data do not bound: a profile that reaches an end of its range (or the last
 * point probed) says the objective stays within the tolerance out to there, so the fitted value
 * is where the search stopped, not a finding, and the workflow must not claim it.
 */
export function unbounded(params: readonly FitParam[], profiles: readonly (FitProfile | null)[]): string[] {
  return params.flatMap((p, j) => {
    const q = profiles[j];
    if (!q) return [];
    const sides = [
      q.openLow || q.low === valueAt(p, 0)
        ? `below (its profile reaches ${q.openLow ? 'the last point probed, ' : ''}${q.low})`
        : '',
      q.openHigh || q.high === valueAt(p, 1)
        ? `above (its profile reaches ${q.openHigh ? 'the last point probed, ' : ''}${q.high})`
        : '',
    ].filter((x) => x !== '');
    return sides.length === 0
      ? []
      : [
          `${p.path} is not identified: the data do not bound it ${sides.join(' or ')}; its fitted value is where the search stopped, not a finding`,
        ];
  });
}

/**
 * Each parameter's step for the pair test, normalised: PAIR_STEP scaled so that every
 * parameter alone raises the objective about as much (a parabola through its ±1/16 profile
 * points: step ∝ 1/√curvature, around their geometric mean). A diagonal at equal steps
 * follows a valley only when it runs at 45° in normalised coordinates; a swap latency and a
 * touch rate trade off along any slope. Flat or unmeasured parameters take the largest step.
 */
function pairSteps(d: number, best: number, along: (j: number, du: number) => number | undefined): number[] {
  const far = PROFILE_STEPS.at(-1) as number;
  const curvature = Array.from({ length: d }, (_, j) => {
    const rises = [along(j, far), along(j, -far)].filter((v): v is number => v !== undefined && Number.isFinite(v));
    return rises.length === 0 ? 0 : rises.reduce((s, v) => s + v - best, 0) / rises.length / far ** 2;
  });
  const positive = curvature.filter((c) => c > 0);
  if (positive.length === 0) return curvature.map(() => PAIR_STEP);
  const ref = Math.exp(positive.reduce((s, c) => s + Math.log(c), 0) / positive.length);
  return curvature.map((c) =>
    c > 0 ? Math.min(PAIR_STEP_MAX, Math.max(PAIR_STEP_MIN, PAIR_STEP * Math.sqrt(ref / c))) : PAIR_STEP_MAX,
  );
}

/**
 * The values of parameter j whose objective, the others at their best, is within the
 * tolerance of the best: the run of probed points on each side of the best that stay within it.
 */
function profileOf(
  p: FitParam,
  j: number,
  winner: { point: number[]; objective: number },
  objectiveAt: (du: number) => number | undefined,
  shifted: (j: number, du: number) => number[],
): FitProfile {
  const limit = winner.objective * (1 + PROFILE_TOLERANCE);
  const far = PROFILE_FAR_STEPS.flatMap((du) => [-du, du]);
  const probed = [...PROFILE_STEPS, ...far].flatMap((du) => {
    const objective = objectiveAt(du);
    // The far points count only when they were run; the near ones are listed either way.
    return objective === undefined && far.includes(du) ? [] : [{ u: shifted(j, du)[j] as number, objective }];
  });
  const points = [{ u: winner.point[j] as number, objective: winner.objective as number | undefined }, ...probed]
    .filter((q, i, all) => all.findIndex((o) => o.u === q.u) === i)
    .sort((a, b) => a.u - b.u);
  const at = points.findIndex((q) => q.u === winner.point[j]);
  const ok = (q: { objective: number | undefined } | undefined) => q?.objective !== undefined && q.objective <= limit;
  let lo = at;
  while (lo > 0 && ok(points[lo - 1])) lo--;
  let hi = at;
  while (hi < points.length - 1 && ok(points[hi + 1])) hi++;
  const lowU = (points[lo] as { u: number }).u;
  const highU = (points[hi] as { u: number }).u;
  return {
    low: valueAt(p, lowU),
    high: valueAt(p, highU),
    openLow: lo === 0 && lowU > 0,
    openHigh: hi === points.length - 1 && highU < 1,
    points: points.map((q) => ({
      value: valueAt(p, q.u),
      objective: q.objective === undefined ? null : finiteOrNull(q.objective),
    })),
  };
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
