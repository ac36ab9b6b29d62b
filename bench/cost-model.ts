/**
 * Re-measures the cost model of src/engine/cost.ts (`COST_MODEL`): replays a fixed set of
 * scenarios in this process, timing (in CPU time) the simulation (what a worker does) and the
 * rendering of the variant's outputs (what the main thread does, one variant at a time), and fits
 * each by least squares on the terms the estimate uses. Prints the measurements, the fitted
 * coefficients and the estimate's error per scenario.
 *
 *   npx tsx bench/cost-model.ts [--repeat 2]
 *
 * Minutes of CPU; run it on an otherwise idle machine (the load average is printed).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { COST_MODEL, variantCost } from '../src/engine/cost.js';
import { runVariant } from '../src/engine/run-variant.js';
import { writeRunOutputs } from '../src/report/write.js';
import { loadScenarioText } from '../src/scenario/load.js';

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '2' } } });
const repeat = Number(values.repeat);

interface Shape {
  duration: string;
  step?: string;
  ram?: string;
  procs?: number;
  anon?: string;
  tps?: number;
  growth?: string;
  tick?: string;
}

/** A synthetic scenario that stresses one term: ticks, tasks per tick, touches, or result values. */
function synthetic(name: string, s: Shape): string {
  const lines = [
    `name: ${name}`,
    `duration: ${s.duration}`,
    `step: ${s.step ?? '1s'}`,
    'host:',
    `  ram: ${s.ram ?? '4Gi'}`,
    '  cpus: 8',
    '  swap: { size: 8Gi, device: ssd }',
    ...(s.tick ? [`  kernel: { tick: ${s.tick} }`] : []),
    'processes:',
  ];
  for (let i = 0; i < (s.procs ?? 1); i++) {
    const growth = s.growth ? `, anonInitial: 64Mi, growthPerSec: ${s.growth}` : '';
    lines.push(
      `  p${i}:`,
      `    memory: { anon: ${s.anon ?? '512Mi'}${growth} }`,
      `    touchesPerSec: ${s.tps ?? 10000}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const ROOT = new URL('..', import.meta.url).pathname;
const cases: [string, string][] = [
  ['idle-3000s', synthetic('idle-3000s', { duration: '3000s', tps: 10 })],
  ['idle-3000s-10p', synthetic('idle-3000s-10p', { duration: '3000s', tps: 10, procs: 10, anon: '64Mi' })],
  ['idle-2000s-step100ms', synthetic('idle-2000s-step100ms', { duration: '2000s', step: '100ms', tps: 10 })],
  ['idle-20000s', synthetic('idle-20000s', { duration: '20000s', tps: 10, tick: '1s' })],
  ['idle-tick10ms', synthetic('idle-tick10ms', { duration: '600s', tick: '10ms', tps: 10 })],
  ['touch-1e7', synthetic('touch-1e7', { duration: '100s', tps: 100000 })],
  ['press-1e6', synthetic('press-1e6', { duration: '100s', tps: 10000, ram: '1Gi', anon: '2Gi' })],
  ['press-5e6', synthetic('press-5e6', { duration: '100s', tps: 50000, ram: '1Gi', anon: '2Gi' })],
  ['press-grow', synthetic('press-grow', { duration: '100s', tps: 50000, ram: '1Gi', anon: '3Gi', growth: '64Mi' })],
  ...[
    'scenarios/incident-spark-120g-on-64g.yaml',
    'scenarios/k8s-node-requests-limits.yaml',
    'scenarios/leak-to-oom-kill.yaml',
    'scenarios/page-cache-vs-batch.yaml',
    'scenarios/zram-laptop.yaml',
    'test/engine/fixtures/tiny-sweep.yaml',
  ].map((f): [string, string] => [f, readFileSync(join(ROOT, f), 'utf8')]),
];

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Least squares by the normal equations (a handful of terms: Gaussian elimination is enough). */
function leastSquares(rows: number[][], y: number[]): number[] {
  const k = rows[0]?.length ?? 0;
  const a = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k + 1 }, (_, j) =>
      rows.reduce((s, r, n) => s + (r[i] as number) * (j < k ? (r[j] as number) : (y[n] as number)), 0),
    ),
  );
  for (let i = 0; i < k; i++) {
    const p = a[i] as number[];
    for (let r = i + 1; r < k; r++) {
      const row = a[r] as number[];
      const f = (row[i] as number) / (p[i] as number);
      for (let j = i; j <= k; j++) row[j] = (row[j] as number) - f * (p[j] as number);
    }
  }
  const x = new Array<number>(k).fill(0);
  for (let i = k - 1; i >= 0; i--) {
    const row = a[i] as number[];
    let s = row[k] as number;
    for (let j = i + 1; j < k; j++) s -= (row[j] as number) * (x[j] as number);
    x[i] = s / (row[i] as number);
  }
  return x;
}

const tmp = mkdtempSync(join(tmpdir(), 'fl-cost-'));
const load = loadavg()[0] ?? 0;
const simRows: number[][] = [];
const simY: number[] = [];
const renderRows: number[][] = [];
const renderY: number[] = [];
const seen: { name: string; simMs: number; renderMs: number; estimateMs: number }[] = [];
try {
  // The first replay of a process pays for compiling the simulator: a warm-up run, not measured.
  const warm = loadScenarioText(cases[cases.length - 1]?.[1] ?? '', 'warm-up').variants[0];
  if (warm) await writeRunOutputs(join(tmp, 'warm'), runVariant(warm));
  for (const [name, text] of cases) {
    const variant = loadScenarioText(text, name).variants[0];
    if (!variant) continue;
    const c = variantCost(variant.scenario);
    const tasks = variant.scenario.processes.length + variant.scenario.cgroups.length;
    let simMs = Number.POSITIVE_INFINITY;
    let renderMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < repeat; i++) {
      // CPU time of this process, not wall time: other work on a shared machine takes turns on the
      // cores, which stretches wall time but not the CPU time the work itself needs.
      const t0 = cpuMs();
      const r = runVariant(variant);
      const t1 = cpuMs();
      await writeRunOutputs(join(tmp, `${i}`), r);
      const t2 = cpuMs();
      // The fastest of the repeats: other work on the machine only ever adds time.
      simMs = Math.min(simMs, t1 - t0);
      renderMs = Math.min(renderMs, t2 - t1);
    }
    simRows.push([c.ticks, c.ticks * tasks, c.simulatedTouches, c.simulatedPages]);
    simY.push(simMs);
    renderRows.push([1, c.resultValues]);
    renderY.push(renderMs);
    seen.push({ name, simMs, renderMs, estimateMs: c.simulateMs + c.renderMs });
    console.log(
      `${name.padEnd(45)} ticks ${String(c.ticks).padStart(7)}  tasks ${tasks}  touches ${Math.round(c.simulatedTouches).toString().padStart(9)}  values ${String(c.resultValues).padStart(8)}  sim ${simMs.toFixed(0).padStart(6)} ms  render ${renderMs.toFixed(0).padStart(5)} ms`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const [tickMs, tickTaskMs, touchMs, pageMs] = leastSquares(simRows, simY) as [number, number, number, number];
const [renderStartMs, valueMs] = leastSquares(renderRows, renderY) as [number, number];
console.log(`\nload average before: ${load.toFixed(2)}, after: ${(loadavg()[0] ?? 0).toFixed(2)}`);
console.log(
  `fitted: tickMs ${tickMs.toPrecision(3)}, tickTaskMs ${tickTaskMs.toPrecision(3)}, touchMs ${touchMs.toPrecision(3)}, pageMs ${pageMs.toPrecision(3)}; ` +
    `renderMs ${renderStartMs.toPrecision(3)} + valueMs ${valueMs.toPrecision(3)} per value`,
);
console.log(`in use:  ${JSON.stringify(COST_MODEL)}`);
for (const s of seen) {
  const measured = s.simMs + s.renderMs;
  console.log(
    `${s.name.padEnd(45)} measured ${measured.toFixed(0).padStart(6)} ms  estimated ${s.estimateMs.toFixed(0).padStart(6)} ms  (${((s.estimateMs / measured - 1) * 100).toFixed(0)}%)`,
  );
}
