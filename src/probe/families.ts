/**
 * The real-kernel matrix's families (docs/validation.md, issue 14): each case's cgroups, the
 * probe's workloads and their timeline, and the figures one repeat yields. `measureFamily` runs a
 * whole family with repeats and returns its fixture; the comparison with the model is matrix.ts.
 *
 *   a  one process vs a limit at 25–110 % of its working set (seq, uniform, zipf, hot/cold)
 *   b  an anonymous working set and a file reader in one cgroup, swappiness 0–200, mmap/read(2)
 *   c  a latency-sensitive service and a batch job under one parent limit, four arrangements
 *   d  a leak beside a service in a cgroup with a swap allowance, until the OOM killer ends it
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FaultlineError } from '../util/errors.js';
import { activeSwapDevices, addSwapFile, removeSwapFile } from './cgroup.js';
import { measureDevice } from './device.js';
import {
  type AnonParams,
  type FamilyFixture,
  type FamilyId,
  FIXTURE_SCHEMA,
  type KernelCase,
  type LeakParams,
  type ReaderParams,
  type Repeat,
  type ServiceSpec,
  type SiblingsParams,
} from './fixture.js';
import { hostCounters } from './host-counters.js';
import {
  type CgroupSpec,
  CgroupTree,
  describeMachine,
  diskOf,
  dmesgLines,
  hostSnapshot,
  killAll,
  MIB,
  monoMs,
  oomLines,
  type ProbeProcess,
  type ProbeRecord,
  removeStale,
  type Sample,
  Sampler,
  startProbe,
  v1MemoryRoot,
  vmstat,
} from './lab.js';
import { buildProbe } from './native.js';

const PAGE = 4096;
const SWAP_BYTES = 2048 * MIB;
const PREFIX = 'faultline-lab-';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 4) => Number(x.toPrecision(digits));
const mibArg = (bytes: number) => String(bytes / MIB);

export const FAMILY_TITLES: Record<FamilyId, string> = {
  a: 'one process vs a memory limit',
  b: 'anonymous working set plus a file reader in one cgroup',
  c: 'a service and a batch job under one parent limit',
  d: 'a leak until the OOM killer, beside a service',
};

// ---- the cases ----

const A_WS = 64 * MIB;
const A_PATTERNS = ['seq', 'uniform', 'zipf:0.9', 'hotcold:0.2:0.8'];
const A_RATIOS = [null, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1];

export function familyACases(): AnonParams[] {
  return A_PATTERNS.flatMap((pattern) =>
    A_RATIOS.map((r) => ({
      family: 'a' as const,
      workingSetBytes: A_WS,
      limitBytes: r === null ? null : Math.floor((r * A_WS) / PAGE) * PAGE,
      pattern,
      steadySeconds: 4,
    })),
  );
}

export function familyBCases(): ReaderParams[] {
  const base = {
    family: 'b' as const,
    limitBytes: 192 * MIB,
    anonBytes: 96 * MIB,
    anonTouchesPerSec: 50_000,
    fileBytes: 384 * MIB,
    readerSeconds: 8,
  };
  const out: ReaderParams[] = [];
  for (const swappiness of [0, 10, 60, 100, 200]) {
    for (const mode of ['read', 'mmap'] as const)
      out.push({ ...base, swappiness, mode, order: 'seq', advice: 'normal' });
  }
  const modes: Pick<ReaderParams, 'mode' | 'order' | 'advice'>[] = [
    { mode: 'mmap', order: 'seq', advice: 'sequential' },
    { mode: 'mmap', order: 'seq', advice: 'random' },
    { mode: 'mmap', order: 'random', advice: 'normal' },
    { mode: 'mmap', order: 'random', advice: 'random' },
    { mode: 'read', order: 'seq', advice: 'random' },
    { mode: 'read', order: 'random', advice: 'normal' },
  ];
  for (const m of modes) out.push({ ...base, swappiness: 60, ...m });
  return out;
}

const SERVICE_C: ServiceSpec = {
  workingSetBytes: 96 * MIB,
  pattern: 'uniform',
  pagesPerQuery: 32,
  cpuUs: 200,
  ratePerSec: 400,
  thinkUs: 0,
};

export function familyCCases(): SiblingsParams[] {
  const base = {
    family: 'c' as const,
    parentLimitBytes: 256 * MIB,
    service: SERVICE_C,
    batchBytes: 256 * MIB,
    batchPattern: 'seq',
    warmSeconds: 3,
    loopSeconds: 5,
    afterSeconds: 5,
  };
  return [
    { ...base, variant: 'shared', serviceCgroup: null, batchCgroup: null },
    { ...base, variant: 'capped', serviceCgroup: {}, batchCgroup: { limitBytes: 128 * MIB } },
    { ...base, variant: 'service-swappiness', serviceCgroup: { swappiness: 10 }, batchCgroup: {} },
    { ...base, variant: 'batch-soft-limit', serviceCgroup: {}, batchCgroup: { softLimitBytes: 32 * MIB } },
  ];
}

export function familyDCases(): LeakParams[] {
  const base = {
    family: 'd' as const,
    limitBytes: 192 * MIB,
    service: { ...SERVICE_C, workingSetBytes: 64 * MIB, ratePerSec: 300 },
    leakBytesPerSec: 64 * MIB,
    warmSeconds: 2,
    afterSeconds: 6,
  };
  return [
    { ...base, memswBytes: 192 * MIB + 128 * MIB },
    { ...base, memswBytes: 192 * MIB },
  ];
}

export function caseId(p: AnonParams | ReaderParams | SiblingsParams | LeakParams): string {
  switch (p.family) {
    case 'a':
      return `${p.pattern}@${p.limitBytes === null ? 'free' : `${Math.round((p.limitBytes / p.workingSetBytes) * 100)}%`}`;
    case 'b':
      return `swappiness-${p.swappiness}_${p.mode}-${p.order}-${p.advice}`;
    case 'c':
      return p.variant;
    case 'd':
      return `swap-allowance-${(p.memswBytes - p.limitBytes) / MIB}Mi`;
  }
}

// ---- helpers over a repeat's records ----

function phase(recs: ProbeRecord[], name: string): ProbeRecord | undefined {
  return recs.find((r) => r.ev === 'phase' && r.name === name);
}
const n = (r: ProbeRecord | undefined, k: string) => Number(r?.[k] ?? Number.NaN);

/**
 * Phase figures: per touch and µs per touch. The µs leave out the time the probe waited for a CPU
 * behind runnable tasks (schedstat's run_delay): on this shared VM that is other users' work,
 * which no scenario of one process holds, and it stretched a pass that fits in memory 1.5–4×.
 * What stays is time on a CPU, in IO and in reclaim, as the model counts it; wall time is kept.
 */
