import { exactHistogram, MissCurve, shardsFixedRate } from '../src/analysis/mrc.js';
import { judge, type Section, timed } from './harness.js';

/** Exact (Mattson + Fenwick) and SHARDS-1% curves of the whole stream, with SHARDS' error. */
export const mrcSection: Section = {
  id: 'mrc',
  title: 'miss-ratio curves',
  run(ctx) {
    const s = ctx.stream();
    const { pages } = ctx.config;
    const exact = timed(() => exactHistogram(s, pages));
    const shards = timed(() => shardsFixedRate(s, pages, 0.01, { seed: 1 }));
    const e = new MissCurve(exact.result);
    const a = new MissCurve(shards.result);
    let err = 0;
    for (let k = 1; k <= 100; k++) err += Math.abs(e.ratio((k * pages) / 100) - a.ratio((k * pages) / 100));
    return [
      judge({
        section: 'mrc',
        name: 'exact LRU curve, all sizes',
        value: exact.seconds,
        unit: 's',
        target: { op: '<', value: 5 },
        note: `${(s.length / exact.seconds / 1e6).toFixed(1)} M refs/s`,
      }),
      judge({
        section: 'mrc',
        name: 'SHARDS fixed rate 1%',
        value: shards.seconds,
        unit: 's',
        target: { op: '<', value: 0.5 },
        note: `${shards.result.sampling.method === 'shards-fixed-rate' ? shards.result.sampling.sampledReferences : 0} sampled references`,
      }),
      {
        section: 'mrc',
        name: 'SHARDS 1% mean abs error vs exact (100 sizes)',
        value: err / 100,
        unit: 'ratio',
      },
    ];
  },
};
