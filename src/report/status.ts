/**
 * How a variant's verdict is shown, the same on the run report, the sweep table, the index,
 * summary.md and the CI summaries: a top status that follows the checks (green when they
 * pass, amber when only warn-level ones fail, red when an error-level one fails or the run
 * failed), then each tenant's state in the words of the headline. A passing variant never
 * wears a failure colour, whatever its host went through; its tenants' states say that.
 */
import { hostWords, processWords } from '../analysis/verdict.js';
import type { CheckResult, HealthState, ProcessVerdict, Verdict } from '../result/types.js';

export interface StatusView {
  status: Verdict['status'];
  /** `Passes all 3 checks`, `Passes, 1 warning`, `Fails 1 of 3 checks`, `Run failed`, or with no checks the worst tenant state. */
  label: string;
  cssClass: string;
  /** Severity for sorting: passing variants first, failed runs last. */
  rank: number;
}

export interface TenantView {
  name: string;
  state: HealthState | 'oom-killed';
  cssClass: string;
  /** The tenant's part of the headline, word for word. */
  words: string;
}

type TenantState = TenantView['state'];
const STATE_RANK: Record<TenantState, number> = { healthy: 0, degraded: 1, thrashing: 2, 'oom-killed': 3 };
const STATE_LABEL: Record<TenantState, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  thrashing: 'Thrashing',
  'oom-killed': 'OOM kill',
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The worst state among the tenants, for a scenario with no checks to follow. */
function worstState(v: Verdict): TenantState {
  const states: TenantState[] = [v.host?.state ?? 'healthy', ...v.processes.map((p) => p.state)];
  if ((v.host?.oomKills ?? 0) > 0) states.push('oom-killed');
  return states.reduce((a, b) => (STATE_RANK[b] > STATE_RANK[a] ? b : a), 'healthy');
}

export function statusView(v: Verdict, checks: readonly CheckResult[]): StatusView {
  const failed = checks.filter((c) => !c.passed && c.level === 'error').length;
  const warned = checks.filter((c) => !c.passed && c.level === 'warn').length;
  switch (v.status) {
    case 'pass':
      return {
        status: v.status,
        label: checks.length === 1 ? 'Passes its check' : `Passes all ${checks.length} checks`,
        cssClass: 'status-pass',
        rank: 0,
      };
    case 'warn':
      return { status: v.status, label: `Passes, ${plural(warned, 'warning')}`, cssClass: 'status-warn', rank: 1 };
    case 'fail':
      return {
        status: v.status,
        label: `Fails ${failed} of ${plural(checks.length, 'check')}`,
        cssClass: 'status-fail',
        rank: 6,
      };
    case 'failed':
      return { status: v.status, label: 'Run failed', cssClass: 'status-failed', rank: 7 };
    case 'unchecked': {
      const s = worstState(v);
      return {
        status: v.status,
        label: `${STATE_LABEL[s]} (no checks)`,
        cssClass: `status-${s}`,
        rank: 2 + STATE_RANK[s],
      };
    }
  }
}

/** The host first, then each process in the result's order. */
export function tenantViews(v: Verdict): TenantView[] {
  const out: TenantView[] = [];
  if (v.host)
    out.push({ name: 'host', state: v.host.state, cssClass: `state-${v.host.state}`, words: hostWords(v.host) });
  for (const p of v.processes)
    out.push({ name: p.process, state: p.state, cssClass: `state-${p.state}`, words: processWords(p, v.host) });
  return out;
}

/** `db healthy · spark thrashing · host thrashing`: the states alone, for a table cell. */
export function tenantStates(v: Verdict): string {
  const word = (p: Pick<ProcessVerdict, 'state'>) => (p.state === 'oom-killed' ? 'OOM-killed' : p.state);
  return [...v.processes.map((p) => `${p.process} ${word(p)}`), ...(v.host ? [`host ${v.host.state}`] : [])].join(
    ' · ',
  );
}

/** `All 3 checks passed.`, with warn-level failures told apart from the ones that fail the run. */
export function checksSummary(checks: readonly CheckResult[]): string {
  if (checks.length === 0) return 'No expect: checks in this scenario.';
  const failed = checks.filter((c) => !c.passed && c.level === 'error').length;
  const warned = checks.filter((c) => !c.passed && c.level === 'warn').length;
  const warnText = warned ? `${plural(warned, 'warn-level check')} failed (a warning: it does not fail the run)` : '';
  if (failed > 0) return `${failed} of ${plural(checks.length, 'check')} failed${warned ? `; ${warnText}` : ''}.`;
  if (warned > 0) return `Every error-level check passed; ${warnText}.`;
  return checks.length === 1 ? 'The check passed.' : `All ${checks.length} checks passed.`;
}
