import { basename, join } from 'node:path';
import { fitScenario, fittedScenarioText, parseObservedArg } from '../../engine/fit.js';
import { type Shape, shapesOf } from '../../engine/observed.js';
import { defaultJobs } from '../../engine/pool.js';
import { renderFitHtml } from '../../report/fit/html.js';
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
  profile: boolean;
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
          "field path=low..high, e.g. processes.db.memory.anon=256Mi..1Gi; replaces the scenario's fit: section",
      })
      .option('metric', {
        type: 'string',
        array: true,
        describe:
          'Terms of the objective: a host metric, cgroups.<path>.<metric>, processes.<name>.<metric> or oom (default: all compared but free memory and minor faults)',
      })
      .option('budget', {
        type: 'number',
        default: 150,
        describe: 'Most simulation runs of the search (a hard cap; it ends on convergence first)',
      })
      .option('profile', {
        type: 'boolean',
        default: true,
        describe: 'After the search, profile each parameter and find pairs that trade off (--no-profile skips it)',
      })
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
      profile: argv.profile,
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
    const r = outcome.report;
    for (const p of r.parameters) {
      const profile = p.profile
        ? `, within ${r.identifiability.tolerancePct}%: ${p.profile.openLow ? '<=' : ''}${p.profile.low}..${p.profile.high}${p.profile.openHigh ? '+' : ''}`
        : '';
      process.stdout.write(`${p.path} = ${p.value} (start ${p.start} from ${p.startFrom}${profile})\n`);
    }
    for (const t of r.best.terms) {
      const mape = t.mapePct === null ? 'n/a' : `${t.mapePct.toFixed(1)}%`;
      const out = r.objective.terms.includes(t.name) ? '' : ' (not in the objective)';
      process.stdout.write(`  ${t.name}: MAPE ${mape}, normalised ${t.normalisedError.toFixed(3)}${out}\n`);
    }
    if (r.best.oom) {
      const kills = (k: { timeMs: number; process: string }[]) =>
        k.map((x) => `${x.process} at ${(x.timeMs / 1000).toFixed(0)} s`).join(', ') || 'none';
      process.stdout.write(
        `  OOM kills: observed ${kills(r.best.oom.observed)}; fitted ${kills(r.best.oom.simulated)}\n`,
      );
    }
    const shapes = shapesOf(outcome.best);
    if (shapes.length > 0) {
      process.stdout.write('shape, fitted / observed (5 s means; docs/postmortem.md, "Shape"):\n');
      for (const s of shapes) process.stdout.write(`  ${shapeLine(s.metric, s.simulated, s.observed)}\n`);
    }
    process.stdout.write(`identifiability: ${r.identifiability.note}\n`);
    process.stdout.write(
      `objective ${fmt(r.best.objective ?? Number.POSITIVE_INFINITY)} after ${r.runs} runs (${r.stoppedBecause}); wrote ${fittedFile}, fit.json, fit.html, result.json in ${out}\n`,
    );
    return OK;
  },
};

const level = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
const off = (a: number | null, b: number | null) =>
  a === null || b === null || b === 0 ? '' : ` (${a >= b ? '+' : '−'}${Math.abs((a / b - 1) * 100).toFixed(0)} %)`;

/** One line of the shape comparison: onset, peak and steady level, fitted against observed. */
function shapeLine(metric: string, sim: Shape, obs: Shape): string {
  const at = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(0)} s`);
  const lv = (x: number | null) => (x === null ? 'n/a' : level(x));
  return `${metric}: onset ${at(sim.onsetMs)} / ${at(obs.onsetMs)}, peak ${lv(sim.peak)} / ${lv(obs.peak)}${off(sim.peak, obs.peak)}, steady ${lv(sim.steady)} / ${lv(obs.steady)}${off(sim.steady, obs.steady)}`;
}
