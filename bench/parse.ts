import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrace } from '../src/traces/load.js';
import { judge, type Section, timed, timedAsync } from './harness.js';
import { writeCsv } from './trace-files.js';

/** Time to read a CSV of the whole stream into dense ids with the trace reader. */
export const parseSection: Section = {
  id: 'parse',
  title: 'CSV trace parsing',
  async run(ctx) {
    const s = ctx.stream();
    const path = join(ctx.tmp(), 'zipf.csv');
    const written = timed(() => writeCsv(path, s));
    const bytes = statSync(path).size;
    process.stderr.write(`  wrote ${(bytes / 2 ** 20).toFixed(0)} MiB CSV in ${written.seconds.toFixed(1)} s\n`);
    // The first read warms the page cache; the second is the figure.
    await loadTrace(path);
    const { seconds, result } = await timedAsync(() => loadTrace(path));
    if (result.info.references !== s.length) throw new Error('parse: reference count mismatch');
    return [
      judge({
        section: 'parse',
        name: `csv time,obj_id (${result.info.references} lines, ${result.info.distinctPages} ids)`,
        value: s.length / seconds,
        unit: 'lines/s',
        target: { op: '>=', value: 10e6 },
        note: `${seconds.toFixed(2)} s, ${(bytes / seconds / 2 ** 20).toFixed(0)} MiB/s`,
      }),
    ];
  },
};
