/**
 * `expect:` checks, k6-style: `metric: [aggregation] operator threshold`, parsed and
 * validated against the metric registry at load time so that a typo fails before any
 * simulation runs.
 *
 * Grammar (one check):
 *   check       = [aggregation] operator threshold
 *   aggregation = "max" | "min" | "avg" | "last" | "p(" number ")" | "value"
 *   operator    = "<" | "<=" | ">" | ">=" | "==" | "!="
 *   threshold   = number [unit]       unit: a size (8Gi) for byte metrics, a duration (1s)
 *                                     for ms metrics, "%" for percentages
 * Metrics: `host.<series>`, `processes.<name>.<series | latencyMs>`,
 * `cgroups.<path>.<series>`, and bare run counters (`oomKills`). Series take max, min, avg,
 * last or p(N) over time; latencyMs takes p(N), avg or max over requests; counters take no
 * aggregation (or `value`).
 */
import {
  CGROUP_SERIES,
  HOST_SERIES,
  LATENCY_METRIC,
  type MetricDef,
  PROCESS_SERIES,
  RUN_COUNTERS,
} from '../analysis/metrics.js';
import { formatPos } from '../util/errors.js';
import { parseDuration, parseSize } from '../util/units.js';
import { suggest } from './issues.js';
import type { Reporter } from './reporter.js';
import type { FieldPath } from './source.js';
import type { ExpectConfig } from './types.js';

type ThresholdEntry = string | { threshold: string; level: 'warn' | 'error' };

export type MetricKind = 'series' | 'latency' | 'counter';

export interface MetricRef {
  kind: MetricKind;
  def: MetricDef;
}

const SERIES_AGGREGATIONS = ['max', 'min', 'avg', 'last', 'p(N)'];
const LATENCY_AGGREGATIONS = ['p(N)', 'avg', 'max'];

const CHECK_RE = /^\s*(?:(max|min|avg|last|value|p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\))\s*)?(<=|>=|==|!=|<|>)\s*(\S.*?)\s*$/;

export interface ParsedCheck {
  aggregation: string | undefined;
  percentile: number | undefined;
  op: ExpectConfig['op'];
  thresholdText: string;
}

export function parseCheck(text: string): ParsedCheck | undefined {
  const m = CHECK_RE.exec(text);
  if (!m) return undefined;
  const agg = m[1];
  return {
    aggregation: agg === undefined ? undefined : agg.startsWith('p(') ? `p(${Number(m[2])})` : agg,
    percentile: m[2] === undefined ? undefined : Number(m[2]),
    op: m[3] as ExpectConfig['op'],
    thresholdText: m[4] as string,
  };
}

/** The number a threshold stands for, in the metric's own unit. */
export function thresholdValue(text: string, unit: MetricDef['unit']): number | undefined {
  const t = text.trim();
  if (/^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(t)) return Number(t);
  if (unit === 'bytes') return parseSize(t);
  if (unit === 'ms') return parseDuration(t);
  if (unit === 'pct' && /^[0-9]+(\.[0-9]+)?\s*%$/.test(t)) return Number(t.replace('%', ''));
  return undefined;
}

/**
 * Looks up a metric name. Process and cgroup names may contain dots, so the name is
 * matched against the known ones, longest first.
 */
export function lookupMetric(
  metric: string,
  processNames: Set<string>,
  cgroupPaths: Set<string>,
): { ok: true; ref: MetricRef } | { ok: false; message: string; hint?: string } {
  if (metric in RUN_COUNTERS)
    return { ok: true, ref: { kind: 'counter', def: RUN_COUNTERS[metric as keyof typeof RUN_COUNTERS] } };
  if (metric.startsWith('host.')) {
    const name = metric.slice(5);
    if (name in HOST_SERIES)
      return { ok: true, ref: { kind: 'series', def: HOST_SERIES[name as keyof typeof HOST_SERIES] } };
    if (name in RUN_COUNTERS) return { ok: false, message: `${name} is a run counter`, hint: `write it bare: ${name}` };
    return unknownName('host series', name, Object.keys(HOST_SERIES), 'host.');
  }
  for (const [prefix, names, series, label] of [
    ['processes.', processNames, PROCESS_SERIES, 'process'],
    ['cgroups.', cgroupPaths, CGROUP_SERIES, 'cgroup'],
  ] as const) {
    if (!metric.startsWith(prefix)) continue;
    const rest = metric.slice(prefix.length);
    const owner = [...names].filter((n) => rest.startsWith(`${n}.`)).sort((a, b) => b.length - a.length)[0];
    if (owner === undefined) {
      const guessed = rest.includes('.') ? rest.slice(0, rest.lastIndexOf('.')) : rest;
      const guess = suggest(guessed, names);
      return {
        ok: false,
        message: `no ${label} "${guessed}" is defined`,
        hint: guess ? `did you mean ${guess}?` : `known: ${[...names].join(', ') || 'none'}`,
      };
    }
    const name = rest.slice(owner.length + 1);
    if (label === 'process' && name === 'latencyMs') return { ok: true, ref: { kind: 'latency', def: LATENCY_METRIC } };
    if (name in series)
      return { ok: true, ref: { kind: 'series', def: (series as Record<string, MetricDef>)[name] as MetricDef } };
    const candidates = label === 'process' ? [...Object.keys(series), 'latencyMs'] : Object.keys(series);
    return unknownName(`${label} series`, name, candidates, `${prefix}${owner}.`);
  }
  const all = [
    ...Object.keys(RUN_COUNTERS),
    ...Object.keys(HOST_SERIES).map((n) => `host.${n}`),
    ...[...processNames].flatMap((p) =>
      [...Object.keys(PROCESS_SERIES), 'latencyMs'].map((n) => `processes.${p}.${n}`),
    ),
    ...[...cgroupPaths].flatMap((c) => Object.keys(CGROUP_SERIES).map((n) => `cgroups.${c}.${n}`)),
  ];
  const guess = suggest(metric, all);
  return {
    ok: false,
    message: `unknown metric "${metric}"`,
    hint: guess
      ? `did you mean ${guess}?`
      : 'metrics are host.<series>, processes.<name>.<series>, cgroups.<path>.<series> or a run counter such as oomKills',
  };
}

