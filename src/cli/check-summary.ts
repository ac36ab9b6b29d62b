import { formatValue } from '../report/format.js';
import type { RunResult } from '../result/types.js';
import type { Variant } from '../scenario/types.js';

/**
 * The end-of-run block, k6 style: every expect: check with its observed value, failures
 * first, then a count line. Plain text so that CI logs keep it.
 */
export function printCheckSummary(variants: readonly Variant[], results: readonly RunResult[]): string {
  // Rank 0: failed at level error, 1: failed at level warn (never fails CI), 2: passed.
  const rows: { rank: number; line: string }[] = [];
  results.forEach((r, i) => {
    const v = variants[i] as Variant;
    const label = `${v.scenario.name}/${v.id}`;
    if (r.status === 'failed') {
      rows.push({ rank: 0, line: `✗ ${label}: run failed: ${r.error ?? 'unknown error'}` });
      return;
    }
    for (const c of r.checks) {
      const observed = c.observed === null ? 'no value' : formatValue(c.observed, c.unit);
      const mark = c.passed ? '✓' : c.level === 'warn' ? '!' : '✗';
      rows.push({
        rank: c.passed ? 2 : c.level === 'warn' ? 1 : 0,
        line: `${mark} ${label}: ${c.source} (observed ${c.aggregation}=${observed})`,
      });
    }
  });
  if (rows.length === 0) return '';
  rows.sort((a, b) => a.rank - b.rank);
  const failed = rows.filter((r) => r.rank < 2).length;
  return `${rows.map((r) => `  ${r.line}`).join('\n')}\n  checks: ${rows.length - failed} passed, ${failed} failed\n\n`;
}
