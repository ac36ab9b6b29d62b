import { checkObserved, formatSplit } from '../analysis/figures.js';
import type { RunResult } from '../result/types.js';

/** Past this many passing checks, passes are summed per check instead of listed one by one. */
const LIST_PASSES_UP_TO = 12;

/**
 * The end-of-run block, k6 style: every failed check with its observed value (errors,
 * then warnings, which never fail CI), then the passes — one line each, or for a large
 * sweep one line per check with the number of variants it passed in — then a count line.
 * Plain text so that CI logs keep it.
 */
export function printCheckSummary(results: readonly RunResult[]): string {
  const errors: string[] = [];
  const warnings: string[] = [];
  const passes: { source: string; line: string }[] = [];
  results.forEach((r) => {
    const label = `${r.scenario.name}/${r.scenario.variantId}`;
    if (r.status === 'failed') {
      errors.push(`✗ ${label}: run failed: ${r.error ?? 'unknown error'}`);
      return;
    }
    for (const c of r.checks) {
      const observed = checkObserved(c, r);
      const split = observed.split ? `; ${formatSplit(observed.split)}` : '';
      const text = `${label}: ${c.source} (observed ${c.aggregation}=${observed.text}${split})`;
      if (c.passed) passes.push({ source: `${r.scenario.name}: ${c.source}`, line: `✓ ${text}` });
      else if (c.level === 'warn') warnings.push(`! ${text}`);
      else errors.push(`✗ ${text}`);
    }
  });
  if (errors.length + warnings.length + passes.length === 0) return '';
  const passLines = passes.length <= LIST_PASSES_UP_TO ? passes.map((p) => p.line) : groupedPasses(passes);
  const counts = [`${passes.length} passed`, `${errors.length} failed`];
  if (warnings.length) counts.push(`${warnings.length} warning${warnings.length > 1 ? 's' : ''}`);
  return `${[...errors, ...warnings, ...passLines].map((l) => `  ${l}`).join('\n')}\n  checks: ${counts.join(', ')}\n\n`;
}

function groupedPasses(passes: readonly { source: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const p of passes) counts.set(p.source, (counts.get(p.source) ?? 0) + 1);
  return [...counts].map(([source, n]) => `✓ ${source}: passed in ${n} variant${n > 1 ? 's' : ''}`);
}
