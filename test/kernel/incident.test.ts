import { describe, expect, it } from 'vitest';
import { percentileSorted } from '../../src/kernel/latency.js';
import { simulateHost } from '../../src/kernel/simulate.js';
import { loadScenarioFile } from '../../src/scenario/index.js';

const loaded = loadScenarioFile('scenarios/incident-spark-120g-on-64g.yaml');
const variant = (id: string) => {
  const v = loaded.variants.find((x) => x.id === id);
  if (!v) throw new Error(`no variant ${id}: ${loaded.variants.map((x) => x.id).join(', ')}`);
  return v.scenario;
};
const median = (xs: (number | null)[]) =>
  percentileSorted(
    xs.filter((x): x is number => x !== null).sort((a, b) => a - b),
    0.5,
  );

describe('the reference incident (scenarios/incident-spark-120g-on-64g.yaml)', () => {
  it('as-is: db queries go from ~200 ms to minutes, most CPU time goes to faulting', () => {
    const out = simulateHost(loaded.scenario);
    const p50 = out.processes.db!.latencyP50Ms!;
    expect(median(p50.slice(0, 120))).toBeGreaterThan(150);
    expect(median(p50.slice(0, 120))).toBeLessThan(300);
    expect(median(p50.slice(-300))).toBeGreaterThan(120_000);
    expect(median(out.host.faultCpuPct!.slice(-600))).toBeGreaterThan(70);
    expect(out.summary.host.faultCpuPctMax).toBeGreaterThan(85);
    expect(out.summary.host.oomKills).toBe(0);
    expect(out.summary.host.psiSomeAvg10PctMax).toBeGreaterThan(50);
    expect(out.summary.processes.db!.latencyHistogram!.ratio).toBeGreaterThan(1);
  });

  it('vm.swappiness=10 does not save the db: it weighs anon against file, not one tenant against another', () => {
    const out = simulateHost(variant('stop-never_max-max_swappiness-10_soft-limit-none'));
    expect(median(out.processes.db!.latencyP99Ms!.slice(-300))).toBeGreaterThan(60_000);
  });
});
