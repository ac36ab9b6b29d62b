import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrace } from '../src/traces/load.js';
import { judge, type Section, timed, timedAsync } from './harness.js';

/** Writes the stream as `time,obj_id` CSV (libCacheSim's csv layout), in 4 MiB writes. */
function writeCsv(path: string, s: Int32Array): void {
  const fd = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(4 << 20);
  let n = buf.write('time,obj_id\n', 0, 'latin1');
  const digits = Buffer.allocUnsafe(16);
  const put = (v: number) => {
    let k = 0;
    do {
      digits[k++] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
    while (k > 0) buf[n++] = digits[--k]!;
  };
  for (let i = 0; i < s.length; i++) {
    if (n > buf.length - 64) {
      writeSync(fd, buf, 0, n);
      n = 0;
    }
    put(Math.floor(i / 1000));
    buf[n++] = 44;
    put(s[i]! + 1);
    buf[n++] = 10;
  }
  writeSync(fd, buf, 0, n);
  closeSync(fd);
}

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
