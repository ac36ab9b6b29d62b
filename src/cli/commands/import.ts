import { readFileSync } from 'node:fs';
import { parseTimeLine } from '../../traces/telemetry/common.js';
import { importTelemetry, parseKind, TELEMETRY_KINDS, tableToCsv } from '../../traces/telemetry/index.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { InputError } from '../../util/errors.js';
import { type FaultlineCommand, OK } from '../outcome.js';

interface ImportArgs {
  kind: string;
  file: string;
  out?: string;
  lenient: boolean;
  start?: string;
  interval?: number;
  unit?: string;
  'keep-first': boolean;
}

/** How many skipped line numbers stderr lists before it only counts. */
const LISTED_LINES = 5;

export const importCommand: FaultlineCommand<ImportArgs> = {
  command: 'import <kind> <file>',
  describe: `Turn post-mortem telemetry (${TELEMETRY_KINDS.join(', ')}) into a normalised CSV (docs/import.md)`,
  builder: (y) =>
    y
      .positional('kind', { type: 'string', demandOption: true, describe: TELEMETRY_KINDS.join(' | ') })
      .positional('file', { type: 'string', demandOption: true, describe: 'The tool output as captured' })
      .option('out', { type: 'string', describe: 'Write the CSV here (atomically) instead of stdout' })
      .option('lenient', {
        type: 'boolean',
        default: false,
        describe: 'Skip malformed lines (counted on stderr) instead of stopping at the first',
      })
      .option('start', { type: 'string', describe: 'ISO 8601 time of the first sample (needed by vmstat without -t)' })
      .option('interval', { type: 'number', describe: 'Seconds between samples, for vmstat without -t' })
      .option('unit', { type: 'string', describe: "vmstat's -S unit letter if it ran with one (b B k K m M)" })
      .option('keep-first', {
        type: 'boolean',
        default: false,
        describe: "Keep vmstat's first line (it ran with -y, so that line is no since-boot average)",
      }),
  handler: (argv) => {
    const kind = parseKind(argv.kind);
    let startMs: number | undefined;
    if (argv.start !== undefined) {
      const t = parseTimeLine(argv.start);
      if (!t || 'error' in t) throw new InputError(`--start '${argv.start}' is not an ISO 8601 time`);
      startMs = t.ms;
    }
    if (argv.interval !== undefined && !(argv.interval > 0))
      throw new InputError('--interval must be a positive number of seconds');
    let text: string;
    try {
      text = readFileSync(argv.file, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read ${argv.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const { table, skippedLines, notes } = importTelemetry(kind, text, {
      file: argv.file,
      lenient: argv.lenient,
      startMs,
      intervalSec: argv.interval,
      vmstatUnit: argv.unit,
      keepFirst: argv['keep-first'],
    });
    for (const note of notes) process.stderr.write(`faultline: note: ${note}\n`);
    if (skippedLines.length > 0) {
      const shown = skippedLines.slice(0, LISTED_LINES).join(', ');
      const more = skippedLines.length > LISTED_LINES ? `, ... (${skippedLines.length - LISTED_LINES} more)` : '';
      process.stderr.write(
        `faultline: warning: skipped ${skippedLines.length} malformed line(s) in ${argv.file}: line ${shown}${more}\n`,
      );
    }
    const csv = tableToCsv(table);
    if (argv.out) {
      writeFileAtomic(argv.out, csv);
      process.stderr.write(
        `faultline: wrote ${table.timeMs.length} rows × ${table.columns.length} series to ${argv.out}\n`,
      );
    } else {
      process.stdout.write(csv);
    }
    return OK;
  },
};
