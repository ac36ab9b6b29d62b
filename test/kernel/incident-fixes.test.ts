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

describe('the reference incident: the fixes of the post-mortem', () => {
  const lastP99 = (id: string) => median(simulateHost(variant(id)).processes.db!.latencyP99Ms!.slice(-300));
  it('killing the job at 10 min ends the thrashing; the queries queued meanwhile then drain', () => {
    const out = simulateHost(variant('stop-10m_max-max_swappiness-60_soft-limit-none'));
    const at = (ms: number) => out.timeMs.findIndex((t) => t >= ms);
    const faultCpu = out.host.faultCpuPct!;
    const p99 = out.processes.db!.latencyP99Ms!;
    // Thrashing before the kill, none from a minute after it.
    expect(median(faultCpu.slice(at(300_000), at(600_000)))).toBeGreaterThan(50);
    expect(median(faultCpu.slice(at(660_000)))).toBeLessThan(10);
    // The backlog peaks after the kill and shrinks steadily: the db refaults its working set
    // back from the swap volume (16 000 IOPS) while serving the queue, so it takes the 20
    // remaining minutes, but the trend is down.
    const peak = Math.max(...p99.filter((x): x is number => x !== null));
    const late = median(p99.slice(at(1_680_000)));
    expect(peak).toBeGreaterThan(60_000);
    expect(late).toBeLessThan(0.4 * peak);
    expect(median(p99.slice(at(1_500_000), at(1_560_000)))).toBeGreaterThan(late);
  });
  it('capping the batch cgroup at 36 GiB keeps the db fast while Spark thrashes in its cgroup', () => {
    expect(lastP99('stop-never_max-36Gi_swappiness-60_soft-limit-none')).toBeLessThan(1000);
  });
  it('a batch soft limit of 8 GiB alone does not keep the db under 1 s: global reclaim still takes its pages', () => {
    const soft = simulateHost(variant('stop-never_max-max_swappiness-60_soft-limit-8Gi')).summary.processes.db!;
    const none = simulateHost(variant('stop-never_max-max_swappiness-60_soft-limit-none')).summary.processes.db!;
    expect(soft.latencyMs!.p99Ms).toBeGreaterThan(1000);
    // It helps (Spark's excess goes first, and the db thrashes later and less) but not enough.
    expect(soft.latencyMs!.p99Ms).toBeLessThan(none.latencyMs!.p99Ms / 2);
    expect(soft.majorFaults).toBeLessThan(none.majorFaults);
  });
});
