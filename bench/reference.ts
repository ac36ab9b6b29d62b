import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { judge, type Measurement, type Section } from './harness.js';
import { writeCsv, writeOracleGeneral } from './trace-files.js';

/**
 * faultline end to end against the reference simulator, libCacheSim's `cachesim`, on the
 * same trace files in the same run: the bench's Zipf stream written as oracleGeneral and
 * as CSV, one cache of 10 % of its distinct pages. The binary is found at
 * $FAULTLINE_CACHESIM, or where docs/policies.md's build puts it; without it the section
 * says so and measures nothing.
 *
 * `--reps N` runs each case N times, the two tools alternating, and reports the median
 * ratio with its range. Each ratio is given twice: wall time, the target's measure, and CPU
 * time (user + system of the process and its threads), which other work on a shared
 * machine skews far less: under load a process gets a share of the cores, not the cores.
 * Each run's 1-minute load average is printed beside its ratios, and their range in the
 * note, since a ratio means little without the load it was measured at.
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

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/**
 * Wall and CPU seconds of one process, and its stdout; throws if it fails. The process runs
 * under a shell that, once it has waited for it, prints its own /proc stat, whose cutime
 * and cstime are the CPU the process used (Node's spawnSync reports none).
 */
function run(cmd: string, args: string[], cwd: string): { seconds: number; cpuSeconds: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/bin/sh', ['-c', '"$@"; s=$?; cat /proc/$$/stat >&2; exit $s', 'sh', cmd, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
  const stat = r.stderr.trim().split('\n').at(-1) ?? '';
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(f[13]) + Number(f[14])) / TICKS;
  return { seconds, cpuSeconds, stdout: r.stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const range = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;

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
    const reps = ctx.config.reps ?? 1;
    const out: Measurement[] = [];
    for (const c of cases) {
      const loads: number[] = [];
      const wall: number[] = [];
      const cpu: number[] = [];
      const times = { ours: [] as number[], ref: [] as number[], oursCpu: [] as number[], refCpu: [] as number[] };
      for (let k = 0; k < reps; k++) {
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
        loads.push(loadavg()[0]!);
        wall.push(ref.seconds / ours.seconds);
        cpu.push(ref.cpuSeconds / ours.cpuSeconds);
        times.ours.push(ours.seconds);
        times.ref.push(ref.seconds);
        times.oursCpu.push(ours.cpuSeconds);
        times.refCpu.push(ref.cpuSeconds);
        process.stderr.write(
          `  ${c.name}: faultline ${ours.seconds.toFixed(2)} s (CPU ${ours.cpuSeconds.toFixed(2)} s), ` +
            `cachesim ${ref.seconds.toFixed(2)} s (CPU ${ref.cpuSeconds.toFixed(2)} s): ` +
            `${wall.at(-1)!.toFixed(1)}× wall, ${cpu.at(-1)!.toFixed(1)}× CPU, load ${loads.at(-1)!.toFixed(1)}\n`,
        );
      }
      const spread = `${reps > 1 ? ` over ${reps} runs (ratio ${range(wall, 1)})` : ''}, load ${range(loads, 1)}`;
      out.push(
        judge({
          section: 'reference',
          name: `${c.name} (${frames} frames): cachesim s / faultline s`,
          value: median(wall),
          unit: 'ratio',
          target: { op: '>=', value: c.min },
          note: `median faultline ${median(times.ours).toFixed(2)} s, cachesim ${median(times.ref).toFixed(2)} s${spread} (${cachesim})`,
        }),
        {
          section: 'reference',
          name: `${c.name}: cachesim CPU s / faultline CPU s`,
          value: median(cpu),
          unit: 'ratio',
          note: `median faultline ${median(times.oursCpu).toFixed(2)} s, cachesim ${median(times.refCpu).toFixed(2)} s${reps > 1 ? ` (ratio ${range(cpu, 1)})` : ''}`,
        },
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
