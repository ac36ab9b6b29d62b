import type { DiffReport } from '../../result/diff.js';
import { changeRows, floorsText, headline } from './format.js';

/** Table cells may hold user text (variant ids, check sources): keep them from breaking the table. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The diff as GitHub-flavoured Markdown: compact enough for a PR comment or a job summary. */
export function renderDiffMarkdown(d: DiffReport): string {
  const lines: string[] = [];
  const mark = d.regressions > 0 ? '❌' : '✅';
  lines.push(`## ${mark} faultline diff: ${headline(d)}`, '');
  lines.push(
    `Baseline \`${cell(d.baseline.label)}\` (faultline ${d.baseline.toolVersion}) → candidate \`${cell(d.candidate.label)}\` (faultline ${d.candidate.toolVersion}).`,
    `A change counts when it exceeds ${d.tolerancePct}% of the baseline and the floor: ${floorsText(d)}.`,
    '',
  );
  const rows = changeRows(d);
  if (rows.length > 0) {
    lines.push('| | variant | what | baseline | candidate | Δ |', '|---|---|---|---:|---:|---:|');
    for (const r of rows) {
      const icon = r.change === 'regression' ? '🔺 regression' : '🟢 improvement';
      lines.push(
        `| ${icon} | ${cell(r.variant)} | ${cell(r.what)} | ${cell(r.baseline)} | ${cell(r.candidate)} | ${cell(r.delta)} |`,
      );
    }
    lines.push('');
  } else {
    lines.push('No metric changed beyond the tolerance.', '');
  }
  if (d.onlyInBaseline.length > 0)
    lines.push(`Only in the baseline (not compared): ${d.onlyInBaseline.map((k) => `\`${cell(k)}\``).join(', ')}`, '');
  if (d.onlyInCandidate.length > 0)
    lines.push(
      `Only in the candidate (not compared): ${d.onlyInCandidate.map((k) => `\`${cell(k)}\``).join(', ')}`,
      '',
    );
  return `${lines.join('\n')}\n`.replace(/\n\n\n+/g, '\n\n');
}
