/**
 * The view model of one variant's report: every string the template prints, already
 * formatted. Templates only place these values; they compute nothing.
 */
import { checkObserved, checkScope, faultCpuMean, formatSplit, keyFigures, phaseSteps } from '../analysis/figures.js';
import type { CheckResult, EventRecord, ObservedComparison, RunResult, Verdict } from '../result/types.js';
import { fileName, type MetricDefinition } from './charts/run-charts.js';
import { formatBytesExact, formatClock, formatDurationMs, formatNumber, formatParam, formatValue } from './format.js';
import { metricInfo } from './metric-info.js';
import { checksSummary, statusView, type TenantView, tenantViews } from './status.js';

export interface ChartView {
  id: string;
  title: string;
  caption: string;
  definitions: MetricDefinition[];
  /** Trusted: SVG from vega, which escapes the text it draws. Empty for small multiples. */
  svg: string;
  /** Present in interactive mode: the spec as script-safe JSON. */
  specJson?: string;
  /** Small multiples: one chart per variant, laid out in a grid that reflows with the window. */
  items?: { label: string; href: string; statusLabel: string; cssClass: string; svg: string }[];
}

export interface VerdictView {
  status: Verdict['status'];
  label: string;
  headline: string;
  cssClass: string;
  tenants: TenantView[];
}

export interface Figure {
  /** The figure's one name (its result.json path), on the page as data-figure for tests and scripts. */
  id: string;
  label: string;
  value: string;
  note: string;
  cssClass: string;
}

export interface CheckView {
  source: string;
  level: string;
  expected: string;
  observed: string;
  /** Over what the observed value was taken (`worst step`, `whole run`), and the busy/waiting parts when it has them. */
  scope: string;
  statusLabel: string;
  cssClass: string;
}

export interface KeyValue {
  name: string;
  value: string;
}

/** The "Simulation vs observed" section: present only for results with `observed`. */
export interface ObservedView {
  intro: string;
  rows: {
    label: string;
    metric: string;
    column: string;
    file: string;
    points: string;
    mae: string;
    mape: string;
    mapePoints: string;
  }[];
  /** Why a series may have MAE but no MAPE: the near-zero rule. */
  caption: string;
}

export interface RunViewModel {
  pageTitle: string;
  scenarioTitle: string;
  scenarioName: string;
  description: string;
  variantId: string;
  verdict: VerdictView;
  error?: string;
  figures: Figure[];
  charts: ChartView[];
  observed?: ObservedView;
  processHeaders: string[];
  processRows: { name: string; cells: string[] }[];
  phaseRows: { name: string; span: string; cells: string[] }[];
  phaseHeaders: string[];
  checksSummary: string;
  checks: CheckView[];
  events: { time: string; kind: string; who: string; message: string; detail: string; cssClass: string }[];
  warnings: { code: string; message: string; where: string }[];
  fidelity: { mode: string; text: string; note: string };
  params: KeyValue[];
  host: KeyValue[];
  cgroups: KeyValue[];
  processConfig: { name: string; cgroup: string; anon: string; file: string; start: string; requests: string }[];
  provenance: string;
  backLinks: { href: string; label: string }[];
}

export function verdictView(v: Verdict, checks: readonly CheckResult[]): VerdictView {
  const status = statusView(v, checks);
  return {
    status: v.status,
    label: status.label,
    headline: v.headline,
    cssClass: status.cssClass,
    tenants: tenantViews(v),
  };
}

const OP_WORDS: Record<CheckResult['op'], string> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥', '==': '=', '!=': '≠' };

/** `p(99) < 1 s`: a check's condition in the words and units of the reports. */
export function expectedText(c: CheckResult): string {
  return `${c.aggregation} ${OP_WORDS[c.op]} ${formatValue(c.threshold, c.unit)}`;
}

