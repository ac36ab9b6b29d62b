import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeSwapDevices, calibrate, findMemoryCgroup } from '../../src/probe/calibrate.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import { holdLabLock, linux, realKernelAllowed } from '../real-kernel-gate.js';

const cgroup = linux ? findMemoryCgroup() : undefined;
const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const MIB = 2 ** 20;

/** Loads the preset under a minimal scenario, as a user would paste it. */
function asScenario(preset: string) {
  const text = `name: preset-check\nduration: 10s\nprocesses:\n  app: {}\n${preset.replace(
    /^host:\n/m,
    'host:\n  ram: 1Gi\n  cpus: 2\n',
  )}`;
  const withSwap = text.includes('  swap:\n') ? text.replace('  swap:\n', '  swap:\n    size: 1Gi\n') : text;
  return loadScenarioText(withSwap, 'preset.yaml').scenario;
}

describe.skipIf(!linux)('calibrate: minor faults', () => {
  it('times one fault per page touched and writes a preset that loads as a scenario fragment', async () => {
    const r = await calibrate({ sizeBytes: 64 * MIB, limitBytes: 16 * MIB, minorRuns: 2, swapRuns: 1 });
    expect(r.minorFault.runs).toBe(2);
    const thp = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
    // With THP always a touch may map 2 MiB at once; elsewhere every page faults once.
    if (!thp.includes('[always]')) expect(r.minorFault.faultsPerPage).toBeGreaterThan(0.95);
    expect(r.minorFault.medianUs).toBeGreaterThan(0.05);
    expect(r.minorFault.medianUs).toBeLessThan(100);
    expect(r.minorFault.p10Us).toBeLessThanOrEqual(r.minorFault.medianUs);
    expect(r.minorFault.p90Us).toBeGreaterThanOrEqual(r.minorFault.medianUs);
    const s = asScenario(r.preset);
    expect(s.host.costs.minorFaultCpuUs).toBeCloseTo(Number(r.minorFault.medianUs.toPrecision(3)), 6);
    if ('skipped' in r.swapIn) expect(r.preset).toContain(`# swap-in: not measured: ${r.swapIn.skipped}`);
    // The device's own figures make a custom device the model reads as measured.
    if ('skipped' in r.device) throw new Error(`device not measured: ${r.device.skipped}`);
    expect(r.device.readLatencyUs).toBeGreaterThan(0);
    expect(r.device.parallelIops).toBeGreaterThan(0);
    expect(s.host.swap.device).toBe('custom');
    expect(s.host.swap.writeLatencyUs).toBeCloseTo(Number(r.device.writeLatencyUs.toPrecision(3)), 6);
    expect(s.host.swap.queueDepth).toBe(r.device.queueDepth);
    if (r.device.rotational !== null) expect(s.host.swap.rotational).toBe(r.device.rotational);
  });
});

/**
 * The swap-in probe needs root, a memory cgroup hierarchy and swap. Without swap the test
 * adds a small swap file for its own duration, when the filesystem allows one.
 */
describe.skipIf(!realKernelAllowed || !cgroup)('calibrate: swap-in in a temporary cgroup', () => {
  const swapFile = `/var/tmp/faultline-calibrate-test-${process.pid}.swap`;
  let added = false;
  let release = async () => {};
  beforeAll(async () => {
    release = await holdLabLock();
    if (activeSwapDevices().length > 0) return;
    const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
    added =
      ok('fallocate', ['-l', '384M', swapFile]) &&
      ok('chmod', ['600', swapFile]) &&
      ok('mkswap', [swapFile]) &&
      ok('swapon', [swapFile]);
    if (!added) rmSync(swapFile, { force: true });
  }, 300_000);
  afterAll(async () => {
    if (added) {
      spawnSync('swapoff', [swapFile], { stdio: 'ignore' });
      rmSync(swapFile, { force: true });
    }
    await release();
  });
  const leftovers = () =>
    readdirSync((cgroup as { parent: string }).parent).filter((n) => n.startsWith('faultline-calibrate-'));

  it('measures time per major fault from majflt deltas and removes its cgroup', async () => {
    const before = leftovers();
    const r = await calibrate({ sizeBytes: 128 * MIB, limitBytes: 48 * MIB, minorRuns: 1, swapRuns: 1 });
    if (activeSwapDevices().length === 0) {
      expect(r.swapIn).toEqual({ skipped: expect.stringMatching(/^no swap: \/proc\/swaps lists no active device/) });
      return;
    }
    if ('skipped' in r.swapIn) throw new Error(`swap-in skipped: ${r.swapIn.skipped}`);
    // Most of the 128 MiB was pushed out by the 48 MiB limit and came back one page per fault.
    expect(r.swapIn.faults).toBeGreaterThan(((128 - 48) * MIB) / 4096 / 2);
    expect(r.swapIn.swapInsPerMajorFault).toBeGreaterThan(0.5);
    expect(r.swapIn.medianUs).toBeGreaterThan(r.minorFault.medianUs);
    expect(existsSync(r.swapIn.cgroup.path)).toBe(false);
    expect(leftovers()).toEqual(before);
    const s = asScenario(r.preset);
    expect(s.host.swap.readLatencyUs).toBeCloseTo(Number(r.swapIn.medianUs.toPrecision(3)), 6);
    // Wall time per swap-in includes its CPU: the preset must not let the model add it twice.
    expect(s.host.costs.majorFaultCpuUs).toBe(0);
  });

  it('removes its cgroup when interrupted', async (ctx) => {
    if (activeSwapDevices().length === 0) ctx.skip('no swap here, and no swap file could be added');
    const child = spawn(process.execPath, [MAIN, 'calibrate', '--size', '256Mi', '--limit', '32Mi', '--runs', '3']);
    let err = '';
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    await new Promise<void>((res) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('swap-in: run 1/3')) res();
      });
      child.on('close', () => res());
    });
    const dir = join((cgroup as { parent: string }).parent, `faultline-calibrate-${child.pid}`);
    expect(existsSync(dir)).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toContain('interrupted by SIGINT');
    expect(existsSync(dir)).toBe(false);
  });
});
