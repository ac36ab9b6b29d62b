/**
 * A process's `access:` section → its phases: each pattern with its parameters checked
 * against the pattern, phase starts by time or by touch count, per-phase rates, and the
 * stream sources (a trace file checked as far as its first bytes allow, a miss-ratio curve
 * read whole).
 */
import { existsSync, readFileSync } from 'node:fs';
import { formatPos } from '../util/errors.js';
import { parseMrcCurve } from '../workload/mrc-curve.js';
import { sniffTraceFormat } from '../workload/trace-sniff.js';
import type { Reporter } from './reporter.js';
import type { AccessPatternSpec, ProcessSpecOutput } from './schema.js';
import type { FieldPath } from './source.js';
import type { AccessPattern, AccessPhase, TracePattern, TraceRead } from './types.js';
import { besideScenario, msOf } from './units-of.js';

const PATTERN_PARAMS: Record<AccessPattern['kind'], readonly string[]> = {
  uniform: [],
  zipf: ['alpha'],
  hotcold: ['hotFraction', 'hotProbability'],
  scan: [],
  loop: ['fraction'],
  trace: ['file', 'format', 'read', 'timing', 'timeUnit', 'atEnd', 'region'],
  mrc: ['file', 'format', 'region'],
};
const ALL_PARAMS = [
  'alpha',
  'hotFraction',
  'hotProbability',
  'fraction',
  'file',
  'format',
  'read',
  'timing',
  'timeUnit',
  'atEnd',
  'region',
] as const;

/** Milliseconds per unit of a trace's time column. */
export const TIME_UNIT_MS: Record<string, number> = { s: 1000, ms: 1, us: 1e-3, ns: 1e-6, '100ns': 1e-4 };

/** Reader options that only mean something for text traces (traces/load.ts refuses them for oracleGeneral). */
const COLUMNS = ['idCol', 'timeCol', 'opCol', 'offsetCol', 'sizeCol'] as const;
const TEXT_ONLY_READ = ['header', 'delimiter', ...COLUMNS, 'ops'];

type PatternInput = Omit<AccessPatternSpec, 'at' | 'afterTouches' | 'touchesPerSec' | 'pattern'> & {
  pattern: AccessPattern['kind'];
};

export interface AccessContext {
  baseDir: string;
  r: Reporter;
}

/** The rate as resolved: a number of touches per second, Infinity for `max`. */
export function rateOf(v: number | 'max'): number {
  return v === 'max' ? Number.POSITIVE_INFINITY : v;
}

export function resolveAccess(p: ProcessSpecOutput, at: FieldPath, ctx: AccessContext): AccessPhase[] {
  const { r } = ctx;
  const phases: AccessPhase[] = [
    { atMs: 0, atTouches: 0, pattern: resolvePattern(p.access, at, ctx), touchesPerSec: null },
  ];
  let kind: 'at' | 'afterTouches' | undefined;
  let last = 0;
  let lastText = '';
  (p.access.phases ?? []).forEach((ph, i) => {
    const here: FieldPath = [...at, 'phases', i];
    const pattern =
      ph.pattern !== undefined
        ? resolvePattern({ ...ph, pattern: ph.pattern }, here, ctx)
        : keepPattern(ph, here, phases[phases.length - 1] as AccessPhase, r);
    const touchesPerSec = ph.touchesPerSec === undefined ? null : rateOf(ph.touchesPerSec);
    if (ph.at === undefined && ph.afterTouches === undefined) {
      r.error(here, 'a phase needs a start: `at` (a time) or `afterTouches` (a count of touches)', 'add at: 5m');
      return;
    }
    if (ph.at !== undefined && ph.afterTouches !== undefined) {
      r.error([...here, 'afterTouches'], 'a phase starts at a time or after a count of touches, not both', 'keep one');
      return;
    }
    const mine = ph.at !== undefined ? 'at' : 'afterTouches';
    if (kind !== undefined && mine !== kind) {
      r.error(
        [...here, mine],
        `the phases of a process all start by ${kind === 'at' ? 'time (at)' : 'touch count (afterTouches)'}; this one uses ${mine}`,
        `use ${kind} here too`,
      );
      return;
    }
    kind = mine;
    const value = ph.at !== undefined ? msOf(ph.at) : (ph.afterTouches as number);
    const text = ph.at !== undefined ? `"${ph.at}"` : String(ph.afterTouches);
    if (value <= last) {
      const what = mine === 'at' ? 'a time' : 'a touch count';
      r.error(
        [...here, mine],
        last === 0
          ? `expected ${what} after the process start, found ${text}`
          : `expected ${what} after the previous phase (${lastText}), found ${text}`,
      );
      return;
    }
    last = value;
    lastText = ph.at ?? String(ph.afterTouches);
    phases.push({
      atMs: mine === 'at' ? value : 0,
      atTouches: mine === 'afterTouches' ? value : 0,
      pattern,
      touchesPerSec,
    });
  });
  return phases;
}

