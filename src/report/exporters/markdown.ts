/**
 * summary.md: the verdict, key figures and checks in GitHub-flavoured Markdown, short
 * enough for a CI step summary ($GITHUB_STEP_SUMMARY). User-supplied names are escaped:
 * GitHub renders inline HTML, and `|` would split a table cell.
 */
import type { RunResult } from '../../result/types.js';
import { formatClock, formatValue } from '../format.js';
import { checksSummary, checkViews, verdictView } from '../view-model-run.js';

/** Escapes text for a Markdown table cell or paragraph. */
function mdText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

export function summaryMarkdown(r: RunResult): string {
  const v = verdictView(r.verdict);
  const s = r.summary;
  const icon = { healthy: '✅', degraded: '⚠️', thrashing: '🔥', oom: '💥', failed: '❌' }[r.verdict.status];
  const out: string[] = [
    `### ${icon} ${mdText(r.scenario.title)} · ${mdText(r.scenario.variantId)}`,
    '',
    `**${v.label}:** ${mdText(r.verdict.headline)}`,
    '',
    '| figure | value |',
    '| --- | --- |',
  ];
  if (r.verdict.thrashingFromMs !== undefined)
    out.push(`| thrashing from | ${formatClock(r.verdict.thrashingFromMs)} |`);
  out.push(
    `| CPU on faults, peak / mean | ${formatValue(s.host.faultCpuPctMax, 'pct')} / ${formatValue(s.host.faultCpuPctAvg, 'pct')} |`,
    `| major faults/s, peak | ${formatValue(s.host.majorFaultsPerSecMax, 'perSec')} |`,
  );
  for (const [p, ps] of Object.entries(s.processes))
    if (ps.latencyMs) out.push(`| ${mdText(p)} p99 latency | ${formatValue(ps.latencyMs.p99Ms, 'ms')} |`);
  out.push(
    `| OOM kills | ${s.host.oomKills} |`,
    `| swap-ins | ${formatValue(s.host.swapInPages, 'pages')} |`,
    `| fidelity | ${r.fidelity.mode === 'exact' ? 'exact' : `sampled at ${formatValue(r.fidelity.sampleRate * 100, 'pct')}`} |`,
    '',
    `**Checks:** ${checksSummary(r.checks)}`,
  );
  if (r.checks.length > 0) {
    out.push('', '| result | check | expected | observed |', '| --- | --- | --- | --- |');
    for (const c of checkViews(r.checks))
      out.push(
        `| ${c.statusLabel === 'FAIL' ? '❌ FAIL' : c.statusLabel === 'warn' ? '⚠️ warn' : '✅ pass'} | ${mdText(c.source)} | ${mdText(c.expected)} | ${mdText(c.observed)} |`,
      );
  }
  if (r.error) out.push('', `**Error:** ${mdText(r.error)}`);
  return `${out.join('\n')}\n`;
}
