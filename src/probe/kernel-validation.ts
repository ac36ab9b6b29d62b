/**
 * Real kernel vs model (docs/validation.md): the workload probe's run and the same scenario
 * replayed by `simulateHost`, reduced to the numbers the doc's table compares: major faults
 * per touch over the second half of the stream (the steady state under the limit) and the
 * time per touch there.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { simulateHost } from '../kernel/simulate.js';
import { loadScenarioText } from '../scenario/load.js';
import type { AccessPattern } from '../scenario/types.js';
import type { CgroupRoot } from './cgroup.js';
import { MemcgOomError, PROBE_PROCESS, runWorkloadProbe, type WorkloadProbeResult } from './workload-probe.js';

export interface ModelHost {
  ramBytes: number;
  cpus: number;
  thp: 'always' | 'madvise' | 'never';
  swappiness: number;
  pageCluster: number;
  swapBytes: number;
  /** Calibrated: `faultline calibrate`'s minor fault and swap-in medians. */
  minorFaultUs: number;
  swapReadUs: number;
}

export interface ModelCase {
  workingSetBytes: number;
  /** The cgroup limit (memory.limit_in_bytes / memory.max) the real probe ran under. */
  limitBytes: number;
  pattern: AccessPattern;
  touches: number;
  seed: number;
  /** The probe's touch rate without faults (a free run): the model's touchesPerSec. */
  touchesPerSec: number;
  /** Simulated time: the real run's wall time, so the touches each side made in it compare. */
  durationMs: number;
}

/** The simulation tick: fine enough that the touch window's ends fall within 1 % of it. */
const TICK_MS = 10;

const patternYaml = (p: AccessPattern) =>
  p.kind === 'zipf' ? `{ pattern: zipf, alpha: ${p.alpha} }` : `{ pattern: ${p.kind} }`;

/**
 * The scenario a user would write for the probe: one process with anon = the working set in
 * a cgroup with the probe's limit, on a host with this machine's RAM and a swap device with
 * the calibrated read latency. It starts one tick in, so that (like the probe) it allocates
 * its whole heap first instead of being warm-started.
 */
export function modelScenarioText(h: ModelHost, c: ModelCase): string {
  return [
    'name: validate-kernel',
    `seed: ${c.seed}`,
    `duration: ${Math.ceil(c.durationMs / TICK_MS) * TICK_MS + TICK_MS}ms`,
    `step: ${TICK_MS}ms`,
    'fidelity: { mode: exact }',
    'host:',
    `  ram: "${h.ramBytes}"`,
    `  cpus: ${h.cpus}`,
    `  thp: ${h.thp}`,
    `  swap: { size: "${h.swapBytes}", device: ssd, readLatency: ${h.swapReadUs}us }`,
    `  sysctl: { vm.swappiness: ${h.swappiness}, vm.page-cluster: ${h.pageCluster} }`,
    `  costs: { minorFault: ${h.minorFaultUs}us }`,
    `  kernel: { tick: ${TICK_MS}ms }`,
    'cgroups:',
    `  probe: { memory.max: "${c.limitBytes}" }`,
    'processes:',
    `  ${PROBE_PROCESS}:`,
    '    cgroup: probe',
    `    start: ${TICK_MS}ms`,
    `    memory: { anon: "${c.workingSetBytes}" }`,
    `    access: ${patternYaml(c.pattern)}`,
    `    touchesPerSec: ${c.touchesPerSec}`,
    '',
  ].join('\n');
}

/** Cumulative counters of the process after each tick. */
export interface ModelTrace {
  timeMs: number[];
  touches: number[];
  major: number[];
  /** Pages read from swap (faulted and read ahead). */
  swapIn: number[];
  /** Resident anon bytes at the end. */
  rssBytes: number;
}

export function runModel(h: ModelHost, c: ModelCase): ModelTrace {
  const { scenario } = loadScenarioText(modelScenarioText(h, c), 'validate-kernel.yaml');
  const t: ModelTrace = { timeMs: [], touches: [], major: [], swapIn: [], rssBytes: 0 };
  simulateHost(scenario, {
    onTick: (host, timeMs) => {
      const p = host.state.procs[0];
      if (!p) return;
      t.timeMs.push(timeMs);
      t.touches.push(p.total.touches);
      t.major.push(p.total.major);
      t.swapIn.push(p.total.swapIn);
      t.rssBytes = p.rssAnon * scenario.host.pageSizeBytes;
    },
  });
  return t;
}

/** Steady state: major faults per touch and µs per touch over a window of the stream. */
export interface Window {
  /** Stream touches (after the allocation pass) at the window's ends. */
  from: number;
  to: number;
  majorPerTouch: number;
  usPerTouch: number;
}

/** The real probe over the chunks in the second half of the stream. */
function realWindow(r: WorkloadProbeResult): Window {
  let at = 0;
  let from = -1;
  let touches = 0;
  let major = 0;
  let ns = 0;
  const half = r.chunks.reduce((s, c) => s + c[3], 0) / 2;
  for (const [chunkNs, , majflt, n] of r.chunks) {
    if (at >= half) {
      if (from < 0) from = at;
      touches += n;
      major += majflt;
      ns += chunkNs;
    }
    at += n;
  }
  return { from, to: at, majorPerTouch: major / touches, usPerTouch: ns / 1000 / touches };
}

/**
 * The model over the ticks whose stream touches (after the `pages` of the allocation pass)
 * lie in [touches/2, touches]; when the model made fewer touches in the real run's time,
 * the second half of what it made.
 */
