/**
 * Speed of two or more built checkouts of faultline against each other, for "within N % of
 * before" criteria on a shared machine:
 *
 *   npx tsx bench/ab.ts [--rounds 16] [--reps 2] [--variants 0|all|0,13,26,39] [--engine]
 *                       [--cli [--jobs 2]] before=/path/to/checkout after=/path/to/checkout …
 *
 * Each checkout must be built (`npm ci && npm run build`); its own dist/ is loaded. Every round
 * runs each checkout once, each in a fresh process, in an order rotated (and reversed every
 * other round) so that no checkout always runs first or while the machine is busiest. A process
 * replays the bundled incident scenario's listed variants (`simulateHost`) once untimed, then
 * `reps` times timed and keeps its fastest; with `--engine` it instead runs the listed variants
 * of bench/engine.ts's 48 (the incident sweep × seeds 42–44) once through `runBatch` on one
 * worker, as `npm run bench -- --only engine` does. With `--cli` each checkout instead runs the
 * whole incident sweep as a user does (`node dist/cli/main.js run <incident> -j <jobs> -q`, from
 * the checkout's folder into a fresh temporary folder), timed from outside with the CPU of the
 * process and its worker threads; its result.json files must be byte-identical to the first
 * checkout's in the same round (a speed change must not change results). Reported per checkout against the first:
 * the median over rounds of the ratio in the same round (with IQR and range, the spread), and
 * the fastest against the fastest, for wall time and for process CPU time (user + system, every
 * thread), which other work on the machine inflates less than wall time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';

const SCENARIO = 'scenarios/incident-spark-120g-on-64g.yaml';
const SEEDS = [42, 43, 44];

interface Timing {
  wallMs: number;
  cpuMs: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '16' },
    reps: { type: 'string', default: '2' },
    variants: { type: 'string', default: '0' },
    engine: { type: 'boolean', default: false },
    cli: { type: 'boolean', default: false },
    jobs: { type: 'string', default: '2' },
    child: { type: 'string' },
  },
});

const mod = (root: string, path: string) => import(pathToFileURL(`${root}/dist/${path}`).href);

/** One measuring process: the fastest of `reps` timed runs (after one untimed) in checkout `root`. */
async function child(root: string): Promise<Timing> {
  const { loadScenarioText } = await mod(root, 'scenario/load.js');
  const file = `${root}/${SCENARIO}`;
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (values.engine) doc.setIn(['sweep', 'matrix', 'seed'], doc.createNode(SEEDS));
  const all = loadScenarioText(String(doc), file).variants as { scenario: unknown }[];
  const picked = values.variants === 'all' ? all : values.variants.split(',').map((i) => all[Number(i)]!);
  const once = async (): Promise<Timing> => {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    if (values.engine) {
      const { runBatch } = await mod(root, 'engine/batch.js');
      const results = (await runBatch(picked, { jobs: 1 })) as { status: string }[];
      if (results.some((r) => r.status === 'failed')) throw new Error(`a variant failed in ${root}`);
    } else {
      const { simulateHost } = await mod(root, 'kernel/simulate.js');
      for (const v of picked) simulateHost(v.scenario);
    }
    const c = process.cpuUsage(c0);
    return { wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (c.user + c.system) / 1e3 };
  };
  // The engine's sweep is long enough on its own; a warm-up would only double it.
  if (values.engine) return once();
  await once();
  let best: Timing = { wallMs: Number.POSITIVE_INFINITY, cpuMs: Number.POSITIVE_INFINITY };
  for (let r = 0; r < Number(values.reps); r++) {
    const t = await once();
    best = { wallMs: Math.min(best.wallMs, t.wallMs), cpuMs: Math.min(best.cpuMs, t.cpuMs) };
  }
  return best;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.round(q * (s.length - 1))]!;
};

