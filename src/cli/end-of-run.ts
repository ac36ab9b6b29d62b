import { isAbsolute, relative } from 'node:path';
import { passesChecks } from '../analysis/checks.js';
import type { RunResult } from '../result/types.js';
import { printCheckSummary } from './check-summary.js';
import { appendStepSummary, runSummaryMarkdown } from './step-summary.js';

/**
 * What `run` and `merge` print when they finish, the same for both (a sharded run ends in
 * `merge`, and its log must say why the job is red): the check block, one line per
 * scenario, the report's path; and the Markdown table appended to GITHUB_STEP_SUMMARY.
 */
export function reportEndOfRun(
  results: readonly RunResult[],
  indexPath: string,
  what: string,
  out: NodeJS.WritableStream = process.stdout,
): void {
  const names = [...new Set(results.map((r) => r.scenario.name))];
  out.write(`\n${printCheckSummary(results)}`);
  for (const name of names)
    out.write(
      `${scenarioLine(
        name,
        results.filter((r) => r.scenario.name === name),
      )}\n`,
    );
  out.write(`report: ${displayPath(indexPath)}\n`);
  appendStepSummary(runSummaryMarkdown(results, what));
}

/** Relative to the working folder when inside it (short, clickable in most terminals), absolute otherwise. */
function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? p : rel;
}

/**
 * One line per scenario: the verdict of its first variant (the scenario as written, when
 * the sweep lists the current values first) and, for a sweep, which variants pass every check.
 */
function scenarioLine(name: string, results: readonly RunResult[]): string {
  const first = results[0] as RunResult;
  if (results.length === 1) return `${name}: ${first.verdict.headline}`;
  const passing = results.filter((r) => r.status === 'ok' && passesChecks(r.checks));
  const which =
    passing.length === 0
      ? 'none passes every check'
      : `${passing.length} pass every check (${passing
          .slice(0, 3)
          .map((r) => r.scenario.variantId)
          .join(', ')}${passing.length > 3 ? ', …' : ''})`;
  return `${name}: ${results.length} variants; ${first.scenario.variantId}: ${first.verdict.headline}; ${which}`;
}
