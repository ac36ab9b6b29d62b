import type { Argv } from 'yargs';
import { computeCurves } from '../../analysis/mrc-run.js';
import { parseFrameList, parseRam, parseTarget } from '../../analysis/mrc-sizes.js';
import {
  canonicalPolicies,
  canReplayWhileReading,
  parsePolicyNames,
  replayTrace,
  replayWhileReading,
} from '../../engine/replay.js';
import { rowsCsv, rowsTable } from '../../report/trace/text.js';
import { type ReplayRow, TRACE_RESULT_SCHEMA, type TraceResult } from '../../result/trace.js';
import type { IdMode } from '../../traces/fields.js';
import { ID_MODES } from '../../traces/fields.js';
import {
  loadTrace,
  streamableReferences,
  TRACE_FORMATS,
  type Trace,
  type TraceFormat,
  type TraceOptions,
} from '../../traces/load.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { InputError } from '../../util/errors.js';
import { stableStringify } from '../../util/stable-json.js';
import { type FaultlineCommand, OK, type Outcome } from '../outcome.js';

/** Flags shared by every command that reads a trace (docs/traces.md). */
export interface TraceArgs {
  trace: string;
  'trace-format': string;
  header?: boolean;
  delimiter?: string;
  'id-col'?: string;
  'time-col'?: string;
  'op-col'?: string;
  'offset-col'?: string;
  'size-col'?: string;
  ids: string;
  'expand-pages': boolean;
  'page-size': number;
  'offset-unit': number;
  op?: string;
  lenient: boolean;
  warmup: number;
  seed: number;
  format: 'table' | 'csv' | 'json' | 'html';
  out?: string;
  ram?: string;
  target?: string;
}

export function traceOptions<T>(y: Argv<T>) {
  return y
    .positional('trace', { type: 'string', demandOption: true, describe: 'Trace file (plain or gzip)' })
    .option('trace-format', {
      type: 'string',
      choices: TRACE_FORMATS as string[],
      default: 'auto',
      describe: 'txt: one id per line; csv; msr: MSR Cambridge block CSV; oracleGeneral: libCacheSim binary',
    })
    .option('header', { type: 'boolean', describe: 'CSV: first line names the columns (detected when not given)' })
    .option('delimiter', { type: 'string', describe: 'CSV field separator (default ,)' })
    .option('id-col', { type: 'string', describe: 'Page id column, by header name or 1-based number' })
    .option('time-col', { type: 'string', describe: 'Timestamp column (checked and reported, not simulated)' })
    .option('op-col', { type: 'string', describe: 'Operation column, for --op' })
    .option('offset-col', { type: 'string', describe: 'Block traces: start offset column (the key, or expanded)' })
    .option('size-col', { type: 'string', describe: 'Block traces: request size column in bytes' })
    .option('ids', {
      type: 'string',
      choices: ID_MODES as string[],
      default: 'auto',
      describe: 'auto: decimal or 0x-hex integers; dec; hex (no prefix needed); string: any text',
    })
    .option('expand-pages', {
      type: 'boolean',
      default: false,
      describe: 'Block traces: one reference per page a request covers, not one per request',
    })
    .option('page-size', { type: 'number', default: 4096, describe: 'Bytes per page, for --expand-pages and --ram' })
    .option('offset-unit', { type: 'number', default: 1, describe: 'Bytes per offset unit (512 for sector numbers)' })
    .option('op', { type: 'string', describe: 'Keep only records with these ops, comma-separated (e.g. Read)' })
    .option('lenient', {
      type: 'boolean',
      default: false,
      describe: 'Skip malformed lines (counted and reported) instead of stopping at the first',
    })
    .option('warmup', { type: 'number', default: 0, describe: 'References replayed before counting' })
    .option('seed', { type: 'number', default: 0, describe: 'Seed for randomised policies and sampling' })
    .option('format', {
      choices: ['table', 'csv', 'json', 'html'] as const,
      default: 'table' as const,
      describe: 'Output format',
    })
    .option('out', { type: 'string', describe: 'Write the output here (atomically) instead of stdout' })
    .option('ram', { type: 'string', describe: "The host's RAM: frames (16384) or a size (64Gi)" })
    .option('target', { type: 'string', describe: 'Fault ratio to meet (0.05 or 5%)' })
    .middleware((argv) => rejectDashValues(argv, process.argv), true);
}

/**
 * `--target -1%` or `--ram -1Gi`: yargs reads the value as a group of short flags and would
 * answer "Unknown arguments: 1, %". Before its validation runs, such a value is handed to
 * its own parser, whose message says what a valid value is.
 */
function rejectDashValues(argv: Record<string, unknown>, raw: readonly string[]): void {
  const parsers: Record<string, (text: string) => unknown> = {
    ram: (t) => parseRam(t, 4096),
    target: parseTarget,
  };
  for (const [name, parse] of Object.entries(parsers)) {
    if (argv[name] !== '') continue;
    const i = raw.indexOf(`--${name}`);
    const value = i >= 0 ? raw[i + 1] : undefined;
    if (value === undefined || !value.startsWith('-') || value.startsWith('--')) {
      throw new InputError(`--${name} needs a value`);
    }
    parse(value);
  }
}

