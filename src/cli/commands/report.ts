import { rerenderReports } from '../../report/rerender.js';
import { type FaultlineCommand, OK } from '../outcome.js';

interface ReportArgs {
  'results-dir': string;
  out?: string;
  interactive: boolean;
  'heatmap-metric'?: string;
}

/** Re-renders every output (HTML, CSV, Markdown, JUnit) from result.json files, without re-running. */
export const reportCommand: FaultlineCommand<ReportArgs> = {
  command: 'report <results-dir>',
  describe: 'Re-render reports from the result.json files of earlier runs',
  builder: (y) =>
    y
      .positional('results-dir', {
        type: 'string',
        demandOption: true,
        describe: 'Folder a run wrote (with manifest.json)',
      })
      .option('out', { type: 'string', describe: 'Write here instead of into <results-dir>' })
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
    const out = argv.out ?? argv['results-dir'];
    const summary = await rerenderReports(argv['results-dir'], out, {
      interactive: argv.interactive,
      ...(argv['heatmap-metric'] === undefined ? {} : { heatmapMetric: argv['heatmap-metric'] }),
      generatedAt: new Date().toISOString(),
    });
    for (const m of summary.missing)
      process.stderr.write(`faultline: warning: ${m} is missing; its variant is listed but not re-rendered\n`);
    process.stdout.write(
      `Re-rendered ${summary.variants} variant${summary.variants === 1 ? '' : 's'} in ${summary.sets.length} run set${summary.sets.length === 1 ? '' : 's'}; open ${out}/index.html\n`,
    );
    return OK;
  },
};
