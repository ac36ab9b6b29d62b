/**
 * The real-kernel matrix's comparison (docs/validation.md): a pure function from a family's
 * fixture (what the kernel did, families.ts) and the model to a table of compared cells, regime
 * checks and variant orders. Each case becomes the scenario a user would write for it today
 * (YAML text, loaded through the normal loader) and is replayed by `simulateHost`; cells the
 * scenario language cannot express yet are listed with the field they need, never estimated.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulateHost } from '../kernel/simulate.js';
import type { RunResult } from '../result/types.js';
import { loadScenarioText } from '../scenario/load.js';
import { defaultReclaimCosts, type ReclaimCosts, swapInReadUs } from './calibrate.js';
import type {
  AnonParams,
  FamilyFixture,
  KernelCase,
  LeakParams,
  ReaderParams,
  ServiceSpec,
  SiblingsParams,
  Spread,
} from './fixture.js';
import { spreadOf } from './fixture.js';

const MIB = 2 ** 20;

export interface Cell {
  case: string;
  metric: string;
  kernel: Spread | undefined;
  model: number | null;
  /** (model − kernel median) / |kernel median|; null when either is missing or the median is 0. */
  relErr: number | null;
  /** `agree`, `disagree`, or `not expressible yet: needs <field>`. */
  verdict: string;
}

export interface RegimeCheck {
  check: string;
  kernel: string;
  model: string;
  holds: boolean;
}

export interface FamilyTable {
  family: string;
  title: string;
  cells: Cell[];
  regimes: RegimeCheck[];
}

/** Relative tolerance of a cell (or the kernel's own min–max, where that is wider). */
export const TOLERANCE = 0.25;

/** Absolute slack below which a difference is noise, by the metric's unit (its name's ending). */
export function absFloor(metric: string): number {
  if (/PerTouch$|PerPage$/.test(metric)) return 0.005;
  if (/PerSec$/.test(metric)) return metric.includes('major') || metric.includes('Major') ? 5 : 0;
  if (/Ms$/.test(metric)) return 0.05;
  if (/Sec$/.test(metric)) return 0.25;
  if (/MiB/.test(metric)) return 4;
  if (/Share/.test(metric)) return 0.05;
  if (/Pct|Avg10/.test(metric)) return 2;
  if (/PerMajor$/.test(metric)) return 0.05;
  return 0;
}

export function verdictOf(metric: string, kernel: Spread | undefined, model: number | null): string {
  if (!kernel || model === null || !Number.isFinite(model)) return 'disagree';
  const d = Math.abs(model - kernel.median);
  if (d <= Math.max(TOLERANCE * Math.abs(kernel.median), absFloor(metric))) return 'agree';
  return model >= kernel.min && model <= kernel.max ? 'agree' : 'disagree';
}

function cell(c: KernelCase, metric: string, model: number | null, needs?: string): Cell {
  const kernel = spreadOf(c.repeats.map((r) => r.metrics[metric]));
  if (needs)
    return { case: c.id, metric, kernel, model: null, relErr: null, verdict: `not expressible yet: needs ${needs}` };
  // Neither side reached the figure (e.g. never 16 MiB in swap): the same outcome.
  if (!kernel && model === null) return { case: c.id, metric, kernel, model: null, relErr: null, verdict: 'agree' };
  const relErr =
    kernel && model !== null && kernel.median !== 0 ? round((model - kernel.median) / Math.abs(kernel.median)) : null;
  return {
    case: c.id,
    metric,
    kernel,
    model: model === null ? null : round(model),
    relErr,
    verdict: verdictOf(metric, kernel, model),
  };
}

const round = (x: number) => Number(x.toPrecision(4));
/** A case id as a scenario name (lower-case letters, digits, `.`, `_`, `-`). */
const safe = (id: string) => id.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
const med = (c: KernelCase, metric: string) => spreadOf(c.repeats.map((r) => r.metrics[metric]))?.median;

// ---- the model's host: this machine ----

// The loader's reclaim costs, read once (each call loads a scenario) rather than once per case.
let reclaimCosts: ReclaimCosts | undefined;

/**
 * The lab's swap device: with the device calibration (O_DIRECT latencies, bandwidth and
 * parallelism of the swap file's disk, src/probe/device.ts), a custom device as
 * `faultline calibrate` writes it, the swap-in's time less its reclaim as read latency; fixtures recorded
 * before that calibration existed take the SSD preset with the calibrated read latency. The
 * disk's rotational flag decides swap readahead either way.
 */
function swapYaml(f: FamilyFixture): string {
  const cal = f.calibration;
  // The calibrated swap-in holds the reclaim its charge ran (one page written per page read at the
  // limit), which the model charges itself: the read is the rest (calibrate.ts swapInReadUs). The
  // lab's calibration does not record the scan per page freed (0.1 us x ~3 pages: 0.4 % of a swap-in).
  reclaimCosts ??= defaultReclaimCosts();
  const atLimit = { pagesOutPerSwapIn: 1, scannedPerReclaimed: 0 };
  const readUs = Number(swapInReadUs(cal.swapReadUs as number, atLimit, reclaimCosts).toPrecision(4));
  const rotational = `rotational: ${f.machine.swap.rotational}`;
  if (cal['device.iops'] === undefined) {
    return `  swap: { size: "${f.machine.swap.sizeBytes}", device: ssd, readLatency: ${readUs}us, ${rotational} }`;
  }
  // Fixtures recorded before the readahead bandwidth was measured read ahead at the sequential bandwidth.
  const readahead =
    cal['device.readaheadBps'] === undefined ? '' : `readaheadBandwidth: "${cal['device.readaheadBps']}", `;
  // Fixtures without the figure predate its measurement: per-request completions, as before it existed.
  const drain = cal['device.completesOnDrain'] === 1 ? ', completesOnDrain: true' : '';
  return (
    `  swap: { size: "${f.machine.swap.sizeBytes}", device: custom, readLatency: ${readUs}us, ` +
    `writeLatency: ${cal['device.writeLatencyUs']}us, iops: ${cal['device.iops']}, bandwidth: "${cal['device.bandwidthBps']}", ` +
    readahead +
    `queueDepth: ${cal['device.queueDepth']}, ${rotational}${drain} }`
  );
}