export function toTraceOptions(a: TraceArgs): TraceOptions {
  if (!Number.isInteger(a.warmup) || a.warmup < 0)
    throw new InputError(`--warmup must be a whole number ≥ 0, got ${a.warmup}`);
  return {
    format: a['trace-format'] as TraceFormat | 'auto',
    header: a.header,
    delimiter: a.delimiter,
    idColumn: a['id-col'],
    timeColumn: a['time-col'],
    opColumn: a['op-col'],
    offsetColumn: a['offset-col'],
    sizeColumn: a['size-col'],
    ids: a.ids as IdMode,
    expandPages: a['expand-pages'],
    pageSize: a['page-size'],
    offsetUnit: a['offset-unit'],
    ops: a.op
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    lenient: a.lenient,
    sharedStream: true,
  };
}

/** Reads the trace, saying on stderr what was read and what was skipped (never silently). */
export async function readTraceForCli(a: TraceArgs): Promise<Trace> {
  const trace = await loadTrace(a.trace, toTraceOptions(a));
  describeTrace(a, trace);
  return trace;
}

function describeTrace(a: TraceArgs, trace: Trace): void {
  const i = trace.info;
  if (i.references === 0) throw new InputError(`${a.trace} holds no references`);
  if (a.warmup > i.references) {
    throw new InputError(`--warmup ${a.warmup} exceeds the trace's ${i.references} references`);
  }
  process.stderr.write(
    `faultline: read ${a.trace}: ${i.format}${i.compression === 'gzip' ? ' (gzip)' : ''}, ` +
      `${i.references} references to ${i.distinctPages} distinct pages, keyed by ${i.keyedBy}` +
      `${i.columns ? ` (${i.columns.key})` : ''}\n`,
  );
  if (i.malformed.count > 0) {
    process.stderr.write(`faultline: warning: skipped ${i.malformed.count} malformed line(s); first:\n`);
    for (const e of i.malformed.examples) process.stderr.write(`  ${e}\n`);
  }
}

/** Writes to --out atomically, or to stdout. */
export function emit(out: string | undefined, text: string): Outcome {
  if (out) {
    writeFileAtomic(out, text);
    process.stderr.write(`faultline: wrote ${out}\n`);
  } else {
    process.stdout.write(text);
  }
  return OK;
}

interface ReplayArgs extends TraceArgs {
  policy: string;
  frames: string;
  jobs?: number;
}

export const replayCommand: FaultlineCommand<ReplayArgs> = {
  command: 'replay <trace>',
  describe: 'Replay a page-reference trace through replacement policies at several sizes',
  builder: (y) =>
    traceOptions(y)
      .option('policy', {
        type: 'string',
        default: 'lru',
        describe: 'Policies, comma-separated (lru,clock:bits=2,arc)',
      })
      .option('frames', {
        type: 'string',
        default: '1%,5%,10%,25%,50%',
        describe: 'Sizes in frames or % of distinct pages (rounded down, at least 1)',
      })
      .option('jobs', {
        type: 'number',
        describe: 'Threads for the (policy, size) replays; the trace is read once and shared (default: every core)',
      }) as unknown as Argv<ReplayArgs>,
  handler: async (argv) => {
    const policies = canonicalPolicies(parsePolicyNames(argv.policy));
    const frames = parseFrameList(argv.frames);
    const ram = argv.ram === undefined ? undefined : { frames: parseRam(argv.ram, argv['page-size']), given: argv.ram };
    const target = argv.target === undefined ? undefined : parseTarget(argv.target);
    const jobs = argv.jobs;
    if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1 && jobs <= 64)) {
      throw new InputError(`--jobs must be a whole number of threads in 1..64, got ${jobs}`);
    }
    const opts = { warmup: argv.warmup, seed: argv.seed, threads: jobs };
    const options = toTraceOptions(argv);
    // An uncompressed file is replayed while it is read (engine/replay.ts).
    const bound = streamableReferences(argv.trace, options);
    const streamable = bound && canReplayWhileReading(policies, frames, bound.exact) ? bound.references : undefined;
    let trace: Trace;
    let rows: ReplayRow[];
    if (streamable === undefined) {
      trace = await readTraceForCli(argv);
      rows = await replayTrace(trace, policies, frames, opts);
    } else {
      ({ trace, rows } = await replayWhileReading(argv.trace, options, streamable, policies, frames, opts));
      describeTrace(argv, trace);
    }
    const result: TraceResult = {
      schema: TRACE_RESULT_SCHEMA,
      command: 'replay',
      trace: trace.info,
      warmup: argv.warmup,
      rows,
      curves: [],
    };
    if (ram) result.ram = ram;
    if (target !== undefined) result.target = target;
    switch (argv.format) {
      case 'json':
        return emit(argv.out, `${stableStringify(result)}\n`);
      case 'csv':
        return emit(argv.out, rowsCsv(rows));
      case 'html': {
        // The page also shows the exact LRU curve with RAM and the target: one O(N log N)
        // pass, spent only for the format that shows it.
        result.curves = computeCurves(trace, {
          policies: ['lru'],
          warmup: argv.warmup,
          ...(target === undefined ? {} : { target }),
          ...(ram ? { alsoFrames: [ram.frames] } : {}),
        });
        // vega is loaded only for HTML: it would double the start-up time of every other format.
        const { renderTraceHtml } = await import('../../report/trace/html.js');
        return emit(argv.out, await renderTraceHtml(result));
      }
      default:
        return emit(argv.out, rowsTable(rows));
    }
  },
};
