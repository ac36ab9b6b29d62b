/**
 * junit.xml: one testcase per `expect:` check, so CI systems show checks as tests. A
 * failed error-level check is a <failure> with the observed value; a failed warn-level
 * check passes with a note in <system-out> (warnings never fail a build, as with k6).
 * A failed run is one <error> testcase.
 */

import { checkObserved, checkScope, formatSplit } from '../../analysis/figures.js';
import type { RunResult } from '../../result/types.js';
import { formatValue } from '../format.js';

/** XML text and attribute escaping; characters XML 1.0 cannot hold at all are dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function junitXml(r: RunResult): string {
  const suite = `${r.scenario.name}/${r.scenario.variantId}`;
  const classname = `faultline.${r.scenario.name}.${r.scenario.variantId}`;
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  if (r.status === 'failed') {
    errors++;
    cases.push(
      `    <testcase classname="${xmlEscape(classname)}" name="run">\n      <error message="${xmlEscape(r.error ?? 'run failed')}"/>\n    </testcase>`,
    );
  }
  for (const c of r.checks) {
    // The observed value as the report prints it, with what it was taken over (and the busy/waiting parts).
    const o = checkObserved(c, r);
    const observed = `${o.text} (${checkScope(c)}${o.split ? `: ${formatSplit(o.split)}` : ''})`;
    const expected = `${c.aggregation} ${c.op} ${formatValue(c.threshold, c.unit)}`;
    const head = `    <testcase classname="${xmlEscape(classname)}" name="${xmlEscape(c.source)}">`;
    if (c.passed) cases.push(`${head}</testcase>`);
    else if (c.level === 'warn')
      cases.push(
        `${head}\n      <system-out>${xmlEscape(`warning: observed ${observed}, expected ${expected}`)}</system-out>\n    </testcase>`,
      );
    else {
      failures++;
      const message = `observed ${observed}, expected ${expected}`;
      cases.push(
        `${head}\n      <failure message="${xmlEscape(message)}" type="threshold">${xmlEscape(`${c.source}\nobserved: ${c.observed === null ? 'no value' : c.observed} ${c.unit}`)}</failure>\n    </testcase>`,
      );
    }
  }
  const tests = cases.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="faultline" tests="${tests}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${tests}" failures="${failures}" errors="${errors}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
