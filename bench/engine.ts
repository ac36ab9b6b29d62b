import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { loadScenarioText } from '../src/scenario/load.js';
import { judge, type Measurement, type Section, timedAsync } from './harness.js';

type BatchModule = typeof import('../src/engine/batch.js');

const SCENARIO = 'scenarios/incident-spark-120g-on-64g.yaml';
const SEEDS = [42, 43, 44];

/**
 * The incident's 16-variant sweep crossed with three seeds: 48 variants, as a capacity
 * review would run them. The seed axis is added through the loader's own sweep matrix.
 */
function sweep48() {
  const doc = parseDocument(readFileSync(SCENARIO, 'utf8'));
  doc.setIn(['sweep', 'matrix', 'seed'], doc.createNode(SEEDS));
  return loadScenarioText(String(doc), SCENARIO).variants;
}

/**
 * The whole sweep on the worker pool with 1 and with 2 workers. It runs the compiled
 * engine (`npm run bench` builds first), as the CLI does: from sources each worker would
 * also pay for compiling TypeScript.
 */
export const engineSection: Section = {
  id: 'engine',
  title: 'sweep engine (48 incident variants, 1 and 2 workers)',
  async run() {
    const { runBatch } = (await import(new URL('../dist/engine/batch.js', import.meta.url).href)) as BatchModule;
    const variants = sweep48();
    if (variants.length !== 48) throw new Error(`expected 48 variants, got ${variants.length}`);
    const one = await timedAsync(() => runBatch(variants, { jobs: 1 }));
    const two = await timedAsync(() => runBatch(variants, { jobs: 2 }));
    const failed = [...one.result, ...two.result].filter((r) => r.status === 'failed');
    if (failed.length > 0) throw new Error(`${failed.length} runs failed, first: ${failed[0]?.error}`);
    const same = one.result.every((r, i) => JSON.stringify(r) === JSON.stringify(two.result[i]));
    const out: Measurement[] = [
      { section: 'engine', name: '48 variants, 1 worker', value: one.seconds, unit: 's' },
      judge({
        section: 'engine',
        name: '48 variants, 2 workers',
        value: two.seconds,
        unit: 's',
        target: { op: '<', value: 120 },
        note: same ? 'results identical to 1 worker' : 'RESULTS DIFFER from 1 worker',
      }),
      judge({
        section: 'engine',
        name: 'speed-up, 2 workers over 1',
        value: one.seconds / two.seconds,
        unit: 'ratio',
        target: { op: '>=', value: 1.7 },
      }),
    ];
    return out;
  },
};
