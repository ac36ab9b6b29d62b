/**
 * Loading the scenario files of `validate` and `run` with their cost decided before any work: the
 * sweep is counted as written (never expanded past the limit), each variant's cost estimated
 * (engine/cost.ts), and the whole refused past the limits unless `--max-variants` / `--allow-large`
 * lift them. Every problem of every file is collected into one DiagnosticsError.
 */
import { readFileSync, statSync } from 'node:fs';
import { isMap, isNode, isPair, isScalar } from 'yaml';
import {
  countSweep,
  DEFAULT_LIMITS,
  formatCount,
  formatEstimate,
  sameWallMs,
  type VariantCost,
  variantCost,
  type WorkLimits,
  wallMs,
} from '../engine/cost.js';
import { RESERVED_NAMES } from '../engine/run-set.js';
import { FidelityError } from '../kernel/fidelity.js';
import { type LoadedScenario, loadScenarioText } from '../scenario/load.js';
import { MAX_ALIASES, Source } from '../scenario/source.js';
import { combinations } from '../scenario/sweep.js';
import type { Variant } from '../scenario/types.js';
import { type Diagnostic, DiagnosticsError, FaultlineError, type SourcePos } from '../util/errors.js';

/** A scenario file is a page or two of YAML; anything near this size is not one. */
export const MAX_SCENARIO_BYTES = 4 * 1024 * 1024;

/**
 * Processes of one scenario, replicas counted. The run report charts every process, and its
 * renderer (vega) runs out of stack between 950 and 1000 of them: refused here rather than after
 * the simulation, as a failed write (exit 3).
 */
export const MAX_PROCESSES = 900;

/** Cost problems shown per file; a sweep can have thousands of variants failing alike. */
const MAX_PROBLEMS_SHOWN = 5;

export interface PlanOptions {
  limits?: Partial<WorkLimits>;
  /** Lifts the wall-time and result-size limits (not --max-variants). */
  allowLarge?: boolean;
  jobs: number;
  /** The files run together: their scenario names must differ (each names a folder). */
  oneRun?: boolean;
}

/** The flags of `validate` and `run` that lift the work limits. */
export const WORK_LIMIT_OPTIONS = {
  'max-variants': {
    type: 'number',
    describe: `Most variants a sweep may make (default ${DEFAULT_LIMITS.maxVariants}; all are built in memory first)`,
  },
  'allow-large': {
    type: 'boolean',
    default: false,
    describe: `Run past the estimated-time limit (${formatEstimate(DEFAULT_LIMITS.maxWallMs).replace('about ', '')}) and the result-size limit`,
  },
} as const;

export function workLimitOptions(argv: { maxVariants?: number; allowLarge?: boolean; jobs?: number }): PlanOptions {
  const max = argv.maxVariants;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1))
    throw new FaultlineError(`--max-variants: expected a whole number ≥ 1, got ${max}`);
  return {
    limits: max === undefined ? {} : { maxVariants: max },
    allowLarge: argv.allowLarge === true,
    jobs: argv.jobs ?? 1,
  };
}

export interface PlannedFile {
  file: string;
  loaded: LoadedScenario;
  costs: VariantCost[];
}