function hostYaml(f: FamilyFixture, tickMs: number, swappiness = f.machine.swappiness): string[] {
  const cal = f.calibration;
  return [
    'host:',
    `  ram: "${f.machine.ramBytes}"`,
    `  cpus: ${f.machine.cpus}`,
    '  thp: madvise',
    swapYaml(f),
    `  sysctl: { vm.swappiness: ${swappiness}, vm.page-cluster: ${f.machine.pageCluster}, vm.min_free_kbytes: ${f.machine.minFreeKbytes} }`,
    // The calibrated swap-in holds the fault's CPU (as `faultline calibrate` gives it): majorFault 0.
    // idleWakeRead: this VM's first 4 KiB read after a 2 ms sleep took 104–106 µs against 50–52 back to
    // back (an idle vCPU halts; docs/validation.md item 4), and the swap-in was timed back to back.
    `  costs: { minorFault: ${cal.minorFaultUs}us, majorFault: 0us, idleWakeRead: 54us }`,
    `  kernel: { tick: ${tickMs}ms }`,
  ];
}

/**
 * The probe's own memory besides its working set and the page tables the model counts
 * (`memory.fixed`): measured on the lab VM on 2026-12-06 (Linux 6.18; `probe anon --mib 64`,
 * each pattern, and `probe service` in an unlimited v1 cgroup; memory.stat rss and
 * memory.kmem.usage_in_bytes, 8 runs): 28-30 pages of stack and data plus 45-49 of kernel
 * memory, of which the set's last-level page tables (1/512 of it) are counted by the model:
 * 41-44 pages left. A zipf probe also holds its CDF table, a double per page of the set
 * (77-78 pages for 64 MiB). The committed fixtures were recorded before this was measured.
 */
function fixedYaml(pattern: string, setBytes: number): string {
  const pages = 42 + (pattern.startsWith('zipf') ? Math.ceil(setBytes / 4096 / 512) : 0);
  return `fixed: "${pages * 4096}"`;
}

function patternYaml(p: string): string {
  if (p === 'seq') return '{ pattern: scan }';
  if (p === 'uniform') return '{ pattern: uniform }';
  if (p.startsWith('zipf:')) return `{ pattern: zipf, alpha: ${p.slice(5)} }`;
  const [, frac, prob] = p.split(':');
  return `{ pattern: hotcold, hotFraction: ${frac}, hotProbability: ${prob} }`;
}

/** Cumulative counters of each process after every tick (the model's /proc/<pid>/stat). */
interface Trace {
  t: number[];
  procs: Record<
    string,
    { touches: number[]; major: number[]; minor: number[]; swapIn: number[]; fileIn: number[]; killedMs?: number }
  >;
}

/** Stops a replay once the trace has what the comparison needs. */
class Enough extends Error {}

function runModel(yaml: string, name: string, done?: (t: Trace) => boolean): { trace: Trace; result?: KernelOutput } {
  // FAULTLINE_MATRIX_YAML=<dir>: each case's scenario as written, to replay and inspect with faultline run.
  const dump = process.env.FAULTLINE_MATRIX_YAML;
  if (dump) writeFileSync(join(dump, `${safe(name)}.yaml`), yaml);
  const { scenario } = loadScenarioText(yaml, `${name.replace(/[^A-Za-z0-9._-]/g, '-')}.yaml`);
  const trace: Trace = { t: [], procs: {} };
  for (const p of scenario.processes)
    trace.procs[p.name] = { touches: [], major: [], minor: [], swapIn: [], fileIn: [] };
  try {
    const result = simulateHost(scenario, {
      onTick: (host, timeMs) => {
        trace.t.push(timeMs);
        for (const p of host.state.procs) {
          const s = trace.procs[p.cfg.name];
          if (!s) continue;
          s.touches.push(p.total.touches);
          s.major.push(p.total.major);
          s.minor.push(p.total.minor);
          s.swapIn.push(p.total.swapIn);
          s.fileIn.push(p.total.fileIn);
          if (p.killed && s.killedMs === undefined) s.killedMs = timeMs;
        }
        if (done?.(trace)) throw new Enough();
      },
    });
    return { trace, result };
  } catch (err) {
    if (err instanceof Enough) return { trace };
    throw err;
  }
}
type KernelOutput = Pick<RunResult, 'processes' | 'cgroups' | 'host' | 'events' | 'summary' | 'timeMs'>;

