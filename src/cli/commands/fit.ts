import { basename, join } from 'node:path';
import { fitScenario, fittedScenarioText, parseObservedArg, renderFitHtml } from '../../engine/fit.js';
import { defaultJobs } from '../../engine/pool.js';
import { serializeResult } from '../../result/serialize.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { stableStringify } from '../../util/stable-json.js';
import { type FaultlineCommand, OK } from '../outcome.js';
import { ensureWritableDir } from '../paths.js';

interface FitArgs {
  scenario: string;
  observed?: string[];
  vary?: string[];
  metric?: string[];
  budget: number;
  jobs: number;
  out?: string;
  quiet: boolean;
}

export const fitCommand: FaultlineCommand<FitArgs> = {
  command: 'fit <scenario>',
  describe: 'Fit unknown scenario fields to observed telemetry (docs/postmortem.md)',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
      .option('observed', {
        type: 'string',
        array: true,
        describe: 'kind:file[@offset] (kinds as faultline import, or csv); replaces the scenario observed: section',
      })
      .option('vary', {
        type: 'string',
        array: true,
        describe:
          "field path=low..high, e.g. processes.db.memory.anon=8Gi..24Gi (same unit at both ends); replaces the scenario's fit: section",
      })
      .option('metric', {
        type: 'string',
        array: true,
        describe: 'Host metrics in the objective (default: all compared)',
      })
      .option('budget', { type: 'number', default: 40, describe: 'Most simulation runs' })
      .option('jobs', { alias: 'j', type: 'number', default: defaultJobs(), describe: 'Runs in parallel' })
      .option('out', { type: 'string', describe: 'Output folder (default fit-<scenario name>)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' }) as never,
  handler: async (argv) => {
    const out = argv.out ?? `fit-${basename(argv.scenario).replace(/\.ya?ml$/, '')}`;
    ensureWritableDir(out);
    const observed = argv.observed?.map(parseObservedArg);
    const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : '∞');
    const outcome = await fitScenario(argv.scenario, {
      vary: argv.vary ?? [],
      ...(observed ? { observed } : {}),
      ...(argv.metric ? { metrics: argv.metric } : {}),
      budget: argv.budget,
      jobs: argv.jobs,
      onRun: argv.quiet
        ? undefined
        : (done, budget, objective, best) =>
            process.stderr.write(`fit: run ${done}/${budget} objective ${fmt(objective)} best ${fmt(best)}\n`),
    });
    const fittedFile = join(out, 'fitted.yaml');
    writeFileAtomic(fittedFile, fittedScenarioText(outcome, argv.scenario, fittedFile, observed));
    writeFileAtomic(join(out, 'fit.json'), stableStringify(outcome.report));
    writeFileAtomic(join(out, 'result.json'), serializeResult(outcome.best));
    writeFileAtomic(join(out, 'fit.html'), await renderFitHtml(outcome.report, outcome.best));
    for (const p of outcome.report.parameters) process.stdout.write(`${p.path} = ${p.value} (start ${p.start})\n`);
    for (const e of outcome.report.best.errors) {
      const mape = e.mapePct === null ? 'n/a' : `${e.mapePct.toFixed(1)}%`;
      process.stdout.write(
        `  ${e.metric}: MAE ${e.maeValue.toPrecision(4)}, MAPE ${mape}, normalised ${e.normalisedError.toFixed(3)}\n`,
      );
    }
    process.stdout.write(
      `objective ${fmt(outcome.report.best.objective ?? Number.POSITIVE_INFINITY)} after ${outcome.report.runs} runs; wrote ${fittedFile}, fit.json, fit.html, result.json in ${out}\n`,
    );
    return OK;
  },
};
