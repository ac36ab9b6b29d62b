/**
 * The real-kernel lab's primitives (docs/validation.md): cgroup v1 trees, the C probe's
 * processes inside them, a sampler that reads every counter at a fixed interval, OOM kills
 * from memory.oom_control and dmesg, and the machine's description. families.ts composes them
 * into the matrix's cases. Root and the v1 memory controller are needed; every cgroup made here
 * is removed when the case ends, fails or is interrupted.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { FaultlineError } from '../util/errors.js';
import type { Machine } from './fixture.js';
import { type HostSnapshot, parseDiskStat, parseLoadAvg } from './host-counters.js';

export const MIB = 2 ** 20;
const PAGE = 4096;

/**
 * The lock every real-kernel experiment holds (flock) while it adds swap or puts memory cgroups
 * under pressure: the kernel matrix (bench/validate-kernel.ts), the post-mortem recordings and
 * the root-only tests, so that none of them skews another on a shared machine.
 */
export const LAB_LOCK = '/tmp/faultline-kernel-lab.lock';

/** Monotonic ms (CLOCK_MONOTONIC, the clock the probe's `t` fields read). */
export const monoMs = () => Number(process.hrtime.bigint()) / 1e6;

export function readNum(file: string): number {
  return Number(readFileSync(file, 'utf8').trim());
}

/** A file's text, or undefined when it cannot be read (a counter file this kernel lacks). */
function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readKeyed(file: string, sep = ' '): Record<string, number> {
  const out: Record<string, number> = {};
  const text = readOptional(file);
  if (text === undefined) return out;
  for (const line of text.split('\n')) {
    const i = line.indexOf(sep);
    if (i <= 0) continue;
    const v = Number(line.slice(i + sep.length).trim());
    if (Number.isFinite(v)) out[line.slice(0, i)] = v;
  }
  return out;
}

/** The v1 memory hierarchy's mount point and this process's cgroup in it. */
export function v1MemoryRoot(): { mount: string; own: string } | undefined {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  for (const line of mounts) {
    const [pre, post] = line.split(' - ');
    const fields = post?.split(' ') ?? [];
    if (fields[0] === 'cgroup' && fields[2]?.split(',').includes('memory')) {
      const mount = pre?.split(' ')[4] ?? '';
      const own = readFileSync('/proc/self/cgroup', 'utf8')
        .split('\n')
        .map((l) => l.split(':'))
        .find((f) => f[1]?.split(',').includes('memory'))?.[2];
      return { mount, own: join(mount, own ?? '/') };
    }
  }
  return undefined;
}

/** Why this machine's cgroup v2 mount cannot take memory limits (or that it can). */
export function cgroupV2Status(): string {
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' - ')[1]?.startsWith('cgroup2 '));
  if (!line) return 'no cgroup2 mount';
  const point = line.split(' ')[4] ?? '';
  const controllers = readFileSync(join(point, 'cgroup.controllers'), 'utf8').trim();
  if (controllers.split(/\s+/).includes('memory')) return `cgroup2 at ${point} offers memory`;
  return (
    `cgroup2 is mounted at ${point} but offers only [${controllers}]: the memory controller is bound to the v1 ` +
    'hierarchy, which holds other users’ cgroups, and a controller can move to v2 only when its v1 hierarchy is ' +
    'empty and unmounted; memory.max/high/low and memory.swap.max cannot be written here'
  );
}

export function vmstat(): Record<string, number> {
  return readKeyed('/proc/vmstat');
}

/** The host's load, /proc/vmstat and the swap disk's counters now (host-counters.ts says why). */
export function hostSnapshot(disk: string): HostSnapshot {
  const load = readOptional('/proc/loadavg');
  const stat = readOptional(`/sys/block/${disk}/stat`);
  return {
    load1: load === undefined ? Number.NaN : parseLoadAvg(load),
    vm: vmstat(),
    disk: stat === undefined ? undefined : parseDiskStat(stat),
  };
}

