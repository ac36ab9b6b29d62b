import { LAB_LOCK } from '../src/probe/lab.js';

/**
 * Whether tests may run probes in real memory cgroups with swap: Linux, root, and not opted
 * out. Such probes add and remove a system-wide swap file and load the machine, so several
 * developers sharing one machine set FAULTLINE_SKIP_REAL_KERNEL=1; CI leaves it unset and runs
 * them. When they run they hold the lab lock (holdLabLock), so that they never overlap a
 * kernel measurement.
 */
export const linux = process.platform === 'linux';
export const realKernelAllowed = linux && process.getuid?.() === 0 && !process.env.FAULTLINE_SKIP_REAL_KERNEL;

/**
 * Holds LAB_LOCK for a real-kernel test: the test's swap file and cgroup pressure would skew a
 * measurement running beside it, and its own timings would be skewed in turn. A child `flock`
 * holds it (Node has no flock(2)) until the returned release closes the child's stdin, which
 * ends its `read`; if this process dies first the pipe closes and the lock goes with it. Waits
 * at most `waitSec` for a measurement to end, then throws.
 */
export async function holdLabLock(waitSec = 240): Promise<() => Promise<void>> {
  const { spawn } = await import('node:child_process');
  const child = spawn('flock', ['-w', String(waitSec), LAB_LOCK, '-c', 'echo held; read -r _'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('held')) resolve();
    });
    exited.then((code) => reject(new Error(`${LAB_LOCK} is held by a kernel measurement (flock exit ${code})`)));
  });
  return async () => {
    child.stdin.end();
    await exited;
  };
}
