/**
 * Writing outputs. Every file goes through a temporary file and a rename, so a reader (or
 * a crash halfway) never sees a half-written report. All content is rendered before the
 * first file is written.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseManifest, serializeManifest, serializeResult } from '../result/serialize.js';
import type { RunResult, RunSetManifest } from '../result/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { InputError } from '../util/errors.js';
import { timeseriesCsv } from './exporters/csv.js';
import { junitXml } from './exporters/junit.js';
import { summaryMarkdown } from './exporters/markdown.js';
import { sweepCsv, sweepJson, sweepMarkdown } from './exporters/sweep.js';
import { type HtmlOptions, renderIndex, renderRunReport, renderSweepReport, sweepTableOf } from './html.js';
import {
  INDEX_FILE,
  MANIFEST_FILE,
  RESULT_FILE,
  RUN_REPORT_FILE,
  relativeHref,
  sweepExportNames,
  sweepFileName,
} from './paths.js';
import type { IndexedRunSet } from './view-model-index.js';

export interface WriteOptions extends HtmlOptions {
  /** Heatmap metric of sweep reports (see renderSweepReport). */
  heatmapMetric?: string;
  /**
   * The variant folders were already written as each variant finished (with
   * `variantBackLinks`): write only the sweep report, manifest and index, rather than
   * render every variant report a second time.
   */
  variantsWritten?: boolean;
}

/** Links at the top of a variant report: its sweep's comparison page (when swept) and the run set's index. */
export function variantBackLinks(
  entryDir: string,
  scenario: string,
  swept: boolean,
): { href: string; label: string }[] {
  return [
    ...(swept ? [{ href: relativeHref(entryDir, sweepFileName(scenario)), label: '← compare all variants' }] : []),
    { href: relativeHref(entryDir, INDEX_FILE), label: 'index of this run set' },
  ];
}

/** The files of one variant, by name. */
export async function runOutputs(
  result: RunResult,
  opts: WriteOptions & { backLinks?: { href: string; label: string }[] } = {},
): Promise<Record<string, string>> {
  return {
    [RESULT_FILE]: serializeResult(result),
    [RUN_REPORT_FILE]: await renderRunReport(result, opts),
    'timeseries.csv': timeseriesCsv(result),
    'summary.md': summaryMarkdown(result),
    'junit.xml': junitXml(result),
  };
}

/** Writes result.json, report.html, timeseries.csv, summary.md and junit.xml into `dir`. */
export async function writeRunOutputs(
  dir: string,
  result: RunResult,
  opts: WriteOptions & { backLinks?: { href: string; label: string }[] } = {},
): Promise<void> {
  const files = await runOutputs(result, opts);
  for (const [name, text] of Object.entries(files)) writeFileAtomic(join(dir, name), text);
}

/** `entry.dir` comes from a file: refuse anything that would write outside the run-set folder. */
function insideDir(outDir: string, sub: string): string {
  const target = resolve(outDir, sub);
  const rel = relative(resolve(outDir), target);
  if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..') || resolve(rel) === rel)
    throw new InputError(`manifest entry folder "${sub}" is not inside ${outDir}`);
  return target;
}

/**
 * Writes a run set: each variant's outputs into its folder, one sweep report per scenario
 * with two or more variants (and its table as CSV, Markdown and JSON beside it), manifest.json, and index.html listing every run set found in
 * `outDir` and its direct subfolders. Entries without a result (e.g. a variant that failed
 * before producing one) are listed but get no folder.
 */
export async function writeRunSet(
  outDir: string,
  manifest: RunSetManifest,
  results: RunResult[],
  opts: WriteOptions = {},
): Promise<void> {
  const byKey = new Map(results.map((r) => [`${r.scenario.name}\u0000${r.scenario.variantId}`, r]));
  const scenarios = [...new Set(manifest.entries.map((e) => e.scenario))];
  const swept = new Set(scenarios.filter((s) => manifest.entries.filter((e) => e.scenario === s).length > 1));
  if (!opts.variantsWritten) {
    for (const e of manifest.entries) {
      const r = byKey.get(`${e.scenario}\u0000${e.variantId}`);
      if (!r) continue;
      const backLinks = variantBackLinks(e.dir, e.scenario, swept.has(e.scenario));
      await writeRunOutputs(insideDir(outDir, e.dir), r, { ...opts, backLinks });
    }
  }
  for (const s of swept) {
    const exports = sweepExportNames(s);
    const html = await renderSweepReport(manifest, results, {
      ...opts,
      scenario: s,
      exports,
      backLinks: [{ href: INDEX_FILE, label: '← index of this run set' }],
    });
    const { table, mine } = sweepTableOf(manifest, results, s);
    writeFileAtomic(join(outDir, exports.csv), sweepCsv(table));
    writeFileAtomic(join(outDir, exports.md), sweepMarkdown(table, mine[0]?.scenario.title ?? s));
    writeFileAtomic(join(outDir, exports.json), sweepJson(table));
    writeFileAtomic(join(outDir, sweepFileName(s)), html);
  }
  writeFileAtomic(join(outDir, MANIFEST_FILE), serializeManifest(manifest));
  writeIndex(outDir);
}

/** Run sets in `rootDir` itself and in its direct subfolders, with their folders relative to it. */
export function findRunSets(rootDir: string): IndexedRunSet[] {
  const dirs = [
    '',
    ...readdirSync(rootDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort(),
  ];
  const sets: IndexedRunSet[] = [];
  for (const dir of dirs) {
    const path = join(rootDir, dir, MANIFEST_FILE);
    if (existsSync(path)) sets.push({ dir, manifest: parseManifest(readFileSync(path, 'utf8'), path) });
  }
  return sets;
}

/** Writes `rootDir/index.html` over every run set found there; returns its path. */
export function writeIndex(rootDir: string): string {
  const path = join(rootDir, INDEX_FILE);
  writeFileAtomic(path, renderIndex(findRunSets(rootDir)));
  return path;
}