/** User + system CPU of this process's waited-for children, ms (Linux: /proc/self/stat cutime + cstime). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command name: state is field 3, cutime 16 and cstime 17 (proc(5)), in clock ticks.
  const ticks = Number(fields[16 - 3]) + Number(fields[17 - 3]);
  return (ticks * 1000) / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
}

/** The incident sweep through checkout `root`'s CLI into `out`; its result.json files by relative path. */
function cliSweep(root: string, out: string): { timing: Timing; results: Map<string, Buffer> } {
  const c0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  // --no-exit-code: the incident as written fails its checks (exit 1), which is its point.
  execFileSync(
    process.execPath,
    ['dist/cli/main.js', 'run', SCENARIO, '-j', values.jobs, '-q', '--no-exit-code', '--out', out],
    {
      cwd: root,
      stdio: 'ignore',
    },
  );
  const timing = { wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: childrenCpuMs() - c0 };
  const results = new Map<string, Buffer>();
  for (const f of readdirSync(out, { recursive: true }) as string[]) {
    if (f.endsWith('result.json')) results.set(f, readFileSync(join(out, f)));
  }
  rmSync(out, { recursive: true, force: true });
  return { timing, results };
}

if (values.child) {
  process.stdout.write(`${JSON.stringify(await child(values.child))}\n`);
} else {
  const builds = positionals.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new Error(`expected label=/path/to/checkout, got ${arg}`);
    return { label: arg.slice(0, eq), root: arg.slice(eq + 1) };
  });
  if (builds.length < 2) throw new Error('give at least two checkouts: before=… after=…');
  const self = fileURLToPath(import.meta.url);
  const passOn = ['--reps', values.reps, '--variants', values.variants, ...(values.engine ? ['--engine'] : [])];
  const times = builds.map(() => [] as Timing[]);
  const loads: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    const order = builds.map((_, i) => (i + round) % builds.length);
    if (round % 2) order.reverse();
    const sweeps: (Map<string, Buffer> | undefined)[] = [];
    for (const i of order) {
      if (values.cli) {
        const { timing, results } = cliSweep(builds[i]!.root, mkdtempSync(join(tmpdir(), 'faultline-ab-')));
        times[i]!.push(timing);
        sweeps[i] = results;
        continue;
      }
      const out = execFileSync(process.execPath, [...process.execArgv, self, ...passOn, '--child', builds[i]!.root], {
        encoding: 'utf8',
      });
      times[i]!.push(JSON.parse(out) as Timing);
    }
    if (values.cli) {
      const first = sweeps[0]!;
      for (let i = 1; i < builds.length; i++) {
        const other = sweeps[i]!;
        const differ = [...first.keys()].filter((f) => !other.get(f)?.equals(first.get(f)!));
        if (differ.length > 0 || other.size !== first.size)
          throw new Error(`${builds[i]!.label}: result.json differs from ${builds[0]!.label}'s: ${differ.join(', ')}`);
      }
      process.stderr.write(`round ${round}: ${first.size} result.json files byte-identical across checkouts\n`);
    }
    loads.push(loadavg()[0]!);
    const line = builds.map(
      (b, i) => `${b.label} ${times[i]!.at(-1)!.wallMs.toFixed(0)}/${times[i]!.at(-1)!.cpuMs.toFixed(0)}`,
    );
    process.stderr.write(`round ${round}: ${line.join('  ')} ms wall/cpu, load ${loads.at(-1)!.toFixed(1)}\n`);
  }
  process.stdout.write(
    `${values.rounds} rounds; ${
      values.cli
        ? `the CLI's incident sweep on ${values.jobs} workers, results byte-identical`
        : `${values.engine ? 'runBatch, 1 worker' : `simulateHost, fastest of ${values.reps} after a warm-up`}; variants ${values.variants}`
    }\n`,
  );
  for (const key of ['wallMs', 'cpuMs'] as const) {
    for (let i = 1; i < builds.length; i++) {
      const ratios = times[i]!.map((t, r) => t[key] / times[0]![r]![key]);
      const fastest = Math.min(...times[i]!.map((t) => t[key])) / Math.min(...times[0]!.map((t) => t[key]));
      process.stdout.write(
        `${key}: ${builds[i]!.label}/${builds[0]!.label} median ${median(ratios).toFixed(3)} ` +
          `(IQR ${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}, ` +
          `range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}), fastest vs fastest ${fastest.toFixed(3)}\n`,
      );
    }
    const summary = builds.map((b, i) => `${b.label} ${median(times[i]!.map((t) => t[key])).toFixed(0)}`);
    process.stdout.write(`${key} medians: ${summary.join(', ')}\n`);
  }
  process.stdout.write(
    `load average (1 min) during the rounds: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}\n`,
  );
}
