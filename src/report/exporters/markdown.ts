/**
 * summary.md: the verdict, key figures and checks in GitHub-flavoured Markdown, short
 * enough for a CI step summary ($GITHUB_STEP_SUMMARY). Figures carry the labels and values
 * of the report's key figures (analysis/figures.ts), so the two never disagree.
 * User-supplied names are escaped: GitHub renders inline HTML, and `|` would split a cell.
 */
import { keyFigures } from '../../analysis/figures.js';
import type { RunResult } from '../../result/types.js';
import { formatValue } from '../format.js';
import { checksSummary, statusView } from '../status.js';
import { checkViews } from '../view-model-run.js';

/** Escapes text for a Markdown table cell or paragraph. */
export function mdText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

/** The icon of a top status, for Markdown where there is no colour. */
export const STATUS_ICONS: Record<RunResult['verdict']['status'], string> = {
  pass: '✅',
  warn: '⚠️',
  fail: '❌',
  failed: '💥',
  unchecked: 'ℹ️',
};

export function summaryMarkdown(r: RunResult): string {
  const status = statusView(r.verdict, r.checks);
  const out: string[] = [
    `### ${STATUS_ICONS[r.verdict.status]} ${mdText(r.scenario.title)} · ${mdText(r.scenario.variantId)}`,
    '',
    `**${status.label}:** ${mdText(r.verdict.headline)}`,
    '',
  ];
  out.push('| figure | value | note |', '| --- | --- | --- |');
  for (const f of keyFigures(r)) out.push(`| ${mdText(f.label)} | ${f.text} | ${mdText(f.note ?? '')} |`);
  out.push(
    `| fidelity | ${r.fidelity.mode === 'exact' ? 'exact' : `sampled at ${formatValue(r.fidelity.sampleRate * 100, 'pct')}`} | |`,
    '',
    `**Checks:** ${checksSummary(r.checks)}`,
  );
  if (r.checks.length > 0) {
    out.push('', '| result | check | expected | observed | over |', '| --- | --- | --- | --- | --- |');
    for (const c of checkViews(r.checks, r))
      out.push(
        `| ${c.statusLabel === 'FAIL' ? '❌ FAIL' : c.statusLabel === 'warn' ? '⚠️ warn' : '✅ pass'} | ${mdText(c.source)} | ${mdText(c.expected)} | ${mdText(c.observed)} | ${mdText(c.scope)} |`,
      );
  }
  if (r.error) out.push('', `**Error:** ${mdText(r.error)}`);
  return `${out.join('\n')}\n`;
}
