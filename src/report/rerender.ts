/**
 * `faultline report`: re-render every output of existing runs from their result.json
 * files, without running anything. Old result files are upgraded on read.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { parseResult } from '../result/serialize.js';
import type { RunResult, RunSetManifest } from '../result/types.js';
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

export async function rerenderReports(
  resultsDir: string,
  outDir: string,
  opts: WriteOptions = {},
): Promise<RerenderSummary> {
  if (!existsSync(resultsDir) || !statSync(resultsDir).isDirectory())
    throw new InputError(`${resultsDir}: no such folder (give the folder a run wrote, e.g. reports/)`);
  const summary: RerenderSummary = { sets: [], variants: 0, missing: [] };
  // Only run sets, by their manifests: a folder of loose result files is not walked.
  const sets = findRunSets(resultsDir);
  if (sets.length === 0)
    throw new InputError(
      `${resultsDir}: no ${MANIFEST_FILE} in it or its direct subfolders; faultline report re-renders the run sets a run wrote (an interrupted run leaves its finished variants in <out>/.faultline/partial/<scenario>)`,
    );
  const planned = sets.map(({ dir, manifest }) => ({
    dir,
    manifest,
    results: readSet(resultsDir, dir, manifest, summary),
  }));
  for (const { dir, manifest, results } of planned) {
    await writeRunSet(join(outDir, dir), manifest, results, opts);
    summary.sets.push(dir);
    summary.variants += results.length;
  }
  writeIndex(outDir);
  return summary;
}

/**
 * The results of one run set, each read from its entry's folder and checked to be that entry's:
 * a result file of another variant, or two entries naming one variant, would make the writer put
 * one variant's outputs in another's folder.
 */
function readSet(root: string, dir: string, manifest: RunSetManifest, summary: RerenderSummary): RunResult[] {
  const setDir = join(root, dir);
  const manifestPath = join(setDir, MANIFEST_FILE);
  const seen = new Set<string>();
  const results: RunResult[] = [];
  for (const e of manifest.entries) {
    const key = `${e.scenario}/${e.variantId}`;
    if (seen.has(key)) throw new InputError(`${manifestPath}: lists ${key} twice`);
    seen.add(key);
    const path = join(setDir, e.dir, RESULT_FILE);
    // A symbolic link would carry the re-rendered files out of the run set.
    if (existsSync(path) && !isInside(realpathSync(setDir), realpathSync(join(setDir, e.dir))))
      throw new InputError(`${manifestPath}: the folder of ${key}, ${e.dir}, leads outside the run set`);
    if (!existsSync(path)) {
      summary.missing.push(path);
      continue;
    }
    const r = parseResult(readFileSync(path, 'utf8'), path);
    if (r.scenario.name !== e.scenario || r.scenario.variantId !== e.variantId)
      throw new InputError(
        `${path} holds ${r.scenario.name}/${r.scenario.variantId}, but ${manifestPath} lists ${key} there; nothing was re-rendered`,
      );
    results.push(r);
  }
  return results;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
