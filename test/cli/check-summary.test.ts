import { describe, expect, it } from 'vitest';
import { checkStatus } from '../../src/analysis/verdict.js';
import { printCheckSummary } from '../../src/cli/check-summary.js';
import { runSummaryMarkdown } from '../../src/cli/step-summary.js';
import type { CheckResult, RunResult } from '../../src/result/types.js';
import { makeResult } from '../engine/fixtures/results.js';

function withChecks(r: RunResult, list: Partial<CheckResult>[]): RunResult {
  const checks: CheckResult[] = list.map((c) => ({
    source: 'x',
    metric: 'x',
    aggregation: 'max',
    op: '<',
    threshold: 1,
    level: 'error',
    observed: 0,
    passed: true,
    unit: 'count',
    ...c,
  }));
  return { ...r, checks, verdict: { ...r.verdict, status: checkStatus(checks, r.status === 'failed') } };
}

describe('end-of-run check block', () => {
  const results = [
    withChecks(makeResult({ variantId: 'ok' }), [
      { source: 'host.faultCpuPct: max < 50', aggregation: 'max', observed: 12.5, unit: 'pct' },
    ]),
    withChecks(makeResult({ variantId: 'bad' }), [
      {
        source: 'processes.db.latencyMs: p(99) < 1000',
        aggregation: 'p(99)',
        observed: 246_000,
        unit: 'ms',
        passed: false,
      },
      { source: 'oomKills: == 0', aggregation: 'value', observed: 1, passed: false, level: 'warn' },
    ]),
    makeResult({ variantId: 'crashed', status: 'failed' }),
  ];

  it('prints each check with its observed value, error failures first, then warnings, then passes', () => {
    expect(printCheckSummary(results)).toBe(
      [
        '  ✗ incident/bad: processes.db.latencyMs: p(99) < 1000 (observed p(99)=4.1 min)',
        '  ✗ incident/crashed: run failed: worker exited with code 134',
        '  ! incident/bad: oomKills: == 0 (observed value=1)',
        '  ✓ incident/ok: host.faultCpuPct: max < 50 (observed max=12.5%)',
        '  checks: 1 passed, 2 failed, 1 warning',
        '',
        '',
      ].join('\n'),
    );
  });

  it('sums passes per check for a large sweep, still listing every failure', () => {
    const runs = Array.from({ length: 14 }, (_, i) =>
      withChecks(makeResult({ variantId: `v${i}` }), [
        { source: 'oomKills: == 0', aggregation: 'value', observed: 0 },
        { source: 'host.faultCpuPct: max < 50', observed: i === 3 ? 80 : 10, unit: 'pct', passed: i !== 3 },
      ]),
    );
    expect(printCheckSummary(runs)).toBe(
      [
        '  ✗ incident/v3: host.faultCpuPct: max < 50 (observed max=80%)',
        '  ✓ incident: oomKills: == 0: passed in 14 variants',
        '  ✓ incident: host.faultCpuPct: max < 50: passed in 13 variants',
        '  checks: 27 passed, 1 failed',
        '',
        '',
      ].join('\n'),
    );
  });

  it('summarises the run as a Markdown table for the job page, failing variants first', () => {
    const md = runSummaryMarkdown(results);
    const lines = md.split('\n');
    expect(lines[0]).toBe('## ❌ faultline run: 1 of 3 variants pass');
    expect(lines[4]).toMatch(
      /^\| ❌ Fails 1 of 2 checks \| incident\/bad \| degraded \| ✗ processes.db.latencyMs: p\(99\) < 1000 \(observed 4.1 min\)<br>⚠ oomKills/,
    );
    expect(lines[5]).toMatch(/^\| 💥 Run failed \| incident\/crashed \| run failed \| run failed: worker exited/);
    expect(lines[6]).toBe('| ✅ Passes its check | incident/ok | degraded |  |');
    expect(runSummaryMarkdown([], 'faultline merge')).toBe(
      '## faultline merge: no variants\n\nNothing ran here (an empty shard, or nothing to merge).\n',
    );
  });
});