/** Failed errors first, then failed warnings, then passes: what needs attention is on top. */
export function checkViews(checks: readonly CheckResult[], r: Pick<RunResult, 'timeMs' | 'host'>): CheckView[] {
  const rank = (c: CheckResult) => (c.passed ? 2 : c.level === 'error' ? 0 : 1);
  return [...checks]
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => {
      const observed = checkObserved(c, r);
      return {
        source: c.source,
        level: c.level,
        expected: expectedText(c),
        observed: observed.text,
        scope: observed.split ? `${checkScope(c)}: ${formatSplit(observed.split)}` : checkScope(c),
        statusLabel: c.passed ? 'pass' : c.level === 'error' ? 'FAIL' : 'warn',
        cssClass: c.passed ? 'pass' : c.level === 'error' ? 'fail' : 'warn',
      };
    });
}

function eventKindLabel(kind: EventRecord['kind']): string {
  return kind.replace('-', ' ');
}

type EventRow = RunViewModel['events'][number];

/** Repeats of one kind for one process closer than this share a table row. */
const EVENT_REPEAT_GAP_MS = 60_000;

/**
 * Events for the table, oldest first. A run throttled every second would list thousands of
 * identical lines; repeats of the same kind, process and cgroup within a minute of each
 * other become one row with their time span and count.
 */
function eventRows(events: EventRecord[]): EventRow[] {
  const rows: { first: EventRecord; last: EventRecord; count: number }[] = [];
  const open = new Map<string, (typeof rows)[number]>();
  for (const e of [...events].sort((a, b) => a.timeMs - b.timeMs)) {
    const key = `${e.kind}\u0000${e.process ?? ''}\u0000${e.cgroup ?? ''}`;
    const run = open.get(key);
    if (run && e.kind !== 'scenario' && e.timeMs - run.last.timeMs <= EVENT_REPEAT_GAP_MS) {
      run.last = e;
      run.count++;
    } else {
      const fresh = { first: e, last: e, count: 1 };
      rows.push(fresh);
      open.set(key, fresh);
    }
  }
  return rows.map(({ first: e, last, count }) => ({
    time: count > 1 ? `${formatClock(e.timeMs)}–${formatClock(last.timeMs)}` : formatClock(e.timeMs),
    kind: count > 1 ? `${eventKindLabel(e.kind)} ×${formatNumber(count)}` : eventKindLabel(e.kind),
    who: [e.process, e.cgroup && `cgroup ${e.cgroup}`].filter(Boolean).join(', '),
    message: count > 1 ? `${e.message} (first of ${formatNumber(count)})` : e.message,
    detail: Object.entries(e.detail ?? {})
      .map(([k, v]) => `${k}=${typeof v === 'number' && /Bytes$/.test(k) ? formatValue(v, 'bytes') : v}`)
      .join(', '),
    cssClass: `event-${e.kind}`,
  }));
}

const OBSERVED_LABELS: Record<string, string> = {
  majorFaultsPerSec: 'major faults/s',
  swapInPagesPerSec: 'swap-in pages/s',
  swapOutPagesPerSec: 'swap-out pages/s',
  memFreeBytes: 'free memory',
  swapUsedBytes: 'swap in use',
  psiSomeAvg10Pct: 'PSI some avg10',
  psiFullAvg10Pct: 'PSI full avg10',
};

/**
 * The near-zero rule of engine/observed.ts (MAPE_NEAR_ZERO_SHARE and the unit floors of
 * OBSERVED_MAPPINGS) in words; test/report/observed.test.ts keeps the two in step.
 */
export const MAPE_RULE_CAPTION =
  'MAE is the mean absolute difference between simulated and observed values over the steps where both have one, in the series\' own unit (percentage points for percentages). MAPE is the mean absolute percentage error over the points that are not near zero: a point counts when its observed magnitude is at least the larger of a unit floor (1/s for fault and page rates, 1 MiB for bytes, 0.5 for percentages) and 5% of the largest observed magnitude of that series, so that a quiet baseline (0.3 faults/s observed against a simulated 0 is "100% off") does not dominate the figure. "MAPE points" says how many counted; "—" means none did. For gauges such as free memory the rule also leaves out the time spent near the low watermark: read MAE there.';

