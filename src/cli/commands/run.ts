import { relative, resolve } from 'node:path';
import { passesChecks } from '../../analysis/checks.js';
import { parseShard, runBatch, selectShard } from '../../engine/batch.js';
import { defaultJobs } from '../../engine/pool.js';
import { buildManifest, scenarioDir, variantDir } from '../../engine/run-set.js';
import { variantBackLinks, writeIndex, writeRunOutputs, writeRunSet } from '../../report/index.js';
import type { RunResult } from '../../result/types.js';
import { loadScenarioFile } from '../../scenario/load.js';
import type { Variant } from '../../scenario/types.js';
import { type Diagnostic, DiagnosticsError, InputError } from '../../util/errors.js';
import { parseDuration } from '../../util/units.js';
import { reportEndOfRun } from '../end-of-run.js';
import { batchOutcome, type FaultlineCommand } from '../outcome.js';
import { ensureWritableDir } from '../paths.js';
import { createProgress } from '../progress.js';

interface RunArgs {
  scenario: string[];
  out: string;
  jobs: number;
  shard?: string;
  variant?: string[];
  quiet: boolean;
  exitCode: boolean;
  interactive: boolean;
  fidelity?: 'exact' | 'sampled';
  sampleRate?: number;
  timeout?: string;
}

export const runCommand: FaultlineCommand<RunArgs> = {
  command: 'run <scenario...>',
  describe: 'Replay scenarios (every variant of their sweeps) and write results and reports',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', array: true, demandOption: true, describe: 'Scenario YAML files' })
      .option('out', {
        type: 'string',
        default: 'reports',
        describe: 'Output folder (index.html, one folder per scenario)',
      })
      .option('jobs', { alias: 'j', type: 'number', default: defaultJobs(), describe: 'Variants run in parallel' })
      .option('shard', { type: 'string', describe: 'Run only shard K of N (K/N, 1-based), for CI matrices' })
      .option('variant', { type: 'string', array: true, describe: 'Run only these variant ids' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' })
      .option('exit-code', {
        type: 'boolean',
        default: true,
        describe: 'Exit 1 when an expect: check at level error fails (--no-exit-code to report only)',
      })
      .option('interactive', { type: 'boolean', default: false, describe: 'Inline vega bundles for tooltips and zoom' })
      .option('fidelity', { choices: ['exact', 'sampled'] as const, describe: 'Override the scenario fidelity' })
      .option('sample-rate', { type: 'number', describe: 'Page sample rate for --fidelity sampled (0 < r ≤ 1)' })
      .option('timeout', { type: 'string', describe: 'Per-variant wall-time limit, e.g. 5m' }) as never,
  handler: async (argv) => {
    const shard = argv.shard === undefined ? undefined : parseShard(argv.shard);
    if (argv.shard !== undefined && !shard)
      throw new InputError(`--shard: expected K/N with 1 ≤ K ≤ N, got "${argv.shard}"`);
    const timeoutMs = argv.timeout === undefined ? undefined : parseDuration(argv.timeout);
    if (argv.timeout !== undefined && (timeoutMs === undefined || timeoutMs <= 0)) {
      throw new InputError(`--timeout: expected a duration such as 90s or 5m, got "${argv.timeout}"`);
    }
    if (!Number.isInteger(argv.jobs) || argv.jobs < 1)
      throw new InputError(`--jobs: expected a whole number ≥ 1, got ${argv.jobs}`);
    if (argv.sampleRate !== undefined && !(argv.sampleRate > 0 && argv.sampleRate <= 1)) {
      throw new InputError(`--sample-rate: expected 0 < r ≤ 1, got ${argv.sampleRate}`);
    }

    // Every input problem of every file first, before any work starts.
    const diagnostics: Diagnostic[] = [];
    const loaded: { file: string; variants: Variant[] }[] = [];
    for (const file of argv.scenario) {
      try {
        loaded.push({ file, variants: loadScenarioFile(file).variants });
      } catch (err) {
        if (err instanceof DiagnosticsError) diagnostics.push(...err.diagnostics);
        else throw err;
      }
    }
    if (diagnostics.some((d) => d.level === 'error')) throw new DiagnosticsError(diagnostics);

    let all = loaded.flatMap((l) => l.variants);
    if (argv.variant?.length) {
      const wanted = new Set(argv.variant);
      const known = new Set(all.map((v) => v.id));
      const unknown = [...wanted].filter((id) => !known.has(id));
      if (unknown.length) {
        throw new InputError(
          `--variant: no variant ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${[...known].join(', ')}`,
        );
      }
      all = all.filter((v) => wanted.has(v.id));
    }
    const chosen = shard ? selectShard(all, shard) : all;
    if (shard && chosen.length === 0)
      process.stdout.write(
        `shard ${shard.index}/${shard.count}: no variants (the ${all.length} of the sweep went to the other shards); writing an empty result set\n`,
      );

    const outDir = resolve(argv.out);
    ensureWritableDir(outDir);

    const progress = createProgress({ quiet: argv.quiet });
    progress.start(chosen.length);
    const fidelity = argv.fidelity
      ? { mode: argv.fidelity, ...(argv.sampleRate !== undefined ? { sampleRate: argv.sampleRate } : {}) }
      : undefined;
    const writes: Promise<void>[] = [];
    let writeError: unknown;
    const sweptScenarios = new Set(
      chosen.map((v) => v.scenario.name).filter((name, _i, names) => names.indexOf(name) !== names.lastIndexOf(name)),
    );
    const results = await runBatch(chosen, {
      jobs: argv.jobs,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      run: fidelity ? { fidelity } : {},
      onResult: (v, r) => {
        // Written as soon as it finishes, so an interrupted sweep leaves valid results.
        // Caught at once (an unhandled rejection would end the process mid-sweep), rethrown after the batch.
        writes.push(
          writeRunOutputs(variantDir(outDir, v), r, {
            interactive: argv.interactive,
            backLinks: variantBackLinks(
              relative(scenarioDir(outDir, v.scenario.name), variantDir(outDir, v)),
              v.scenario.name,
              sweptScenarios.has(v.scenario.name),
            ),
          }).catch((err: unknown) => {
            writeError ??= err;
          }),
        );
        progress.done(`${v.scenario.name}/${v.id}`, r);
      },
    });
    await Promise.all(writes);
    progress.finish();
    if (writeError !== undefined) throw writeError;

    const byScenario = new Map<string, { variants: Variant[]; results: RunResult[]; orders: number[] }>();
    const orderOf = new Map<Variant, number>();
    for (const l of loaded) {
      l.variants.forEach((v, i) => {
        orderOf.set(v, i);
      });
    }
    // A shard gets a folder for every scenario, even one with no variant in it, so an empty shard is explicit.
    if (shard)
      for (const l of loaded) byScenario.set(l.variants[0]!.scenario.name, { variants: [], results: [], orders: [] });
    chosen.forEach((v, i) => {
      const group = byScenario.get(v.scenario.name) ?? { variants: [], results: [], orders: [] };
      group.variants.push(v);
      group.results.push(results[i] as RunResult);
      group.orders.push(orderOf.get(v) as number);
      byScenario.set(v.scenario.name, group);
    });
    for (const [name, g] of byScenario) {
      const dir = scenarioDir(outDir, name);
      const manifest = buildManifest(outDir, g.variants, g.results, g.orders, new Date());
      if (shard) manifest.shard = { ...shard, sweepVariants: all.length };
      await writeRunSet(dir, manifest, g.results, {
        interactive: argv.interactive,
        variantsWritten: true,
      });
    }
    const indexPath = writeIndex(outDir);

    reportEndOfRun(results, indexPath, 'faultline run');

    return batchOutcome(
      results.some((r) => r.status === 'failed'),
      results.some((r) => !passesChecks(r.checks)),
      argv.exitCode,
    );
  },
};
