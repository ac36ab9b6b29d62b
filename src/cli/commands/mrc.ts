import type { Argv } from 'yargs';
import { computeCurves, type MrcRequest } from '../../analysis/mrc-run.js';
import { parseFrameList, parseRam, parseTarget } from '../../analysis/mrc-sizes.js';
import { canonicalPolicies, parsePolicyNames } from '../../engine/replay.js';
import { curvesCsv, curvesTable } from '../../report/trace/text.js';
import { TRACE_RESULT_SCHEMA, type TraceResult } from '../../result/trace.js';
import { InputError } from '../../util/errors.js';
import { stableStringify } from '../../util/stable-json.js';
import type { FaultlineCommand } from '../outcome.js';
import { emit, readTraceForCli, type TraceArgs, traceOptions } from './replay.js';

interface MrcArgs extends TraceArgs {
  policy: string;
  frames?: string;
  points: number;
  'shards-rate'?: number;
  'shards-size'?: number;
}

export const mrcCommand: FaultlineCommand<MrcArgs> = {
  command: 'mrc <trace>',
  describe: 'Miss-ratio curve of a trace: exact LRU in one pass, SHARDS sampling, or other policies per size',
  builder: (y) =>
    traceOptions(y)
      .option('policy', {
        type: 'string',
        default: 'lru',
        describe: 'lru uses stack distances (every size at once); others are simulated per size',
      })
      .option('frames', { type: 'string', describe: 'Sizes to report, in frames or % (default: --points sizes)' })
      .option('points', { type: 'number', default: 200, describe: 'Evenly spaced sizes on the LRU curve' })
      .option('shards-rate', { type: 'number', describe: 'LRU by SHARDS at this fixed sampling rate (e.g. 0.01)' })
      .option('shards-size', { type: 'number', describe: 'LRU by SHARDS tracking at most this many pages' })
      .conflicts('shards-rate', 'shards-size') as unknown as Argv<MrcArgs>,
  handler: async (argv) => {
    const policies = canonicalPolicies(parsePolicyNames(argv.policy));
    const frames = argv.frames === undefined ? undefined : parseFrameList(argv.frames);
    const rate = argv['shards-rate'];
    const size = argv['shards-size'];
    if (rate !== undefined && !(rate > 0 && rate <= 1))
      throw new InputError(`--shards-rate must be in (0, 1], got ${rate}`);
    if (size !== undefined && !(Number.isInteger(size) && size >= 1)) {
      throw new InputError(`--shards-size must be a whole number of pages ≥ 1, got ${size}`);
    }
    if (!(Number.isInteger(argv.points) && argv.points >= 1))
      throw new InputError(`--points must be ≥ 1, got ${argv.points}`);
    const ram = argv.ram === undefined ? undefined : { frames: parseRam(argv.ram, argv['page-size']), given: argv.ram };
    const target = argv.target === undefined ? undefined : parseTarget(argv.target);
    if ((rate !== undefined || size !== undefined) && policies.some((p) => p.split(':')[0] !== 'lru')) {
      process.stderr.write('faultline: note: SHARDS applies to lru only; the other policies are simulated exactly\n');
    }
    const trace = await readTraceForCli(argv);
    const req: MrcRequest = { policies, points: argv.points, warmup: argv.warmup, seed: argv.seed };
    if (frames) req.frames = frames;
    if (rate !== undefined) req.shards = { rate };
    else if (size !== undefined) req.shards = { maxPages: size };
    if (target !== undefined) req.target = target;
    if (ram) req.alsoFrames = [ram.frames];
    const result: TraceResult = {
      schema: TRACE_RESULT_SCHEMA,
      command: 'mrc',
      trace: trace.info,
      warmup: argv.warmup,
      rows: [],
      curves: computeCurves(trace, req),
    };
    if (ram) result.ram = ram;
    if (target !== undefined) result.target = target;
    switch (argv.format) {
      case 'json':
        return emit(argv.out, `${stableStringify(result)}\n`);
      case 'csv':
        return emit(argv.out, curvesCsv(result));
      case 'html': {
        // vega is loaded only for HTML: it would double the start-up time of every other format.
        const { renderTraceHtml } = await import('../../report/trace/html.js');
        return emit(argv.out, await renderTraceHtml(result));
      }
      default:
        return emit(argv.out, curvesTable(result));
    }
  },
};
