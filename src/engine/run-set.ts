import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { INDEX_FILE, MANIFEST_FILE } from '../report/paths.js';
import { type RunResult, type RunSetManifest, SCHEMA_VERSION } from '../result/types.js';
import type { Variant } from '../scenario/types.js';
import { makeDirs } from '../util/atomic-write.js';
import { InputError } from '../util/errors.js';
import { acquireLock, describeHolder, type Lock } from '../util/lock.js';
import { VERSION } from '../version.js';

/**
 * Where run sets live on disk, and who may write there. An output folder (`--out`) holds one run
 * set per scenario, `<out>/<scenario name>/manifest.json` with one folder per variant beside it,
 * `<out>/index.html` over them, and `<out>/.faultline/`, the folder's control area:
 *
 * - `lock`: the one faultline process writing here (run, merge, report); a second is refused.
 * - `partial/<scenario>/`: the run set a run is writing. Each finished variant lands there at
 *   once, with a manifest of the variants finished so far, so an interrupted run leaves a
 *   partial run set that `faultline report` renders. Only a finished run moves it into place.
 * - `replaced/`: the previous run set of a scenario for the instant between the two renames that
 *   put the new one in its place; removed right after (restored on the next run if a crash came
 *   between the renames).
 *
 * A run set is replaced whole: `<out>/<scenario>/` never mixes variants of two runs, and index.html
 * lists only finished run sets.
 */
export const CONTROL_DIR = '.faultline';
const LOCK_FILE = 'lock';
const PARTIAL_DIR = 'partial';
const REPLACED_DIR = 'replaced';

/** Names a scenario may not take: files of the output folder itself. */
export const RESERVED_NAMES: readonly string[] = [INDEX_FILE, MANIFEST_FILE];

export function scenarioDir(outDir: string, scenarioName: string): string {
  return join(outDir, safeSegment(scenarioName));
}

/** A variant's folder, relative to its run-set folder. */
export function variantFolder(variant: Variant): string {
  return safeSegment(variant.id);
}

/** Scenario names and variant ids are already filesystem-safe; this guards paths built from them anyway. */
function safeSegment(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._=-]+/g, '_').replace(/^\.+/, '_');
  return cleaned === '' ? '_' : cleaned;
}

/**
 * The manifest of a run set. `partial` lists only the variants finished so far (a run still going,
 * or interrupted); the manifest of a finished run set lists every variant.
 */
export function buildManifest(
  variants: readonly Variant[],
  results: readonly RunResult[],
  orders: readonly number[],
  at: Date,
): RunSetManifest {
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run-set',
    tool: { name: 'faultline', version: VERSION },
    generatedAt: at.toISOString(),
    entries: variants.map((v, i) => {
      const r = results[i] as RunResult;
      return {
        scenario: v.scenario.name,
        order: orders[i] as number,
        variantId: v.id,
        params: { ...v.params },
        dir: variantFolder(v),
        status: r.status,
        verdict: r.verdict,
        checks: r.checks,
        ...(r.status === 'ok' ? { summary: { host: r.summary.host, processes: r.summary.processes } } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
      };
    }),
  };
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A folder holding a faultline run-set manifest (read enough to know its kind). */
export function isRunSetDir(path: string): boolean {
  const manifest = join(path, MANIFEST_FILE);
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { kind?: unknown }).kind === 'run-set';
  } catch {
    return false;
  }
}

/**
 * Whether faultline wrote `dir`: it has the control area, or (folders written before it existed)
 * a run set in it or in a direct subfolder.
 */
export function isOutputFolder(dir: string): boolean {
  if (isDir(join(dir, CONTROL_DIR)) || isRunSetDir(dir)) return true;
  try {
    return readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory() && isRunSetDir(join(dir, d.name)));
  } catch {
    return false;
  }
}

/**
 * The output folder whose lock covers writing in `dir`: `dir` itself, or for one run set, the
 * output folder holding it (a run there would replace it) when faultline made that folder.
 */
export function owningOutputFolder(dir: string): string {
  const parent = dirname(dir);
  if (basename(parent) === PARTIAL_DIR && basename(dirname(parent)) === CONTROL_DIR) return dirname(dirname(parent));
  if (isRunSetDir(dir) && isDir(join(parent, CONTROL_DIR))) return parent;
  return dir;
}

/** An output folder this process holds the lock of, for the whole of its work there. */
export interface OutputFolder {
  readonly dir: string;
  /** What the caller should tell the user: a stale lock taken over, partial run sets left by killed runs. */
  readonly notes: string[];
  /** An empty folder for the new run set of `scenario` (its partial run set until committed). */
  stage(scenario: string): string;
  /** Moves the staged run set of `scenario` into place, replacing the previous one whole. */
  commit(scenario: string): void;
  release(): void;
}

