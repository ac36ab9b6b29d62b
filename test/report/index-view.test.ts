import { describe, expect, it } from 'vitest';
import { indexViewModel } from '../../src/report/view-model-index.js';
import type { CheckResult } from '../../src/result/types.js';
import { entryOf, incidentResult } from './fixtures.js';

function withChecks(checks: Partial<CheckResult>[]) {
  const r = incidentResult({ steps: 60 });
  const full = checks.map((c, i) => ({ ...(r.checks[0] as CheckResult), source: `check ${i}`, ...c }));
  return { ...entryOf(r), checks: full };
}

function cell(checks: Partial<CheckResult>[]) {
  const entry = withChecks(checks);
  const manifest = {
    schemaVersion: 1,
    kind: 'run-set' as const,
    tool: { name: 'faultline' as const, version: '0.1.0' },
    generatedAt: '2026-11-26T05:00:00.000Z',
    entries: [entry],
  };
  const v = indexViewModel([{ dir: '', manifest }]).sets[0]?.scenarios[0]?.variants[0];
  return { checks: v?.checks, checksClass: v?.checksClass, rowClass: v?.rowClass };
}

describe('index check column', () => {
  it('counts only error-level failures as failures and names warnings apart', () => {
    expect(cell([{ passed: true }, { passed: true }])).toEqual({
      checks: 'all 2 passed',
      checksClass: 'pass',
      rowClass: 'pass-all',
    });
    expect(cell([{ passed: true }, { passed: false, level: 'warn' }])).toEqual({
      checks: 'passed, 1 warning',
      checksClass: 'warn',
      rowClass: 'pass-all',
    });
    expect(cell([{ passed: false, level: 'error' }, { passed: false, level: 'warn' }, { passed: true }])).toEqual({
      checks: '1 of 3 failed, 1 warning',
      checksClass: 'fail',
      rowClass: '',
    });
  });
});
