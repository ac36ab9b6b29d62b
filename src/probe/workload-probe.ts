/**
 * The workload probe (docs/validation.md): replays one process's anonymous access stream on
 * the real kernel, inside a temporary memory cgroup whose limit is below the working set, so
 * that faultline's host model can be compared with the kernel on the same stream.
 *
 * The stream is faultline's own: `probeStream` draws it with the generator the host model
 * uses for a process named PROBE_PROCESS (`RegionStream` seeded as `host.ts` seeds it), and the
 * child reads it from a file, so the kernel and the model see the same page sequence, touch
 * for touch. Before the stream, the child allocates its heap in the model's growth order
 * (rank 0 first), which is what a process started after t = 0 does in the model: both start
 * with every page allocated and the last-allocated ones resident.
 *
 * Timing uses process.hrtime in the child, as calibrate does: measuring the real kernel is
 * this room's purpose (see calibrate.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessPattern } from '../scenario/types.js';
import { FaultlineError } from '../util/errors.js';
import { hash32, hashString, Rng } from '../util/rng.js';
import { RegionStream } from '../workload/stream.js';
import { type CgroupRoot, cgroupFiles, runNodeChild, vmstatCounter, withCgroup } from './cgroup.js';

const PAGE_BYTES = 4096;
/** The process name of the model's scenario: its name seeds its access stream. */
export const PROBE_PROCESS = 'probe';

/**
 * The child, plain JS for `node -e` (loads nothing but fs, so its own footprint stays a few
 * MiB). argv: offsets file, the cgroup's usage, limit and memory.stat files ('-' for none),
 * pages, touches, touches per chunk, limit bytes for the heap. It reads the cgroup's usage
 * before allocating (node's own pages) and sets the limit to that plus the heap's limit, so
 * the heap gets `limit` bytes as the model's process does. Prints one JSON line.
 */
export const WORKLOAD_PROBE_SCRIPT = `
const fs = require('fs');
const [file, usageFile, limitFile, statFile] = process.argv.slice(1, 5);
const [pages, touches, chunk, limit] = process.argv.slice(5).map(Number);
const PAGE = ${PAGE_BYTES};
const counts = () => {
  const s = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return [Number(f[7]), Number(f[9])];
};
const baseline = usageFile === '-' ? 0 : Number(fs.readFileSync(usageFile, 'utf8'));
if (limitFile !== '-') fs.writeFileSync(limitFile, String(baseline + limit));
// Where the heap lies, for pagemap at the end: the mapping that appears (or the part an
// existing one grows by, when the kernel merges it with a neighbour) when it is allocated.
// node's calloc gets it from glibc as one mmap with a 16-byte header, so byte p * PAGE is in
// the mapping's page p.
const maps = () => fs.readFileSync('/proc/self/maps', 'utf8').trim().split('\\n')
  .map((l) => l.split(' ')[0].split('-').map((h) => parseInt(h, 16)));
const m0 = maps();
const buf = new Uint8Array(pages * PAGE);
let heapStart = -1;
for (const [s, e] of maps()) {
  if (m0.some(([s0, e0]) => s0 === s && e0 === e)) continue;
  const old = m0.find(([s0, e0]) => s0 >= s && e0 <= e);
  if (e - s - (old ? old[1] - old[0] : 0) >= pages * PAGE) heapStart = old && old[0] === s ? old[1] : s;
}
const fd = fs.openSync(file, 'r');
const block = new Uint32Array(65536);
const bytes = new Uint8Array(block.buffer);
let have = 0, at = 0, pos = 0;
const next = () => {
  if (at === have) {
    const n = fs.readSync(fd, bytes, 0, bytes.length, pos);
    pos += n; have = n >> 2; at = 0;
  }
  return block[at++];
};
const [mi0, ma0] = counts();
const t0 = process.hrtime.bigint();
for (let i = 0; i < pages; i++) buf[next() * PAGE] = 1;
const t1 = process.hrtime.bigint();
const [mi1, ma1] = counts();
const init = [Number(t1 - t0), mi1 - mi0, ma1 - ma0];
const chunks = [];
for (let c = 0; c < touches; c += chunk) {
  const end = Math.min(touches, c + chunk);
  const [a0, b0] = counts();
  const s0 = process.hrtime.bigint();
  for (let i = c; i < end; i++) buf[next() * PAGE] = 2;
  const s1 = process.hrtime.bigint();
  const [a1, b1] = counts();
  chunks.push([Number(s1 - s0), a1 - a0, b1 - b0, end - c]);
}
// The heap's pages at the end from /proc/self/pagemap (bit 63 present, bit 62 swapped).
let rss = -1, swap = -1;
if (heapStart >= 0) {
  rss = 0; swap = 0;
  const raw = Buffer.alloc(pages * 8);
  const pm = fs.openSync('/proc/self/pagemap', 'r');
  fs.readSync(pm, raw, 0, raw.length, (heapStart / PAGE) * 8);
  for (let p = 0; p < pages; p++) {
    const hi = raw.readUInt32LE(p * 8 + 4);
    if (hi & 0x80000000) rss += PAGE;
    else if (hi & 0x40000000) swap += PAGE;
  }
}
const statAtEnd = {};
if (statFile !== '-') {
  for (const line of fs.readFileSync(statFile, 'utf8').split('\\n')) {
    const [k, v] = line.split(' ');
    if (k && /^\\d+$/.test(v || '')) statAtEnd[k] = Number(v);
  }
  statAtEnd.usage = Number(fs.readFileSync(usageFile, 'utf8'));
}
process.stdout.write(JSON.stringify({ baselineBytes: baseline, init, chunks, heap: { rss, swap }, statAtEnd }) + '\\n');
`;

