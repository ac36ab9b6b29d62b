import { isAbsolute, join, relative, resolve } from 'node:path';
import { passesChecks } from '../../analysis/checks.js';
import { parseShard, runBatch, selectShard } from '../../engine/batch.js';
import type { VariantCost } from '../../engine/cost.js';
import { defaultJobs } from '../../engine/pool.js';
import { buildManifest, type OutputFolder, openOutputFolder, variantFolder } from '../../engine/run-set.js';
import { variantBackLinks, writeIndex, writeRunOutputs, writeRunSet } from '../../report/index.js';
import { MANIFEST_FILE } from '../../report/paths.js';
import { serializeManifest } from '../../result/serialize.js';
import type { RunResult, RunSetManifest } from '../../result/types.js';
import type { Variant } from '../../scenario/types.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { FaultlineError, InputError } from '../../util/errors.js';
import { parseDuration } from '../../util/units.js';
import { reportEndOfRun } from '../end-of-run.js';
import { abortOnSignals } from '../interrupt.js';
import { batchOutcome, type FaultlineCommand, type Outcome } from '../outcome.js';
import { checkWallTime, planOrThrow, WORK_LIMIT_OPTIONS, workLimitOptions } from '../plan.js';
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
  maxVariants?: number;
  allowLarge: boolean;
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
      .option('timeout', { type: 'string', describe: 'Per-variant wall-time limit, e.g. 5m' })
      .options(WORK_LIMIT_OPTIONS) as never,
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
    const planOptions = workLimitOptions(argv);

    // Every input problem of every file, and the cost of the work, before any work starts.
    const plan = planOrThrow(argv.scenario, { ...planOptions, oneRun: true });
    const costOf = new Map<Variant, VariantCost>();
    const orderOf = new Map<Variant, number>();
    for (const f of plan.files) {
      f.loaded.variants.forEach((v, i) => {
        orderOf.set(v, i);
        costOf.set(v, f.costs[i] as VariantCost);
      });
    }
    let all = plan.files.flatMap((f) => f.loaded.variants);
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
    const estimate = checkWallTime(
      chosen.map((v) => costOf.get(v) as VariantCost),
      planOptions,
    );
    // A shard gets a run set for every scenario, even one with no variant in it, so an empty shard is explicit.
    const names = shard
      ? plan.files.map((f) => f.loaded.scenario.name)
      : [...new Set(chosen.map((v) => v.scenario.name))];
    const shardInfo = shard ? { ...shard, sweepVariants: all.length } : undefined;

    const outDir = resolve(argv.out);
    const out = openOutputFolder(outDir, 'faultline run', names);
    const interrupt = abortOnSignals();
    try {
      for (const note of out.notes) process.stderr.write(`faultline: note: ${note}\n`);
      if (!argv.quiet) process.stderr.write(`faultline: ${estimate.text}\n`);
      return await runInto(out, names, chosen, orderOf, argv, { timeoutMs, shard: shardInfo }, interrupt.controller);
    } finally {
      interrupt.dispose();
      out.release();
    }
  },
};

/** Per scenario of a run: its variants and results so far, and where its run set is being written. */
interface ScenarioRun {
  staged: string;
  variants: Variant[];
  results: RunResult[];
  orders: number[];
  /** Variants whose files are all on disk, by position in `variants`. */
  finished: number[];
}

/**
 * Runs the chosen variants into the staged run sets of `out`, then moves each into place and writes
 * the index. A variant's files are written as soon as it finishes, with the run set's manifest
 * listing it, so an interrupted run leaves a partial run set that `faultline report` renders; a
 * write that fails (disk full) stops the run at once rather than after every variant has run.
 */
