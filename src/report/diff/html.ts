import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { DiffReport } from '../../result/diff.js';
import { changeRows, checkState, floorsText, formatDelta, formatValue, headline } from './format.js';

const TEMPLATE = new URL('../../../templates/diff.hbs', import.meta.url);

/**
 * A self-contained HTML page for a diff: the counted changes first, then every compared
 * figure per variant. No scripts, no network; handlebars escapes every string.
 */
export function renderDiffHtml(d: DiffReport): string {
  const hb = Handlebars.create();
  const template = hb.compile(readFileSync(TEMPLATE, 'utf8'), { strict: true });
  return template({
    title: `faultline diff: ${headline(d)}`,
    failed: d.regressions > 0,
    baseline: d.baseline,
    candidate: d.candidate,
    tolerancePct: d.tolerancePct,
    floors: floorsText(d),
    changes: changeRows(d),
    onlyInBaseline: d.onlyInBaseline,
    onlyInCandidate: d.onlyInCandidate,
    variants: d.variants.map((v) => ({
      name: `${v.scenario}/${v.variantId}`,
      status: v.baselineStatus === v.candidateStatus ? v.candidateStatus : `${v.baselineStatus} → ${v.candidateStatus}`,
      verdict: v.candidateVerdict,
      rows: [
        ...v.metrics.map((m) => ({
          what: m.metric,
          baseline: formatValue(m.baseline, m.unit),
          candidate: formatValue(m.candidate, m.unit),
          delta: formatDelta(m),
          change: m.change,
        })),
        ...v.checks.map((k) => ({
          what: `check ${k.source}`,
          baseline: checkState(k.baseline),
          candidate: checkState(k.candidate),
          delta: '',
          change: k.change,
        })),
      ],
    })),
  });
}