function perTouch(recs: ProbeRecord[], names: string[]) {
  const ps = recs.filter((r) => r.ev === 'phase' && names.includes(r.name as string));
  if (ps.length === 0) return undefined;
  const sum = (k: string) => ps.reduce((s, r) => s + n(r, k), 0);
  const touches = sum('touches');
  const ns = ps.reduce((s, r) => s + n(r, 't1') - n(r, 't0'), 0);
  const runDelayNs = sum('runDelayNs');
  return {
    touches,
    major: sum('majflt'),
    minor: sum('minflt'),
    majorPerTouch: round(sum('majflt') / touches),
    minorPerTouch: round(sum('minflt') / touches),
    usPerTouch: round((ns - Math.max(runDelayNs, 0)) / 1000 / touches),
    wallUsPerTouch: round(ns / 1000 / touches),
  };
}

/** Service latency over [from, to) ms (tick records at their end times, on the sampler's clock). */
export function serviceWindow(recs: ProbeRecord[], t0: number, from: number, to: number) {
  const hist = new Map<number, number>();
  let queries = 0;
  let major = 0;
  let maxNs = 0;
  for (const r of recs) {
    if (r.ev !== 'tick') continue;
    const t = n(r, 't') / 1e6 - t0;
    if (t < from || t >= to) continue;
    queries += n(r, 'queries');
    major += n(r, 'majflt');
    maxNs = Math.max(maxNs, n(r, 'maxNs'));
    for (const [b, c] of r.hist as [number, number][]) hist.set(b, (hist.get(b) ?? 0) + c);
  }
  const sec = (to - from) / 1000;
  return {
    queriesPerSec: round(queries / sec),
    majorPerSec: round(major / sec),
    p50Ms: quantileMs(hist, queries, 0.5),
    p99Ms: quantileMs(hist, queries, 0.99),
    maxMs: queries ? round(maxNs / 1e6) : null,
  };
}

/** Nearest-rank quantile of the probe's histogram (bucket i: 1 µs · 2^(i/16) up), at the bucket's geometric middle. */
function quantileMs(hist: Map<number, number>, total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const b of [...hist.keys()].sort((x, y) => x - y)) {
    seen += hist.get(b) as number;
    if (seen >= rank) return round(2 ** ((b + 0.5) / 16) / 1000);
  }
  return null;
}

/** When faulting stops: ms from `from` to the end of the last service tick before `to` with more than `maxFaults` major faults. */
function faultBackMs(recs: ProbeRecord[], t0: number, from: number, to: number, maxFaults: number): number {
  let last = from;
  for (const r of recs) {
    if (r.ev !== 'tick') continue;
    const t = n(r, 't') / 1e6 - t0;
    if (t > from && t < to && n(r, 'majflt') > maxFaults) last = t;
  }
  return round(last - from);
}

const mib = (bytes: number) => round(bytes / MIB);
const delta = (a: Sample, b: Sample, k: string) => (b.vm[k] ?? 0) - (a.vm[k] ?? 0);

