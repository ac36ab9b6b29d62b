import { appendFileSync } from 'node:fs';
import { passesChecks } from '../analysis/checks.js';
import type { RunResult } from '../result/types.js';
import type { Variant } from '../scenario/types.js';

/**
 * GitHub Actions shows Markdown appended to the file named by GITHUB_STEP_SUMMARY on the
 * job's page. Outside Actions the variable is unset and this does nothing.
 */
export function appendStepSummary(markdown: string, env: Record<string, string | undefined> = process.env): boolean {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return false;
  appendFileSync(path, markdown.endsWith('\n') ? `${markdown}\n` : `${markdown}\n\n`);
  return true;
}

/** Table cells may hold user text (variant ids, check sources): keep them from breaking the table. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * A compact Markdown table of a run for the job page: one row per variant with its
 * verdict and failed checks, failed variants first (as the end-of-run block orders them).
 */
export function runSummaryMarkdown(variants: readonly Variant[], results: readonly RunResult[]): string {
  const rows = results.map((r, i) => {
    const v = variants[i] as Variant;
    const failedChecks = r.checks.filter((c) => !c.passed);
    const bad = r.status === 'failed' || !passesChecks(r.checks);
    const failed =
      r.status === 'failed'
        ? `run failed: ${r.error ?? ''}`
        : failedChecks
            .map((c) => `${c.level === 'warn' ? '⚠' : '✗'} ${c.source} (observed ${c.observed ?? 'no value'})`)
            .join('<br>');
    return {
      bad,
      line: `| ${bad ? '❌' : '✅'} | ${cell(`${v.scenario.name}/${v.id}`)} | ${cell(r.verdict.headline)} | ${r.checks.length - failedChecks.length}/${r.checks.length} | ${cell(failed)} |`,
    };
  });
  rows.sort((a, b) => Number(b.bad) - Number(a.bad));
  const bad = rows.filter((r) => r.bad).length;
  return [
    `## ${bad > 0 ? '❌' : '✅'} faultline run: ${results.length - bad} of ${results.length} variants pass`,
    '',
    '| | variant | verdict | checks passed | failed checks |',
    '|---|---|---|---:|---|',
    ...rows.map((r) => r.line),
    '',
  ].join('\n');
}
