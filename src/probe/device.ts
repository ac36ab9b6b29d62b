/**
 * The swap device as the model describes it (`host.swap`): latency of one 4 KiB read and
 * write, sequential bandwidth, the bandwidth of the large reads file readahead makes, how
 * many reads it serves at once, whether it signals completions only when its queue drains,
 * and whether the kernel treats it as rotational (which decides swap readahead). Measured with O_DIRECT by native/devbench.c on a scratch file in
 * the swap file's filesystem, removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FaultlineError } from '../util/errors.js';
import { buildProbe } from './native.js';

export interface DeviceMeasure {
  readLatencyUs: number;
  writeLatencyUs: number;
  readBandwidthBps: number;
  writeBandwidthBps: number;
  /**
   * Sequential reads of `readaheadRequestBytes` from a buffer on huge pages, two in flight:
   * the requests page-cache readahead makes (max_sectors_kb, from large folios).
   */
  readaheadBps: number;
  readaheadRequestBytes: number;
  /** Whether that buffer got huge pages (if not, its requests were split like readBandwidthBps's). */
  readaheadHugeBuffer: boolean;
  /**
   * Two readahead-sized reads, the second queued halfway through the first: how far apart they
   * complete, in units of one read's time (devbench `completion_gap`): ~1 completing each
   * request when done, ~0 signalling completions only when the queue drains.
   */
  completionGap: number;
  /** completionGap below DRAIN_GAP: the device completes on drain (`host.swap.completesOnDrain`). */
  completesOnDrain: boolean;
  serialIops: number;
  parallelIops: number;
  /** Reads served at once: parallel over serial IOPS, rounded, at least 1. */
  queueDepth: number;
  /** /sys/block/<dev>/queue/rotational of the disk holding `dir`; null when it cannot be read. */
  rotational: boolean | null;
}

/**
 * A completion gap below this is one interrupt for both reads: a FIFO device separates them by
 * about one read's time, one serving both at once by half (the lab's virtio disk: 0.02–0.04).
 */
const DRAIN_GAP = 0.25;

/** Measures the device holding `dir` with a scratch file of `bytes` (at least 4 MiB). */
export function measureDevice(dir: string, bytes = 64 * 2 ** 20): DeviceMeasure {
  const probe = buildProbe('devbench.c');
  const file = join(dir, `faultline-devbench-${process.pid}.bin`);
  // A readahead window goes to the disk in requests of at most max_sectors_kb (blk-mq's
  // merge limit), never more than the window itself; 4 MiB when sysfs cannot say.
  const maxKb = queueAttr(dir, 'max_sectors_kb');
  const raKb = queueAttr(dir, 'read_ahead_kb');
  const reqKb = Math.min(maxKb ? Number(maxKb) : 4096, raKb && Number(raKb) > 0 ? Number(raKb) : 4096);
  const request = Math.max(4, Math.min(bytes / 4 / 1024, reqKb)) * 1024;
  try {
    const run = spawnSync(probe.bin, [file, String(bytes), String(request)], { encoding: 'utf8' });
    if (run.status !== 0) {
      throw new FaultlineError(`the device probe failed in ${dir}: ${run.error?.message ?? run.stderr.trim()}`, 2);
    }
    const m = JSON.parse(run.stdout) as Omit<
      DeviceMeasure,
      'queueDepth' | 'rotational' | 'readaheadRequestBytes' | 'completesOnDrain'
    >;
    return {
      ...m,
      completesOnDrain: m.completionGap < DRAIN_GAP,
      readaheadRequestBytes: request,
      queueDepth: Math.max(1, Math.min(64, Math.round(m.parallelIops / m.serialIops))),
      rotational: rotationalOf(dir),
    };
  } finally {
    rmSync(file, { force: true });
    probe.remove();
  }
}

/** The rotational flag of the block device (or its parent disk, for a partition) holding `path`. */
export function rotationalOf(path: string): boolean | null {
  const v = queueAttr(path, 'rotational');
  return v === null ? null : v === '1';
}

/** /sys/block/<dev>/queue/<name> of the disk holding `path` (its parent disk for a partition); null when unreadable. */
function queueAttr(path: string, name: string): string | null {
  const dev = statSync(realpathSync(path)).dev;
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  for (const rel of [`queue/${name}`, `../queue/${name}`]) {
    try {
      return readFileSync(`/sys/dev/block/${major}:${minor}/${rel}`, 'utf8').trim();
    } catch {
      // a partition has no queue/ of its own: its disk has
    }
  }
  return null;
}
