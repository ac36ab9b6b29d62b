import { join, relative } from 'node:path';
import { type RunResult, type RunSetManifest, SCHEMA_VERSION } from '../result/types.js';
import type { Variant } from '../scenario/types.js';
import { VERSION } from '../version.js';

/**
 * Where a run set lives on disk: `<out>/<scenario name>/manifest.json` with one folder
 * per variant beside it (`<out>/<scenario name>/<variant id>/result.json`), and
 * `<out>/index.html` over every scenario folder.
 */
export function scenarioDir(outDir: string, scenarioName: string): string {
  return join(outDir, safeSegment(scenarioName));
}

export function variantDir(outDir: string, variant: Variant): string {
  return join(scenarioDir(outDir, variant.scenario.name), safeSegment(variant.id));
}

/** Scenario names and variant ids are already filesystem-safe; this guards paths built from them anyway. */
function safeSegment(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._=-]+/g, '_').replace(/^\.+/, '_');
  return cleaned === '' ? '_' : cleaned;
}

export function buildManifest(
  outDir: string,
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
        dir: relative(scenarioDir(outDir, v.scenario.name), variantDir(outDir, v)),
        status: r.status,
        verdict: r.verdict,
        checks: r.checks,
        ...(r.status === 'ok' ? { summary: { host: r.summary.host, processes: r.summary.processes } } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
      };
    }),
  };
}