// ---- one repeat per family ----

interface Ctx {
  bin: string;
  parent: string;
  seq: number;
  file: string;
  log: (s: string) => void;
}

/** /proc/vmstat counters recorded per phase in families c and d: swap-in, readahead and its hits (docs/validation.md item 10). */
const PHASE_VM_KEYS = ['pswpin', 'pswpout', 'pgmajfault', 'swap_ra', 'swap_ra_hit'] as const;

/**
 * The host-wide /proc/vmstat deltas of each phase as metrics `<phase>.vm.<counter>`, from
 * snapshots taken at the phases' bounds (`marks[i]` starts phase `names[i]`, the last one ends
 * the last phase). Not compared: they say how many pages each major fault read and how many of
 * those read ahead were used (`swap_ra_hit` / `swap_ra`), the swap readahead window's rule.
 */
function phaseVm(names: string[], marks: Record<string, number>[]): Repeat['metrics'] {
  const out: Repeat['metrics'] = {};
  names.forEach((name, i) => {
    const a = marks[i] as Record<string, number>;
    const b = marks[i + 1] as Record<string, number>;
    for (const k of PHASE_VM_KEYS) out[`${name}.vm.${k}`] = (b[k] ?? 0) - (a[k] ?? 0);
  });
  return out;
}

async function inTree<T>(ctx: Ctx, specs: CgroupSpec[], body: (tree: CgroupTree) => Promise<T>): Promise<T> {
  const tree = new CgroupTree(ctx.parent, `${PREFIX}${process.pid}-${ctx.seq++}`, specs);
  try {
    return await body(tree);
  } finally {
    killAll();
    await tree.remove();
  }
}

const procsOf = (tree: CgroupTree, path: string) => join(tree.dir(path), 'cgroup.procs');

async function repeatA(ctx: Ctx, p: AnonParams, seed: number): Promise<Repeat> {
  const spec: CgroupSpec = { path: '', ...(p.limitBytes !== null ? { limitBytes: p.limitBytes } : {}) };
  return inTree(ctx, [spec], async (tree) => {
    const dmesg0 = dmesgLines();
    const args = ['anon', '--mib', mibArg(p.workingSetBytes), '--pattern', p.pattern, '--passes', '1'];
    const proc = startProbe(
      'anon',
      ctx.bin,
      [...args, '--steady', String(p.steadySeconds), '--seed', String(seed)],
      procsOf(tree, ''),
    );
    const sampler = new Sampler(tree, () => [proc], 1000);
    const exit = await proc.exited;
    const end = sampler.stop();
    const start = sampler.samples[0] as Sample;
    const recs = proc.records;
    const fill = perTouch(recs, ['fill']);
    const pass1 = perTouch(recs, ['pass1']);
    const steady = perTouch(recs, ['steady']);
    const majors = (fill?.major ?? 0) + (pass1?.major ?? 0) + (steady?.major ?? 0);
    const notes = oomLines(dmesg0, dmesgLines());
    if (exit.signal) notes.unshift(`probe ended by ${exit.signal} (oom_kill ${end.cg['']?.oomKill ?? 0})`);
    return {
      metrics: {
        fillUsPerPage: fill?.usPerTouch ?? null,
        fillMajorPerTouch: fill?.majorPerTouch ?? null,
        pass1MajorPerTouch: pass1?.majorPerTouch ?? null,
        pass1MinorPerTouch: pass1?.minorPerTouch ?? null,
        pass1UsPerTouch: pass1?.usPerTouch ?? null,
        steadyMajorPerTouch: steady?.majorPerTouch ?? null,
        steadyMinorPerTouch: steady?.minorPerTouch ?? null,
        steadyUsPerTouch: steady?.usPerTouch ?? null,
        steadyWallUsPerTouch: steady?.wallUsPerTouch ?? null,
        pass1WallUsPerTouch: pass1?.wallUsPerTouch ?? null,
        steadyTouches: steady?.touches ?? null,
        swapInsPerMajor: majors > 0 ? round(delta(start, end, 'pswpin') / majors) : null,
        swapOutPages: delta(start, end, 'pswpout'),
        oomKills: end.cg['']?.oomKill ?? 0,
      },
      ...(notes.length ? { notes } : {}),
    };
  });
}

