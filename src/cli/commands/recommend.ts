import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { runBatch } from '../../engine/batch.js';
import { defaultJobs } from '../../engine/pool.js';
import { gridCount, recommend, sizeGrid } from '../../engine/recommend.js';
import { formatValue } from '../../report/format.js';
import { slug } from '../../report/paths.js';
import { recommendHeadline, renderRecommendHtml } from '../../report/recommend/html.js';
import { parseRecommendation, serializeRecommendation } from '../../result/recommend.js';
import type { CheckResult } from '../../result/types.js';
import { loadScenarioFile, loadScenarioText } from '../../scenario/load.js';
import type { Variant } from '../../scenario/types.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { DiagnosticsError, InputError } from '../../util/errors.js';
import { formatBytes, parseDuration, parseSize } from '../../util/units.js';
import { checkOutcome, type FaultlineCommand } from '../outcome.js';
import { ensureWritableDir } from '../paths.js';

interface RecommendArgs {
  scenario: string;
  vary: string;
  range: string;
  step?: string;
  variant?: string;
  out: string;
  jobs: number;
  timeout?: string;
  quiet: boolean;
}

/** A size the scenario schema reads back exactly: the largest binary unit that divides it. */
export function exactSize(bytes: number): string {
  for (const [unit, mult] of [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (bytes % mult === 0) return `${bytes / mult}${unit}`;
  }
  return `${bytes}B`;
}

function observed(c: CheckResult): string {
  return c.observed === null ? 'no value' : formatValue(c.observed, c.unit);
}

/** `8Gi..64Gi` → bytes. */
export function parseRange(text: string): { low: number; high: number } | undefined {
  const m = /^(.+?)\.\.(.+)$/.exec(text.trim());
  const low = m ? parseSize(m[1] as string) : undefined;
  const high = m ? parseSize(m[2] as string) : undefined;
  return low !== undefined && high !== undefined && high > low ? { low, high } : undefined;
}

/**
 * The scenario at one size of the varied field, through the loader's own sweep machinery
 * (path resolution, validation, defaults): a one-point sweep that pins the chosen
 * variant's swept values and sets the field.
 */
function variantMaker(file: string, base: Variant, field: string): (bytes: number) => Variant {
  const text = readFileSync(file, 'utf8');
  return (bytes) => {
    const doc = parseDocument(text);
    const matrix: Record<string, unknown[]> = {};
    for (const [k, v] of Object.entries(base.params)) matrix[k] = [v];
    matrix[field] = [exactSize(bytes)];
    doc.set('sweep', doc.createNode({ matrix }));
    const variants = loadScenarioText(String(doc), file).variants;
    if (variants.length !== 1) throw new Error(`expected one variant at ${field} = ${bytes}, got ${variants.length}`);
    return variants[0] as Variant;
  };
}

export const recommendCommand: FaultlineCommand<RecommendArgs> = {
  command: 'recommend <scenario>',
  describe: 'Find the smallest size of one field (RAM, memory.max, memory.high, swap) for which every check passes',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
      .option('vary', {
        type: 'string',
        demandOption: true,
        describe: 'Field path to size, as in a sweep: host.ram, cgroups.<name>.memory.max, host.swap.size, …',
      })
      .option('range', {
        type: 'string',
        demandOption: true,
        describe: 'Sizes to search, low..high (e.g. 16Gi..128Gi)',
      })
      .option('step', { type: 'string', describe: 'Resolution (a size); default 1% of the range, page-aligned' })
      .option('variant', { type: 'string', describe: 'Start from this variant of the scenario’s sweep' })
      .option('out', { type: 'string', default: 'reports', describe: 'Folder for recommend-<scenario>.html and .json' })
      .option('jobs', {
        alias: 'j',
        type: 'number',
        default: defaultJobs(),
        describe: 'Probes run in parallel per round',
      })
      .option('timeout', { type: 'string', describe: 'Per-probe wall-time limit, e.g. 5m' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' }) as never,
  handler: async (argv) => {
    const range = parseRange(argv.range);
    if (!range)
      throw new InputError(
        `--range: expected low..high with sizes, low < high (e.g. 16Gi..128Gi), got "${argv.range}"`,
      );
    const step = argv.step === undefined ? undefined : parseSize(argv.step);
    if (argv.step !== undefined && !(step !== undefined && step > 0)) {
      throw new InputError(`--step: expected a size such as 256Mi, got "${argv.step}"`);
    }
    if (!Number.isInteger(argv.jobs) || argv.jobs < 1)
      throw new InputError(`--jobs: expected a whole number ≥ 1, got ${argv.jobs}`);
    const timeoutMs = argv.timeout === undefined ? undefined : parseDuration(argv.timeout);
    if (argv.timeout !== undefined && !(timeoutMs !== undefined && timeoutMs > 0)) {
      throw new InputError(`--timeout: expected a duration such as 90s or 5m, got "${argv.timeout}"`);
    }

    const { variants } = loadScenarioFile(argv.scenario);
    let base: Variant;
    if (argv.variant !== undefined) {
      const found = variants.find((v) => v.id === argv.variant);
      if (!found)
        throw new InputError(`--variant: no variant "${argv.variant}"; known: ${variants.map((v) => v.id).join(', ')}`);
      base = found;
    } else if (variants.length === 1) base = variants[0] as Variant;
    else
      throw new InputError(
        `the scenario sweeps ${variants.length} variants: name one with --variant (${variants.map((v) => v.id).join(', ')})`,
      );
    if (!base.scenario.expect.some((e) => e.level === 'error')) {
      throw new InputError(
        `${argv.scenario}: no expect: check at level error, so every size passes; add the checks to meet`,
      );
    }

    const pageSize = base.scenario.host.pageSizeBytes;
    let grid: ReturnType<typeof sizeGrid>;
    try {
      grid = sizeGrid(range.low, range.high, pageSize, step);
    } catch (err) {
      throw new InputError(`--range: ${(err as Error).message}`);
    }
    const variantAt = variantMaker(argv.scenario, base, argv.vary);
    // A bad path or a value the field cannot take fails here, before any simulation.
    let low: Variant;
    let high: Variant;
    try {
      low = variantAt(grid.low);
      high = variantAt(grid.high);
    } catch (err) {
      if (!(err instanceof DiagnosticsError)) throw err;
      throw new InputError(
        `--vary ${argv.vary}: ${err.diagnostics.map((d) => `${d.path ? `${d.path}: ` : ''}${d.message}`).join('; ')}`,
      );
    }
    // JSON (not stableStringify): a scenario holds Infinity for unlimited values.
    if (JSON.stringify(low.scenario) === JSON.stringify(high.scenario)) {
      throw new InputError(
        `--vary ${argv.vary}: changing it from ${formatBytes(grid.low)} to ${formatBytes(grid.high)} changes nothing in the scenario`,
      );
    }

    const outDir = resolve(argv.out);
    ensureWritableDir(outDir);
    const name = slug(base.scenario.name);
    const log = (s: string) => {
      if (!argv.quiet) process.stderr.write(s);
    };
    log(
      `searching ${gridCount(grid)} sizes of ${argv.vary} (${formatBytes(grid.low)}..${formatBytes(grid.high)}, step ${formatBytes(grid.step)}), ${argv.jobs} probe(s) per round\n`,
    );

    const rec = await recommend({
      scenario: base.scenario.name,
      variantId: base.id,
      field: argv.vary,
      grid,
      jobs: argv.jobs,
      variantAt,
      runVariants: (vs) => runBatch(vs, { jobs: argv.jobs, ...(timeoutMs !== undefined ? { timeoutMs } : {}) }),
      onProbe: (p) => {
        const failed = p.checks.filter((c) => !c.passed && c.level === 'error').map((c) => c.source);
        log(`  ${formatBytes(p.value).padStart(10)}: ${p.passed ? 'passes' : `fails (${failed.join('; ')})`}\n`);
      },
    });

    const htmlPath = join(outDir, `recommend-${name}.html`);
    const json = serializeRecommendation(rec);
    writeFileAtomic(join(outDir, `recommend-${name}.json`), json);
    // The page is rendered from what the file holds, so the file alone is enough to render it again.
    writeFileAtomic(htmlPath, await renderRecommendHtml(parseRecommendation(json)));
    const out = process.stdout;
    out.write(`${recommendHeadline(rec)}\n`);
    const margin = rec.answer === null ? rec.atLower : rec.atAnswer;
    for (const c of margin.filter((k) => k.level === 'error')) {
      const lower = rec.answer === null ? undefined : rec.atLower.find((k) => k.source === c.source);
      out.write(
        `  ${c.passed ? '✓' : '✗'} ${c.source}  ${c.aggregation}=${observed(c)}${lower ? ` (${lower.aggregation}=${observed(lower)} at ${formatBytes(rec.lowerProbe as number)})` : ''}\n`,
      );
    }
    out.write(`report: ${relative(process.cwd(), htmlPath) || htmlPath}\n`);
    return checkOutcome(rec.answer === null);
  },
};
