import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { openOutputFolder, owningOutputFolder } from '../../engine/run-set.js';
import { rerenderReports } from '../../report/rerender.js';
import { InputError } from '../../util/errors.js';
import { type FaultlineCommand, OK } from '../outcome.js';

interface ReportArgs {
  'results-dir': string;
  out?: string;
  interactive: boolean;
  'heatmap-metric'?: string;
}

/** Re-renders every output (HTML, CSV, Markdown, JUnit) of the run sets in a folder, without re-running. */
export const reportCommand: FaultlineCommand<ReportArgs> = {
  command: 'report <results-dir>',
  describe: 'Re-render reports from the result.json files of earlier runs',
  builder: (y) =>
    y
      .positional('results-dir', {
        type: 'string',
        demandOption: true,
        describe: 'A folder a run wrote (--out), or one run set in it (a folder with manifest.json)',
      })
      .option('out', { type: 'string', describe: 'Write here (a new or empty folder) instead of in place' })
      .option('interactive', {
        type: 'boolean',
        default: false,
        describe: 'Inline the vega bundles for zoomable live charts (about 0.8 MB more per page)',
      })
      .option('heatmap-metric', {
        type: 'string',
        describe:
          'Figure of the sweep heatmap: p99:<process>, faultCpuPctMax, faultCpuPctAvg, majorFaultsPerSecMax, oomKills',
      }),
  handler: async (argv) => {
    const from = resolve(argv['results-dir']);
    if (!existsSync(from) || !statSync(from).isDirectory())
      throw new InputError(`${argv['results-dir']}: no such folder (give the folder a run wrote, e.g. reports/)`);
    const to = argv.out === undefined ? from : resolve(argv.out);
    // The lock of the folder that owns what is rewritten: a run writing there meanwhile is refused, and so is this.
    const folder =
      argv.out === undefined
        ? openOutputFolder(owningOutputFolder(from), 'faultline report')
        : openOutputFolder(to, 'faultline report', [], { mustBeNew: true });
    try {
      for (const note of folder.notes) process.stderr.write(`faultline: note: ${note}\n`);
      const summary = await rerenderReports(from, to, {
        interactive: argv.interactive,
        ...(argv['heatmap-metric'] === undefined ? {} : { heatmapMetric: argv['heatmap-metric'] }),
      });
      for (const m of summary.missing)
        process.stderr.write(`faultline: warning: ${m} is missing; its variant is listed but not re-rendered\n`);
      process.stdout.write(
        `Re-rendered ${summary.variants} variant${summary.variants === 1 ? '' : 's'} in ${summary.sets.length} run set${summary.sets.length === 1 ? '' : 's'}; open ${argv.out ?? argv['results-dir']}/index.html\n`,
      );
    } finally {
      folder.release();
    }
    return OK;
  },
};