async function repeatB(ctx: Ctx, p: ReaderParams, seed: number): Promise<Repeat> {
  return inTree(ctx, [{ path: '', limitBytes: p.limitBytes, swappiness: p.swappiness }], async (tree) => {
    const procs = procsOf(tree, '');
    const anon = startProbe(
      'anon',
      ctx.bin,
      [
        'anon',
        '--mib',
        mibArg(p.anonBytes),
        '--pattern',
        'uniform',
        '--passes',
        '0',
        '--rate',
        String(p.anonTouchesPerSec),
      ].concat(['--seconds', String(p.readerSeconds + 30), '--report-ms', '250', '--seed', String(seed)]),
      procs,
    );
    await anon.waitFor((r) => r.ev === 'phase' && r.name === 'fill', 60_000);
    const reader = startProbe(
      'reader',
      ctx.bin,
      ['file', '--path', ctx.file, '--mode', p.mode, '--order', p.order, '--advice', p.advice, '--drop'].concat([
        '--seconds',
        String(p.readerSeconds),
        '--report-ms',
        '250',
        '--seed',
        String(seed),
      ]),
      procs,
    );
    const sampler = new Sampler(tree, () => [anon, reader], 250);
    const start = await reader.waitFor((r) => r.ev === 'start', 10_000);
    await reader.exited;
    const end = sampler.stop();
    anon.kill();
    const s0 = sampler.samples[0] as Sample;
    const t0 = sampler.t0;
    const rTicks = reader.records.filter((r) => r.ev === 'tick');
    const last = rTicks.at(-1);
    const readerSec = (n(last, 't') - n(start, 't')) / 1e9;
    const touches = n(last, 'touches');
    const diskPages = n(last, 'readBytes') / PAGE;
    const cg = (s: Sample) => s.cg[''] as NonNullable<Sample['cg'][string]>;
    const fileEnd = (cg(end).stat.inactive_file ?? 0) + (cg(end).stat.active_file ?? 0);
    const out = delta(s0, end, 'pswpout');
    const evictedFile = Math.max(0, diskPages - fileEnd / PAGE);
    const swap16 = sampler.samples.find((s) => (cg(s).stat.swap ?? 0) >= 16 * MIB);
    const aTicks = anon.records.filter((r) => r.ev === 'tick' && n(r, 't') / 1e6 >= t0);
    const aMajor = n(aTicks.at(-1), 'majflt') - n(aTicks[0], 'majflt');
    const aSec = (n(aTicks.at(-1), 't') - n(aTicks[0], 't')) / 1e9;
    // Downsampled to 500 ms: how fast anon goes to swap and the file cache grows.
    const series: Record<string, (number | null)[]> = { anonSwapMiB: [], fileMiB: [], readerPagesPerSec: [] };
    for (let t = 0; t <= p.readerSeconds * 1000; t += 500) {
      const s = sampler.at(t);
      series.anonSwapMiB?.push(mib(cg(s).stat.swap ?? 0));
      series.fileMiB?.push(mib((cg(s).stat.inactive_file ?? 0) + (cg(s).stat.active_file ?? 0)));
      const a = rTicks.filter((r) => n(r, 't') / 1e6 - t0 <= t).at(-1);
      const b = rTicks.filter((r) => n(r, 't') / 1e6 - t0 <= t + 500).at(-1);
      series.readerPagesPerSec?.push(
        a && b && b !== a ? round((n(b, 'touches') - n(a, 'touches')) / ((n(b, 't') - n(a, 't')) / 1e9)) : null,
      );
    }
    return {
      metrics: {
        readerPagesPerSec: round(touches / readerSec),
        readerDiskPagesPerPage: round(diskPages / touches),
        readerMajorPerPage: round(n(last, 'majflt') / touches),
        readerResidentAtStart: n(start, 'residentAtStart'),
        anonSwapMiBAtEnd: mib(cg(end).stat.swap ?? 0),
        anonSwapOutMiB: mib(out * PAGE),
        anonSwap16MiBSec: swap16 ? round(swap16.t / 1000) : null,
        anonMajorPerSec: aSec > 0 ? round(aMajor / aSec) : null,
        anonShareOfReclaim: out + evictedFile > 0 ? round(out / (out + evictedFile)) : null,
        fileMiBAtEnd: mib(fileEnd),
        oomKills: cg(end).oomKill,
      },
      series,
      seriesStepMs: 500,
    };
  });
}

function serviceArgs(s: ServiceSpec, seconds: number, seed: number): string[] {
  const loop = s.ratePerSec !== null ? ['--rate', String(s.ratePerSec)] : ['--think-us', String(s.thinkUs)];
  return ['service', '--mib', mibArg(s.workingSetBytes), '--pattern', s.pattern, '--k', String(s.pagesPerQuery)].concat(
    ['--cpu-us', String(s.cpuUs), ...loop, '--seconds', String(seconds), '--report-ms', '100', '--seed', String(seed)],
  );
}

const psiPct = (a: Sample, b: Sample, k: 'someTotalUs' | 'fullTotalUs') =>
  round(((b.psi[k] - a.psi[k]) / 1000 / Math.max(1, b.t - a.t)) * 100);