/** Linear interpolation of a cumulative counter at the tick where `touches` reaches `at`. */
function atTouches(
  s: Trace['procs'][string],
  t: number[],
  at: number,
  key: 'major' | 'minor' | 'swapIn' | 'time',
): number {
  const i = s.touches.findIndex((x) => x >= at);
  if (i < 0) return Number.NaN;
  const x1 = s.touches[i] as number;
  const x0 = i > 0 ? (s.touches[i - 1] as number) : 0;
  const f = x1 === x0 ? 1 : (at - x0) / (x1 - x0);
  const arr = key === 'time' ? t : s[key];
  const y1 = arr[i] as number;
  const y0 = i > 0 ? (arr[i - 1] as number) : key === 'time' ? y1 - (t[1] ?? 0) + (t[0] ?? 0) : 0;
  return y0 + f * (y1 - y0);
}

// ---- family a ----

/**
 * Where the OOM killer ended the probe, per limit: killed in every repeat, the model must kill;
 * in none, it must not; in some, either is inside the kernel's spread.
 */
export function killCheck(
  pattern: string,
  list: { ratio: number; killed: number; of: number; modelKilled: boolean }[],
): RegimeCheck {
  const kernelKills = list.filter((x) => x.killed > 0).map((x) => `${round(x.ratio)} (${x.killed} of ${x.of})`);
  const modelKills = list.filter((x) => x.modelKilled).map((x) => String(round(x.ratio)));
  return {
    check: `${pattern}: limit/WSS where the OOM killer ends the probe`,
    kernel: kernelKills.length > 0 ? kernelKills.join(', ') : 'none',
    model: modelKills.length > 0 ? modelKills.join(', ') : 'none',
    holds: list.every((x) => (x.killed === x.of ? x.modelKilled : x.killed === 0 ? !x.modelKilled : true)),
  };
}

/** The repeats the OOM killer did not end: a killed repeat has no steady state to compare. */
const survivors = (c: KernelCase): KernelCase => ({
  ...c,
  repeats: c.repeats.filter((r) => !((r.metrics.oomKills ?? 0) > 0)),
});

function familyA(f: FamilyFixture): FamilyTable {
  const cells: Cell[] = [];
  const regimes: RegimeCheck[] = [];
  type Point = {
    ratio: number;
    kernel: number | null;
    model: number | null;
    killed: number;
    of: number;
    modelKilled: boolean;
  };
  const byPattern = new Map<string, Point[]>();
  for (const c of f.cases as KernelCase<AnonParams>[]) {
    const p = c.params;
    if (p.limitBytes === null) continue; // the free runs give the touch rates
    const W = p.workingSetBytes / 4096;
    const alive = survivors(c);
    const killed = c.repeats.length - alive.repeats.length;
    // The kernel's steady phase is seconds long (hundreds of passes of a set that fits); its
    // figures are per touch, and the model's steady state is reached within a few passes.
    const steady = Math.min(med(alive, 'steadyTouches') ?? 4 * W, 8 * W);
    const end = 2 * W + steady;
    const rate = f.calibration[`touchesPerSec.${p.pattern}`] as number;
    const yaml = [
      `name: kernel-a-${safe(c.id)}`,
      'seed: 1',
      'duration: 60s',
      'step: 10ms',
      'fidelity: { mode: exact }',
      ...hostYaml(f, 1),
      'cgroups:',
      `  probe: { memory.limit_in_bytes: "${p.limitBytes}" }`,
      'processes:',
      '  probe:',
      '    cgroup: probe',
      '    start: 1ms',
      `    memory: { anon: "${p.workingSetBytes}", ${fixedYaml(p.pattern, p.workingSetBytes)} }`,
      `    access: ${patternYaml(p.pattern)}`,
      // The probe fills its buffer front to back, then draws from the pattern.
      '    firstTouch: address',
      `    touchesPerSec: ${rate}`,
      '',
    ].join('\n');
    // The model touches as long as the kernel's steady phase lasted (the OOM killer had that long),
    // and at least the touches the steady figures are taken over; a run that stopped faulting
    // charges nothing more, so nothing can kill it later.
    let steadyFromMs = -1;
    let faultsAtSteady = 0;
    const { trace } = runModel(yaml, c.id, (t) => {
      const pr = t.procs.probe;
      if (!pr) return false;
      if (pr.killedMs !== undefined) return true;
      const touches = pr.touches.at(-1) ?? 0;
      const now = t.t.at(-1) ?? 0;
      const faults = (pr.major.at(-1) ?? 0) + (pr.minor.at(-1) ?? 0);
      if (steadyFromMs < 0 && touches >= 2 * W) {
        steadyFromMs = now;
        faultsAtSteady = faults;
      }
      if (touches < end || steadyFromMs < 0) return false;
      return faults === faultsAtSteady || now - steadyFromMs >= p.steadySeconds * 1000;
    });
    const s = trace.procs.probe as Trace['procs'][string];
    const modelKilled = s.killedMs !== undefined;
    const win = (a: number, b: number, k: 'major' | 'minor' | 'swapIn' | 'time') =>
      atTouches(s, trace.t, b, k) - atTouches(s, trace.t, a, k);
    const reached = !modelKilled && (s.touches.at(-1) ?? 0) >= end;
    const m = {
      pass1MajorPerTouch: win(W, 2 * W, 'major') / W,
      steadyMajorPerTouch: reached ? win(2 * W, end, 'major') / steady : null,
      steadyUsPerTouch: reached ? (win(2 * W, end, 'time') * 1000) / steady : null,
      swapInsPerMajor: win(0, end, 'swapIn') / Math.max(1, win(0, end, 'major')),
    };
    cells.push(cell(c, 'pass1MajorPerTouch', m.pass1MajorPerTouch));
    // Steady state exists where a repeat survived; a model killed where some repeat was killed too
    // is inside the kernel's spread (the kill check below compares the kills).
    const steadyCompared = alive.repeats.length > 0 && !(modelKilled && killed > 0);
    if (steadyCompared) {
      cells.push(
        cell(alive, 'steadyMajorPerTouch', m.steadyMajorPerTouch),
        cell(alive, 'steadyUsPerTouch', m.steadyUsPerTouch),
      );
      if ((med(alive, 'steadyMajorPerTouch') ?? 0) > 0.001)
        cells.push(cell(alive, 'swapInsPerMajor', m.swapInsPerMajor));
    }
    const list = byPattern.get(p.pattern) ?? [];
    list.push({
      ratio: p.limitBytes / p.workingSetBytes,
      kernel: alive.repeats.length > 0 ? (med(alive, 'steadyMajorPerTouch') ?? 0) : null,
      model: m.steadyMajorPerTouch,
      killed,
      of: c.repeats.length,
      modelKilled,
    });
    byPattern.set(p.pattern, list);
  }
  for (const [pattern, list] of byPattern) {
    // A killed run is not fault-free: the knee is the smallest limit where the survivors stop faulting.
    const knee = (k: 'kernel' | 'model') => list.find((x) => x[k] !== null && (x[k] as number) < 0.001)?.ratio;
    const kk = knee('kernel');
    const mk = knee('model');
    regimes.push({
      check: `${pattern}: smallest limit/WSS without steady major faults`,
      kernel: kk === undefined ? 'none' : String(round(kk)),
      model: mk === undefined ? 'none' : String(round(mk)),
      holds: kk === mk,
    });
    regimes.push(killCheck(pattern, list));
  }
  return { family: 'a', title: f.title, cells, regimes };
}

