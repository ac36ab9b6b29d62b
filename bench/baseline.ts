import { judge, type Section, timed } from './harness.js';

/**
 * The floor every throughput figure is compared with: one pass that only sums the
 * stream, i.e. what reading 4 bytes per reference costs on this machine.
 */
export const baselineSection: Section = {
  id: 'baseline',
  title: 'memory-bandwidth baseline',
  run(ctx) {
    const s = ctx.stream();
    let best = Number.POSITIVE_INFINITY;
    let sum = 0;
    for (let rep = 0; rep < 3; rep++) {
      const { seconds, result } = timed(() => {
        let acc = 0;
        for (let i = 0; i < s.length; i++) acc = (acc + s[i]!) | 0;
        return acc;
      });
      best = Math.min(best, seconds);
      sum ^= result;
    }
    ctx.baselineRefsPerSec = s.length / best;
    return [
      judge({
        section: 'baseline',
        name: 'sum of stream (typed-array loop)',
        value: ctx.baselineRefsPerSec,
        unit: 'refs/s',
        ratio: 1,
        note: `checksum ${sum}`,
      }),
    ];
  },
};