async function repeatC(ctx: Ctx, p: SiblingsParams, seed: number): Promise<Repeat> {
  const specs: CgroupSpec[] = [{ path: '', limitBytes: p.parentLimitBytes }];
  if (p.serviceCgroup) specs.push({ path: 'service', ...p.serviceCgroup });
  if (p.batchCgroup) specs.push({ path: 'batch', ...p.batchCgroup });
  return inTree(ctx, specs, async (tree) => {
    const svcPath = p.serviceCgroup ? 'service' : '';
    const batchPath = p.batchCgroup ? 'batch' : '';
    const svc = startProbe('service', ctx.bin, serviceArgs(p.service, 600, seed), procsOf(tree, svcPath));
    await svc.waitFor((r) => r.ev === 'phase' && r.name === 'fill', 60_000);
    let batch: ProbeProcess | undefined;
    const sampler = new Sampler(tree, () => (batch ? [svc, batch] : [svc]), 100);
    const t0 = sampler.t0;
    const marks = [vmstat()];
    await sleep(p.warmSeconds * 1000);
    const tBatch = monoMs() - t0;
    marks.push(vmstat());
    batch = startProbe(
      'batch',
      ctx.bin,
      ['anon', '--mib', mibArg(p.batchBytes), '--pattern', p.batchPattern, '--passes', '0', '--seconds', '600'].concat([
        '--report-ms',
        '100',
        '--seed',
        String(seed + 1),
      ]),
      procsOf(tree, batchPath),
    );
    const filled = await batch.waitFor((r) => r.ev === 'phase' && r.name === 'fill', 180_000);
    marks.push(vmstat());
    const tFilled = n(filled, 't1') / 1e6 - t0;
    await sleep(p.loopSeconds * 1000);
    const atKill = sampler.take();
    marks.push(vmstat());
    batch.kill();
    const tKill = monoMs() - t0;
    await batch.exited;
    await sleep(p.afterSeconds * 1000);
    const end = sampler.stop();
    marks.push(vmstat());
    svc.kill();
    await svc.exited;
    const tEnd = end.t;
    const recs = svc.records;
    const metrics: Repeat['metrics'] = {};
    const phases: [string, number, number][] = [
      ['before', 0, tBatch],
      ['fill', tBatch, tFilled],
      ['loop', tFilled, tKill],
      ['after', tKill, tEnd],
    ];
    for (const [name, from, to] of phases) {
      const w = serviceWindow(recs, t0, from, to);
      metrics[`${name}.p50Ms`] = w.p50Ms;
      metrics[`${name}.p99Ms`] = w.p99Ms;
      metrics[`${name}.majorPerSec`] = w.majorPerSec;
      metrics[`${name}.queriesPerSec`] = w.queriesPerSec;
    }
    const bTicks = batch.records.filter((r) => r.ev === 'tick' && n(r, 't') / 1e6 - t0 >= tFilled);
    const bSec = (n(bTicks.at(-1), 't') - n(bTicks[0], 't')) / 1e9;
    const bTouches = n(bTicks.at(-1), 'touches') - n(bTicks[0], 'touches');
    const cgAt = (s: Sample, path: string) => s.cg[path] as NonNullable<Sample['cg'][string]>;
    const fillSample = sampler.at(tFilled);
    Object.assign(metrics, {
      batchFillSec: round((tFilled - tBatch) / 1000),
      batchLoopTouchesPerSec: bSec > 0 ? round(bTouches / bSec) : null,
      batchLoopMajorPerTouch:
        bTouches > 0 ? round((n(bTicks.at(-1), 'majflt') - n(bTicks[0], 'majflt')) / bTouches) : null,
      recoverySec: round(faultBackMs(recs, t0, tKill, tEnd, 2) / 1000),
      serviceSwapMiBAtKill: p.serviceCgroup ? mib(cgAt(atKill, 'service').stat.swap ?? 0) : null,
      batchSwapMiBAtKill: p.batchCgroup ? mib(cgAt(atKill, 'batch').stat.swap ?? 0) : null,
      serviceSwapMiBAtFill: p.serviceCgroup ? mib(cgAt(fillSample, 'service').stat.swap ?? 0) : null,
      // v1 uncharges a page's swap once it is read into the swap cache: these are the pages read
      // (ahead) and not yet faulted at the kill, on top of `swap`.
      serviceSwapcachedMiBAtKill: p.serviceCgroup ? mib(cgAt(atKill, 'service').stat.swapcached ?? 0) : null,
      batchSwapcachedMiBAtKill: p.batchCgroup ? mib(cgAt(atKill, 'batch').stat.swapcached ?? 0) : null,
      psiSomePctLoop: psiPct(fillSample, atKill, 'someTotalUs'),
      psiFullPctLoop: psiPct(fillSample, atKill, 'fullTotalUs'),
      psiSomeAvg10AtKill: atKill.psi.someAvg10,
      psiFullAvg10AtKill: atKill.psi.fullAvg10,
      oomKills: cgAt(end, '').oomKill,
    });
    // 200 ms series of the service: major faults per second and p99 (timing decides the regimes),
    // and of each child cgroup's lists and swap (memory.stat), which say whose pages reclaim took.
    const series: Record<string, (number | null)[]> = { serviceMajorPerSec: [], serviceP99Ms: [] };
    const children = [p.serviceCgroup ? 'service' : null, p.batchCgroup ? 'batch' : null].filter(
      (c): c is string => c !== null,
    );
    for (let t = 0; t + 200 <= tEnd; t += 200) {
      const w = serviceWindow(recs, t0, t, t + 200);
      series.serviceMajorPerSec?.push(w.majorPerSec);
      series.serviceP99Ms?.push(w.p99Ms);
      const at = sampler.at(t + 200);
      for (const c of children) {
        const st = cgAt(at, c).stat;
        (series[`${c}.inactiveAnonMiB`] ??= []).push(mib(st.inactive_anon ?? 0));
        (series[`${c}.activeAnonMiB`] ??= []).push(mib(st.active_anon ?? 0));
        (series[`${c}.swapMiB`] ??= []).push(mib(st.swap ?? 0));
        (series[`${c}.refaultAnon`] ??= []).push(st.workingset_refault_anon ?? null);
      }
    }
    Object.assign(metrics, phaseVm(['before', 'fill', 'loop', 'after'], marks));
    metrics.tBatchSec = round(tBatch / 1000);
    metrics.tFilledSec = round(tFilled / 1000);
    metrics.tKillSec = round(tKill / 1000);
    return { metrics, series, seriesStepMs: 200 };
  });
}