export interface Plan {
  /** The files without errors. */
  files: PlannedFile[];
  /** Every problem of every file (and of the files together), in file order. */
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** Loads every file; what is wrong with any of them is in `errors` (throw it as one DiagnosticsError). */
export function planScenarioFiles(paths: readonly string[], opts: PlanOptions): Plan {
  const limits: WorkLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const files: PlannedFile[] = [];
  const names = new Map<string, SourcePos>();
  for (const file of paths) {
    const before = errors.length;
    const read = readScenario(file);
    if ('error' in read) {
      errors.push(read.error);
      continue;
    }
    const source = new Source(read.text, file);
    const sweep = sweepOf(source);
    const counted = sweep ? countSweep(sweep.value) : undefined;
    const count = counted && !counted.exact && counted.count <= 100_000 ? exactCount(sweep?.value) : counted;
    if (sweep && count && count.count > limits.maxVariants) {
      // Too many to build: check the rest of the file without the sweep, for the message and its other errors.
      const base = tryLoad(blank(read.text, sweep.start, sweep.end), file);
      if ('diagnostics' in base) errors.push(...base.diagnostics.filter((d) => d.level === 'error'));
      const each = 'loaded' in base ? safeCost(base.loaded.scenario) : undefined;
      errors.push({
        level: 'error',
        pos: sweep.pos,
        path: 'sweep',
        message:
          `${count.exact ? '' : 'up to '}${formatCount(count.count)} variants (${count.factors.join(' × ') || 'includes'}), ` +
          `more than the limit of ${formatCount(limits.maxVariants)}` +
          (each
            ? `; at ${formatEstimate(each.simulateMs + each.renderMs)} each that is ${formatEstimate(sameWallMs(each, count.count, opts.jobs))} on ${opts.jobs} job${opts.jobs === 1 ? '' : 's'} here`
            : ''),
        hint: 'narrow the sweep, or raise the limit with --max-variants N (every variant is built in memory first)',
      });
      continue;
    }
    const loaded = tryLoad(read.text, file);
    if ('diagnostics' in loaded) {
      errors.push(...loaded.diagnostics);
      continue;
    }
    warnings.push(...loaded.loaded.warnings);
    const name = loaded.loaded.scenario.name;
    const namePos = source.locate(['name']);
    if (RESERVED_NAMES.includes(name))
      errors.push({
        level: 'error',
        pos: namePos,
        path: 'name',
        message: `"${name}" names a file of the output folder itself`,
        hint: 'choose another name',
      });
    if (opts.oneRun) {
      const other = names.get(name);
      if (other)
        errors.push({
          level: 'error',
          pos: namePos,
          path: 'name',
          message: `scenario "${name}" is also the name of ${other.file}:${other.line}:${other.col}; each scenario of a run writes the folder of its name`,
          hint: 'give the scenarios distinct names, or run them into different --out folders',
        });
      else names.set(name, namePos);
    }
    const costs: VariantCost[] = [];
    // Variants of a sweep tend to fail alike: one diagnostic per problem, naming its variants.
    const byProblem = new Map<string, { error: Diagnostic; ids: string[] }>();
    for (const v of loaded.loaded.variants) {
      const c = costOf(v, source, limits, opts.allowLarge === true);
      if ('cost' in c) {
        costs.push(c.cost);
        continue;
      }
      const key = `${c.error.path}|${c.error.message}`;
      const seen = byProblem.get(key) ?? { error: c.error, ids: [] };
      seen.ids.push(v.id);
      byProblem.set(key, seen);
    }
    const problems = [...byProblem.values()];
    for (const { error, ids } of problems.slice(0, MAX_PROBLEMS_SHOWN)) {
      const which =
        ids[0] === 'base'
          ? ''
          : `variant${ids.length === 1 ? '' : 's'} ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}: `;
      errors.push({ ...error, message: `${which}${error.message}` });
    }
    const rest = problems.slice(MAX_PROBLEMS_SHOWN).reduce((n, p) => n + p.ids.length, 0);
    if (rest > 0)
      errors.push({
        level: 'error',
        pos: keyPos(source, 'sweep') ?? source.locate([]),
        message: `and ${formatCount(rest)} more variant${rest === 1 ? '' : 's'} past the limits above`,
      });
    if (errors.length === before) files.push({ file, loaded: loaded.loaded, costs });
  }
  const total = files.reduce((n, f) => n + f.loaded.variants.length, 0);
  if (total > limits.maxVariants)
    errors.push({
      level: 'error',
      message: `${formatCount(total)} variants in all, more than the limit of ${formatCount(limits.maxVariants)}`,
      hint: 'raise it with --max-variants N',
    });
  return { files, errors: dedupe(errors), warnings };
}

/** planScenarioFiles for a command that runs the files: any problem stops it (exit 2). */
export function planOrThrow(paths: readonly string[], opts: PlanOptions): Plan {
  const plan = planScenarioFiles(paths, opts);
  if (plan.errors.length > 0) throw new DiagnosticsError(plan.errors);
  return plan;
}

/** The estimated wall time of `costs` and whether it is over the limit, for run's own selection of variants. */
export function checkWallTime(costs: readonly VariantCost[], opts: PlanOptions): { ms: number; text: string } {
  const ms = wallMs(costs, opts.jobs);
  const limit = opts.limits?.maxWallMs ?? DEFAULT_LIMITS.maxWallMs;
  const text = `${formatCount(costs.length)} variant${costs.length === 1 ? '' : 's'}, ${formatEstimate(ms)} on ${opts.jobs} job${opts.jobs === 1 ? '' : 's'} here (estimated)`;
  if (ms > limit && !opts.allowLarge)
    throw new FaultlineError(
      `this run would take ${text}, more than the limit of ${formatEstimate(limit)}; ` +
        'narrow the sweep or shorten the scenario, run it in shards (--shard K/N), or pass --allow-large',
    );
  return { ms, text };
}

/** One line for `validate`: variants and the estimate. */
export function costLine(f: PlannedFile, jobs: number): string {
  const n = f.loaded.variants.length;
  const ms = wallMs(f.costs, jobs);
  const each =
    n === 1 ? '' : `, ${formatEstimate(Math.max(...f.costs.map((c) => c.simulateMs + c.renderMs)))} at most each`;
  return `${n} ${n === 1 ? 'variant' : 'variants'}: ${formatEstimate(ms)} on ${jobs} job${jobs === 1 ? '' : 's'} here${each}`;
}

/** Where a top-level key is written, or undefined when the file does not write it. */
function keyPos(source: Source, key: string): SourcePos | undefined {
  return source.doc.has(key) ? source.locate([key]) : undefined;
}

function readScenario(file: string): { text: string } | { error: Diagnostic } {
  const at = { file, line: 1, col: 1 };
  try {
    const st = statSync(file);
    if (st.isFile() && st.size > MAX_SCENARIO_BYTES)
      return {
        error: {
          level: 'error',
          pos: at,
          message: `${formatCount(st.size)} bytes; a scenario file is at most ${formatCount(MAX_SCENARIO_BYTES)} bytes`,
        },
      };
    return { text: readFileSync(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a folder, not a scenario file'
          : `cannot read: ${code}`;
    return { error: { level: 'error', pos: at, message } };
  }
}

function tryLoad(text: string, file: string): { loaded: LoadedScenario } | { diagnostics: Diagnostic[] } {
  try {
    return { loaded: loadScenarioText(text, file) };
  } catch (err) {
    if (err instanceof DiagnosticsError) return { diagnostics: err.diagnostics };
    throw err;
  }
}

/** The top-level `sweep:` pair: its value as data, where it is, and the text range to blank. */
function sweepOf(source: Source): { value: unknown; pos: SourcePos; start: number; end: number } | undefined {
  const root = source.doc.contents;
  if (!isMap(root)) return undefined;
  const pair = root.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'sweep');
  if (!pair || !isScalar(pair.key) || !isNode(pair.value)) return undefined;
  const start = pair.key.range?.[0];
  const end = pair.value.range?.[1];
  if (start === undefined || end === undefined) return undefined;
  try {
    const value = pair.value.toJS(source.doc, { maxAliasCount: MAX_ALIASES });
    return { value, pos: source.pos(start), start, end };
  } catch {
    return undefined;
  }
}

/** Spaces over `text[start, end)`, newlines kept: every other position stays where it was. */
function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\n]/g, ' ') + text.slice(end);
}

