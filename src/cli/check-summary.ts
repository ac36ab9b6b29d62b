import type { RunResult } from '../result/types.js';
import type { Variant } from '../scenario/types.js';

/**
 * The end-of-run block, k6 style: every expect: check with its observed value, failures
 * first, then a count line. Plain text so that CI logs keep it.
 */
export function printCheckSummary(variants: readonly Variant[], results: readonly RunResult[]): string {
  const rows: { failed: boolean; line: string }[] = [];
  results.forEach((r, i) => {
    const v = variants[i] as Variant;
    const label = `${v.scenario.name}/${v.id}`;
    if (r.status === 'failed') {
      rows.push({ failed: true, line: `✗ ${label}: run failed: ${r.error ?? 'unknown error'}` });
      return;
    }
    for (const c of r.checks) {
      const observed =
        c.observed === null ? 'no value' : `${formatNumber(c.observed)}${c.unit === 'pct' ? '%' : ` ${c.unit}`}`;
      const mark = c.passed ? '✓' : c.level === 'warn' ? '!' : '✗';
      rows.push({ failed: !c.passed, line: `${mark} ${label}: ${c.source} (observed ${observed})` });
    }
  });
  if (rows.length === 0) return '';
  rows.sort((a, b) => Number(b.failed) - Number(a.failed));
  const failed = rows.filter((r) => r.failed).length;
  return `${rows.map((r) => `  ${r.line}`).join('\n')}\n  checks: ${rows.length - failed} passed, ${failed} failed\n\n`;
}

function formatNumber(x: number): string {
  return Math.abs(x) >= 100 || Number.isInteger(x) ? String(Math.round(x)) : String(Number(x.toPrecision(3)));
}