async function repeatD(ctx: Ctx, p: LeakParams, seed: number): Promise<Repeat> {
  const specs: CgroupSpec[] = [{ path: '', limitBytes: p.limitBytes, memswBytes: p.memswBytes }];
  return inTree(ctx, specs, async (tree) => {
    const dmesg0 = dmesgLines();
    const svc = startProbe('service', ctx.bin, serviceArgs(p.service, 600, seed), procsOf(tree, ''));
    await svc.waitFor((r) => r.ev === 'phase' && r.name === 'fill', 60_000);
    let leak: ProbeProcess | undefined;
    const sampler = new Sampler(tree, () => (leak ? [svc, leak] : [svc]), 100);
    const t0 = sampler.t0;
    const marks = [vmstat()];
    await sleep(p.warmSeconds * 1000);
    const tLeak = monoMs() - t0;
    marks.push(vmstat());
    leak = startProbe(
      'leak',
      ctx.bin,
      ['leak', '--rate-mib', mibArg(p.leakBytesPerSec), '--seconds', '60', '--report-ms', '100'],
      procsOf(tree, ''),
    );
    // Whoever the OOM killer picks, the case goes on until the leak is gone.
    const leakExit = await Promise.race([leak.exited, svc.exited.then(() => leak?.exited)]);
    const tKill = (svc.exitInfo && !leak.exitInfo ? svc.exitInfo.atMs : (leakExit?.atMs ?? monoMs())) - t0;
    const atKill = sampler.take();
    marks.push(vmstat());
    // Who the OOM killer took, read before the harness ends the survivor itself.
    const victim =
      leak.exitInfo?.signal === 'SIGKILL' && !svc.exitInfo?.signal ? 'leak' : svc.exitInfo?.signal ? 'service' : 'none';
    await sleep(p.afterSeconds * 1000);
    const end = sampler.stop();
    marks.push(vmstat());
    svc.kill();
    leak.kill();
    await svc.exited;
    const notes = oomLines(dmesg0, dmesgLines());
    const recs = svc.records;
    const metrics: Repeat['metrics'] = {};
    for (const [name, from, to] of [
      ['before', 0, tLeak],
      ['leak', tLeak, tKill],
      ['after', tKill, end.t],
    ] as [string, number, number][]) {
      const w = serviceWindow(recs, t0, from, to);
      metrics[`${name}.p50Ms`] = w.p50Ms;
      metrics[`${name}.p99Ms`] = w.p99Ms;
      metrics[`${name}.majorPerSec`] = w.majorPerSec;
    }
    const lastLeak = leak.records.filter((r) => r.ev === 'tick').at(-1);
    const afterTicks = recs.filter((r) => r.ev === 'tick' && n(r, 't') / 1e6 - t0 > tKill);
    const window = sampler.samples.filter((s) => s.t >= tLeak && s.t <= tKill + 3000);
    const s0 = sampler.at(tLeak);
    Object.assign(metrics, {
      oomAfterLeakStartSec: victim === 'none' ? null : round((tKill - tLeak) / 1000),
      victimIsLeak: victim === 'leak' ? 1 : 0,
      leakMiBAtKill: mib(n(lastLeak, 'touches') * PAGE),
      oomKills: (end.cg[''] as NonNullable<Sample['cg'][string]>).oomKill,
      faultBackSec: round(faultBackMs(recs, t0, tKill, end.t, 2) / 1000),
      faultBackPages: afterTicks.reduce((s, r) => s + n(r, 'majflt'), 0),
      serviceSwapMiBAtKill: mib((atKill.cg[''] as NonNullable<Sample['cg'][string]>).stat.swap ?? 0),
      swapcachedMiBAtKill: mib((atKill.cg[''] as NonNullable<Sample['cg'][string]>).stat.swapcached ?? 0),
      psiSomeAvg10Max: Math.max(...window.map((s) => s.psi.someAvg10)),
      psiFullAvg10Max: Math.max(...window.map((s) => s.psi.fullAvg10)),
      psiSomePctLeak: psiPct(s0, atKill, 'someTotalUs'),
      psiFullPctLeak: psiPct(s0, atKill, 'fullTotalUs'),
      tLeakSec: round(tLeak / 1000),
      ...phaseVm(['before', 'leak', 'after'], marks),
    });
    const series: Record<string, (number | null)[]> = { serviceMajorPerSec: [], psiSomeAvg10: [], psiFullAvg10: [] };
    for (let t = 0; t + 200 <= end.t; t += 200) {
      series.serviceMajorPerSec?.push(serviceWindow(recs, t0, t, t + 200).majorPerSec);
      series.psiSomeAvg10?.push(sampler.at(t + 200).psi.someAvg10);
      series.psiFullAvg10?.push(sampler.at(t + 200).psi.fullAvg10);
    }
    return { metrics, series, seriesStepMs: 200, notes: [`victim: ${victim}`, ...notes] };
  });
}

