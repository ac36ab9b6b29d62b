/**
 * Where a sampled replay's request-tenant p99 error comes from (docs/kernel.md "Fidelity"): the
 * request model's figures (requests.ts) in an exact and a sampled replay of the same scenario,
 * over the phase while Spark grows (30–60 s) and the steady state (60–120 s).
 *
 *   npx tsx bench/sampling-requests.ts [incident16|incident16cap|incident4] [seeds 1,2] [--rates 22.4,70.4]
 *
 * Per seed, rate and phase, sampled / exact of the tenant's real touches, major faults per page,
 * cost per major fault (its read waits per real fault) and mean service time; then, within each
 * run, two checks of the request model's estimate: `start/tick`, the cost per fault the requests
 * were served with (the estimate at each request's start, averaged over requests) over the same
 * estimate averaged over ticks, and `est/actual`, the former over the run's own cost per fault.
 * Both near 1 say the estimate follows its run; the error is then the run's own (touches, faults
 * per page, cost per fault). `RequestQueue`'s methods are wrapped to count, not changed.
 */
import { parseArgs } from 'node:util';
import { RequestQueue } from '../src/kernel/requests.js';
import { simulateHost } from '../src/kernel/simulate.js';
import type { ProcStats } from '../src/kernel/state.js';
import { scaledIncident } from '../test/kernel/sampling-scenarios.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rates: { type: 'string' } } });
const which = positionals[0] ?? 'incident16';
if (!['incident16', 'incident16cap', 'incident4'].includes(which)) throw new Error(`unknown scenario ${which}`);
const seeds = (positionals[1] ?? '1,2').split(',').map(Number);
const inverseRates = (values.rates ?? '22.4,70.4').split(',').map(Number);
const make = (seed: number) => scaledIncident(which === 'incident4' ? 4 : 16, seed, which === 'incident16cap');
const PHASES = [
  [30_000, 60_000],
  [60_000, 120_000],
] as const;

type Sums = Record<'touch' | 'major' | 'waitSec' | 'ticks' | 'tickCostUs' | 'starts' | 'startCostUs' | 'svcMs', number>;
const zero = (): Sums => ({
  touch: 0,
  major: 0,
  waitSec: 0,
  ticks: 0,
  tickCostUs: 0,
  starts: 0,
  startCostUs: 0,
  svcMs: 0,
});
let sums: Sums[] = [];
let nowMs = 0;
const phase = () => PHASES.findIndex(([a, b]) => nowMs >= a && nowMs < b);

// biome-ignore lint/suspicious/noExplicitAny: wrapping a class's private methods to count
const proto = RequestQueue.prototype as any;
const { advance, observe, service } = proto;
proto.advance = function (tick: number, now: number, endMs: number) {
  nowMs = now;
  return advance.call(this, tick, now, endMs);
};
proto.observe = function (st: ProcStats, scale: number, majorCpuUs: number, minorCpuUs: number) {
  const r = observe.call(this, st, scale, majorCpuUs, minorCpuUs);
  const s = sums[phase()];
  if (s && st.touches > 0) {
    s.touch += st.touches * scale;
    s.major += st.major * scale;
    s.waitSec += st.ioWaitSec + majorCpuUs * 1e-6 * st.major * scale;
    s.ticks++;
    s.tickCostUs += this.majorCostSec * 1e6;
  }
  return r;
};
proto.service = function (running: number, woken: boolean, timer: boolean) {
  const ms = service.call(this, running, woken, timer);
  const s = sums[phase()];
  if (s) {
    s.starts++;
    s.startCostUs += this.majorCostSec * 1e6;
    s.svcMs += ms;
  }
  return ms;
};

const run = (seed: number, inv: number) => {
  sums = PHASES.map(zero);
  simulateHost(make(seed), { fidelity: inv === 1 ? { mode: 'exact' } : { mode: 'sampled', sampleRate: 1 / inv } });
  return sums.map((s) => ({
    touch: s.touch,
    perPage: s.major / s.touch,
    costUs: (s.waitSec / s.major) * 1e6,
    svcMs: s.svcMs / s.starts,
    startPerTick: s.startCostUs / s.starts / (s.tickCostUs / s.ticks),
    estPerActual: s.startCostUs / s.starts / ((s.waitSec / s.major) * 1e6),
  }));
};
const f = (x: number) => x.toFixed(2).padStart(5);
console.log(
  'seed  R       phase      touches  faults/page  cost/fault  service | start/tick  est/actual (exact · sampled)',
);
for (const seed of seeds) {
  const e = run(seed, 1);
  for (const inv of inverseRates) {
    const s = run(seed, inv);
    PHASES.forEach(([a, b], i) => {
      const x = e[i]!;
      const y = s[i]!;
      console.log(
        `${String(seed).padStart(4)}  ${`1/${inv}`.padEnd(7)} ${`${a / 1000}–${b / 1000} s`.padEnd(10)} ${f(y.touch / x.touch)}` +
          `        ${f(y.perPage / x.perPage)}       ${f(y.costUs / x.costUs)}    ${f(y.svcMs / x.svcMs)} |` +
          `  ${f(x.startPerTick)} ${f(y.startPerTick)}  ${f(x.estPerActual)} ${f(y.estPerActual)}`,
      );
    });
  }
}