function observedView(r: RunResult, o: ObservedComparison): ObservedView {
  const sources = o.sources.map(
    (src) =>
      `${fileName(src.file)} (${src.kind}, ${src.rows === 0 ? 'not read: see the warnings' : `${formatNumber(src.rows)} rows, first sample at ${formatClock(src.offsetMs)}`})`,
  );
  const intro =
    o.errors.length === 0
      ? `Observed: ${sources.join('; ')}. None of its columns measures a simulated host series (docs/postmortem.md lists the mapping), so nothing is compared.`
      : `Observed: ${sources.join('; ')}. Each series is averaged onto the run's ${formatDurationMs(r.scenario.stepMs)} steps and drawn dashed on the charts above, against the simulated host.`;
  return {
    intro,
    rows: o.errors.map((e) => {
      const unit = metricInfo(r, 'host', e.metric).unit;
      const src = o.sources[e.source];
      return {
        label: OBSERVED_LABELS[e.metric] ?? e.metric,
        metric: `host.${e.metric}`,
        column: e.observedColumn,
        file: src ? fileName(src.file) : '',
        points: formatNumber(e.points),
        // A percentage metric's absolute error is in percentage points, not a percentage of anything.
        mae:
          e.points === 0 ? '—' : unit === 'pct' ? `${formatNumber(e.maeValue)} points` : formatValue(e.maeValue, unit),
        mape: e.mapePct === null ? '—' : formatValue(e.mapePct, 'pct'),
        mapePoints: formatNumber(e.mapePoints),
      };
    }),
    caption: MAPE_RULE_CAPTION,
  };
}

export interface RunViewOptions {
  /** Links shown at the top (to the sweep report, the index), relative to the report. */
  backLinks?: { href: string; label: string }[];
}