/** /proc/pressure/memory: avg10 (%) and total (µs) of `some` and `full`. */
export function memoryPressure(): { someAvg10: number; fullAvg10: number; someTotalUs: number; fullTotalUs: number } {
  const out = { someAvg10: 0, fullAvg10: 0, someTotalUs: 0, fullTotalUs: 0 };
  const text = readOptional('/proc/pressure/memory');
  if (text === undefined) return out;
  for (const line of text.split('\n')) {
    const kind = line.startsWith('some') ? 'some' : line.startsWith('full') ? 'full' : undefined;
    if (!kind) continue;
    const avg = Number(/avg10=([\d.]+)/.exec(line)?.[1] ?? 0);
    const total = Number(/total=(\d+)/.exec(line)?.[1] ?? 0);
    if (kind === 'some') Object.assign(out, { someAvg10: avg, someTotalUs: total });
    else Object.assign(out, { fullAvg10: avg, fullTotalUs: total });
  }
  return out;
}

/** /proc/<pid>/stat: minflt, majflt, utime+stime (ticks), state; undefined once it is gone. */
export function procStat(pid: number): { minflt: number; majflt: number; cpuTicks: number; state: string } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0] ?? '?', minflt: Number(f[7]), majflt: Number(f[9]), cpuTicks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

// ---- cgroup v1 trees ----

export interface CgroupSpec {
  /** Relative to the tree's root cgroup ('' is the root itself). */
  path: string;
  limitBytes?: number;
  memswBytes?: number;
  swappiness?: number;
  softLimitBytes?: number;
}

/** memory.stat keys kept per sample (hierarchical `total_` values, named without the prefix). */
export const STAT_KEYS = [
  'cache',
  'rss',
  'swap',
  'swapcached',
  'mapped_file',
  'inactive_anon',
  'active_anon',
  'inactive_file',
  'active_file',
  'pgmajfault',
  'workingset_refault_anon',
  'workingset_refault_file',
] as const;

export class CgroupTree {
  readonly root: string;
  private readonly specs: CgroupSpec[];

  constructor(parent: string, name: string, specs: CgroupSpec[]) {
    this.root = join(parent, name);
    this.specs = specs;
    mkdirSync(this.root);
    for (const s of [...specs].sort((a, b) => a.path.length - b.path.length)) {
      const dir = this.dir(s.path);
      if (!existsSync(dir)) mkdirSync(dir);
      // memsw must stay ≥ the limit at every write: the limit goes first.
      if (s.limitBytes !== undefined) writeFileSync(join(dir, 'memory.limit_in_bytes'), String(s.limitBytes));
      if (s.memswBytes !== undefined) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(s.memswBytes));
      if (s.swappiness !== undefined) writeFileSync(join(dir, 'memory.swappiness'), String(s.swappiness));
      if (s.softLimitBytes !== undefined) {
        writeFileSync(join(dir, 'memory.soft_limit_in_bytes'), String(s.softLimitBytes));
      }
    }
  }

  dir(path: string): string {
    return path === '' ? this.root : join(this.root, path);
  }

  paths(): string[] {
    return [...new Set(['', ...this.specs.map((s) => s.path)])];
  }

  /** memory.stat (hierarchical), usage, memsw usage and oom_kill of one cgroup. */
  read(path: string): CgroupSample {
    const dir = this.dir(path);
    const raw = readKeyed(join(dir, 'memory.stat'));
    const stat: Record<string, number> = {};
    for (const k of STAT_KEYS) stat[k] = raw[`total_${k}`] ?? raw[k] ?? 0;
    return {
      usage: readNum(join(dir, 'memory.usage_in_bytes')),
      memsw: readNum(join(dir, 'memory.memsw.usage_in_bytes')),
      stat,
      oomKill: readKeyed(join(dir, 'memory.oom_control')).oom_kill ?? 0,
    };
  }

  /** rmdir deepest first, retried while the kernel uncharges dead tasks' memory. */
  async remove(): Promise<void> {
    const dirs = this.paths()
      .map((p) => this.dir(p))
      .sort((a, b) => b.length - a.length);
    for (const d of dirs) {
      for (let attempt = 0; ; attempt++) {
        try {
          rmdirSync(d);
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (attempt === 10) {
            for (const pid of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
              try {
                process.kill(Number(pid), 'SIGKILL');
              } catch {}
            }
          }
          if (attempt >= 40) throw new FaultlineError(`could not remove cgroup ${d}: ${code}; rmdir it by hand`, 3);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  }
}

export interface CgroupSample {
  usage: number;
  memsw: number;
  stat: Record<string, number>;
  oomKill: number;
}

/** Removes cgroups a killed earlier run left behind under `parent` (names starting with `prefix`). */
export function removeStale(parent: string, prefix: string): void {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
      try {
        rmdirSync(d);
      } catch {}
    };
    walk(join(parent, name));
  }
}

