/**
 * `faultline calibrate`: measures this machine's fault costs for a scenario's `host:`
 * section (kernel-model.md §8.4 asks users to calibrate).
 *
 * Why a room of its own (src/probe/): everything else in faultline is a deterministic
 * function of its inputs (no clocks outside util/ and cli/). A probe is the opposite: it
 * times the real kernel with process.hrtime and its numbers change from run to run. Keeping
 * it here, imported only by the calibrate command, makes that exception visible by place;
 * nothing in engine/ or kernel/ may import it.
 *
 * Two probes, each a child `node` running PROBE_SCRIPT:
 * - minor faults: touch fresh anonymous memory one byte per page, timed in chunks, with
 *   the minflt delta of /proc/self/stat as the check that each touch faulted once;
 * - swap-in: the same working set inside a temporary memory cgroup with a limit below it
 *   (v2 memory.max or v1 memory.limit_in_bytes), touched once (pushing most of it to
 *   swap), then re-touched in a scattered order so each page faults back from swap
 *   without readahead help; time per major fault from majflt deltas. Needs root, a memory
 *   cgroup hierarchy and an active swap device; otherwise it is skipped with the reason.
 * Chunk times leave out the time the probe waited for a CPU behind other tasks
 * (/proc/thread-self/schedstat's run delay), as the lab's probe does: a busy host's other work
 * is no cost of a fault.
 * The cgroup is removed when the probe ends, fails or is interrupted (SIGINT, SIGTERM).
 */
import { statSync } from 'node:fs';
import { release } from 'node:os';
import { dirname } from 'node:path';
import { loadScenarioText } from '../scenario/load.js';
import { FaultlineError } from '../util/errors.js';
import { activeSwapDevices, findMemoryCgroup, runNodeChild, vmstatCounter, withCgroup } from './cgroup.js';
import { type DeviceMeasure, measureDevice } from './device.js';

export { activeSwapDevices, findMemoryCgroup };

const PAGE_BYTES = 4096;
/** Pages per timed chunk: long enough that reading /proc/self/stat around it is noise. */
const CHUNK_PAGES = 512;
/**
 * Page stride of the swap-in pass, a prime: consecutive touches land 31 MiB apart, so
 * neither cluster nor VMA readahead brings in the next page and each touch is one read.
 */
const SCATTER_STRIDE = 7919;

/**
 * The child. Plain JS for `node -e`, so it runs the same from sources and from dist and
 * loads nothing but fs: its own footprint must stay well below the cgroup limit.
 * argv: mode (minor | swap), bytes, chunk pages, stride. Prints one JSON line: chunks of the
 * timed pass as [nanoseconds, minflt, majflt, run delay ns, CPU ns, pswpout, pages scanned,
 * pages reclaimed] deltas. schedstat is the thread's own; the vmstat counters are the host's,
 * pgscan/pgsteal by LRU type, the only ones that count memcg limit reclaim (vmscan.c counts
 * pgscan_direct only for reclaim outside a cgroup).
 */
