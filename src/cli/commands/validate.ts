import type { Argv } from 'yargs';
import { DEFAULT_LIMITS, formatEstimate, wallMs } from '../../engine/cost.js';
import { defaultJobs } from '../../engine/pool.js';
import { type Diagnostic, DiagnosticsError, formatDiagnostic } from '../../util/errors.js';
import { type FaultlineCommand, OK } from '../outcome.js';
import { checkWallTime, costLine, planScenarioFiles, WORK_LIMIT_OPTIONS, workLimitOptions } from '../plan.js';

interface ValidateArgs {
  files: string[];
  maxVariants?: number;
  allowLarge: boolean;
}

export const validateCommand: FaultlineCommand<ValidateArgs> = {
  command: 'validate <files...>',
  describe: 'Check scenario files without running them: every problem, with file:line:col, and what a run would cost',
  builder: (y) =>
    y
      .positional('files', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Scenario YAML files',
      })
      .options(WORK_LIMIT_OPTIONS) as unknown as Argv<ValidateArgs>,
  handler: (argv) => {
    // Every file is checked before failing, so one run shows all problems of all files.
    const opts = { ...workLimitOptions(argv), jobs: defaultJobs() };
    const plan = planScenarioFiles(argv.files, opts);
    for (const w of plan.warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
    const tooLong: Diagnostic[] = [];
    const limitMs = opts.limits?.maxWallMs ?? DEFAULT_LIMITS.maxWallMs;
    for (const f of plan.files) {
      if (!opts.allowLarge && wallMs(f.costs, opts.jobs) > limitMs)
        tooLong.push({
          level: 'error',
          pos: { file: f.file, line: 1, col: 1 },
          message: `a run would take ${costLine(f, opts.jobs)}, more than the limit of ${formatEstimate(limitMs)}`,
          hint: 'narrow the sweep or shorten the scenario, run it in shards (--shard K/N), or pass --allow-large',
        });
      else process.stdout.write(`ok ${f.file} (${costLine(f, opts.jobs)})\n`);
    }
    const errors = [...plan.errors, ...tooLong];
    if (errors.length > 0) throw new DiagnosticsError(errors);
    // Files that `faultline run` would take together add up.
    checkWallTime(
      plan.files.flatMap((f) => f.costs),
      opts,
    );
    return OK;
  },
};