// ---- family b ----

function familyB(f: FamilyFixture): FamilyTable {
  const cells: Cell[] = [];
  const regimes: RegimeCheck[] = [];
  const sweep: Record<string, { id: string; swappiness: number; kernel: Spread | undefined; model: number | null }[]> =
    {};
  for (const c of f.cases as KernelCase<ReaderParams>[]) {
    const p = c.params;
    const startMs = 1000;
    // The reader reads as fast as it can: its rate on a cached file is its CPU cost per page,
    // the rest is the page cache's misses and readahead.
    const rate = f.calibration[`reader.${p.mode}.${p.order}.touchesPerSec`] as number;
    const readAheadKb = f.machine.readAheadKb ?? 128;
    const yaml = [
      `name: kernel-b-${safe(c.id)}`,
      'seed: 1',
      `duration: ${startMs + p.readerSeconds * 1000}ms`,
      'step: 100ms',
      'fidelity: { mode: exact }',
      ...hostYaml(f, 10),
      'cgroups:',
      `  lab: { memory.limit_in_bytes: "${p.limitBytes}", memory.swappiness: ${p.swappiness} }`,
      'processes:',
      '  anon:',
      '    cgroup: lab',
      '    start: 1ms',
      `    memory: { anon: "${p.anonBytes}", ${fixedYaml('uniform', p.anonBytes)} }`,
      '    access: { pattern: uniform }',
      `    touchesPerSec: ${p.anonTouchesPerSec}`,
      '  reader:',
      '    cgroup: lab',
      `    start: ${startMs}ms`,
      `    memory: { file: "${p.fileBytes}", ${fixedYaml('file', 0)} }`,
      '    fileTouchFraction: 1',
      `    access: ${p.order === 'seq' ? '{ pattern: scan }' : '{ pattern: uniform }'}`,
      `    fileAccess: { via: ${p.mode}, advice: ${p.advice}, readAheadKb: ${readAheadKb} }`,
      '    touchesPerSec: max',
      `    cpu: { cores: 1, perTouch: ${round(1e6 / rate)}us }`,
      '',
    ].join('\n');
    const { trace, result } = runModel(yaml, c.id);
    const r = result as KernelOutput;
    const i0 = trace.t.findIndex((t) => t >= startMs);
    const reader = trace.procs.reader as Trace['procs'][string];
    const anon = trace.procs.anon as Trace['procs'][string];
    const sec = p.readerSeconds;
    const touches = (reader.touches.at(-1) ?? 0) - (reader.touches[i0] ?? 0);
    const readMajor = (reader.major.at(-1) ?? 0) - (reader.major[i0] ?? 0);
    const swapSeries = r.cgroups.lab?.swapBytes ?? [];
    const swapEnd = (swapSeries.at(-1) ?? 0) / MIB;
    const i16 = swapSeries.findIndex((b, i) => (r.timeMs[i] ?? 0) >= startMs && (b ?? 0) >= 16 * MIB);
    const rss = r.processes.reader?.rssBytes ?? [];
    const fileEnd = (rss.at(-1) ?? 0) / 4096;
    const out = r.summary.host.swapOutPages;
    // File pages the reader brought in and no longer holds were reclaimed (read(2) misses are
    // not page faults, so the reads are counted where the page cache fills).
    const fileIn = (reader.fileIn.at(-1) ?? 0) - (reader.fileIn[i0] ?? 0);
    const evicted = Math.max(0, fileIn - fileEnd);
    cells.push(
      cell(c, 'readerPagesPerSec', touches / sec),
      cell(c, 'readerMajorPerPage', touches > 0 ? readMajor / touches : null),
      cell(c, 'anonSwapMiBAtEnd', swapEnd),
      cell(c, 'anonSwap16MiBSec', i16 < 0 ? null : ((r.timeMs[i16] as number) - startMs) / 1000),
      cell(c, 'anonShareOfReclaim', out + evicted > 0 ? out / (out + evicted) : null),
      cell(c, 'anonMajorPerSec', ((anon.major.at(-1) ?? 0) - (anon.major[i0] ?? 0)) / sec),
    );
    if (p.mode === 'read' && p.order === 'seq' && p.advice === 'normal') {
      (sweep.readSeq ??= []).push({
        id: c.id,
        swappiness: p.swappiness,
        kernel: spreadOf(c.repeats.map((x) => x.metrics.anonSwapMiBAtEnd)),
        model: swapEnd,
      });
    }
  }
  for (const [name, list] of Object.entries(sweep)) {
    for (const v of list) {
      const k = (v.kernel?.median ?? 0) >= 16;
      const m = (v.model ?? 0) >= 16;
      regimes.push({
        check: `${name} swappiness ${v.swappiness}: anon swapped (≥ 16 MiB by the end)`,
        kernel: k ? `yes (${v.kernel?.median} MiB)` : `no (${v.kernel?.median ?? '—'} MiB)`,
        model: m ? `yes (${round(v.model ?? 0)} MiB)` : `no (${round(v.model ?? 0)} MiB)`,
        holds: k === m,
      });
    }
    regimes.push(
      orderCheck(
        `${name}: anon swapped by swappiness`,
        list.map((v) => ({ id: `swappiness ${v.swappiness}`, kernel: v.kernel, model: v.model })),
        absFloor('anonSwapMiBAtEnd'),
      ),
    );
  }
  return { family: 'b', title: f.title, cells, regimes };
}

