/**
 * Re-measures the spatial-sampling error table of src/kernel/fidelity.ts
 * (`SAMPLING_ERROR_TABLE`, docs/kernel.md "Fidelity"): each scenario is replayed exactly and
 * sampled at R = 1/8 … 1/128 and at the incident's own rates (1/22.4, 1/70.4), and the relative
 * error of total major faults, of the average faultCpuPct and of the request-model tenant's p99
 * latency is printed per seed and rate, then the table's rows (one per rate: simulated frames,
 * seeds, signed lowest and highest error per metric) ready to paste into fidelity.ts.
 *
 *   npx tsx bench/sampling-error.ts [incident16|incident16cap|incident4|pcb] [seeds 1,2,3] [--rates 8,16,22.4,32,64,70.4,128]
 *
 * The table's page-cache-vs-batch rows add the other bundled scenarios' rates: --rates 1.12,2.52,4.03,….
 *
 * `incident16`/`incident4`: the bundled incident with every size divided by 16 or 4 (rates,
 * touches and the swap device unchanged), Spark starting at 20 s, 120 s long; `incident16cap`: incident16
 * with batch's memory.max at 36 GiB ÷ 16 (the fix the incident recommends: the db does not thrash); `pcb`:
 * page-cache-vs-batch, variant swappiness-60_device-ssd, as bundled. Minutes of CPU per scenario.
 *
 * Two more columns show where a bias comes from: `dev util` is the swap device's average
 * utilisation over the run, exact → sampled (a sampled fault's 1/R reads reach the queue at once,
 * and at low rates the queue empties between such lumps: utilisation falls and so do major
 * faults); `tenant maj` is the request-model tenant's share of the major faults, exact → sampled
 * (the split of reclaim between the tenants, which moves its p99 even when the total is right).
 */
import { parseArgs } from 'node:util';
import { type KernelOutput, simulateHost } from '../src/kernel/simulate.js';
import { pageCacheVsBatch, scaledIncident } from '../test/kernel/sampling-scenarios.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rates: { type: 'string' } } });
const which = positionals[0] ?? 'incident16';
const seeds = (positionals[1] ?? '1,2,3').split(',').map(Number);
const inverseRates = (values.rates ?? '8,16,22.4,32,64,70.4,128').split(',').map(Number);
const make =
  which === 'pcb'
    ? pageCacheVsBatch
    : which === 'incident16' || which === 'incident4' || which === 'incident16cap'
      ? (seed: number) => scaledIncident(which === 'incident4' ? 4 : 16, seed, which === 'incident16cap')
      : undefined;
if (!make) throw new Error(`unknown scenario ${which}: incident16, incident16cap, incident4 or pcb`);
const tenant = which === 'pcb' ? 'fileserver' : 'db';

// Signed: the direction of a bias matters as much as its size.
const pct = (a: number, b: number) => `${a / b - 1 >= 0 ? '+' : ''}${((a / b - 1) * 100).toFixed(1)}%`;
const mean = (xs: readonly (number | null)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0) / Math.max(1, xs.length);
/** Average device utilisation over the run (%) and the tenant's share of the major faults (%). */
const shape = (o: KernelOutput) => ({
  util: mean(o.host.swapDeviceUtilPct ?? []),
  share: ((o.summary.processes[tenant]?.majorFaults ?? 0) / Math.max(1, o.summary.host.majorFaults)) * 100,
});
const rowName =
  which === 'pcb'
    ? 'page-cache-vs-batch'
    : which === 'incident16cap'
      ? 'incident/16 capped'
      : `incident/${which.slice(8)}`;
/** Per inverse rate: frames and each metric's signed errors over the seeds, for the table's rows. */
const rows = new Map<number, { frames: number; errs: number[][] }>();
const signed = (a: number, b: number) => (a / b - 1) * 100;
console.log('scenario   seed  R       frames   major faults  faultCpuPct avg     p99  dev util %  tenant maj %');
for (const seed of seeds) {
  const e = simulateHost(make(seed), { fidelity: { mode: 'exact' } });
  const exact = e.summary;
  const exactShape = shape(e);
  const exactP99 = exact.processes[tenant]?.latencyMs?.p99Ms ?? Number.NaN;
  for (const inv of inverseRates) {
    const o = simulateHost(make(seed), { fidelity: { mode: 'sampled', sampleRate: 1 / inv } });
    const s = o.summary;
    const p99 = s.processes[tenant]?.latencyMs?.p99Ms ?? Number.NaN;
    const sh = shape(o);
    const r = rows.get(inv) ?? { frames: o.fidelity.simulatedFrames, errs: [[], [], []] };
    r.errs[0]!.push(signed(s.host.majorFaults, exact.host.majorFaults));
    r.errs[1]!.push(signed(s.host.faultCpuPctAvg, exact.host.faultCpuPctAvg));
    r.errs[2]!.push(signed(p99, exactP99));
    rows.set(inv, r);
    console.log(
      [
        which.padEnd(10),
        String(seed).padStart(4),
        `1/${inv}`.padEnd(7),
        String(o.fidelity.simulatedFrames).padStart(8),
        pct(s.host.majorFaults, exact.host.majorFaults).padStart(13),
        pct(s.host.faultCpuPctAvg, exact.host.faultCpuPctAvg).padStart(16),
        pct(p99, exactP99).padStart(7),
        `${exactShape.util.toFixed(0)}→${sh.util.toFixed(0)}`.padStart(11),
        `${exactShape.share.toFixed(1)}→${sh.share.toFixed(1)}`.padStart(13),
      ].join(' '),
    );
  }
}
// The rows of SAMPLING_ERROR_TABLE (src/kernel/fidelity.ts) these runs give: lowest and highest over the seeds.
const range = (xs: number[]) => `[${Math.min(...xs).toFixed(1)}, ${Math.max(...xs).toFixed(1)}]`;
for (const [inv, r] of rows)
  console.log(`  row('${rowName}', ${inv}, ${r.frames}, [${seeds.join(', ')}], ${r.errs.map(range).join(', ')}),`);