function unknownName(what: string, name: string, candidates: string[], prefix: string) {
  const guess = suggest(name, candidates);
  return {
    ok: false as const,
    message: `unknown ${what} "${name}"`,
    hint: guess ? `did you mean ${prefix}${guess}?` : `expected one of: ${candidates.join(', ')}`,
  };
}

function aggregationFits(kind: MetricKind, agg: string | undefined): string | undefined {
  const family = agg?.startsWith('p(') ? 'p(N)' : agg;
  if (kind === 'counter') {
    return agg === undefined || agg === 'value' ? undefined : `a run counter takes no aggregation, found ${agg}`;
  }
  const allowed = kind === 'latency' ? LATENCY_AGGREGATIONS : SERIES_AGGREGATIONS;
  if (family === undefined) return `needs an aggregation: ${allowed.join(', ')}`;
  if (!allowed.includes(family)) {
    return `${agg} does not apply to ${kind === 'latency' ? 'a latency' : 'a series'}; use ${allowed.join(', ')}`;
  }
  return undefined;
}

export function parseExpectations(
  spec: Record<string, ThresholdEntry | ThresholdEntry[]>,
  processNames: Set<string>,
  replicasOf: Map<string, string[]>,
  cgroupPaths: Set<string>,
  r: Reporter,
): ExpectConfig[] {
  const out: ExpectConfig[] = [];
  for (const [metric, value] of Object.entries(spec)) {
    const entries = Array.isArray(value) ? value : [value];
    const found = lookupMetric(metric, processNames, cgroupPaths);
    if (!found.ok) {
      const replicated = metric.startsWith('processes.')
        ? [...replicasOf].find(([base, names]) => names.length > 1 && metric.startsWith(`processes.${base}.`))
        : undefined;
      if (replicated) {
        const [base, names] = replicated;
        r.error(
          ['expect', metric],
          `process ${base} has replicas; name one of them`,
          `e.g. ${metric.replace(`processes.${base}.`, `processes.${names[0]}.`)}`,
          { key: true },
        );
      } else {
        r.error(['expect', metric], found.message, found.hint, { key: true });
      }
      continue;
    }
    entries.forEach((entry, i) => {
      const at: FieldPath = Array.isArray(value) ? ['expect', metric, i] : ['expect', metric];
      const text = typeof entry === 'string' ? entry : entry.threshold;
      const textPath = typeof entry === 'string' ? at : [...at, 'threshold'];
      const check = parseCheck(text);
      if (!check) {
        r.error(textPath, `expected "[aggregation] operator number" such as "p(99) < 1000" or "== 0", found "${text}"`);
        return;
      }
      if (check.percentile !== undefined && !(check.percentile > 0 && check.percentile <= 100)) {
        r.error(textPath, `expected a percentile in (0, 100], found p(${check.percentile})`);
        return;
      }
      const misfit = aggregationFits(found.ref.kind, check.aggregation);
      if (misfit) {
        r.error(textPath, misfit);
        return;
      }
      const threshold = thresholdValue(check.thresholdText, found.ref.def.unit);
      if (threshold === undefined || !Number.isFinite(threshold)) {
        r.error(
          textPath,
          `expected a number in ${found.ref.def.unit} after ${check.op}, found "${check.thresholdText}"`,
          found.ref.def.unit === 'bytes'
            ? 'sizes such as 8Gi work here'
            : found.ref.def.unit === 'ms'
              ? 'durations such as 1s work here'
              : undefined,
        );
        return;
      }
      out.push({
        source: `${metric}: ${text.trim()}`,
        metric,
        aggregation: check.aggregation ?? 'value',
        op: check.op,
        threshold,
        level: typeof entry === 'string' ? 'error' : entry.level,
        where: formatPos(r.posOf(textPath)),
      });
    });
  }
  return out;
}