export function runViewModel(r: RunResult, charts: ChartView[], opts: RunViewOptions = {}): RunViewModel {
  const s = r.summary;
  const figures: Figure[] = keyFigures(r).map((f) => ({
    id: f.id,
    label: f.label,
    value: f.text,
    note: f.note ?? '',
    cssClass: f.severity,
  }));

  const processHeaders = [
    'minor faults',
    'major faults',
    'swap-ins (pages)',
    'peak RSS',
    'stalled, whole run',
    'requests',
    'p50, whole run',
    'p99, whole run',
    'slowest request',
    'OOM killed',
  ];
  const processRows = Object.entries(s.processes).map(([name, p]) => ({
    name,
    cells: [
      formatNumber(p.minorFaults),
      formatNumber(p.majorFaults),
      formatNumber(p.swapInPages),
      formatValue(p.peakRssBytes, 'bytes'),
      formatValue(p.stallPct, 'pct'),
      p.latencyMs ? formatNumber(p.latencyMs.count) : '—',
      p.latencyMs ? formatDurationMs(p.latencyMs.p50Ms) : '—',
      p.latencyMs ? formatDurationMs(p.latencyMs.p99Ms) : '—',
      p.latencyMs ? formatDurationMs(p.latencyMs.maxMs) : '—',
      p.oomKilled ? (p.oomKilledAtMs === undefined ? 'yes' : `at ${formatClock(p.oomKilledAtMs)}`) : 'no',
    ],
  }));

  const phaseHeaders = [
    'CPU lost to faulting, phase mean',
    'CPU lost to faulting, worst step',
    'major faults/s, worst step',
    'swap-ins',
    'swap-outs',
    'p99, whole phase',
  ];
  const phaseRows = s.phases.map((ph) => {
    const split = faultCpuMean(r.host, phaseSteps(r.timeMs, ph.startMs, ph.endMs));
    return {
      name: ph.name,
      span: `${formatClock(ph.startMs)}–${formatClock(ph.endMs)}`,
      cells: [
        `${formatValue(ph.host.faultCpuPctAvg, 'pct')} (${formatSplit(split)})`,
        formatValue(ph.host.faultCpuPctMax, 'pct'),
        formatValue(ph.host.majorFaultsPerSecMax, 'perSec'),
        formatNumber(ph.host.swapInPages),
        formatNumber(ph.host.swapOutPages),
        Object.entries(ph.processes)
          .filter(([, p]) => p.latencyMs)
          .map(([n, p]) => `${n} ${formatDurationMs(p.latencyMs!.p99Ms)}`)
          .join(', ') || '—',
      ],
    };
  });

  const f = r.fidelity;
  const fidelityText =
    f.mode === 'exact'
      ? `exact: every page simulated (${formatNumber(f.simulatedFrames)} page frames)`
      : `sampled: 1 page in ${formatNumber(1 / f.sampleRate)} simulated (rate ${formatNumber(f.sampleRate * 100)}%, ${formatNumber(f.simulatedFrames)} page frames); counts scaled by ${formatNumber(1 / f.sampleRate)}` +
        (f.measuredErrorPct === undefined
          ? '; error not measured for this rate'
          : `; major-fault counts within ±${formatNumber(f.measuredErrorPct)}% of exact runs`);

  const sc = r.scenario;
  const host: KeyValue[] = [
    { name: 'RAM', value: formatBytesExact(sc.host.ramBytes) },
    { name: 'CPUs', value: formatNumber(sc.host.cpus) },
    { name: 'page size', value: formatBytesExact(sc.host.pageSizeBytes) },
    {
      name: 'swap',
      value: sc.host.swapBytes ? `${formatBytesExact(sc.host.swapBytes)} on ${sc.host.swapDevice}` : 'none',
    },
    { name: 'replacement policy', value: sc.host.policy },
    ...Object.entries(sc.host.sysctl).map(([k, v]) => ({ name: k, value: String(v) })),
    { name: 'seed', value: String(sc.seed) },
    { name: 'duration', value: `${formatClock(sc.durationMs)} in steps of ${formatDurationMs(sc.stepMs)}` },
  ];
  const cgroups = sc.cgroups.map((cg) => ({
    name: cg.path,
    value:
      Object.entries(cg.limits)
        .map(
          ([k, v]) =>
            `${k}: ${v === 'max' ? 'max (no limit)' : /bytes|max|high|low|min/.test(k) ? formatBytesExact(v) : String(v)}`,
        )
        .join('; ') || 'no limits',
  }));

  return {
    pageTitle: `${sc.title} · ${sc.variantId} · faultline`,
    scenarioTitle: sc.title,
    scenarioName: sc.name,
    description: sc.description,
    variantId: sc.variantId,
    verdict: verdictView(r.verdict, r.checks),
    ...(r.error === undefined ? {} : { error: r.error }),
    figures,
    charts,
    ...(r.observed ? { observed: observedView(r, r.observed) } : {}),
    processHeaders,
    processRows,
    phaseHeaders,
    phaseRows,
    checksSummary: checksSummary(r.checks),
    checks: checkViews(r.checks, r),
    events: eventRows(r.events),
    warnings: r.warnings.map((w) => ({ code: w.code, message: w.message, where: w.where ?? '' })),
    fidelity: { mode: f.mode, text: fidelityText, note: f.note },
    params: Object.entries(sc.params).map(([k, v]) => ({ name: k, value: formatParam(v, k) })),
    host,
    cgroups,
    processConfig: sc.processes.map((p) => ({
      name: p.name,
      cgroup: p.cgroup,
      anon: formatBytesExact(p.anonBytes),
      file: formatBytesExact(p.fileBytes),
      start: p.startMs === null ? 'only by an event' : formatClock(p.startMs),
      requests: p.hasRequests ? 'yes' : 'no',
    })),
    provenance: `${r.tool.name} ${r.tool.version}, result schema ${r.schemaVersion}, scenario ${sc.file}`,
    backLinks: opts.backLinks ?? [],
  };
}
