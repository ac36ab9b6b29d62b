/**
 * What the probes share: finding a memory cgroup hierarchy and the swap devices, running a
 * child `node` inside a temporary memory cgroup, and removing that cgroup whatever happens
 * (normal end, failure, SIGINT, SIGTERM). Used by `calibrate.ts` (fault costs) and
 * `workload-probe.ts` (a replayed access stream under a limit, for docs/validation.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultlineError } from '../util/errors.js';

export interface CgroupRoot {
  version: 1 | 2;
  parent: string;
}

export function activeSwapDevices(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/swaps', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((f) => f !== '');
}

/** Where to create a probe cgroup: v2 when its root delegates memory, else v1's memory hierarchy. */
export function findMemoryCgroup(): CgroupRoot | undefined {
  let mountinfo: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return undefined;
  }
  const mounts = mountinfo.split('\n').map((line) => {
    const [pre, post] = line.split(' - ');
    return { point: pre?.split(' ')[4] ?? '', type: post?.split(' ')[0] ?? '', opts: post?.split(' ')[2] ?? '' };
  });
  for (const m of mounts.filter((x) => x.type === 'cgroup2')) {
    try {
      const delegated = readFileSync(join(m.point, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
      // v2 forbids processes in inner cgroups, so the probe cgroup hangs off the root, which is exempt.
      if (delegated.includes('memory')) return { version: 2, parent: m.point };
    } catch {}
  }
  const v1 = mounts.find((x) => x.type === 'cgroup' && x.opts.split(',').includes('memory'));
  if (!v1) return undefined;
  // In v1 a child of our own cgroup keeps the probe inside whatever limits this process already has.
  const own = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[1]?.split(',').includes('memory'));
  return { version: 1, parent: join(v1.point, own?.[2] ?? '/') };
}

export function vmstatCounter(name: string): number {
  const line = readFileSync('/proc/vmstat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? 0);
}

/** The cgroup's files, named by what they hold, for the hierarchy's version. */
export function cgroupFiles(version: 1 | 2, path: string) {
  return {
    procs: join(path, 'cgroup.procs'),
    limit: join(path, version === 2 ? 'memory.max' : 'memory.limit_in_bytes'),
    usage: join(path, version === 2 ? 'memory.current' : 'memory.usage_in_bytes'),
    stat: join(path, 'memory.stat'),
    events: version === 2 ? join(path, 'memory.events') : undefined,
    /** Where `oom_kill` is counted: memory.events (v2) or memory.oom_control (v1). */
    oomControl: join(path, version === 2 ? 'memory.events' : 'memory.oom_control'),
  };
}

/** The child currently running, so a signal handler can stop it before the cgroup goes. */
let running: ReturnType<typeof spawn> | undefined;

/**
 * Runs `node -e script ...args` (inside the cgroup whose cgroup.procs is `procsFile`, if
 * given) and parses the one JSON line it prints. `label` names it in errors.
 */
export function runNodeChild<T>(
  script: string,
  args: readonly string[],
  label: string,
  procsFile?: string,
): Promise<T> {
  const probeArgs = ['-e', script, ...args];
  // The shell joins the cgroup first and then becomes node, so not one page is charged outside it.
  const child = procsFile
    ? spawn('/bin/sh', ['-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', procsFile, process.execPath, ...probeArgs])
    : spawn(process.execPath, probeArgs);
  running = child;
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running = undefined;
      if (code === 0) {
        resolvePromise(JSON.parse(out) as T);
        return;
      }
      const why = signal === 'SIGKILL' && procsFile ? ' (killed: the cgroup ran out of memory and swap?)' : '';
      reject(new FaultlineError(`the ${label} probe exited with ${signal ?? `code ${code}`}${why}: ${err.trim()}`, 3));
    });
  });
}

/**
 * Makes the cgroup `<parent>/<prefix><pid>`, sets its limit (none when `limitBytes` is
 * undefined: the child sets it), runs `body`, and removes the cgroup whatever happens,
 * also on SIGINT/SIGTERM.
 */
export async function withCgroup<T>(
  where: CgroupRoot,
  prefix: string,
  limitBytes: number | undefined,
  body: (procsFile: string, path: string) => Promise<T>,
): Promise<T> {
  const path = join(where.parent, `${prefix}${process.pid}`);
  mkdirSync(path);
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = sig;
    running?.kill('SIGKILL');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (where.version === 2) writeFileSync(join(path, 'memory.swap.max'), 'max');
    if (limitBytes !== undefined) writeFileSync(cgroupFiles(where.version, path).limit, String(limitBytes));
    const out = await body(join(path, 'cgroup.procs'), path);
    if (interrupted) throw new FaultlineError(`interrupted by ${interrupted}`, 130);
    return out;
  } catch (err) {
    if (interrupted) throw new FaultlineError(`interrupted by ${interrupted}; removed ${path}`, 130);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await removeCgroup(path);
  }
}

/** rmdir, retried briefly: the kernel may still be uncharging the dead child's memory. */
async function removeCgroup(path: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(path);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (attempt >= 20) throw new FaultlineError(`could not remove cgroup ${path}: ${code}; remove it with rmdir`, 3);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Adds a swap file at `path` (fallocate, mkswap, swapon), for a probe on a machine without
 * swap; false, with nothing left behind, when the filesystem or kernel refuses.
 */
export function addSwapFile(path: string, bytes: number): boolean {
  const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  const added =
    ok('fallocate', ['-l', String(bytes), path]) &&
    ok('chmod', ['600', path]) &&
    ok('mkswap', [path]) &&
    ok('swapon', [path]);
  if (!added) rmSync(path, { force: true });
  return added;
}

/**
 * Undoes addSwapFile: swapoff (which reads the pages still there back into memory), retried
 * while memory cgroups that held swapped pages are still being torn down, then delete. Throws,
 * leaving the file, when the swap cannot be turned off: a swap file must never be deleted while
 * the kernel still uses it.
 */
export function removeSwapFile(path: string): void {
  let why = '';
  for (let attempt = 0; attempt < 10 && activeSwapDevices().includes(path); attempt++) {
    if (attempt > 0) spawnSync('sleep', ['1']);
    const r = spawnSync('swapoff', [path], { encoding: 'utf8' });
    why = (r.stderr ?? '').trim() || (r.error?.message ?? '');
  }
  if (activeSwapDevices().includes(path)) {
    throw new FaultlineError(`swapoff ${path} failed (${why}): turn it off with swapoff and delete it`, 3);
  }
  rmSync(path, { force: true });
}
