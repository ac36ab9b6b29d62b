import { parseTimeLine } from '../../traces/telemetry/common.js';
import {
  eventsToCsv,
  importEventsFile,
  importTelemetryFile,
  isEventKind,
  parseKind,
  TELEMETRY_KINDS,
  tableToCsv,
} from '../../traces/telemetry/index.js';
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
  boot?: string;
  'keep-first': boolean;
}

/** How many skipped line numbers stderr lists before it only counts. */
const LISTED_LINES = 5;

function timeOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = parseTimeLine(value);
  if (!t || 'error' in t) throw new InputError(`--${name} '${value}' is not an ISO 8601 time or epoch seconds`);
  return t.ms;
}

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
      .option('start', {
        type: 'string',
        describe: 'ISO 8601 time of the first sample (vmstat without -t, ps without time lines)',
      })
      .option('interval', { type: 'number', describe: 'Seconds between samples, for vmstat without -t and ps' })
      .option('unit', { type: 'string', describe: "vmstat's -S unit letter if it ran with one (b B k K m M)" })
      .option('boot', {
        type: 'string',
        describe: 'Boot time (ISO 8601 or epoch seconds: btime in /proc/stat) for dmesg [seconds] stamps',
      })
      .option('keep-first', {
        type: 'boolean',
        default: false,
        describe: "Keep vmstat's first line (it ran with -y, so that line is no since-boot average)",
      }),
  handler: (argv) => {
    const kind = parseKind(argv.kind);
    const startMs = timeOption('start', argv.start);
    const bootMs = timeOption('boot', argv.boot);
    if (argv.interval !== undefined && !(argv.interval > 0))
      throw new InputError('--interval must be a positive number of seconds');
    const opts = {
      file: argv.file,
      lenient: argv.lenient,
      startMs,
      bootMs,
      intervalSec: argv.interval,
      vmstatUnit: argv.unit,
      keepFirst: argv['keep-first'],
    };
    let csv: string;
    let what: string;
    let skippedLines: number[];
    if (isEventKind(kind)) {
      const r = importEventsFile(kind, argv.file, opts);
      for (const note of r.notes) process.stderr.write(`faultline: note: ${note}\n`);
      csv = eventsToCsv(r.events);
      what = `${r.events.length} events`;
      skippedLines = r.skippedLines;
    } else {
      const r = importTelemetryFile(kind, argv.file, opts);
      for (const note of r.notes) process.stderr.write(`faultline: note: ${note}\n`);
      if (r.constant.length > 0) {
        process.stderr.write(
          `faultline: warning: ${r.constant.length} series never change in ${argv.file} (frozen or constant; overlays and fits leave them out): ${r.constant.join(', ')}\n`,
        );
      }
      csv = tableToCsv(r.table);
      what = `${r.table.timeMs.length} rows × ${r.table.columns.length} series`;
      skippedLines = r.skippedLines;
    }
    if (skippedLines.length > 0) {
      const shown = skippedLines.slice(0, LISTED_LINES).join(', ');
      const more = skippedLines.length > LISTED_LINES ? `, ... (${skippedLines.length - LISTED_LINES} more)` : '';
      process.stderr.write(
        `faultline: warning: skipped ${skippedLines.length} malformed line(s) in ${argv.file}: line ${shown}${more}\n`,
      );
    }
    if (argv.out) {
      writeFileAtomic(argv.out, csv);
      process.stderr.write(`faultline: wrote ${what} to ${argv.out}\n`);
    } else {
      process.stdout.write(csv);
    }
    return OK;
  },
};
