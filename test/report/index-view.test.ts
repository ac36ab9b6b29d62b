import { describe, expect, it } from 'vitest';
import { checkStatus } from '../../src/analysis/verdict.js';
import { indexViewModel } from '../../src/report/view-model-index.js';
import { type CheckResult, SCHEMA_VERSION } from '../../src/result/types.js';
import { entryOf, incidentResult } from './fixtures.js';

function withChecks(checks: Partial<CheckResult>[]) {
  const r = incidentResult({ steps: 60 });
  const full = checks.map((c, i) => ({ ...(r.checks[0] as CheckResult), source: `check ${i}`, ...c }));
  return { ...entryOf(r), checks: full };
}

function cell(checks: Partial<CheckResult>[]) {
  const entry = withChecks(checks);
  entry.verdict = { ...entry.verdict, status: checkStatus(entry.checks) };
  const manifest = {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run-set' as const,
    tool: { name: 'faultline' as const, version: '0.1.0' },
    generatedAt: '2026-11-26T05:00:00.000Z',
    entries: [entry],
  };
  const v = indexViewModel([{ dir: '', manifest }]).sets[0]?.scenarios[0]?.variants[0];
  return { label: v?.verdict.label, cssClass: v?.verdict.cssClass, rowClass: v?.rowClass };
}

describe('index status', () => {
  it('follows the checks: only error-level failures fail, warnings are told apart, never in a failure colour', () => {
    expect(cell([{ passed: true }, { passed: true }])).toEqual({
      label: 'Passes all 2 checks',
      cssClass: 'status-pass',
      rowClass: 'pass-all',
    });
    expect(cell([{ passed: true }, { passed: false, level: 'warn' }])).toEqual({
      label: 'Passes, 1 warning',
      cssClass: 'status-warn',
      rowClass: 'pass-all',
    });
    expect(cell([{ passed: false, level: 'error' }, { passed: false, level: 'warn' }, { passed: true }])).toEqual({
      label: 'Fails 1 of 3 checks',
      cssClass: 'status-fail',
      rowClass: '',
    });
  });

  it('says why a run set is empty: a shard that got no variant', () => {
    const manifest = {
      schemaVersion: SCHEMA_VERSION,
      kind: 'run-set' as const,
      tool: { name: 'faultline' as const, version: '0.1.0' },
      generatedAt: '2026-11-26T05:00:00.000Z',
      entries: [],
      shard: { index: 3, count: 4, sweepVariants: 2 },
    };
    expect(indexViewModel([{ dir: '', manifest }]).sets[0]?.empty).toBe(
      'No variants: this is shard 3 of 4, and the 2 variants of the sweep went to the other shards.',
    );
  });
});