export interface WorkloadProbeOptions {
  workingSetBytes: number;
  /**
   * The memory cgroup to run in and the heap's limit in it (the cgroup's limit is node's own
   * usage plus this); without it the probe runs free, in this process's cgroup, unlimited.
   */
  cgroup?: { where: CgroupRoot; limitBytes: number };
  pattern: AccessPattern;
  touches: number;
  seed: number;
  chunkTouches: number;
}

/** One chunk of the timed pass: [nanoseconds, minflt delta, majflt delta, touches]. */
export type ProbeChunk = [number, number, number, number];

export interface WorkloadProbeResult {
  pages: number;
  /** Bytes charged to the cgroup before the heap was allocated (node itself), 0 without a cgroup. */
  baselineBytes: number;
  /** The allocation pass: [nanoseconds, minflt, majflt]. */
  init: [number, number, number];
  chunks: ProbeChunk[];
  /** The heap's pages at the end (/proc/self/pagemap): bytes resident and in swap; −1 when it was not found. */
  heap: { rss: number; swap: number };
  /** The cgroup's memory.stat read by the child just before it exits, plus `usage`; empty without a cgroup. */
  statAtEnd: Record<string, number>;
  /** /proc/vmstat deltas over the child's life (host-wide, so other activity adds noise). */
  vmstat: Record<string, number>;
  /** The cgroup's memory.stat counters at the end (and memory.events on v2); empty without a cgroup. */
  cgroupStat: Record<string, number>;
}

/**
 * The page offsets the model's process PROBE_PROCESS touches: its allocation order (growth,
 * rank 0 first) and then `touches` draws of its stream, as `host.ts` seeds and `simulate.ts`
 * draws them for a scenario with this seed, one process of `pages` anonymous pages, no file
 * pages and no growth.
 */
export function probeStream(pages: number, pattern: AccessPattern, touches: number, seed: number): Uint32Array {
  const stream = new RegionStream(pages, new Rng(hash32(hashString(PROBE_PROCESS), seed)).fork(1));
  stream.configure(pattern, pages);
  const out = new Uint32Array(pages + touches);
  for (let r = 0; r < pages; r++) out[r] = stream.offsetOfRank(r);
  for (let i = 0; i < touches; i++) out[pages + i] = stream.next();
  return out;
}

const VMSTAT_KEYS = ['pswpin', 'pswpout', 'pgmajfault', 'workingset_refault_anon', 'workingset_activate_anon'];

function readCounters(file: string | undefined): Record<string, number> {
  if (!file) return {};
  const out: Record<string, number> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [k, v] = line.split(' ');
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/**
 * The kernel's memcg OOM killer killed the probe. Under a tight limit this happens when
 * reclaim makes no progress for MAX_RECLAIM_RETRIES rounds, e.g. while swap writeback is slow
 * because other jobs load the disk: a property of the run, not of the stream.
 */
export class MemcgOomError extends FaultlineError {
  constructor(path: string, kills: number) {
    super(`the kernel's memcg OOM killer killed the probe in ${path} (oom_kill ${kills})`, 3);
    this.name = 'MemcgOomError';
  }
}

/** Runs the probe once: in a fresh cgroup when `opts.cgroup` is given, else free. */
export async function runWorkloadProbe(opts: WorkloadProbeOptions): Promise<WorkloadProbeResult> {
  const pages = Math.floor(opts.workingSetBytes / PAGE_BYTES);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-probe-'));
  try {
    const file = join(dir, 'offsets.u32');
    // Written by this process, so its page cache is charged here, not to the probe's cgroup.
    writeFileSync(file, probeStream(pages, opts.pattern, opts.touches, opts.seed));
    const before = Object.fromEntries(VMSTAT_KEYS.map((k) => [k, vmstatCounter(k)]));
    const run = (usage: string, limit: string, stat: string, procs?: string) =>
      runNodeChild<Omit<WorkloadProbeResult, 'pages' | 'vmstat' | 'cgroupStat'>>(
        WORKLOAD_PROBE_SCRIPT,
        [
          file,
          usage,
          limit,
          stat,
          String(pages),
          String(opts.touches),
          String(opts.chunkTouches),
          String(opts.cgroup?.limitBytes ?? 0),
        ],
        'workload',
        procs,
      );
    let out: Omit<WorkloadProbeResult, 'pages' | 'vmstat' | 'cgroupStat'>;
    let cgroupStat: Record<string, number> = {};
    const cg = opts.cgroup;
    if (!cg) out = await run('-', '-', '-');
    else {
      const where = cg.where;
      out = await withCgroup(where, 'faultline-workload-', undefined, async (procs, path) => {
        const f = cgroupFiles(where.version, path);
        let r: Awaited<ReturnType<typeof run>>;
        try {
          r = await run(f.usage, f.limit, f.stat, procs);
        } catch (err) {
          const kills = readCounters(f.oomControl).oom_kill ?? 0;
          if (kills > 0) throw new MemcgOomError(path, kills);
          throw err;
        }
        cgroupStat = { ...readCounters(f.stat), ...readCounters(f.events) };
        return r;
      });
    }
    if (out.heap.rss < 0) throw new FaultlineError('the workload probe could not find its heap in /proc/self/maps', 3);
    const vmstat = Object.fromEntries(VMSTAT_KEYS.map((k) => [k, vmstatCounter(k) - (before[k] as number)]));
    return { pages, ...out, vmstat, cgroupStat };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
