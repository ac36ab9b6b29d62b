/**
 * An exclusive lock file for an output folder, held by one faultline process for the whole of its
 * work there. The file names its holder by pid, the process's start time (so that a pid reused
 * after a reboot or by another program is not taken for the holder) and host. A lock whose holder
 * is gone (killed, crashed, machine rebooted) is stale: the next writer takes it over and says so.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { InputError, withPath } from './errors.js';

export interface LockHolder {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22); Linux only. */
  startTicks?: number;
  /** /proc/sys/kernel/random/boot_id: a start time means nothing after a reboot. */
  bootId?: string;
  host: string;
  /** What the holder is doing, e.g. `faultline run`. */
  command: string;
  /** Wall-clock time the lock was taken (ISO 8601). */
  startedAt: string;
}

export interface Lock {
  /** The stale lock this one replaced, if any (its holder was killed or crashed). */
  tookOver?: LockHolder;
  /** Removes the lock file if it is still this process's. Safe to call more than once. */
  release(): void;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Start time of process `pid` in clock ticks since boot, when /proc tells. */
export function processStartTicks(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

function bootId(): string | undefined {
  return readText('/proc/sys/kernel/random/boot_id')?.trim();
}

export function currentHolder(command: string, now = new Date()): LockHolder {
  const startTicks = processStartTicks(process.pid);
  const boot = bootId();
  return {
    pid: process.pid,
    ...(startTicks !== undefined ? { startTicks } : {}),
    ...(boot !== undefined ? { bootId: boot } : {}),
    host: hostname(),
    command,
    startedAt: now.toISOString(),
  };
}

function parseHolder(text: string | undefined): LockHolder | undefined {
  if (text === undefined) return undefined;
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.startedAt === 'string')
      return { command: 'faultline', ...h } as LockHolder;
  } catch {
    // A lock file is written whole (link of a complete file): garbage means someone else wrote it.
  }
  return undefined;
}

/**
 * Whether the lock's holder still runs. A holder on another host cannot be checked from here and
 * counts as alive; on this host a missing pid, another boot or another start time means it is gone.
 */
export function holderAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  if (h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (h.bootId !== undefined && bootId() !== undefined && h.bootId !== bootId()) return false;
  if (h.startTicks !== undefined) {
    const now = processStartTicks(h.pid);
    if (now !== undefined && now !== h.startTicks) return false;
  }
  return true;
}

export function describeHolder(h: LockHolder): string {
  return `${h.command} (pid ${h.pid} on ${h.host}, started ${h.startedAt})`;
}

/**
 * Takes the lock at `path` for `command`, or throws an InputError naming the live holder.
 * `what` names the locked thing in messages (e.g. the output folder).
 */
export function acquireLock(path: string, command: string, what: string): Lock {
  const me = currentHolder(command);
  const mine = `${JSON.stringify(me)}\n`;
  const tmp = `${path}.${process.pid}.tmp`;
  let tookOver: LockHolder | undefined;
  // A few rounds: another process may take over the same stale lock between our steps.
  for (let round = 0; round < 5; round++) {
    try {
      writeFileSync(tmp, mine);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw withPath(err, path);
    }
    try {
      // link() creates the lock file complete or not at all: no reader sees it half-written.
      linkSync(tmp, path);
      rmSync(tmp, { force: true });
      return { ...(tookOver ? { tookOver } : {}), release: () => releaseLock(path, mine) };
    } catch (err) {
      rmSync(tmp, { force: true });
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const text = readText(path);
    if (text === undefined) continue;
    const holder = parseHolder(text);
    if (holder && holderAlive(holder)) {
      throw new InputError(
        `${what} is being written by ${describeHolder(holder)}; wait for it to finish or choose another folder` +
          (holder.host === hostname() ? '' : ` (if that run is gone, remove ${path})`),
      );
    }
    // Stale: move it aside, then check that what was moved is the stale lock just read and not a
    // fresh one another process linked in the meantime (which goes back).
    const aside = `${path}.stale.${process.pid}`;
    try {
      renameSync(path, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const moved = readText(aside);
    if (moved !== text) {
      try {
        linkSync(aside, path);
      } catch {
        // Yet another process holds it now: its lock stands, ours is refused in the next round.
      }
      rmSync(aside, { force: true });
      continue;
    }
    rmSync(aside, { force: true });
    tookOver = holder ?? { pid: 0, host: 'unknown', command: 'an unreadable lock', startedAt: 'unknown' };
  }
  throw new InputError(`${what}: could not take the lock ${path} (other processes keep taking it)`);
}

function releaseLock(path: string, mine: string): void {
  if (readText(path) === mine) rmSync(path, { force: true });
}