/** A phase without `pattern` goes on with the previous phase's; parameters alone would be ambiguous. */
function keepPattern(ph: AccessPatternSpec, at: FieldPath, previous: AccessPhase, r: Reporter): AccessPattern {
  for (const k of ALL_PARAMS) {
    if (ph[k] !== undefined) {
      const owner = (Object.keys(PATTERN_PARAMS) as AccessPattern['kind'][]).find((p) => PATTERN_PARAMS[p].includes(k));
      r.error([...at, k], `${k} needs the pattern it belongs to in this phase`, `add pattern: ${owner}`);
    }
  }
  return previous.pattern;
}

function resolvePattern(a: PatternInput, at: FieldPath, ctx: AccessContext): AccessPattern {
  const { r } = ctx;
  const allowed = PATTERN_PARAMS[a.pattern];
  for (const k of ALL_PARAMS) {
    if (a[k] !== undefined && !allowed.includes(k)) {
      const owners = (Object.keys(PATTERN_PARAMS) as AccessPattern['kind'][]).filter((p) =>
        PATTERN_PARAMS[p].includes(k),
      );
      r.error(
        [...at, k],
        `${k} applies only to pattern ${owners.join(' and ')}, found pattern ${a.pattern}`,
        `remove ${k} or set pattern: ${owners[0]}`,
      );
    }
  }
  switch (a.pattern) {
    case 'uniform':
    case 'scan':
      return { kind: a.pattern };
    case 'zipf':
      return { kind: 'zipf', alpha: a.alpha ?? 1 };
    case 'hotcold':
      return { kind: 'hotcold', hotFraction: a.hotFraction ?? 0.2, hotProbability: a.hotProbability ?? 0.8 };
    case 'loop':
      return { kind: 'loop', fraction: a.fraction ?? 1 };
    case 'trace':
      return resolveTrace(a, at, ctx);
    case 'mrc':
      return resolveMrc(a, at, ctx);
  }
}

/** The pattern's file, beside the scenario; reported when missing. */
function fileOf(a: PatternInput, at: FieldPath, ctx: AccessContext, example: string): string | undefined {
  if (a.file === undefined) {
    ctx.r.error([...at, 'pattern'], `pattern ${a.pattern} needs \`file\``, `add file: ${example}`);
    return undefined;
  }
  const file = besideScenario(ctx.baseDir, a.file);
  if (!existsSync(file)) {
    ctx.r.error([...at, 'file'], `file not found: ${file}`, 'paths are relative to the scenario file');
    return undefined;
  }
  return file;
}

