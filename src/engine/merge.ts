import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { MANIFEST_FILE, RESULT_FILE } from '../report/paths.js';
import { parseManifest, parseResult } from '../result/serialize.js';
import { type RunResult, type RunSetEntry, type RunSetManifest, SCHEMA_VERSION } from '../result/types.js';
import { InputError } from '../util/errors.js';

/**
 * Reading output folders back (for `merge` and `diff`) and joining shard outputs into
 * one result set. A shard's folder has the layout of any run (run-set.ts): one folder
 * per scenario holding `manifest.json` and one folder per variant with `result.json`.
 */

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

export function readManifest(path: string): RunSetManifest {
  return parseManifest(readText(path), path);
}

export function readResult(path: string): RunResult {
  return parseResult(readText(path), path);
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The scenario folders (those holding a manifest) of an output folder, or the folder itself if it is one. */
export function scenarioFolders(dir: string): string[] {
  if (existsSync(join(dir, MANIFEST_FILE))) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, MANIFEST_FILE)))
    .map((e) => join(dir, e.name))
    .sort();
}

/**
 * Every result under `path`, in manifest order: an output folder, a scenario folder, a
 * variant folder, a manifest.json or a result.json.
 */
export function readResults(path: string): RunResult[] {
  if (!existsSync(path)) throw new InputError(`${path}: no such file or folder`);
  if (!isDir(path)) {
    const text = readText(path);
    // The kind decides the parser; a file that is not JSON gets the parser's own message.
    let kind: unknown;
    try {
      kind = (JSON.parse(text) as { kind?: unknown } | null)?.kind;
    } catch {
      kind = undefined;
    }
    return kind === 'run-set' ? resultsOfManifest(dirname(path), parseManifest(text, path)) : [parseResult(text, path)];
  }
  if (existsSync(join(path, RESULT_FILE))) return [readResult(join(path, RESULT_FILE))];
  const folders = scenarioFolders(path);
  if (folders.length > 0) return folders.flatMap((f) => resultsOfManifest(f, readManifest(join(f, MANIFEST_FILE))));
  // An interrupted run writes each finished variant but no manifest yet: take what is there.
  const loose = resultFilesBelow(path, 2);
  if (loose.length === 0) {
    throw new InputError(`${path}: holds no ${MANIFEST_FILE} or ${RESULT_FILE}; is it a faultline output folder?`);
  }
  return loose.map(readResult);
}

function resultFilesBelow(dir: string, depth: number): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!e.isDirectory()) continue;
    const sub = join(dir, e.name);
    if (existsSync(join(sub, RESULT_FILE))) out.push(join(sub, RESULT_FILE));
    else if (depth > 1) out.push(...resultFilesBelow(sub, depth - 1));
  }
  return out;
}

function resultsOfManifest(scenarioDir: string, m: RunSetManifest): RunResult[] {
  return [...m.entries].sort((a, b) => a.order - b.order).map((e) => readResult(join(scenarioDir, e.dir, RESULT_FILE)));
}

/** One scenario of the merged set: its entries in sweep order and where each variant folder comes from. */
export interface MergedScenario {
  name: string;
  entries: RunSetEntry[];
  results: RunResult[];
  sources: string[];
}

export interface MergePlan {
  toolVersion: string;
  scenarios: MergedScenario[];
  /** Sweep positions below the highest one seen that no shard holds (a shard missing, or `--variant`). */
  gaps: { scenario: string; orders: number[] }[];
}

/**
 * Reads shard output folders and checks that they belong together before anything is
 * written: one faultline version, one schema, each variant in exactly one shard, and the
 * same scenario (sweep positions carry the same variant ids, results the same title and
 * swept fields) everywhere.
 */
