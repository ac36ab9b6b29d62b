import { POLICIES } from '../src/policies/registry.js';
import { simulate } from '../src/policies/simulate.js';
import { judge, type Measurement, type Section, timed } from './harness.js';

/** The simple policies the issue holds to the higher bar. */
const FAST = new Set(['fifo', 'lru', 'clock']);

/** Every registered policy on the in-memory stream at 10% of its pages: simulation only, no parsing. */
export const policiesSection: Section = {
  id: 'policies',
  title: 'policy throughput (Zipf stream, 10% capacity)',
  run(ctx) {
    const s = ctx.stream();
    const { pages } = ctx.config;
    const capacity = Math.max(1, Math.floor(pages / 10));
    const out: Measurement[] = [];
    for (const f of POLICIES) {
      const { seconds, result } = timed(() => simulate(f.id, s, capacity, { maxPageId: pages, seed: 1 }));
      const value = s.length / seconds;
      out.push(
        judge({
          section: 'policies',
          name: result.spec,
          value,
          unit: 'refs/s',
          target: { op: '>=', value: FAST.has(f.id) ? 30e6 : 10e6 },
          ratio: ctx.baselineRefsPerSec ? value / ctx.baselineRefsPerSec : undefined,
          note: `fault ratio ${(result.faults / result.references).toFixed(4)}`,
        }),
      );
      process.stderr.write(`  ${result.spec}: ${(value / 1e6).toFixed(1)} M refs/s\n`);
    }
    return out;
  },
};
