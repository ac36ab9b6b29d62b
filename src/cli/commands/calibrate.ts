import { calibrate } from '../../probe/calibrate.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { InputError } from '../../util/errors.js';
import { parseSize } from '../../util/units.js';
import { type FaultlineCommand, OK } from '../outcome.js';

interface CalibrateArgs {
  out?: string;
  size: string;
  limit: string;
  runs: number;
}

export const calibrateCommand: FaultlineCommand<CalibrateArgs> = {
  command: 'calibrate',
  describe: "Measure this host's minor-fault cost and swap-in latency; print a host: preset for scenarios",
  builder: (y) =>
    y
      .option('out', { type: 'string', describe: 'Write the YAML preset here instead of stdout' })
      .option('size', { type: 'string', default: '256Mi', describe: 'Memory each probe touches' })
      .option('limit', {
        type: 'string',
        default: '64Mi',
        describe: 'Memory cgroup limit of the swap-in probe (below --size)',
      })
      .option('runs', { type: 'number', default: 3, describe: 'Repetitions of each probe' }) as never,
  handler: async (argv) => {
    const sizeBytes = parseSize(argv.size);
    const limitBytes = parseSize(argv.limit);
    if (!sizeBytes || sizeBytes < 4 * 2 ** 20)
      throw new InputError(`--size '${argv.size}': expected a size of 4Mi or more`);
    if (!limitBytes) throw new InputError(`--limit '${argv.limit}': expected a size such as 64Mi`);
    if (!(argv.runs >= 1)) throw new InputError('--runs must be at least 1');
    const result = await calibrate({
      sizeBytes,
      limitBytes,
      minorRuns: argv.runs,
      swapRuns: argv.runs,
      log: (line) => process.stderr.write(`calibrate: ${line}\n`),
    });
    if (argv.out) {
      writeFileAtomic(argv.out, result.preset);
      process.stderr.write(`calibrate: wrote ${argv.out}\n`);
    } else {
      process.stdout.write(result.preset);
    }
    return OK;
  },
};
