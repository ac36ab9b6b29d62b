import { resolve } from 'node:path';
import { passesChecks } from '../../analysis/checks.js';
import { checkMergeTarget, mergedManifest, planMerge } from '../../engine/merge.js';
import { openOutputFolder, scenarioDir } from '../../engine/run-set.js';
import { writeIndex, writeRunSet } from '../../report/index.js';
import { reportEndOfRun } from '../end-of-run.js';
import { batchOutcome, type FaultlineCommand } from '../outcome.js';

interface MergeArgs {
  dirs: string[];
  out: string;
  interactive: boolean;
  exitCode: boolean;
}

export const mergeCommand: FaultlineCommand<MergeArgs> = {
  command: 'merge <dirs...>',
  describe: 'Join the output folders of shards (run --shard K/N) into one result set',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'Shard output folders' })
      .option('out', { type: 'string', demandOption: true, describe: 'Folder for the merged result set' })
      .option('interactive', {
        type: 'boolean',
        default: false,
        describe: 'Inline vega bundles for tooltips and zoom (as run --interactive)',
      })
      .option('exit-code', {
        type: 'boolean',
        default: true,
        describe: 'Exit 1 when an expect: check at level error failed in any variant, as run does',
      }) as never,
  handler: async (argv) => {
    // Every consistency check reads the shards only: nothing is written unless they all pass.
    const plan = planMerge(argv.dirs);
    const outDir = resolve(argv.out);
    const dirOf = (name: string) => scenarioDir(outDir, name);
    checkMergeTarget(plan, outDir, dirOf);
    const out = openOutputFolder(
      outDir,
      'faultline merge',
      plan.scenarios.map((s) => s.name),
    );
    let indexPath: string;
    try {
      for (const note of out.notes) process.stderr.write(`faultline: note: ${note}\n`);
      const at = new Date();
      // Variant folders are rendered from the shards' results, exactly as the end of a single run renders them.
      for (const s of plan.scenarios) {
        await writeRunSet(out.stage(s.name), mergedManifest(plan, s, at), s.results, { interactive: argv.interactive });
        out.commit(s.name);
      }
      indexPath = writeIndex(outDir);
    } finally {
      out.release();
    }
    for (const g of plan.gaps) {
      process.stderr.write(
        `faultline: warning: ${g.scenario}: no shard holds sweep position${g.orders.length === 1 ? '' : 's'} ${g.orders.join(', ')}; is a shard missing?\n`,
      );
    }
    const results = plan.scenarios.flatMap((s) => s.results);
    process.stdout.write(
      `merged ${results.length} variants of ${plan.scenarios.length} scenario${plan.scenarios.length === 1 ? '' : 's'} from ${argv.dirs.length} folders${results.length === 0 ? ' (every shard was empty)' : ''}\n`,
    );
    reportEndOfRun(results, indexPath, 'faultline merge');
    return batchOutcome(
      results.some((r) => r.status === 'failed'),
      results.some((r) => !passesChecks(r.checks)),
      argv.exitCode,
    );
  },
};