/**
 * Whether the model orders the variants as the kernel does: every pair whose kernel ranges do
 * not overlap must keep its order in the model (pairs the kernel cannot tell apart are free).
 */
export function orderCheck(
  name: string,
  list: { id: string; kernel: Spread | undefined; model: number | null }[],
  /** Differences below this are noise: the kernel separates a pair only beyond it. */
  floor = 0,
): RegimeCheck {
  const bad: string[] = [];
  for (const a of list) {
    for (const b of list) {
      if (!a.kernel || !b.kernel || a.model === null || b.model === null) continue;
      if (a.kernel.max + floor < b.kernel.min && !(a.model < b.model + absFloorAny(b.model)))
        bad.push(`${a.id} < ${b.id}`);
    }
  }
  const sorted = (k: 'kernel' | 'model') =>
    [...list]
      .sort((x, y) =>
        k === 'kernel' ? (x.kernel?.median ?? 0) - (y.kernel?.median ?? 0) : (x.model ?? 0) - (y.model ?? 0),
      )
      .map((x) => x.id)
      .join(' < ');
  return {
    check: `order: ${name}`,
    kernel: sorted('kernel'),
    model: bad.length ? `${sorted('model')} (reversed: ${bad.join(', ')})` : sorted('model'),
    holds: bad.length === 0,
  };
}
const absFloorAny = (x: number) => Math.abs(x) * 1e-9;

// ---- families c and d: a service with a request model ----

function serviceYaml(name: string, s: ServiceSpec, cgroup: string): string[] {
  if (s.ratePerSec === null) return [];
  return [
    `  ${name}:`,
    `    cgroup: ${cgroup}`,
    `    memory: { anon: "${s.workingSetBytes}", ${fixedYaml(s.pattern, s.workingSetBytes)} }`,
    `    access: ${patternYaml(s.pattern)}`,
    // The probe sleeps until each query is due and times a query it slept for from its wake.
    `    requests: { ratePerSec: ${s.ratePerSec}, cpu: ${s.cpuUs}us, pagesPerRequest: ${s.pagesPerQuery}, wake: timer }`,
  ];
}

function phaseLatency(r: KernelOutput, proc: string, from: number, to: number) {
  // The phases the replay marked (process start and kill, OOM kills, events) that begin in [from, to).
  const ph = r.summary.phases.filter((p) => p.startMs >= from - 1 && p.startMs < to - 1);
  // A kill event marks a phase of its own one step long before the kill's phase: it served no
  // request, and percentiles of two phases cannot be merged, so only phases with requests count.
  const served = ph.filter((p) => (p.processes[proc]?.latencyMs?.count ?? 0) > 0);
  const one = served.length === 1 ? served[0] : undefined;
  const lat = one?.processes[proc]?.latencyMs;
  const major = ph.reduce((s, p) => s + (p.processes[proc]?.majorFaults ?? 0), 0);
  return {
    p50Ms: lat ? lat.p50Ms : null,
    p99Ms: lat ? lat.p99Ms : null,
    majorPerSec: major / ((to - from) / 1000),
  };
}

/**
 * PSI over (from, to] as the lab computes it from /proc/pressure/memory's totals (families.ts
 * psiPct): the mean of the per-step shares. The kernel's avg10 at a moment also carries what the
 * host stalled on before the case (the lab's calibration and previous repeats: d's series show
 * 2.5–6.9 at the leak's start), which a replay starting idle has not; the totals do not.
 */