function exactCount(sweep: unknown): ReturnType<typeof countSweep> {
  const c = countSweep(sweep);
  if (!c) return c;
  try {
    return { ...c, count: combinations(sweep as Parameters<typeof combinations>[0]).length, exact: true };
  } catch {
    return c;
  }
}

function safeCost(sc: LoadedScenario['scenario']): VariantCost | undefined {
  try {
    return variantCost(sc);
  } catch {
    return undefined;
  }
}

function costOf(
  v: Variant,
  source: Source,
  limits: WorkLimits,
  allowLarge: boolean,
): { cost: VariantCost } | { error: Diagnostic } {
  const durationPos = keyPos(source, 'duration') ?? source.locate([]);
  let cost: VariantCost;
  try {
    cost = variantCost(v.scenario);
  } catch (err) {
    if (!(err instanceof FidelityError)) throw err;
    const field = err.field.split('.');
    return { error: { level: 'error', pos: source.locate(field), path: err.field, message: err.message } };
  }
  if (v.scenario.processes.length > MAX_PROCESSES)
    return {
      error: {
        level: 'error',
        pos: keyPos(source, 'processes') ?? source.locate([]),
        path: 'processes',
        message: `${v.scenario.processes.length} processes (replicas counted), more than the ${MAX_PROCESSES} a run report can chart`,
        hint: 'model groups of identical replicas as fewer, larger processes',
      },
    };
  if (cost.resultValues > limits.maxResultValues && !allowLarge)
    return {
      error: {
        level: 'error',
        pos: keyPos(source, 'step') ?? durationPos,
        path: 'step',
        message:
          `${formatCount(cost.steps)} steps × ${formatCount(cost.resultValues / cost.steps)} series = ${formatCount(cost.resultValues)} values per result, ` +
          `more than the limit of ${formatCount(limits.maxResultValues)} (about 10 bytes of result.json each)`,
        hint: 'use a longer step, a shorter duration, or --allow-large',
      },
    };
  return { cost };
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.pos?.file}:${d.pos?.line}:${d.pos?.col}|${d.path}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