export const PROBE_SCRIPT = `
const fs = require('fs');
const [mode, bytes, chunk, stride] = [process.argv[1], ...process.argv.slice(2).map(Number)];
const PAGE = ${PAGE_BYTES};
const VMSTAT = ['pswpout', 'pgscan_anon', 'pgscan_file', 'pgsteal_anon', 'pgsteal_file'];
const counts = () => {
  const s = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const vm = VMSTAT.map(() => 0);
  for (const line of fs.readFileSync('/proc/vmstat', 'utf8').split('\\n')) {
    const [k, v] = line.split(' ');
    const i = VMSTAT.indexOf(k);
    if (i >= 0) vm[i] = Number(v);
  }
  return [Number(f[7]), Number(f[9]), vm[0], vm[1] + vm[2], vm[3] + vm[4]];
};
// Run delay and CPU time, read right around the timed loop.
const sched = () => {
  try {
    const t = fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return [Number(t[1]), Number(t[0])];
  } catch {
    return [0, 0];
  }
};
const pages = Math.floor(bytes / PAGE);
const buf = new Uint8Array(pages * PAGE);
if (mode === 'swap') for (let p = 0; p < pages; p++) buf[p * PAGE] = 1;
const order = (i) => (mode === 'swap' ? (i * stride) % pages : i);
const chunks = [];
for (let c = 0; c < pages; c += chunk) {
  const end = Math.min(pages, c + chunk);
  const a = counts();
  const sa = sched();
  const t0 = process.hrtime.bigint();
  for (let i = c; i < end; i++) buf[order(i) * PAGE] = 2;
  const t1 = process.hrtime.bigint();
  const sb = sched();
  const b = counts();
  const d = b.map((x, k) => x - a[k]);
  chunks.push([Number(t1 - t0), d[0], d[1], sb[0] - sa[0], sb[1] - sa[1], ...d.slice(2)]);
}
process.stdout.write(JSON.stringify({ pages, chunks }) + '\\n');
`;

export interface Spread {
  medianUs: number;
  p10Us: number;
  p90Us: number;
  /** Faults measured (minflt or majflt deltas summed over runs). */
  faults: number;
  runs: number;
}

export interface MinorFaultMeasure extends Spread {
  /** minflt delta per page touched: 1 when every touch faulted once (below 1: huge pages or pre-faulted memory). */
  faultsPerPage: number;
}

export interface SwapInMeasure extends Spread {
  cgroup: { version: 1 | 2; path: string };
  /** pswpin delta (/proc/vmstat) per majflt: near 1 when the major faults were swap reads. */
  swapInsPerMajorFault: number;
  /** The probe's time on a CPU per major fault (schedstat), µs: the fault, the read's submission and the reclaim its charge ran. */
  cpuUs: number;
  /** The reclaim inside the measured time (/proc/vmstat deltas over the timed pass): pages written to swap per major fault. */
  pagesOutPerSwapIn: number;
  /** Pages direct (and memcg-limit) reclaim scanned per page it freed. */
  scannedPerReclaimed: number;
  /** What the model is given as the swap device's read latency: the median less that reclaim as the model charges it (swapInReadUs). */
  readLatencyUs: number;
  workingSetBytes: number;
  limitBytes: number;
}

/** The model's reclaim CPU costs (`host.costs.pageOut`, `reclaimScan`), µs. */
export interface ReclaimCosts {
  pageOutCpuUs: number;
  reclaimScanCpuUs: number;
}

/**
 * The part of a swap-in's measured time that the model charges as the read (`host.swap.readLatency`
 * with `costs.majorFault: 0us`). Under a memory limit each swap-in charges a page to a cgroup at its
 * limit, and the charge reclaims in the faulting task before the read is issued (`do_swap_page` →
 * `swapin_readahead` → `__read_swap_cache_async` → `mem_cgroup_swapin_charge_folio` →
 * `try_charge_memcg` → `try_to_free_mem_cgroup_pages`, the call chain perf shows on the lab VM's
 * Linux 6.18): about one page written to swap for each page read, all of it inside the measured
 * time. The model charges that reclaim itself, as CPU per
 * page written and per page scanned (kernel/vmscan.ts `reclaimCpuSec`), so it is taken out of the
 * read here; left in, every swap-in under a limit paid its reclaim twice.
 */
export function swapInReadUs(
  measuredUs: number,
  reclaim: { pagesOutPerSwapIn: number; scannedPerReclaimed: number },
  costs: ReclaimCosts,
): number {
  const reclaimUs =
    reclaim.pagesOutPerSwapIn * (costs.pageOutCpuUs + reclaim.scannedPerReclaimed * costs.reclaimScanCpuUs);
  return measuredUs - reclaimUs;
}

