import { dirname, resolve } from 'node:path';
import { diffResultSets } from '../../analysis/diff.js';
import { readResults } from '../../engine/merge.js';
import { type DiffFormat, diffHeadline, renderDiff, renderDiffMarkdown } from '../../report/diff/index.js';
import { parseDiffReport, serializeDiffReport } from '../../result/diff.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { InputError } from '../../util/errors.js';
import { checkOutcome, type FaultlineCommand } from '../outcome.js';
import { ensureWritableDir } from '../paths.js';
import { appendStepSummary } from '../step-summary.js';

interface DiffArgs {
  baseline: string;
  candidate: string;
  tolerance: string;
  format: DiffFormat;
  out?: string;
  exitCode: boolean;
}

/** `5%` or `5` → 5 (percent). */
export function parseTolerance(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

export const diffCommand: FaultlineCommand<DiffArgs> = {
  command: 'diff <baseline> <candidate>',
  describe: 'Compare two result sets metric by metric; exit 1 on a regression',
  builder: (y) =>
    y
      .positional('baseline', { type: 'string', demandOption: true, describe: 'Output folder or result.json' })
      .positional('candidate', { type: 'string', demandOption: true, describe: 'Output folder or result.json' })
      .option('tolerance', {
        type: 'string',
        default: '5%',
        describe: 'Relative change below which a figure counts as unchanged (absolute floors also apply)',
      })
      .option('format', { choices: ['md', 'html', 'json'] as const, default: 'md' as const, describe: 'Output format' })
      .option('out', { type: 'string', describe: 'Write the comparison to this file instead of stdout' })
      .option('exit-code', {
        type: 'boolean',
        default: true,
        describe: 'Exit 1 on a regression (--no-exit-code to report only)',
      }) as never,
  handler: (argv) => {
    const tolerancePct = parseTolerance(argv.tolerance);
    if (tolerancePct === undefined) {
      throw new InputError(`--tolerance: expected a percentage such as 5%, got "${argv.tolerance}"`);
    }
    const outPath = argv.out === undefined ? undefined : resolve(argv.out);
    if (outPath !== undefined) ensureWritableDir(dirname(outPath));

    // Through the contract's own serialisation: every rendering below is a function of what --format json writes.
    const report = parseDiffReport(
      serializeDiffReport(
        diffResultSets(
          { label: argv.baseline, results: readResults(argv.baseline) },
          { label: argv.candidate, results: readResults(argv.candidate) },
          tolerancePct,
        ),
      ),
    );
    if (report.variants.length === 0) {
      throw new InputError(`diff: ${argv.baseline} and ${argv.candidate} have no variant in common`);
    }
    const text = renderDiff(report, argv.format);
    if (outPath === undefined) process.stdout.write(text);
    else {
      writeFileAtomic(outPath, text);
      process.stdout.write(`faultline diff: ${diffHeadline(report)}\nwritten: ${argv.out}\n`);
    }
    appendStepSummary(renderDiffMarkdown(report));
    return checkOutcome(report.regressions > 0, argv.exitCode);
  },
};
