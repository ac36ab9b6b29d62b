import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, currentHolder, holderAlive, type LockHolder, processStartTicks } from '../../src/util/lock.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A process that exists for the length of a test, and its lock-file identity. */
async function sleeper(): Promise<{ holder: LockHolder; stop: () => Promise<void> }> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  const pid = child.pid as number;
  const exited = new Promise((r) => child.once('exit', r));
  return {
    holder: { ...currentHolder('faultline run'), pid, startTicks: processStartTicks(pid) as number },
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('the output-folder lock', () => {
  it('is taken whole, refused to a second taker, and released only by its holder', () => {
    const path = join(dir, 'a.lock');
    const lock = acquireLock(path, 'faultline run', 'out/');
    const held = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    expect(held).toMatchObject({ pid: process.pid, host: hostname(), command: 'faultline run' });
    lock.release();
    expect(existsSync(path)).toBe(false);
    lock.release();
    expect(readdirSync(dir).filter((f) => f.startsWith('a.lock'))).toEqual([]);
  });

  it('refuses while another live process holds it, naming that process', async () => {
    const path = join(dir, 'b.lock');
    const other = await sleeper();
    try {
      writeFileSync(path, JSON.stringify(other.holder));
      expect(() => acquireLock(path, 'faultline run', 'out/')).toThrow(
        new RegExp(`out/ is being written by faultline run \\(pid ${other.holder.pid} on ${hostname()}, started `),
      );
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(other.holder);
    } finally {
      await other.stop();
    }
  });

  it('takes over the lock of a killed process, and says whose it was', async () => {
    const path = join(dir, 'c.lock');
    const gone = await sleeper();
    await gone.stop();
    writeFileSync(path, JSON.stringify(gone.holder));
    expect(holderAlive(gone.holder)).toBe(false);
    const lock = acquireLock(path, 'faultline run', 'out/');
    expect(lock.tookOver).toEqual(gone.holder);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('does not take a reused pid for the holder: another start time, or another boot, is a dead holder', async () => {
    const other = await sleeper();
    try {
      expect(holderAlive(other.holder)).toBe(true);
      expect(holderAlive({ ...other.holder, startTicks: (other.holder.startTicks as number) - 1 })).toBe(false);
      if (other.holder.bootId !== undefined)
        expect(holderAlive({ ...other.holder, bootId: 'another-boot' })).toBe(false);
      // A holder on another machine (a shared folder) cannot be checked from here: it counts as alive.
      expect(holderAlive({ ...other.holder, pid: 999_999_999, host: `not-${hostname()}` })).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it('takes over a lock file it cannot read (not written by faultline)', () => {
    const path = join(dir, 'd.lock');
    writeFileSync(path, 'garbage');
    const lock = acquireLock(path, 'faultline run', 'out/');
    expect(lock.tookOver?.command).toBe('an unreadable lock');
    lock.release();
  });
});