// ---- the probe's processes ----

export interface ProbeRecord {
  ev: string;
  t?: number;
  [k: string]: unknown;
}

export interface ProbeProcess {
  readonly name: string;
  pid: number;
  readonly records: ProbeRecord[];
  /** Resolves when it exits: code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  exitInfo?: { code: number | null; signal: NodeJS.Signals | null; atMs: number };
  /** First record (already received or future) matching; rejects if the process exits first or after `timeoutMs`. */
  waitFor(pred: (r: ProbeRecord) => boolean, timeoutMs: number): Promise<ProbeRecord>;
  kill(signal?: NodeJS.Signals): void;
  stderr(): string;
}

const running = new Set<ChildProcess>();
/** Kills every probe still running (the harness's signal handler and its `finally`). */
export function killAll(): void {
  for (const c of running) c.kill('SIGKILL');
}

/** Starts the probe inside a cgroup: the shell joins it first, then becomes the probe. */
export function startProbe(name: string, bin: string, args: string[], procsFile: string): ProbeProcess {
  const child = spawn('/bin/sh', ['-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', procsFile, bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const records: ProbeRecord[] = [];
  const waiters: { pred: (r: ProbeRecord) => boolean; resolve: (r: ProbeRecord) => void }[] = [];
  let buf = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      const rec = JSON.parse(line) as ProbeRecord;
      records.push(rec);
      for (const w of [...waiters]) {
        if (w.pred(rec)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(rec);
        }
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const proc: ProbeProcess = {
    name,
    pid: child.pid ?? -1,
    records,
    exited: new Promise((resolve) => {
      child.on('close', (code, signal) => {
        running.delete(child);
        proc.exitInfo = { code, signal, atMs: monoMs() };
        resolve(proc.exitInfo);
      });
    }),
    waitFor(pred, timeoutMs) {
      const have = records.find(pred);
      if (have) return Promise.resolve(have);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new FaultlineError(`${name}: no expected record within ${timeoutMs} ms`, 3)),
          timeoutMs,
        );
        waiters.push({
          pred,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
        void proc.exited.then((e) => {
          clearTimeout(timer);
          reject(new ProbeExited(name, e.code, e.signal, err.trim()));
        });
      });
    },
    kill(signal = 'SIGKILL') {
      child.kill(signal);
    },
    stderr: () => err,
  };
  return proc;
}

export class ProbeExited extends FaultlineError {
  readonly signal: NodeJS.Signals | null;
  constructor(name: string, code: number | null, signal: NodeJS.Signals | null, stderr: string) {
    super(`${name} exited (${signal ?? `code ${code}`}) before the expected record${stderr ? `: ${stderr}` : ''}`, 3);
    this.signal = signal;
  }
}

// ---- the sampler ----

export const VMSTAT_KEYS = [
  'pswpin',
  'pswpout',
  'pgmajfault',
  'pgpgin',
  'pgpgout',
  'pgsteal_anon',
  'pgsteal_file',
  'pgscan_anon',
  'pgscan_file',
  'pgscan_kswapd',
  'pgscan_direct',
  'workingset_refault_anon',
  'workingset_refault_file',
  'workingset_activate_anon',
  'workingset_activate_file',
  'oom_kill',
] as const;

export interface Sample {
  /** ms since the sampler's time 0. */
  t: number;
  cg: Record<string, CgroupSample>;
  vm: Record<string, number>;
  psi: ReturnType<typeof memoryPressure>;
  procs: Record<string, ReturnType<typeof procStat>>;
}

/** Reads every counter every `intervalMs` until stopped. */
export class Sampler {
  readonly samples: Sample[] = [];
  readonly t0: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly tree: CgroupTree;
  private readonly procs: () => ProbeProcess[];

  constructor(tree: CgroupTree, procs: () => ProbeProcess[], intervalMs: number, t0 = monoMs()) {
    this.tree = tree;
    this.procs = procs;
    this.t0 = t0;
    this.take();
    this.timer = setInterval(() => this.take(), intervalMs);
  }

  take(): Sample {
    const all = vmstat();
    const vm: Record<string, number> = {};
    for (const k of VMSTAT_KEYS) vm[k] = all[k] ?? 0;
    const cg: Record<string, CgroupSample> = {};
    for (const p of this.tree.paths()) cg[p] = this.tree.read(p);
    const procs: Sample['procs'] = {};
    for (const p of this.procs()) if (!p.exitInfo) procs[p.name] = procStat(p.pid);
    const s: Sample = { t: monoMs() - this.t0, cg, vm, psi: memoryPressure(), procs };
    this.samples.push(s);
    return s;
  }

  stop(): Sample {
    clearInterval(this.timer);
    return this.take();
  }

  /** The last sample at or before `t` ms (the first one when none is). */
  at(t: number): Sample {
    let best = this.samples[0] as Sample;
    for (const s of this.samples) if (s.t <= t) best = s;
    return best;
  }
}

/** Kernel log lines about OOM kills that appeared after `before` lines were there. */
export function dmesgLines(): string[] {
  const r = spawnSync('dmesg', [], { encoding: 'utf8', maxBuffer: 64 * MIB });
  return r.status === 0 ? r.stdout.split('\n') : [];
}

/** Kernel log lines about OOM kills that were not in `before`. */
export function oomLines(before: string[], after: string[]): string[] {
  const seen = new Set(before);
  return after.filter((l) => !seen.has(l) && /Killed process|oom-kill:|Memory cgroup out of memory/.test(l));
}

// ---- the machine ----

export function describeMachine(swap: Machine['swap'], compiler: string, cgroupRootPath: string): Machine {
  const read = (f: string) => readFileSync(f, 'utf8').trim();
  const thp = /\[(\w+)\]/.exec(read('/sys/kernel/mm/transparent_hugepage/enabled'))?.[1] ?? '?';
  return {
    kernel: release(),
    cpus: availableParallelism(),
    ramBytes: totalmem(),
    swap,
    pageCluster: readNum('/proc/sys/vm/page-cluster'),
    swappiness: readNum('/proc/sys/vm/swappiness'),
    minFreeKbytes: readNum('/proc/sys/vm/min_free_kbytes'),
    thp,
    readAheadKb: readNum(`/sys/block/${swap.disk}/queue/read_ahead_kb`),
    mglru: existsSync('/sys/kernel/mm/lru_gen/enabled') ? read('/sys/kernel/mm/lru_gen/enabled') : 'absent',
    cgroup: { version: 1, memoryRoot: cgroupRootPath, v2: cgroupV2Status() },
    compiler,
    measuredAt: new Date().toISOString(),
  };
}

/** The block device (e.g. vda) that holds `path`, and whether the kernel treats it as rotational. */
export function diskOf(path: string): { disk: string; rotational: boolean } {
  const r = spawnSync('df', ['--output=source', path], { encoding: 'utf8' });
  const dev = (r.stdout.split('\n')[1] ?? '').trim().replace('/dev/', '');
  const disk = existsSync(`/sys/block/${dev}`) ? dev : dev.replace(/p?\d+$/, '');
  return { disk, rotational: readNum(`/sys/block/${disk}/queue/rotational`) === 1 };
}

export const pages = (bytes: number) => Math.floor(bytes / PAGE);