/**
 * Opens `dir` for writing the run sets of `scenarios`: refuses (InputError, before any work)
 * a path that is a file, a folder that faultline did not write and whose files a run would
 * replace, and a folder another live faultline process is writing; takes over the lock of a
 * killed one.
 */
export function openOutputFolder(
  dir: string,
  command: string,
  scenarios: readonly string[] = [],
  opts: { mustBeNew?: boolean } = {},
): OutputFolder {
  if (existsSync(dir) && !isDir(dir)) throw new InputError(`${dir} is a file, not a folder; choose a folder for --out`);
  const existed = existsSync(dir);
  makeDirs(dir);
  if (opts.mustBeNew && existed && readdirSync(dir).length > 0 && !isOutputFolder(dir))
    throw new InputError(`${dir} is not empty and faultline did not write it; choose a new or empty folder`);
  if (existed && !isOutputFolder(dir)) {
    // Never replace what faultline did not write: a user's index.html or a folder named like a scenario.
    if (existsSync(join(dir, INDEX_FILE)))
      throw new InputError(
        `${dir} holds an ${INDEX_FILE} that faultline did not write; choose a new or empty folder for --out`,
      );
  }
  for (const name of scenarios) {
    const target = scenarioDir(dir, name);
    if (!existsSync(target)) continue;
    const empty = isDir(target) && readdirSync(target).length === 0;
    if (!empty && !isRunSetDir(target))
      throw new InputError(
        `${target} exists and is not a faultline run set; faultline replaces a scenario's folder whole, so move it or choose another --out`,
      );
  }

  const control = join(dir, CONTROL_DIR);
  mkdirSync(control, { recursive: true });
  const lock: Lock = acquireLock(join(control, LOCK_FILE), command, dir);
  const notes: string[] = [];
  try {
    if (lock.tookOver)
      notes.push(`${dir} was locked by ${describeHolder(lock.tookOver)}, which is gone; taking it over`);
    notes.push(...recoverReplaced(dir));
    notes.push(...leftPartials(dir, scenarios));
  } catch (err) {
    lock.release();
    throw err;
  }

  return {
    dir,
    notes,
    stage(scenario) {
      const staged = join(control, PARTIAL_DIR, safeSegment(scenario));
      rmSync(staged, { recursive: true, force: true });
      mkdirSync(staged, { recursive: true });
      return staged;
    },
    commit(scenario) {
      const staged = join(control, PARTIAL_DIR, safeSegment(scenario));
      const target = scenarioDir(dir, scenario);
      const aside = join(control, REPLACED_DIR, `${safeSegment(scenario)}.${process.pid}`);
      if (existsSync(target)) {
        mkdirSync(join(control, REPLACED_DIR), { recursive: true });
        rmSync(aside, { recursive: true, force: true });
        renameSync(target, aside);
      }
      renameSync(staged, target);
      rmSync(aside, { recursive: true, force: true });
      removeIfEmpty(join(control, PARTIAL_DIR));
      removeIfEmpty(join(control, REPLACED_DIR));
    },
    release: () => lock.release(),
  };
}

function removeIfEmpty(path: string): void {
  if (isDir(path) && readdirSync(path).length === 0) rmdirSync(path);
}

/** A crash between the two renames of a commit left the old run set aside and none in place: put it back. */
function recoverReplaced(dir: string): string[] {
  const replaced = join(dir, CONTROL_DIR, REPLACED_DIR);
  if (!isDir(replaced)) return [];
  const notes: string[] = [];
  for (const name of readdirSync(replaced).sort()) {
    const scenario = name.replace(/\.\d+$/, '');
    const target = join(dir, scenario);
    if (existsSync(target)) rmSync(join(replaced, name), { recursive: true, force: true });
    else {
      renameSync(join(replaced, name), target);
      notes.push(`restored ${target}, which an interrupted run had moved aside`);
    }
  }
  return notes;
}

/** Partial run sets of interrupted runs: the ones this run replaces, and the others it leaves. */
function leftPartials(dir: string, scenarios: readonly string[]): string[] {
  const partial = join(dir, CONTROL_DIR, PARTIAL_DIR);
  if (!isDir(partial)) return [];
  const mine = new Set(scenarios.map(safeSegment));
  const notes: string[] = [];
  for (const name of readdirSync(partial).sort()) {
    const path = join(partial, name);
    const count = countEntries(path);
    const what = `the partial run set of an interrupted run (${count} finished variant${count === 1 ? '' : 's'}) in ${path}`;
    notes.push(
      mine.has(name)
        ? `replacing ${what}`
        : `${what} is left as it is: faultline report ${path} renders it; remove it when done`,
    );
  }
  return notes;
}

function countEntries(runSetDir: string): number {
  try {
    const m = JSON.parse(readFileSync(join(runSetDir, MANIFEST_FILE), 'utf8')) as { entries?: unknown[] };
    return Array.isArray(m.entries) ? m.entries.length : 0;
  } catch {
    return 0;
  }
}