function psiPctOver(r: KernelOutput, series: (number | null)[] | undefined, from: number, to: number): number | null {
  let sum = 0;
  let n = 0;
  r.timeMs.forEach((t, i) => {
    if (t > from && t <= to) {
      sum += series?.[i] ?? 0;
      n++;
    }
  });
  return n > 0 ? sum / n : null;
}

/** ms from `from` to the end of the last step before `to` where the series exceeds `limit`. */
function lastAbove(r: KernelOutput, series: (number | null)[], from: number, to: number, limit: number): number {
  let last = from;
  const step = (r.timeMs[1] ?? 0) - (r.timeMs[0] ?? 0);
  series.forEach((v, i) => {
    const t = (r.timeMs[i] as number) + step;
    if (t > from && t <= to && (v ?? 0) > limit) last = t;
  });
  return last - from;
}

function familyC(f: FamilyFixture): FamilyTable {
  const cells: Cell[] = [];
  const regimes: RegimeCheck[] = [];
  const loopP99: { id: string; kernel: Spread | undefined; model: number | null }[] = [];
  for (const c of f.cases as KernelCase<SiblingsParams>[]) {
    const p = c.params;
    const tBatch = Math.round((med(c, 'tBatchSec') ?? p.warmSeconds) * 1000);
    const tFilled = Math.round((med(c, 'tFilledSec') ?? 0) * 1000);
    const tKill = Math.round((med(c, 'tKillSec') ?? 0) * 1000);
    const tEnd = tKill + p.afterSeconds * 1000;
    const svcCg = p.serviceCgroup ? 'lab/service' : 'lab';
    const batchCg = p.batchCgroup ? 'lab/batch' : 'lab';
    const files = (o: Record<string, number | undefined>) =>
      Object.entries(o)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}: ${k === 'memory.swappiness' ? v : `"${v}"`}`)
        .join(', ');
    const yaml = [
      `name: kernel-c-${safe(c.id)}`,
      'seed: 1',
      `duration: ${Math.ceil(tEnd / 100) * 100}ms`,
      'step: 100ms',
      'fidelity: { mode: exact }',
      ...hostYaml(f, 10),
      'cgroups:',
      `  lab: { memory.limit_in_bytes: "${p.parentLimitBytes}" }`,
      // In the order the lab created them (CgroupTree: shorter paths first, so batch before
      // service): the kernel walks sibling memcgs in creation order, and a partial reclaim walk
      // that meets its goal in the first sibling never reaches the second.
      ...(p.batchCgroup
        ? [
            `  lab/batch: { ${files({ 'memory.limit_in_bytes': p.batchCgroup.limitBytes, 'memory.soft_limit_in_bytes': p.batchCgroup.softLimitBytes })} }`,
          ]
        : []),
      ...(p.serviceCgroup ? [`  lab/service: { ${files({ 'memory.swappiness': p.serviceCgroup.swappiness })} }`] : []),
      'processes:',
      ...serviceYaml('service', p.service, svcCg),
      '  batch:',
      `    cgroup: ${batchCg}`,
      `    start: ${tBatch}ms`,
      `    memory: { anon: "${p.batchBytes}", ${fixedYaml(p.batchPattern, p.batchBytes)} }`,
      `    access: ${patternYaml(p.batchPattern)}`,
      `    touchesPerSec: ${f.calibration[`touchesPerSec.${p.batchPattern}`]}`,
      'events:',
      // A marker only (the value is the host's own): it ends a phase where the kernel's batch finished its fill.
      `  - { at: ${tFilled}ms, sysctl: { vm.swappiness: ${f.machine.swappiness} }, label: batch filled }`,
      `  - { at: ${tKill}ms, kill: batch }`,
      '',
    ].join('\n');
    const { trace, result } = runModel(yaml, c.id);
    const r = result as KernelOutput;
    const batch = trace.procs.batch as Trace['procs'][string];
    const W = p.batchBytes / 4096;
    const iFill = batch.touches.findIndex((x) => x >= W);
    const stepIdx = (ms: number) => Math.max(0, r.timeMs.findIndex((t) => t >= ms) - 1);
    const phases: [string, number, number][] = [
      ['before', 0, tBatch],
      ['fill', tBatch, tFilled],
      ['loop', tFilled, tKill],
      ['after', tKill, tEnd],
    ];
    for (const [name, from, to] of phases) {
      const w = phaseLatency(r, 'service', from, to);
      cells.push(
        cell(c, `${name}.p50Ms`, w.p50Ms),
        cell(c, `${name}.p99Ms`, w.p99Ms),
        cell(c, `${name}.majorPerSec`, w.majorPerSec),
      );
    }
    const svcMajor = r.processes.service?.majorFaultsPerSec ?? [];
    const recovery = lastAbove(r, svcMajor, tKill, tEnd, 20) / 1000;
    const cgSwap = (path: string) => ((r.cgroups[path]?.swapBytes ?? [])[stepIdx(tKill)] ?? 0) / MIB;
    cells.push(
      cell(c, 'batchFillSec', iFill < 0 ? null : ((trace.t[iFill] as number) - tBatch) / 1000),
      cell(c, 'recoverySec', recovery),
      cell(c, 'psiSomePctLoop', psiPctOver(r, r.host.psiSomePct, tFilled, tKill)),
      cell(c, 'psiFullPctLoop', psiPctOver(r, r.host.psiFullPct, tFilled, tKill)),
    );
    if (p.serviceCgroup) cells.push(cell(c, 'serviceSwapMiBAtKill', cgSwap('lab/service')));
    if (p.batchCgroup) cells.push(cell(c, 'batchSwapMiBAtKill', cgSwap('lab/batch')));
    const loop = phaseLatency(r, 'service', tFilled, tKill);
    loopP99.push({ id: c.id, kernel: spreadOf(c.repeats.map((x) => x.metrics['loop.p99Ms'])), model: loop.p99Ms });
    const before = med(c, 'before.p99Ms') ?? 0;
    const kProt = (med(c, 'loop.p99Ms') ?? Number.POSITIVE_INFINITY) <= 3 * before;
    const mProt = (loop.p99Ms ?? Number.POSITIVE_INFINITY) <= 3 * (phaseLatency(r, 'service', 0, tBatch).p99Ms ?? 0);
    regimes.push({
      check: `${c.id}: service protected while the batch loops (p99 ≤ 3 × before)`,
      kernel: kProt ? 'protected' : `not protected (p99 ${med(c, 'loop.p99Ms')} ms)`,
      model: mProt ? 'protected' : `not protected (p99 ${loop.p99Ms} ms)`,
      holds: kProt === mProt,
    });
    const kRec = med(c, 'recoverySec') ?? 0;
    regimes.push({
      check: `${c.id}: service stops faulting within 2 s of the batch's kill`,
      kernel: `${kRec} s`,
      model: `${round(recovery)} s`,
      holds: kRec <= 2 === recovery <= 2,
    });
  }
  regimes.push(orderCheck('service loop-phase p99 across arrangements', loopP99));
  return { family: 'c', title: f.title, cells, regimes };
}

