import { appendFileSync } from 'node:fs';
import { passesChecks } from '../analysis/checks.js';
import { checkObserved } from '../analysis/figures.js';
import { STATUS_ICONS } from '../report/exporters/markdown.js';
import { statusView } from '../report/status.js';
import type { RunResult } from '../result/types.js';

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
 * A compact Markdown table of a run for the job page: one row per variant with its status
 * (which follows its checks, as on the reports), its verdict and failed checks, failed
 * variants first (as the end-of-run block orders them).
 */
export function runSummaryMarkdown(results: readonly RunResult[], what = 'faultline run'): string {
  if (results.length === 0)
    return `## ${what}: no variants\n\nNothing ran here (an empty shard, or nothing to merge).\n`;
  const rows = results.map((r) => {
    const failedChecks = r.checks.filter((c) => !c.passed);
    const bad = r.status === 'failed' || !passesChecks(r.checks);
    const failed =
      r.status === 'failed'
        ? `run failed: ${r.error ?? ''}`
        : failedChecks
            .map((c) => `${c.level === 'warn' ? '⚠' : '✗'} ${c.source} (observed ${checkObserved(c, r).text})`)
            .join('<br>');
    const status = statusView(r.verdict, r.checks);
    return {
      bad,
      line: `| ${STATUS_ICONS[r.verdict.status]} ${status.label} | ${cell(`${r.scenario.name}/${r.scenario.variantId}`)} | ${cell(r.verdict.headline)} | ${cell(failed)} |`,
    };
  });
  rows.sort((a, b) => Number(b.bad) - Number(a.bad));
  const bad = rows.filter((r) => r.bad).length;
  return [
    `## ${bad > 0 ? '❌' : '✅'} ${what}: ${results.length - bad} of ${results.length} variants pass`,
    '',
    '| status | variant | verdict | failed checks |',
    '|---|---|---|---|',
    ...rows.map((r) => r.line),
    '',
  ].join('\n');
}