async function runInto(
  out: OutputFolder,
  names: readonly string[],
  chosen: Variant[],
  orderOf: Map<Variant, number>,
  argv: RunArgs,
  opts: { timeoutMs: number | undefined; shard: RunSetManifest['shard'] },
  stop: AbortController,
): Promise<Outcome> {
  const timeoutMs = opts.timeoutMs;
  const byScenario = new Map<string, ScenarioRun>(
    names.map((name) => [name, { staged: out.stage(name), variants: [], results: [], orders: [], finished: [] }]),
  );
  for (const v of chosen) {
    const g = byScenario.get(v.scenario.name) as ScenarioRun;
    g.variants.push(v);
    g.orders.push(orderOf.get(v) as number);
  }
  const slot = chosen.map((v) => byScenario.get(v.scenario.name)?.variants.indexOf(v) as number);

  const progress = createProgress({ quiet: argv.quiet });
  progress.start(chosen.length);
  const fidelity = argv.fidelity
    ? { mode: argv.fidelity, ...(argv.sampleRate !== undefined ? { sampleRate: argv.sampleRate } : {}) }
    : undefined;
  const writes: Promise<void>[] = [];
  let results: RunResult[];
  try {
    results = await runBatch(chosen, {
      jobs: argv.jobs,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      run: fidelity ? { fidelity } : {},
      signal: stop.signal,
      // By position: a trace-driven variant reaches here as its prepared copy, not the object chosen.
      onResult: (_prepared, r, k) => {
        const v = chosen[k] as Variant;
        const g = byScenario.get(v.scenario.name) as ScenarioRun;
        const i = slot[k] as number;
        g.results[i] = r;
        writes.push(
          writeRunOutputs(join(g.staged, variantFolder(v)), r, {
            interactive: argv.interactive,
            backLinks: variantBackLinks(variantFolder(v), v.scenario.name, g.variants.length > 1),
          })
            .then(() => {
              g.finished.push(i);
              writePartialManifest(g);
            })
            // The first failed write (disk full, folder removed) stops the run; it is rethrown below.
            .catch((err: unknown) => {
              if (!stop.signal.aborted) stop.abort(err);
            }),
        );
        progress.done(`${v.scenario.name}/${v.id}`, r);
      },
    });
    await Promise.all(writes);
    if (stop.signal.aborted) throw stop.signal.reason;
  } catch (err) {
    await Promise.all(writes);
    progress.finish();
    throw interrupted(err, byScenario, chosen.length, out.dir);
  }
  progress.finish();

  const at = new Date();
  for (const [name, g] of byScenario) {
    const manifest = buildManifest(g.variants, g.results, g.orders, at);
    if (opts.shard) manifest.shard = opts.shard;
    await writeRunSet(g.staged, manifest, g.results, { interactive: argv.interactive, variantsWritten: true });
    out.commit(name);
  }
  const indexPath = writeIndex(out.dir);

  reportEndOfRun(results, indexPath, 'faultline run');

  return batchOutcome(
    results.some((r) => r.status === 'failed'),
    results.some((r) => !passesChecks(r.checks)),
    argv.exitCode,
  );
}

/** The manifest of the variants finished so far, in sweep order. */
function writePartialManifest(g: ScenarioRun): void {
  const done = [...g.finished].sort((a, b) => (g.orders[a] as number) - (g.orders[b] as number));
  const manifest = buildManifest(
    done.map((i) => g.variants[i] as Variant),
    done.map((i) => g.results[i] as RunResult),
    done.map((i) => g.orders[i] as number),
    new Date(),
  );
  writeFileAtomic(join(g.staged, MANIFEST_FILE), serializeManifest(manifest));
}

/** An interrupt says what it leaves behind; any other error passes through. */
function interrupted(err: unknown, byScenario: Map<string, ScenarioRun>, total: number, outDir: string): unknown {
  if (!(err instanceof FaultlineError) || !err.message.startsWith('interrupted')) return err;
  const finished = [...byScenario.values()].reduce((n, g) => n + g.finished.length, 0);
  const where = [...byScenario.values()].filter((g) => g.finished.length > 0).map((g) => displayPath(g.staged));
  return new FaultlineError(
    `${err.message}: ${finished} of ${total} variants finished` +
      (where.length > 0
        ? `; their partial run set${where.length === 1 ? ' is' : 's are'} in ${where.join(', ')} (faultline report renders ${where.length === 1 ? 'it' : 'them'}); the run sets in ${displayPath(outDir)} are unchanged`
        : ''),
    err.exitCode,
  );
}

/** Relative to the working folder when inside it (short, clickable in most terminals), absolute otherwise. */
function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? p : rel;
}