function familyD(f: FamilyFixture): FamilyTable {
  const cells: Cell[] = [];
  const regimes: RegimeCheck[] = [];
  for (const c of f.cases as KernelCase<LeakParams>[]) {
    const p = c.params;
    const tLeak = Math.round((med(c, 'tLeakSec') ?? p.warmSeconds) * 1000);
    const kOom = med(c, 'oomAfterLeakStartSec') ?? 10;
    const duration = tLeak + Math.max(3 * kOom, 10) * 1000 + p.afterSeconds * 1000;
    const yaml = [
      `name: kernel-d-${safe(c.id)}`,
      'seed: 1',
      `duration: ${Math.ceil(duration / 100) * 100}ms`,
      'step: 100ms',
      'fidelity: { mode: exact }',
      ...hostYaml(f, 10),
      'cgroups:',
      `  lab: { memory.limit_in_bytes: "${p.limitBytes}", memory.memsw.limit_in_bytes: "${p.memswBytes}" }`,
      'processes:',
      ...serviceYaml('service', p.service, 'lab'),
      '  leak:',
      '    cgroup: lab',
      `    start: ${tLeak}ms`,
      `    memory: { leakPerSec: "${p.leakBytesPerSec}", ${fixedYaml('leak', 0)} }`,
      '',
    ].join('\n');
    const { result } = runModel(yaml, c.id);
    const r = result as KernelOutput;
    const kill = r.events.find((e) => e.kind === 'oom-kill');
    const tKill = kill ? kill.timeMs : Number.NaN;
    const end = kill ? Math.min(tKill + p.afterSeconds * 1000, r.timeMs.at(-1) ?? 0) : (r.timeMs.at(-1) ?? 0);
    const svcMajor = r.processes.service?.majorFaultsPerSec ?? [];
    const step = (r.timeMs[1] ?? 0) - (r.timeMs[0] ?? 0);
    const inWin = (from: number, to: number) =>
      r.timeMs.map((t, i) => ({ t, i })).filter(({ t }) => t >= from && t < to);
    const psiLeak = (s: (number | null)[] | undefined) => (kill ? psiPctOver(r, s, tLeak, tKill) : null);
    cells.push(
      cell(c, 'oomAfterLeakStartSec', kill ? (tKill - tLeak) / 1000 : null),
      cell(c, 'victimIsLeak', kill ? (kill.process === 'leak' ? 1 : 0) : null),
      cell(c, 'faultBackSec', kill ? lastAbove(r, svcMajor, tKill, end, 20) / 1000 : null),
      cell(
        c,
        'faultBackPages',
        kill ? inWin(tKill, end).reduce((s, { i }) => s + ((svcMajor[i] ?? 0) * step) / 1000, 0) : null,
      ),
      cell(c, 'psiSomePctLeak', psiLeak(r.host.psiSomePct)),
      cell(c, 'psiFullPctLeak', psiLeak(r.host.psiFullPct)),
    );
    for (const [name, from, to] of [
      ['before', 0, tLeak],
      ['leak', tLeak, kill ? tKill : end],
      ['after', kill ? tKill : end, end],
    ] as [string, number, number][]) {
      if (to <= from) continue;
      const w = phaseLatency(r, 'service', from, to);
      cells.push(cell(c, `${name}.p99Ms`, w.p99Ms), cell(c, `${name}.majorPerSec`, w.majorPerSec));
    }
    const kVictim = c.repeats.map((x) => (x.metrics.victimIsLeak === 1 ? 'leak' : 'service/none'));
    regimes.push({
      check: `${c.id}: the OOM killer ends the leak`,
      kernel: kVictim.join(', '),
      model: kill
        ? `${kill.process} at ${round((tKill - tLeak) / 1000)} s`
        : `no OOM kill in ${round((duration - tLeak) / 1000)} s`,
      holds: kVictim.every((v) => v === 'leak') === (kill?.process === 'leak'),
    });
    const kFb = med(c, 'faultBackSec');
    const mFb = kill ? lastAbove(r, svcMajor, tKill, end, 20) / 1000 : null;
    regimes.push({
      check: `${c.id}: the survivor is back (no faults) within 3 s of the kill`,
      kernel: `${kFb} s`,
      model: mFb === null ? 'no kill' : `${round(mFb)} s`,
      holds: (kFb ?? 99) <= 3 === (mFb !== null && mFb <= 3),
    });
    const kRatio = (med(c, 'psiFullPctLeak') ?? 0) / Math.max(1e-9, med(c, 'psiSomePctLeak') ?? 0);
    const mRatio = (psiLeak(r.host.psiFullPct) ?? 0) / Math.max(1e-9, psiLeak(r.host.psiSomePct) ?? 0);
    regimes.push({
      check: `${c.id}: PSI full below some (full/some < 0.9)`,
      kernel: `${round(kRatio)}`,
      model: `${round(mRatio)}`,
      holds: kRatio < 0.9 === mRatio < 0.9,
    });
  }
  return { family: 'd', title: f.title, cells, regimes };
}