/** The loader's defaults of the reclaim costs: what a scenario that pastes the preset and sets no costs charges. */
export function defaultReclaimCosts(): ReclaimCosts {
  const { scenario } = loadScenarioText(
    'name: costs\nduration: 1s\nhost: { ram: 1Gi, cpus: 1 }\nprocesses:\n  p: {}\n',
    'costs.yaml',
  );
  return { pageOutCpuUs: scenario.host.costs.pageOutCpuUs, reclaimScanCpuUs: scenario.host.costs.reclaimScanCpuUs };
}

export interface CalibrateOptions {
  sizeBytes: number;
  limitBytes: number;
  minorRuns: number;
  swapRuns: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface CalibrateResult {
  minorFault: MinorFaultMeasure;
  swapIn: SwapInMeasure | { skipped: string };
  /** The swap device's own figures (O_DIRECT, on the swap file's filesystem) and where they were taken. */
  device: (DeviceMeasure & { dir: string }) | { skipped: string };
  /**
   * YAML fragment for a scenario: `host.costs.minorFault`, and the swap device (`device: custom`
   * with the measured latencies, bandwidth, parallelism and rotational flag, the swap-in's time
   * less its reclaim as read latency with `costs.majorFault: 0us`) as far as measured.
   */
  preset: string;
}

/** A timed chunk's deltas, in PROBE_SCRIPT's order. */
type Chunk = [
  ns: number,
  minflt: number,
  majflt: number,
  runDelayNs: number,
  cpuNs: number,
  pswpout: number,
  pgscan: number,
  pgsteal: number,
];

interface ProbeOutput {
  pages: number;
  chunks: Chunk[];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** Per-fault cost of every chunk that faulted, in µs, over all runs (its wait for a CPU left out). */
function spread(outputs: readonly ProbeOutput[], faultIndex: 1 | 2): Spread {
  const costs: number[] = [];
  let faults = 0;
  for (const o of outputs) {
    for (const c of o.chunks) {
      const n = c[faultIndex];
      faults += n;
      if (n > 0) costs.push((c[0] - Math.max(0, c[3])) / n / 1000);
    }
  }
  costs.sort((a, b) => a - b);
  return {
    medianUs: quantile(costs, 0.5),
    p10Us: quantile(costs, 0.1),
    p90Us: quantile(costs, 0.9),
    faults,
    runs: outputs.length,
  };
}

function runProbe(mode: 'minor' | 'swap', bytes: number, procsFile?: string): Promise<ProbeOutput> {
  return runNodeChild(
    PROBE_SCRIPT,
    [mode, String(bytes), String(CHUNK_PAGES), String(SCATTER_STRIDE)],
    mode,
    procsFile,
  );
}

/** Why the swap-in probe cannot run here, or undefined when it can. */
export function swapProbeBlocker(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root: creating a memory cgroup needs root (run with sudo)';
  if (activeSwapDevices().length === 0) {
    return 'no swap: /proc/swaps lists no active device, so nothing can fault back from swap (swapon a device or file first)';
  }
  if (!findMemoryCgroup()) return 'no memory cgroup hierarchy mounted (neither cgroup v2 with memory nor v1 memory)';
  return undefined;
}

export async function calibrate(opts: CalibrateOptions): Promise<CalibrateResult> {
  if (process.platform !== 'linux') {
    throw new FaultlineError('calibrate runs on Linux only: it reads /proc and creates memory cgroups', 2);
  }
  const log = opts.log ?? (() => {});
  const minorOut: ProbeOutput[] = [];
  for (let i = 0; i < opts.minorRuns; i++) {
    log(`minor faults: run ${i + 1}/${opts.minorRuns}, ${opts.sizeBytes / PAGE_BYTES} pages`);
    minorOut.push(await runProbe('minor', opts.sizeBytes));
  }
  const pages = minorOut.reduce((s, o) => s + o.pages, 0);
  const minor = spread(minorOut, 1);
  const minorFault: MinorFaultMeasure = { ...minor, faultsPerPage: minor.faults / pages };

  let swapIn: CalibrateResult['swapIn'];
  const blocker = swapProbeBlocker();
  if (blocker) {
    swapIn = { skipped: blocker };
    log(`swap-in: skipped: ${blocker}`);
  } else {
    if (opts.limitBytes >= opts.sizeBytes) {
      throw new FaultlineError('--limit must be smaller than --size, or nothing is pushed to swap', 2);
    }
    const where = findMemoryCgroup() as NonNullable<ReturnType<typeof findMemoryCgroup>>;
    const swapOut: ProbeOutput[] = [];
    const pswpin0 = vmstatCounter('pswpin');
    let cgroupPath = '';
    await withCgroup(where, 'faultline-calibrate-', opts.limitBytes, async (procs, path) => {
      cgroupPath = path;
      for (let i = 0; i < opts.swapRuns; i++) {
        log(`swap-in: run ${i + 1}/${opts.swapRuns} in ${path} (limit ${opts.limitBytes} bytes)`);
        swapOut.push(await runProbe('swap', opts.sizeBytes, procs));
      }
    });
    const s = spread(swapOut, 2);
    const sum = (i: number) =>
      swapOut.reduce((t, o) => t + o.chunks.reduce((u, c) => u + (c[2] > 0 ? (c[i] as number) : 0), 0), 0);
    const major = Math.max(1, s.faults);
    const reclaim = { pagesOutPerSwapIn: sum(5) / major, scannedPerReclaimed: sum(7) > 0 ? sum(6) / sum(7) : 0 };
    swapIn = {
      ...s,
      cgroup: { version: where.version, path: cgroupPath },
      swapInsPerMajorFault: s.faults > 0 ? (vmstatCounter('pswpin') - pswpin0) / s.faults : 0,
      cpuUs: sum(4) / major / 1000,
      ...reclaim,
      readLatencyUs: swapInReadUs(s.medianUs, reclaim, defaultReclaimCosts()),
      workingSetBytes: opts.sizeBytes,
      limitBytes: opts.limitBytes,
    };
    if (s.faults === 0) swapIn = { skipped: 'the swap-in probe saw no major fault: the limit did not push pages out' };
  }
  const device = deviceOf(log);
  return { minorFault, swapIn, device, preset: presetYaml(minorFault, swapIn, device) };
}

/**
 * The device figures, measured beside the first active swap file (a swap partition is never
 * written to: then /var/tmp, on whatever disk holds it).
 */
function deviceOf(log: (line: string) => void): CalibrateResult['device'] {
  const file = activeSwapDevices().find((d) => {
    try {
      return statSync(d).isFile();
    } catch {
      return false;
    }
  });
  const dir = file ? dirname(file) : '/var/tmp';
  log(`device: O_DIRECT reads and writes of a scratch file in ${dir}`);
  try {
    return { ...measureDevice(dir), dir };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log(`device: skipped: ${reason}`);
    return { skipped: reason };
  }
}

const us = (x: number) => `${Number(x.toPrecision(3))}us`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function presetYaml(
  minor: MinorFaultMeasure,
  swapIn: CalibrateResult['swapIn'],
  device: CalibrateResult['device'] = { skipped: 'not measured' },
): string {
  const lines = [
    `# faultline calibrate on Linux ${release()}: fault costs measured on this machine.`,
    `# minor fault (first touch of anonymous memory, 4 KiB): median ${us(minor.medianUs)}, p10 ${us(minor.p10Us)}, p90 ${us(minor.p90Us)}`,
    `#   ${plural(minor.runs, 'run')}, ${minor.faults} faults; minflt per page touched ${minor.faultsPerPage.toFixed(2)} (1.00: one fault per touch)`,
  ];
  if ('skipped' in swapIn) {
    lines.push(`# swap-in: not measured: ${swapIn.skipped}`);
  } else {
    lines.push(
      `# swap-in (major fault, scattered re-touch, ${swapIn.workingSetBytes / 2 ** 20} MiB over a ${swapIn.limitBytes / 2 ** 20} MiB cgroup v${swapIn.cgroup.version} limit): median ${us(swapIn.medianUs)}, p10 ${us(swapIn.p10Us)}, p90 ${us(swapIn.p90Us)}`,
      `#   ${plural(swapIn.runs, 'run')}, ${swapIn.faults} major faults; pswpin per majflt ${swapIn.swapInsPerMajorFault.toFixed(2)}; time waiting for a CPU left out`,
      `#   on a CPU ${us(swapIn.cpuUs)} per swap-in (the fault, the read's submission, the reclaim its charge ran); ${swapIn.pagesOutPerSwapIn.toFixed(2)} pages written and ${(swapIn.pagesOutPerSwapIn * swapIn.scannedPerReclaimed).toFixed(1)} scanned by that reclaim`,
      `#   readLatency ${us(swapIn.readLatencyUs)} = the median less that reclaim as the model charges it itself (costs.pageOut per page written, costs.reclaimScan per page scanned, at their defaults)`,
    );
  }
  if ('skipped' in device) lines.push(`# device: not measured: ${device.skipped}`);
  else {
    lines.push(
      `# device (O_DIRECT in ${device.dir}): 4 KiB read ${us(device.readLatencyUs)}, write ${us(device.writeLatencyUs)}; sequential read ${mbps(device.readBandwidthBps)}, write ${mbps(device.writeBandwidthBps)}`,
      `#   random 4 KiB reads: ${Math.round(device.serialIops)}/s from one thread, ${Math.round(device.parallelIops)}/s from eight`,
      `#   readahead-sized reads (${device.readaheadRequestBytes / 1024} KiB, two in flight, ${device.readaheadHugeBuffer ? 'from huge pages' : 'no huge pages: split like the sequential read'}): ${mbps(device.readaheadBps)}`,
      `#   two such reads, the second queued halfway through the first, complete ${device.completionGap.toFixed(2)} of a read's time apart (${device.completesOnDrain ? 'together: completions when the queue drains' : 'one by one'})`,
    );
  }
  lines.push('host:', '  costs:', `    minorFault: ${us(minor.medianUs)}`);
  if (!('skipped' in swapIn)) {
    // The measured time per swap-in already holds the fault's CPU: the model adds
    // costs.majorFault on top of the device's read latency, so it must not count it again.
    lines.push('    majorFault: 0us  # included in readLatency, which is measured time per swap-in');
  }
  if (!('skipped' in device)) {
    const readUs = 'skipped' in swapIn ? device.readLatencyUs : swapIn.readLatencyUs;
    lines.push(
      '  swap:',
      '    device: custom',
      `    readLatency: ${us(readUs)}${'skipped' in swapIn ? '' : '  # time per swap-in less its reclaim'}`,
      `    writeLatency: ${us(device.writeLatencyUs)}`,
      `    iops: ${Math.round(device.parallelIops)}`,
      `    bandwidth: ${Math.round(Math.min(device.readBandwidthBps, device.writeBandwidthBps) / 1e6)}M`,
      `    readaheadBandwidth: ${Math.round(device.readaheadBps / 1e6)}M`,
      `    queueDepth: ${device.queueDepth}`,
    );
    if (device.rotational !== null) lines.push(`    rotational: ${device.rotational}`);
    if (device.completesOnDrain) lines.push('    completesOnDrain: true');
  } else if (!('skipped' in swapIn)) {
    lines.push('  swap:', `    readLatency: ${us(swapIn.readLatencyUs)}`);
  }
  return `${lines.join('\n')}\n`;
}

const mbps = (bps: number) => `${Math.round(bps / 1e6)} MB/s`;
