import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { judge, type Measurement, type Section } from './harness.js';
import { writeCsv, writeOracleGeneral } from './trace-files.js';

/**
 * faultline end to end against the reference simulator, libCacheSim's `cachesim`, on the
 * same trace files in the same run: the bench's Zipf stream written as oracleGeneral and
 * as CSV, one cache of 10 % of its distinct pages. The binary is found at
 * $FAULTLINE_CACHESIM, or where docs/policies.md's build puts it; without it the section
 * says so and measures nothing.
 */
const CONVENTIONAL = [
  '/opt/libCacheSim/_build/bin/cachesim',
  join(process.cwd(), '../libCacheSim/_build/bin/cachesim'),
];
const SIX = ['lru', 'fifo', 'clock', 'arc', 's3fifo', 'sieve'];
const CLI = join(process.cwd(), 'dist/cli/main.js');

function findCachesim(): string | undefined {
  const env = process.env.FAULTLINE_CACHESIM;
  if (env) return existsSync(env) ? env : undefined;
  return CONVENTIONAL.find((p) => existsSync(p));
}

/** Wall seconds of one process, and its stdout; throws if it fails. */
function run(cmd: string, args: string[], cwd: string): { seconds: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  return { seconds, stdout: r.stdout };
}

/** Reads a file once so that both tools read it from the page cache. */
function warm(path: string): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

export const referenceSection: Section = {
  id: 'reference',
  title: 'end to end against the reference simulator (cachesim)',
  run(ctx) {
    const cachesim = findCachesim();
    if (!cachesim) {
      process.stderr.write('  skipped: cachesim not found (build libCacheSim, or set FAULTLINE_CACHESIM)\n');
      return [
        {
          section: 'reference',
          name: 'cachesim comparison',
          value: 0,
          unit: 'ratio',
          note: `skipped: no cachesim at $FAULTLINE_CACHESIM or ${CONVENTIONAL.join(', ')}`,
        },
      ];
    }
    const s = ctx.stream();
    const seen = new Uint8Array(ctx.config.pages);
    let distinct = 0;
    for (let i = 0; i < s.length; i++) if (seen[s[i]!] === 0 && ++distinct) seen[s[i]!] = 1;
    const frames = String(Math.floor(distinct / 10));
    const dir = ctx.tmp();
    const og = join(dir, 'zipf.oracleGeneral.bin');
    const csv = join(dir, 'zipf.csv');
    writeOracleGeneral(og, s);
    writeCsv(csv, s);
    warm(og);
    warm(csv);
    const threads = String(cpus().length);
    const csvParams = ['-t', 'time-col=1,obj-id-col=2,header=true'];
    const cases = [
      { name: 'LRU, oracleGeneral', file: og, type: 'oracleGeneral', policies: ['lru'], min: 4 },
      { name: 'six policies, oracleGeneral', file: og, type: 'oracleGeneral', policies: SIX, min: 8 },
      { name: 'LRU, CSV', file: csv, type: 'csv', policies: ['lru'], min: 10 },
    ];
    const out: Measurement[] = [];
    for (const c of cases) {
      const ours = run(
        process.execPath,
        [CLI, 'replay', c.file, '--policy', c.policies.join(','), '--frames', frames, '--format', 'csv'],
        dir,
      );
      const ref = run(
        cachesim,
        [c.file, c.type, c.policies.join(','), frames, '--ignore-obj-size', '1', '--num-thread', threads].concat(
          c.type === 'csv' ? csvParams : [],
        ),
        dir,
      );
      checkSameCounts(ours.stdout, ref.stdout, c.name);
      const ratio = ref.seconds / ours.seconds;
      process.stderr.write(
        `  ${c.name}: faultline ${ours.seconds.toFixed(2)} s, cachesim ${ref.seconds.toFixed(2)} s: ${ratio.toFixed(1)}×\n`,
      );
      out.push(
        judge({
          section: 'reference',
          name: `${c.name} (${frames} frames): cachesim s / faultline s`,
          value: ratio,
          unit: 'ratio',
          target: { op: '>=', value: c.min },
          note: `faultline ${ours.seconds.toFixed(2)} s, cachesim ${ref.seconds.toFixed(2)} s (${cachesim})`,
        }),
      );
    }
    return out;
  },
};

/** Both printed the same miss ratios (cachesim prints four decimals), or the timings mean nothing. */
function checkSameCounts(oursCsv: string, refOut: string, what: string): void {
  const ours = oursCsv
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[5]).toFixed(4));
  // cachesim prints each cache's line twice (as it finishes, then in the summary).
  const ref = [...new Set([...refOut.matchAll(/miss ratio ([0-9.]+)/g)].map((m) => m[1]))];
  if (ours.some((r) => !ref.includes(r)) || ref.some((r) => !ours.includes(r as string))) {
    throw new Error(`reference: ${what}: miss ratios differ: faultline ${ours.join(' ')}, cachesim ${ref.join(' ')}`);
  }
}