// ---- calibration: this machine's costs for the model's host ----

async function calibrate(ctx: Ctx): Promise<Record<string, number>> {
  // Medians of three runs each: the machine is shared, and one busy second moves a single run.
  const RUNS = 3;
  const med3 = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
  const out: Record<string, number> = {};
  const minor: number[] = [];
  for (const pattern of A_PATTERNS) {
    const us: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const free = await repeatA(
        ctx,
        { family: 'a', workingSetBytes: A_WS, limitBytes: null, pattern, steadySeconds: 2 },
        i + 1,
      );
      us.push(free.metrics.steadyUsPerTouch as number);
      minor.push(free.metrics.fillUsPerPage as number);
    }
    out[`touchesPerSec.${pattern}`] = round(1e6 / med3(us));
  }
  out.minorFaultUs = med3(minor);
  // Swap-in as `faultline calibrate` measures it: wall time per major fault of scattered re-touches
  // under a limit well below the working set, less the touch itself.
  const perFault: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const m = (
      await repeatA(
        ctx,
        { family: 'a', workingSetBytes: A_WS, limitBytes: A_WS / 4, pattern: 'uniform', steadySeconds: 3 },
        i + 1,
      )
    ).metrics;
    perFault.push(swapReadUs(m, out['touchesPerSec.uniform'] as number));
  }
  if (!perFault.some(Number.isFinite)) throw new FaultlineError('the swap-in calibration saw no major fault', 3);
  out.swapReadUs = round(med3(perFault.filter(Number.isFinite)));
  // The swap file's disk, as a custom device (faultline calibrate measures it the same way).
  const dev = [0, 1, 2].map(() => measureDevice('/var/tmp'));
  out['device.writeLatencyUs'] = round(med3(dev.map((d) => d.writeLatencyUs)));
  out['device.bandwidthBps'] = round(med3(dev.map((d) => Math.min(d.readBandwidthBps, d.writeBandwidthBps))));
  out['device.iops'] = round(med3(dev.map((d) => d.parallelIops)));
  out['device.queueDepth'] = med3(dev.map((d) => d.queueDepth));
  // Readahead's large requests (max_sectors_kb from large folios): the file readers' device.
  out['device.readaheadBps'] = round(med3(dev.map((d) => d.readaheadBps)));
  // Whether the disk signals completions only when its queue drains (1) or one by one (0).
  out['device.completesOnDrain'] = med3(dev.map((d) => (d.completesOnDrain ? 1 : 0)));
  return out;
}

/**
 * µs per major fault beyond the touch itself, over the steady phase or, when it saw no major fault,
 * the first pass after the fill (uniform access: the same miss ratio).
 */
export function swapReadUs(m: Repeat['metrics'], touchesPerSec: number): number {
  const us = m.steadyMajorPerTouch ? m.steadyUsPerTouch : m.pass1UsPerTouch;
  const major = m.steadyMajorPerTouch || m.pass1MajorPerTouch;
  return typeof us === 'number' && major ? (us - 1e6 / touchesPerSec) / major : Number.NaN;
}

// ---- a family ----

export interface MeasureOptions {
  repeats: number;
  log: (line: string) => void;
  /** Only cases whose id contains this. */
  only?: string;
  /** Called with the fixture before the swap file and the cgroups are removed, so no measurement is lost to a failed cleanup. */
  save: (fixture: FamilyFixture) => void;
}