function resolveTrace(a: PatternInput, at: FieldPath, ctx: AccessContext): TracePattern {
  const { r } = ctx;
  const spec = a.read;
  const read: TraceRead = {
    ids: spec?.ids ?? 'auto',
    expandPages: spec?.expandPages ?? false,
    offsetUnit: spec?.offsetUnit ?? 1,
    lenient: spec?.lenient ?? false,
  };
  for (const k of ['header', 'delimiter', ...COLUMNS] as const) {
    if (spec?.[k] !== undefined) (read as unknown as Record<string, unknown>)[k] = spec[k];
  }
  if (spec?.ops) read.ops = [...spec.ops];
  const timing = a.timing ?? 'rate';
  const out: TracePattern = {
    kind: 'trace',
    file: '',
    format: 'auto',
    read,
    timing,
    timeUnitMs: a.timeUnit !== undefined ? (TIME_UNIT_MS[a.timeUnit] as number) : null,
    atEnd: a.atEnd ?? 'loop',
    region: a.region ?? 'anon',
    where: formatPos(r.posOf([...at, a.file === undefined ? 'pattern' : 'file'])),
    prepared: null,
  };
  if (a.format === 'json') {
    r.error(
      [...at, 'format'],
      'json is the format of a miss-ratio curve (pattern mrc), not of a trace',
      'a trace is auto, txt, csv, msr or oracleGeneral',
    );
  } else if (a.format !== undefined) out.format = a.format;
  if (timing === 'rate' && a.timeUnit !== undefined) {
    r.error([...at, 'timeUnit'], 'applies only with timing: timestamps', 'remove timeUnit or set timing: timestamps');
  }
  if (read.expandPages && read.ids === 'string') {
    r.error([...at, 'read', 'expandPages'], 'needs integer offsets; it cannot be used with ids: string', 'drop one');
  }
  const file = fileOf(a, at, ctx, 'traces/db.csv');
  if (file === undefined) return out;
  out.file = file;
  const format =
    out.format !== 'auto'
      ? out.format
      : sniffTraceFormat(file, { format: 'auto', delimiter: read.delimiter, idColumn: read.idCol });
  if (format === 'oracleGeneral') {
    for (const k of [...TEXT_ONLY_READ, 'expandPages']) {
      const v = (spec as Record<string, unknown> | undefined)?.[k];
      if (v !== undefined && v !== false) {
        r.error([...at, 'read', k], `${k} does not apply to oracleGeneral records (one 64-bit id each)`, `remove ${k}`);
      }
    }
  }
  if (format === 'txt') {
    if (read.expandPages) {
      r.error(
        [...at, 'read', 'expandPages'],
        'needs offset and size columns; a txt trace has one id per line',
        'remove expandPages, or use a csv or msr trace',
      );
    }
    if (read.ops) {
      r.error([...at, 'read', 'ops'], 'needs an op column; a txt trace has one id per line', 'remove ops');
    }
  }
  if (timing === 'timestamps' && out.timeUnitMs === null) {
    if (format === 'msr') out.timeUnitMs = TIME_UNIT_MS['100ns'] as number;
    else if (format === 'oracleGeneral') out.timeUnitMs = TIME_UNIT_MS.s as number;
    else if (format === 'txt') {
      r.error(
        [...at, 'timing'],
        'a txt trace has no timestamps',
        'use timing: rate, or a csv trace with a time column',
      );
    } else if (format === 'csv') {
      r.error([...at, 'timing'], 'the times of a csv trace have no known unit', 'set timeUnit: s, ms, us, ns or 100ns');
    }
  }
  return out;
}

function resolveMrc(a: PatternInput, at: FieldPath, ctx: AccessContext): AccessPattern {
  const { r } = ctx;
  const empty = {
    kind: 'mrc' as const,
    file: '',
    region: a.region ?? 'anon',
    frames: [],
    missRatio: [],
    distinctPages: 0,
  };
  if (a.format !== undefined && a.format !== 'auto' && a.format !== 'csv' && a.format !== 'json') {
    r.error(
      [...at, 'format'],
      `${a.format} is the format of a trace (pattern trace), not of a miss-ratio curve`,
      'a curve is auto, csv or json (faultline mrc --format)',
    );
  }
  const file = fileOf(a, at, ctx, 'curves/db-mrc.csv');
  if (file === undefined) return empty;
  const format = a.format === 'csv' || a.format === 'json' ? a.format : 'auto';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    r.error([...at, 'file'], `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return { ...empty, file };
  }
  const curve = parseMrcCurve(text, file, format);
  if ('error' in curve) {
    r.error([...at, 'file'], curve.error, 'write it with faultline mrc <trace> --format csv (or json)');
    return { ...empty, file };
  }
  if (curve.rises > 0) {
    r.warning(
      'mrc-rises',
      [...at, 'file'],
      `the curve rises at ${curve.rises} size(s), which an LRU curve cannot (a sampled estimate); its running minimum is used`,
    );
  }
  return {
    kind: 'mrc',
    file,
    region: a.region ?? 'anon',
    frames: curve.frames,
    missRatio: curve.missRatio,
    distinctPages: curve.distinctPages,
  };
}
