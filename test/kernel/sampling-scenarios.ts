import { loadScenarioFile } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';

/**
 * The scenarios SAMPLING_ERROR_TABLE (src/kernel/fidelity.ts) was measured on, shared by
 * test/kernel/fidelity.test.ts, which checks the table at the rates in use, and
 * bench/sampling-error.ts, which re-measures it.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const EXACT = { mode: 'exact' as const, sampleRate: null, timeBudgetMs: 60_000 };

/**
 * The incident with every size ÷ k (rates, touches and the swap device unchanged), Spark from 20 s,
 * 120 s long; `capped`: with the fix the incident recommends, batch's memory.max at 36 GiB ÷ k
 * (the db keeps its memory; its faults are file reads behind Spark's swap traffic).
 */
export function scaledIncident(k: number, seed: number, capped = false): Scenario {
  const sc = loadScenarioFile(`${ROOT}scenarios/incident-spark-120g-on-64g.yaml`).scenario;
  const h = sc.host;
  return {
    ...sc,
    cgroups: sc.cgroups.map((c) => (capped && c.path === 'batch' ? { ...c, max: (36 * 2 ** 30) / k } : c)),
    seed,
    durationMs: 120_000,
    expect: [],
    fidelity: EXACT,
    host: {
      ...h,
      ramBytes: h.ramBytes / k,
      swap: { ...h.swap, sizeBytes: h.swap.sizeBytes / k },
      sysctl: { ...h.sysctl, 'vm.min_free_kbytes': h.sysctl['vm.min_free_kbytes'] / k },
    },
    processes: sc.processes.map((p) => ({
      ...p,
      startMs: p.startMs === 0 ? 0 : 20_000,
      memory: {
        ...p.memory,
        anonBytes: p.memory.anonBytes / k,
        anonInitialBytes: p.memory.anonInitialBytes / k,
        fileBytes: p.memory.fileBytes / k,
      },
    })),
  };
}

/** page-cache-vs-batch, variant swappiness-60_device-ssd, as bundled. */
export function pageCacheVsBatch(seed: number): Scenario {
  const v = loadScenarioFile(`${ROOT}scenarios/page-cache-vs-batch.yaml`).variants.find(
    (x) => x.id === 'swappiness-60_device-ssd',
  );
  if (!v) throw new Error('page-cache-vs-batch has no variant swappiness-60_device-ssd');
  return { ...v.scenario, seed, expect: [], fidelity: EXACT };
}