export async function measureFamily(family: FamilyId, opts: MeasureOptions): Promise<FamilyFixture> {
  if (process.getuid?.() !== 0)
    throw new FaultlineError('the real-kernel matrix needs root (memory cgroups, a swap file)', 2);
  const v1 = v1MemoryRoot();
  if (!v1) throw new FaultlineError('no cgroup v1 memory hierarchy mounted', 2);
  if (activeSwapDevices().length > 0) {
    throw new FaultlineError(
      `swap is already on (${activeSwapDevices().join(', ')}): another measurement may be running`,
      2,
    );
  }
  removeStale(v1.own, PREFIX);
  const swapFile = `/var/tmp/faultline-lab-${process.pid}.swap`;
  const dataFile = `/var/tmp/faultline-lab-${process.pid}.data`;
  const probe = buildProbe();
  const onSignal = () => killAll();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (!addSwapFile(swapFile, SWAP_BYTES)) throw new FaultlineError(`could not add the swap file ${swapFile}`, 3);
    const disk = diskOf('/var/tmp');
    const machine = describeMachine(
      {
        kind: 'file',
        sizeBytes: SWAP_BYTES,
        ...disk,
        vmaReadahead: !disk.rotational && readFlag('/sys/kernel/mm/swap/vma_ra_enabled'),
      },
      probe.compiler,
      v1.mount,
    );
    const ctx: Ctx = { bin: probe.bin, parent: v1.own, seq: 0, file: dataFile, log: opts.log };
    if (family === 'b') writeDataFile(dataFile, familyBCases()[0]?.fileBytes ?? 0);
    opts.log(`family ${family}: calibrating`);
    const calibration = await calibrate(ctx);
    opts.log(`  ${JSON.stringify(calibration)}`);
    if (family === 'b') {
      for (const mode of ['read', 'mmap'] as const) {
        for (const order of ['seq', 'random'] as const) {
          calibration[`reader.${mode}.${order}.touchesPerSec`] = await cachedReaderRate(ctx, mode, order);
        }
      }
    }
    const params =
      family === 'a'
        ? familyACases()
        : family === 'b'
          ? familyBCases()
          : family === 'c'
            ? familyCCases()
            : familyDCases();
    const cases: KernelCase[] = [];
    for (const p of params) {
      const id = caseId(p);
      if (opts.only && !id.includes(opts.only)) continue;
      const repeats: Repeat[] = [];
      for (let r = 0; r < opts.repeats; r++) {
        const seed = r + 1;
        const t = monoMs();
        const before = hostSnapshot(machine.swap.disk);
        const rep =
          p.family === 'a'
            ? await repeatA(ctx, p, seed)
            : p.family === 'b'
              ? await repeatB(ctx, p, seed)
              : p.family === 'c'
                ? await repeatC(ctx, p, seed)
                : await repeatD(ctx, p, seed);
        rep.host = hostCounters(before, hostSnapshot(machine.swap.disk));
        repeats.push(rep);
        opts.log(`  ${id} #${r + 1} (${((monoMs() - t) / 1000).toFixed(1)} s): ${brief(rep)}`);
      }
      cases.push({ id, params: p, repeats });
    }
    const fixture: FamilyFixture = {
      schema: FIXTURE_SCHEMA,
      family,
      title: FAMILY_TITLES[family],
      machine,
      calibration,
      cases,
    };
    opts.save(fixture);
    return fixture;
  } finally {
    killAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    removeSwapFile(swapFile);
    rmSync(dataFile, { force: true });
    probe.remove();
  }
}

function readFlag(file: string): boolean {
  try {
    return /true|1/.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/** Random bytes (zeros could be read without I/O), written by the harness and then dropped from the cache by the probe. */
function writeDataFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < bytes; done += MIB) writeSync(fd, randomBytes(MIB));
  } finally {
    closeSync(fd);
  }
}

/** Pages per second a reader gets from a file already in the page cache (its second pass, no limit). */
async function cachedReaderRate(ctx: Ctx, mode: 'read' | 'mmap', order: 'seq' | 'random'): Promise<number> {
  return inTree(ctx, [{ path: '' }], async (tree) => {
    const r = startProbe(
      'reader',
      ctx.bin,
      ['file', '--path', ctx.file, '--mode', mode, '--order', order, '--passes', '2'],
      procsOf(tree, ''),
    );
    await r.exited;
    const p2 = phase(r.records, 'pass2');
    return round(n(p2, 'touches') / ((n(p2, 't1') - n(p2, 't0')) / 1e9));
  });
}

function brief(r: Repeat): string {
  const keys = Object.keys(r.metrics).slice(0, 6);
  return keys.map((k) => `${k}=${r.metrics[k]}`).join(' ');
}