export function planMerge(shardDirs: readonly string[]): MergePlan {
  if (shardDirs.length === 0) throw new InputError('merge: name at least one shard folder');
  const versions = new Map<string, string>();
  const byScenario = new Map<string, { entry: RunSetEntry; result: RunResult; source: string; shard: string }[]>();

  for (const shard of shardDirs) {
    if (!isDir(shard)) throw new InputError(`${shard}: not a folder`);
    const folders = scenarioFolders(shard);
    if (folders.length === 0)
      throw new InputError(`${shard}: holds no <scenario>/${MANIFEST_FILE}; is it a faultline output folder?`);
    for (const folder of folders) {
      const manifestPath = join(folder, MANIFEST_FILE);
      const m = readManifest(manifestPath);
      versions.set(m.tool.version, versions.get(m.tool.version) ?? manifestPath);
      for (const entry of m.entries) {
        const source = join(folder, entry.dir);
        const result = readResult(join(source, RESULT_FILE));
        versions.set(result.tool.version, versions.get(result.tool.version) ?? join(source, RESULT_FILE));
        const list = byScenario.get(entry.scenario) ?? [];
        list.push({ entry, result, source, shard });
        byScenario.set(entry.scenario, list);
      }
    }
  }

  if (versions.size > 1) {
    const list = [...versions].map(([v, where]) => `faultline ${v} (${where})`).join(', ');
    throw new InputError(
      `merge: shards were written by different faultline versions: ${list}; rerun them with one version`,
    );
  }

  const scenarios: MergedScenario[] = [];
  const gaps: MergePlan['gaps'] = [];
  for (const [name, items] of [...byScenario].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    items.sort((a, b) => a.entry.order - b.entry.order);
    const byOrder = new Map<number, (typeof items)[number]>();
    const byId = new Map<string, (typeof items)[number]>();
    const first = items[0] as (typeof items)[number];
    const sweptFields = Object.keys(first.entry.params).sort().join(', ');
    for (const it of items) {
      const { order, variantId } = it.entry;
      const sameOrder = byOrder.get(order);
      if (sameOrder) {
        throw sameOrder.entry.variantId === variantId
          ? new InputError(
              `merge: variant ${name}/${variantId} is in two shards (${sameOrder.shard} and ${it.shard}); was a shard run twice, or given twice?`,
            )
          : new InputError(
              `merge: scenario ${name} differs between shards: sweep position ${order} is ${sameOrder.entry.variantId} in ${sameOrder.shard} but ${variantId} in ${it.shard}`,
            );
      }
      const sameId = byId.get(variantId);
      if (sameId) {
        throw new InputError(
          `merge: scenario ${name} differs between shards: variant ${variantId} is at sweep position ${sameId.entry.order} in ${sameId.shard} but ${order} in ${it.shard}`,
        );
      }
      const fields = Object.keys(it.entry.params).sort().join(', ');
      if (fields !== sweptFields) {
        throw new InputError(
          `merge: scenario ${name} differs between shards: ${first.shard} sweeps [${sweptFields}], ${it.shard} sweeps [${fields}]`,
        );
      }
      const a = first.result.scenario;
      const b = it.result.scenario;
      if (a.title !== b.title || a.description !== b.description) {
        throw new InputError(
          `merge: scenario ${name} differs between shards: ${first.shard} ran "${a.title}", ${it.shard} "${b.title}"${a.title === b.title ? ' with another description' : ''}`,
        );
      }
      if (it.result.scenario.variantId !== variantId || it.result.scenario.name !== name) {
        throw new InputError(
          `merge: ${join(it.source, RESULT_FILE)} holds ${it.result.scenario.name}/${it.result.scenario.variantId}, its manifest says ${name}/${variantId}`,
        );
      }
      byOrder.set(order, it);
      byId.set(variantId, it);
    }
    const maxOrder = (items[items.length - 1] as (typeof items)[number]).entry.order;
    const missing: number[] = [];
    for (let o = 0; o <= maxOrder; o++) if (!byOrder.has(o)) missing.push(o);
    if (missing.length > 0) gaps.push({ scenario: name, orders: missing });
    scenarios.push({
      name,
      entries: items.map((it) => it.entry),
      results: items.map((it) => it.result),
      sources: items.map((it) => it.source),
    });
  }
  return { toolVersion: [...versions.keys()][0] as string, scenarios, gaps };
}

/**
 * Refuses an output folder that would mix the merge with other results or overwrite a
 * shard: each scenario folder must be new (or empty), and no shard may lie inside it.
 */
export function checkMergeTarget(plan: MergePlan, outDir: string, scenarioDirOf: (name: string) => string): void {
  const out = resolve(outDir);
  for (const s of plan.scenarios) {
    const dir = scenarioDirOf(s.name);
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new InputError(`merge: ${dir} already exists and is not empty; remove it or choose another --out`);
    }
    for (const src of s.sources) {
      const rel = relative(out, resolve(src));
      if (rel === '' || !(rel.startsWith('..') || isAbsolute(rel))) {
        throw new InputError(`merge: --out ${outDir} contains the shard folder ${src}; choose another --out`);
      }
    }
  }
}

/** The merged manifest of one scenario: the shards' entries in sweep order. */
export function mergedManifest(plan: MergePlan, s: MergedScenario, at: Date): RunSetManifest {
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run-set',
    tool: { name: 'faultline', version: plan.toolVersion },
    generatedAt: at.toISOString(),
    entries: s.entries,
  };
}