function modelWindow(t: ModelTrace, pages: number, touches: number): Window {
  const stream = t.touches.map((x) => x - pages);
  const made = stream[stream.length - 1] ?? 0;
  const end = Math.min(touches, made);
  const i0 = stream.findIndex((x) => x >= end / 2);
  let i1 = stream.findIndex((x) => x >= end);
  if (i1 < 0) i1 = stream.length - 1;
  const dt = (t.touches[i1] as number) - (t.touches[i0] as number);
  const dm = (t.major[i1] as number) - (t.major[i0] as number);
  const ms = (t.timeMs[i1] as number) - (t.timeMs[i0] as number);
  return { from: stream[i0] as number, to: stream[i1] as number, majorPerTouch: dm / dt, usPerTouch: (ms * 1000) / dt };
}

/** Touches per second of a free run (no limit, nothing faults after the allocation pass). */
function freeTouchRate(r: WorkloadProbeResult): number {
  const ns = r.chunks.reduce((s, c) => s + c[0], 0);
  const n = r.chunks.reduce((s, c) => s + c[3], 0);
  return (n / ns) * 1e9;
}

/** The real run's wall time: allocation pass plus the stream. */
function realElapsedMs(r: WorkloadProbeResult): number {
  return (r.init[0] + r.chunks.reduce((s, c) => s + c[0], 0)) / 1e6;
}

/** This machine as a scenario host, without the calibrated costs. */
export function machineHost(): Omit<ModelHost, 'minorFaultUs' | 'swapReadUs'> {
  const read = (f: string) => readFileSync(f, 'utf8').trim();
  const thp = /\[(\w+)\]/.exec(read('/sys/kernel/mm/transparent_hugepage/enabled'))?.[1];
  const swapKiB = read('/proc/swaps')
    .split('\n')
    .slice(1)
    .reduce((s, l) => s + Number(l.trim().split(/\s+/)[2] ?? 0), 0);
  return {
    ramBytes: totalmem(),
    cpus: availableParallelism(),
    thp: thp === 'always' || thp === 'never' ? thp : 'madvise',
    swappiness: Number(read('/proc/sys/vm/swappiness')),
    pageCluster: Number(read('/proc/sys/vm/page-cluster')),
    swapBytes: swapKiB * 1024,
  };
}

export interface CaseSpec {
  workingSetBytes: number;
  /** The heap's limit as a fraction of the working set. */
  ratio: number;
  pattern: AccessPattern;
  touches: number;
  seed: number;
}

export interface CaseResult {
  spec: CaseSpec;
  real: Window;
  /** The model with memory.max = the real cgroup's limit (node's own usage + ratio × W). */
  model: Window;
  /**
   * The model with memory.max = the limit less node's own resident anon pages at the end
   * (mapped anon not in the heap): the budget the heap and its swap cache really had.
   */
  modelHeapBudget: Window;
  heapBudgetBytes: number;
  /** Pages read from swap per major fault over the stream: real (pswpin, host-wide) and model. */
  swapInsPerMajor: { real: number; model: number };
  probe: WorkloadProbeResult;
  cgroupLimitBytes: number;
  modelRssBytes: number;
  touchesPerSec: number;
  /** Limited runs the kernel's memcg OOM killer ended before this one completed. */
  oomKills: number;
}

const CHUNK_TOUCHES = 5000;
/** Tries of the limited run when the kernel's memcg OOM killer ends it (MemcgOomError). */
const OOM_TRIES = 3;

/** One row of the table: a free run (touch rate), the limited run, and the model twice. */
export async function runCase(h: ModelHost, where: CgroupRoot, spec: CaseSpec): Promise<CaseResult> {
  const base = { workingSetBytes: spec.workingSetBytes, pattern: spec.pattern, touches: spec.touches, seed: spec.seed };
  const free = await runWorkloadProbe({ ...base, chunkTouches: CHUNK_TOUCHES });
  const limitBytes = Math.floor((spec.ratio * spec.workingSetBytes) / 4096) * 4096;
  let probe: WorkloadProbeResult | undefined;
  let oomKills = 0;
  while (!probe) {
    try {
      probe = await runWorkloadProbe({ ...base, chunkTouches: CHUNK_TOUCHES, cgroup: { where, limitBytes } });
    } catch (err) {
      if (!(err instanceof MemcgOomError) || ++oomKills >= OOM_TRIES) throw err;
    }
  }
  const touchesPerSec = Math.round(freeTouchRate(free));
  const cgroupLimitBytes = probe.baselineBytes + limitBytes;
  const c: ModelCase = { ...base, limitBytes: cgroupLimitBytes, touchesPerSec, durationMs: realElapsedMs(probe) };
  const trace = runModel(h, c);
  const st = probe.statAtEnd;
  // v1 calls mapped anon `rss`, v2 `anon` (which also counts unmapped swap cache: take it out).
  const mappedAnon = st.rss ?? (st.anon ?? 0) - (st.swapcached ?? 0);
  const heapBudgetBytes = Math.floor((cgroupLimitBytes - Math.max(0, mappedAnon - probe.heap.rss)) / 4096) * 4096;
  const budget = runModel(h, { ...c, limitBytes: heapBudgetBytes });
  const realMajor = probe.init[2] + probe.chunks.reduce((s, x) => s + x[2], 0);
  return {
    spec,
    real: realWindow(probe),
    model: modelWindow(trace, probe.pages, spec.touches),
    modelHeapBudget: modelWindow(budget, probe.pages, spec.touches),
    heapBudgetBytes,
    swapInsPerMajor: {
      real: (probe.vmstat.pswpin ?? 0) / Math.max(1, realMajor),
      model: (trace.swapIn.at(-1) ?? 0) / Math.max(1, trace.major.at(-1) ?? 0),
    },
    probe,
    cgroupLimitBytes,
    modelRssBytes: trace.rssBytes,
    touchesPerSec,
    oomKills,
  };
}
