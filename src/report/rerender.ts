/**
 * `faultline report`: re-render every output of existing runs from their result.json
 * files, without running anything. Old result files are upgraded on read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseResult } from '../result/serialize.js';
import { type RunResult, type RunSetManifest, SCHEMA_VERSION } from '../result/types.js';
import { InputError } from '../util/errors.js';
import { MANIFEST_FILE, RESULT_FILE } from './paths.js';
import { findRunSets, type WriteOptions, writeIndex, writeRunSet } from './write.js';

export interface RerenderSummary {
  /** Run-set folders written, relative to the output folder ('' for the folder itself). */
  sets: string[];
  variants: number;
  /** Entries whose result.json is missing: listed in the reports but not re-rendered. */
  missing: string[];
}

/** result.json files under `dir`, depth first, in a stable order. */
function findResults(dir: string, depth = 0): string[] {
  if (depth > 6) return [];
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (d.isDirectory()) out.push(...findResults(join(dir, d.name), depth + 1));
    else if (d.name === RESULT_FILE) out.push(join(dir, d.name));
  }
  return out;
}

/**
 * A manifest for result files found without one (e.g. copied out of CI artefacts).
 * `generatedAt` is the caller's, since results carry no wall-clock time.
 */
function manifestFromResults(root: string, paths: string[], generatedAt: string): [RunSetManifest, RunResult[]] {
  const results = paths.map((p) => parseResult(readFileSync(p, 'utf8'), p));
  const manifest: RunSetManifest = {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run-set',
    tool: results[0]?.tool ?? { name: 'faultline', version: 'unknown' },
    generatedAt,
    entries: results.map((r, i) => ({
      scenario: r.scenario.name,
      order: i,
      variantId: r.scenario.variantId,
      params: r.scenario.params,
      dir: relative(root, join(paths[i]!, '..')).split(sep).join('/') || '.',
      status: r.status,
      verdict: r.verdict,
      checks: r.checks,
      summary: { host: r.summary.host, processes: r.summary.processes },
      ...(r.error === undefined ? {} : { error: r.error }),
    })),
  };
  return [manifest, results];
}

export async function rerenderReports(
  resultsDir: string,
  outDir: string,
  opts: WriteOptions & { generatedAt: string },
): Promise<RerenderSummary> {
  if (!existsSync(resultsDir) || !statSync(resultsDir).isDirectory())
    throw new InputError(`${resultsDir}: no such folder (give the folder a run wrote, e.g. reports/)`);
  const summary: RerenderSummary = { sets: [], variants: 0, missing: [] };
  const sets = findRunSets(resultsDir);
  if (sets.length === 0) {
    const paths = findResults(resultsDir);
    if (paths.length === 0)
      throw new InputError(
        `${resultsDir}: no ${MANIFEST_FILE} or ${RESULT_FILE} found (is this a faultline output folder?)`,
      );
    const [manifest, results] = manifestFromResults(resultsDir, paths, opts.generatedAt);
    await writeRunSet(outDir, manifest, results, opts);
    summary.sets.push('');
    summary.variants += results.length;
    return summary;
  }
  for (const { dir, manifest } of sets) {
    const setDir = join(resultsDir, dir);
    const results: RunResult[] = [];
    for (const e of manifest.entries) {
      const path = join(setDir, e.dir, RESULT_FILE);
      if (existsSync(path)) results.push(parseResult(readFileSync(path, 'utf8'), path));
      else summary.missing.push(path);
    }
    await writeRunSet(join(outDir, dir), manifest, results, opts);
    summary.sets.push(dir);
    summary.variants += results.length;
  }
  writeIndex(outDir);
  return summary;
}
