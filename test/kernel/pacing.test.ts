/**
 * Pacing of a numeric touchesPerSec (docs/scenario.md, "Pacing"): closed-loop loses the time a
 * process stalls, wall-clock keeps its rate per second of wall time and makes the stalls up.
 */
import { describe, expect, it } from 'vitest';
import { type KernelOutput, simulateHost } from '../../src/kernel/simulate.js';
import { loadScenarioText } from '../../src/scenario/load.js';

function run(processYaml: string): KernelOutput {
  const text = `name: pacing
seed: 3
duration: 10s
fidelity: { mode: exact }
host: { ram: 1Gi, cpus: 2, swap: { size: 1Gi, device: ssd, readLatency: 100us } }
cgroups:
  c: { memory.limit_in_bytes: 32Mi }
processes:
  p: { cgroup: c, memory: { anon: 48Mi }, touchesPerSec: 10000, ${processYaml} }
`;
  const [v] = loadScenarioText(text, 'pacing.yaml').variants;
  if (!v) throw new Error('no variant');
  return simulateHost(v.scenario);
}

describe('pacing', () => {
  it('closed-loop: touchesPerSec per second not stalled, so a thrashing process falls behind', () => {
    const p = run('pacing: closed-loop').summary.processes.p!;
    expect(p.stallPct).toBeGreaterThan(20);
    // At most 10 s less the stalls at 10 000 a second (the faults' own CPU is lost too: 73 440 here).
    const unstalled = 10 * (1 - p.stallPct / 100) * 10_000;
    expect(p.touches).toBeLessThan(unstalled);
    expect(p.touches).toBeGreaterThan(0.9 * unstalled);
    expect(p.touches).toBeLessThan(80_000);
  });

  it('wall-clock: keeps 10 000 touches per second of wall time through the same thrash', () => {
    const p = run('pacing: wall-clock').summary.processes.p!;
    expect(p.stallPct).toBeGreaterThan(30);
    // 100 000 owed over 10 s; at most a touch short, plus what is still owed after the last stall.
    expect(p.touches).toBeLessThanOrEqual(100_000);
    expect(p.touches).toBeGreaterThan(99_000);
  });

  it('wall-clock with catchUp 0 drops what it owes after a stall: fewer touches than with the default 1 s', () => {
    const dropped = run('pacing: wall-clock, catchUp: 0s').summary.processes.p!;
    const kept = run('pacing: wall-clock').summary.processes.p!;
    expect(dropped.touches).toBeLessThan(0.95 * (kept.touches ?? 0));
  });

  it('rejects catchUp without wall-clock and wall-clock with touchesPerSec max', () => {
    const load = (yaml: string) => () =>
      loadScenarioText(
        `name: x\nduration: 1s\nhost: { ram: 1Gi }\nprocesses:\n  p: { memory: { anon: 1Mi }, ${yaml} }\n`,
        'x.yaml',
      );
    expect(load('catchUp: 100ms')).toThrow(/catchUp: applies only with pacing: wall-clock/);
    expect(load('touchesPerSec: max, pacing: wall-clock')).toThrow(/pacing: wall-clock needs a numeric touchesPerSec/);
  });
});
