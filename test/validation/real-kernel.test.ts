import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../src/kernel/host.js';
import { calibrate } from '../../src/probe/calibrate.js';
import { activeSwapDevices, addSwapFile, findMemoryCgroup, removeSwapFile } from '../../src/probe/cgroup.js';
import { type CaseResult, machineHost, modelScenarioText, runCase } from '../../src/probe/kernel-validation.js';
import { PROBE_PROCESS, probeStream } from '../../src/probe/workload-probe.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { AccessPattern } from '../../src/scenario/types.js';
import { holdLabLock, linux, realKernelAllowed } from '../real-kernel-gate.js';

const MIB = 2 ** 20;
const cgroup = linux ? findMemoryCgroup() : undefined;

describe('workload probe stream', () => {
  it('is the access stream the host model draws for the probe process, touch for touch', () => {
    const pattern: AccessPattern = { kind: 'zipf', alpha: 0.9 };
    const pages = 4096;
    const host = {
      ramBytes: 1024 * MIB,
      cpus: 2,
      thp: 'madvise' as const,
      swappiness: 60,
      pageCluster: 3,
      swapBytes: 256 * MIB,
      minorFaultUs: 1,
      swapReadUs: 80,
    };
    const text = modelScenarioText(host, {
      workingSetBytes: pages * 4096,
      limitBytes: 8 * MIB,
      pattern,
      touches: 1000,
      seed: 7,
      touchesPerSec: 1e6,
      durationMs: 100,
    });
    const sc = loadScenarioText(text, 'v.yaml').scenario;
    const model = new Host(sc, 1, { oomKill: () => {}, swapFull: () => {} });
    const p = model.state.procs[0];
    if (!p) throw new Error('no process');
    expect(p.cfg.name).toBe(PROBE_PROCESS);
    const phase = p.cfg.access[0]?.pattern;
    if (!phase) throw new Error('no access phase');
    p.anon.configure(phase, pages);
    const probe = probeStream(pages, pattern, 1000, 7);
    const fromModel = new Uint32Array(pages + 1000);
    for (let r = 0; r < pages; r++) fromModel[r] = p.anon.offsetOfRank(r);
    for (let i = 0; i < 1000; i++) fromModel[pages + i] = p.anon.next();
    expect(probe).toEqual(fromModel);
    // The allocation pass touches every page once.
    expect(new Set(probe.subarray(0, pages)).size).toBe(pages);
  });
});

/**
 * The real kernel against the model on one small case per pattern: 64 MiB touched 200 000
 * times under a 32 MiB limit (plus node's own usage), docs/validation.md's method. Needs
 * root, a memory cgroup hierarchy and swap (a temporary swap file when there is none).
 */
describe.skipIf(!realKernelAllowed || !cgroup)('real kernel vs model under a memory cgroup limit', () => {
  const swapFile = `/var/tmp/faultline-validation-test-${process.pid}.swap`;
  let added = false;
  let host: Parameters<typeof runCase>[0] | undefined;
  let release = async () => {};
  beforeAll(async () => {
    release = await holdLabLock();
    if (activeSwapDevices().length === 0) added = addSwapFile(swapFile, 512 * MIB);
    if (activeSwapDevices().length === 0) return;
    const cal = await calibrate({ sizeBytes: 64 * MIB, limitBytes: 24 * MIB, minorRuns: 1, swapRuns: 1 });
    if ('skipped' in cal.swapIn) throw new Error(`swap-in calibration skipped: ${cal.swapIn.skipped}`);
    host = { ...machineHost(), minorFaultUs: cal.minorFault.medianUs, swapReadUs: cal.swapIn.medianUs };
  }, 300_000);
  afterAll(async () => {
    if (added) removeSwapFile(swapFile);
    await release();
    expect(existsSync(swapFile)).toBe(false);
  });
  const leftovers = () =>
    readdirSync((cgroup as { parent: string }).parent).filter((n) => n.startsWith('faultline-workload-'));

  /*
   * Tolerances from docs/validation.md: over five runs of exactly these cases on the 2-core
   * VM (Linux 6.18, cgroup v1, swap file on virtio) the model with the cgroup's limit was
   * 6.5–8.0 % (uniform) and 9.9–13.1 % (zipf) below the kernel, always below: node's own hot
   * pages and swap readahead take part of the limit in the kernel. With the heap's real
   * budget it was 2.6–4.8 % below. 20 % and 10 % leave room for a loaded machine, and fail
   * if either side's miss ratio moves by more than the spread seen.
   */
  const cases: { pattern: AccessPattern; tolerance: number; budgetTolerance: number }[] = [
    { pattern: { kind: 'uniform' }, tolerance: 0.2, budgetTolerance: 0.1 },
    { pattern: { kind: 'zipf', alpha: 0.9 }, tolerance: 0.2, budgetTolerance: 0.1 },
  ];
  for (const { pattern, tolerance, budgetTolerance } of cases) {
    const name = pattern.kind === 'zipf' ? `zipf ${pattern.alpha}` : pattern.kind;
    it(`${name}: the model's major faults per touch are within ${tolerance * 100} % of the kernel's`, async (ctx) => {
      if (!host) ctx.skip('no swap here, and no swap file could be added in /var/tmp');
      const before = leftovers();
      const r: CaseResult = await runCase(host as NonNullable<typeof host>, cgroup as NonNullable<typeof cgroup>, {
        workingSetBytes: 64 * MIB,
        ratio: 0.5,
        pattern,
        touches: 200_000,
        seed: 1,
      });
      expect(leftovers()).toEqual(before);
      // The limit did its work: the heap ended partly in swap, and the faults were swap reads.
      expect(r.probe.heap.swap).toBeGreaterThan(16 * MIB);
      expect(r.real.majorPerTouch).toBeGreaterThan(0.05);
      expect(r.swapInsPerMajor.real).toBeGreaterThan(0.9);
      const rel = (m: number) => Math.abs(m - r.real.majorPerTouch) / r.real.majorPerTouch;
      expect(rel(r.model.majorPerTouch)).toBeLessThan(tolerance);
      expect(rel(r.modelHeapBudget.majorPerTouch)).toBeLessThan(budgetTolerance);
    }, 60_000);
  }
});