export function compareFamily(f: FamilyFixture): FamilyTable {
  switch (f.family) {
    case 'a':
      return familyA(f);
    case 'b':
      return familyB(f);
    case 'c':
      return familyC(f);
    case 'd':
      return familyD(f);
  }
}

// ---- output ----

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '—' : String(round(x)));

export function formatTable(t: FamilyTable): string {
  const lines = [
    `### Family ${t.family}: ${t.title}`,
    '',
    '| case | metric | kernel median | kernel min–max | model | error | verdict |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const c of t.cells) {
    const err = c.relErr === null ? '—' : `${c.relErr >= 0 ? '+' : ''}${(c.relErr * 100).toFixed(0)} %`;
    const sp = c.kernel ? `${fmt(c.kernel.min)}–${fmt(c.kernel.max)}` : '—';
    lines.push(
      `| ${c.case} | ${c.metric} | ${fmt(c.kernel?.median)} | ${sp} | ${fmt(c.model)} | ${err} | ${c.verdict} |`,
    );
  }
  lines.push('', '| regime check | kernel | model | holds |', '|---|---|---|---|');
  for (const r of t.regimes) lines.push(`| ${r.check} | ${r.kernel} | ${r.model} | ${r.holds ? 'yes' : '**no**'} |`);
  return `${lines.join('\n')}\n`;
}

/**
 * What a cell measures, from its name's unit: a count (faults per touch, pages, MiB, the
 * victim), a rate (per second), a time (µs per touch, latencies, seconds until something) or
 * a stall share (PSI). Counts repeat within a few per cent between sessions on this shared VM;
 * times do not (docs/validation.md, Method), so the summary keeps them apart.
 */
export type MetricKind = 'count' | 'rate' | 'time' | 'stall';
export function metricKind(metric: string): MetricKind {
  if (/PerSec$/.test(metric)) return 'rate';
  if (/UsPerTouch$|Ms$|Sec$/.test(metric)) return 'time';
  if (/Pct|Avg10/.test(metric)) return 'stall';
  return 'count';
}

const KINDS: readonly MetricKind[] = ['count', 'rate', 'time', 'stall'];

/** A cell with a model figure to compare (not one the scenario language cannot express yet). */
const isCompared = (c: Cell) => !c.verdict.startsWith('not expressible');

export function summarize(tables: FamilyTable[]): string {
  return `${summarizeFamilies(tables)}\n${summarizeKinds(tables)}`;
}

function summarizeKinds(tables: FamilyTable[]): string {
  const lines = ['| kind of cell | compared | agree | per family (agree/compared) |', '|---|---|---|---|'];
  for (const kind of KINDS) {
    const per = tables.map((t) => {
      const cells = t.cells.filter((c) => isCompared(c) && metricKind(c.metric) === kind);
      return { family: t.family, n: cells.length, agree: cells.filter((c) => c.verdict === 'agree').length };
    });
    const n = per.reduce((a, p) => a + p.n, 0);
    if (n === 0) continue;
    const agree = per.reduce((a, p) => a + p.agree, 0);
    const split = per.filter((p) => p.n > 0).map((p) => `${p.family} ${p.agree}/${p.n}`);
    lines.push(`| ${kind} | ${n} | ${agree} | ${split.join(', ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function summarizeFamilies(tables: FamilyTable[]): string {
  const lines = [
    '| family | compared cells | agree | disagree | not expressible yet | regime checks holding |',
    '|---|---|---|---|---|---|',
  ];
  for (const t of tables) {
    const compared = t.cells.filter(isCompared);
    const agree = compared.filter((c) => c.verdict === 'agree').length;
    lines.push(
      `| ${t.family} | ${compared.length} | ${agree} | ${compared.length - agree} | ${t.cells.length - compared.length} | ${t.regimes.filter((r) => r.holds).length}/${t.regimes.length} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The key a ratchet list names a cell by. */
export const cellKey = (family: string, c: Pick<Cell, 'case' | 'metric'>) => `${family}/${c.case}/${c.metric}`;
