/**
 * A swap device as a queue with service time, IOPS and bandwidth caps, plus its slot
 * space; zram as CPU time and compressed RAM instead of a queue.
 *
 * Follows kernel-model.md §8.2–§8.3 (device numbers, zram) and §11 (device queueing:
 * M/M/1 for one channel, M/M/c Erlang C for `queueDepth` channels, back-pressure past
 * saturation). Slot space follows LK `mm/swapfile.c`: a swap area of N pages has N − 1
 * usable slots (page 0 is the swap header written by mkswap), a slot is taken when a page
 * is added to swap and freed when the page is swapped in exclusively or its owner exits.
 *
 * Contract, per tick of `tickUs`:
 * - the caller offers read and write IOs (and the pages they carry: a readahead cluster is
 *   one IO of several pages) issued during the tick, and apart from them the page cache's
 *   file reads (readahead windows), whose large requests go at `readaheadBytesPerSec`;
 * - the device serves at most its capacity: `queueDepth` channels, each IO occupying a
 *   channel for `max(serviceUs, queueDepth / iops, queueDepth · ioBytes / bandwidth)`, so
 *   served IOPS ≤ iops and served bytes/s ≤ bandwidth always;
 * - what does not fit is carried to the next tick (backlog, served first), so latency grows
 *   with the backlog instead of diverging: the caller's tasks wait, issue fewer IOs, and the
 *   loop closes (§11);
 * - the reported latency is the mean response time of an IO issued during this tick:
 *   unloaded service time + Erlang-C queueing wait at the tick's utilisation (capped at
 *   `maxQueueUtilisation`) + the fluid wait behind the backlog.
 * Counts are expected values and may be fractional.
 */

import { DEVICE_PRESETS } from '../../scenario/defaults.js';
import type { SwapConfig, SwapDeviceKind } from '../../scenario/types.js';

/** Size of the IO the configured service times refer to ("one 4 KiB random read"). */
export const REFERENCE_IO_BYTES = 4096;

/**
 * Device defaults (kernel-model.md §8.2–8.3): defined once, with the scenario defaults the
 * loader resolves every swap device from, so a scenario and this model never disagree.
 */
export const SWAP_DEVICE_PRESETS: Readonly<Record<Exclude<SwapDeviceKind, 'none' | 'custom'>, SwapDevicePreset>> = {
  hdd: DEVICE_PRESETS.hdd,
  ssd: DEVICE_PRESETS.ssd,
  nvme: DEVICE_PRESETS.nvme,
  zram: DEVICE_PRESETS.zram,
};

export type SwapDevicePreset = Omit<SwapConfig, 'sizeBytes' | 'device'>;

export interface SwapDeviceOptions {
  /** Page size of the host, bytes (one swap slot holds one page). Default 4096. */
  pageSizeBytes?: number;
  /**
   * Utilisation at which the Erlang-C wait is evaluated at most (it diverges at 1); beyond
   * it the backlog carries the delay. Default 0.95 [model parameter, not a kernel constant].
   */
  maxQueueUtilisation?: number;
  /**
   * Spatial sample rate R of the host (architecture.md "Time and scale"), default 1. The
   * caller offers sampled IO counts; the queue sees them as the real host's (÷ R) against
   * the real device's capacity, and served/backlog counts come back in sampled units (× R).
   * Latency and utilisation are the real device's. Slots are not scaled: size the device
   * for the sampled host.
   */
  sampleRate?: number;
}

export interface SwapTickResult {
  readIosServed: number;
  writeIosServed: number;
  readPagesServed: number;
  writePagesServed: number;
  /** IOs carried to the next tick (offered but not served). */
  readIosBacklog: number;
  writeIosBacklog: number;
  /** File (readahead) reads carried to the next tick, and the channel occupancy of each, µs. */
  raIosBacklog: number;
  raOccupancyUs: number;
  /** Channel occupancy of one read IO of the tick (swap reads and small file reads), µs. */
  readOccupancyUs: number;
  /** Busy share of the device's channel time in this tick, 0..1 (0 for zram). */
  utilisation: number;
  /** Mean response time of a read (write) IO issued during this tick. */
  meanReadLatencyUs: number;
  meanWriteLatencyUs: number;
  /** zram: CPU spent (de)compressing the pages served (disk devices: 0). */
  cpuUs: number;
}

/**
 * Erlang C: probability that an arrival waits in an M/M/c queue with `servers` channels and
 * offered load `erlangs` (= arrival rate × service time), for erlangs < servers. Computed
 * through the Erlang B recursion, which is stable for any number of servers.
 */
export function erlangC(servers: number, erlangs: number): number {
  if (erlangs <= 0) return 0;
  if (erlangs >= servers) return 1;
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (erlangs * b) / (k + erlangs * b);
  return (servers * b) / (servers - erlangs * (1 - b));
}

/** Mean M/M/c queueing wait (excluding service) at utilisation rho < 1 with mean service time serviceUs. */
export function mmcWaitUs(servers: number, rho: number, serviceUs: number): number {
  if (rho <= 0) return 0;
  return (erlangC(servers, servers * rho) * serviceUs) / (servers * (1 - rho));
}

export class SwapDevice {
  readonly kind: SwapDeviceKind;
  readonly pageSizeBytes: number;
  /** Usable slots: pages of the area minus the header page. */
  readonly totalSlots: number;
  private readonly config: SwapConfig;
  private readonly maxRho: number;
  private readonly sampleRate: number;
  private used = 0;
  private backlogReadIos = 0;
  private backlogReadPages = 0;
  private backlogWriteIos = 0;
  private backlogWritePages = 0;
  private backlogRaIos = 0;
  private backlogRaPages = 0;

  constructor(config: SwapConfig, options: SwapDeviceOptions = {}) {
    this.config = config;
    this.kind = config.device;
    this.pageSizeBytes = options.pageSizeBytes ?? 4096;
    this.maxRho = options.maxQueueUtilisation ?? 0.95;
    if (!(this.maxRho > 0 && this.maxRho < 1)) throw new RangeError('maxQueueUtilisation must be in (0, 1)');
    this.sampleRate = options.sampleRate ?? 1;
    if (!(this.sampleRate > 0 && this.sampleRate <= 1)) throw new RangeError('sampleRate must be in (0, 1]');
    const pages = Math.floor(config.sizeBytes / this.pageSizeBytes);
    this.totalSlots = config.device === 'none' ? 0 : Math.max(0, pages - 1);
    if (config.device !== 'none' && config.device !== 'zram') {
      if (!(config.queueDepth >= 1) || !Number.isInteger(config.queueDepth)) {
        throw new RangeError(`swap queueDepth must be an integer ≥ 1, got ${config.queueDepth}`);
      }
      if (!(config.iops > 0) || !(config.bandwidthBytesPerSec > 0)) {
        throw new RangeError('swap iops and bandwidthBytesPerSec must be > 0');
      }
    }
    if (config.device === 'zram' && !(config.compressionRatio > 0)) {
      throw new RangeError('zram compressionRatio must be > 0');
    }
  }

  get usedSlots(): number {
    return this.used;
  }
  get freeSlotCount(): number {
    return this.totalSlots - this.used;
  }
  get usedBytes(): number {
    return this.used * this.pageSizeBytes;
  }
  /** RAM the device itself consumes: zram's compressed store (usedSlots·page / ratio); 0 for disks. */
  get ramUsedBytes(): number {
    return this.kind === 'zram' ? (this.used * this.pageSizeBytes) / this.config.compressionRatio : 0;
  }

  /** Takes up to `pages` slots for pages being swapped out; returns how many were granted (swap full → fewer). */
  allocSlots(pages: number): number {
    const granted = Math.max(0, Math.min(pages, this.totalSlots - this.used));
    this.used += granted;
    return granted;
  }

  /** Returns `pages` slots (swap-in of an exclusive page, process exit). */
  freeSlots(pages: number): void {
    if (pages > this.used + 1e-9) throw new RangeError(`freeing ${pages} swap slots, only ${this.used} used`);
    this.used = Math.max(0, this.used - pages);
  }

  /** Unloaded response time of one IO carrying `pages` pages (a file read: at the readahead bandwidth). */
  unloadedLatencyUs(kind: 'read' | 'write' | 'readahead', pages = 1): number {
    const c = this.config;
    if (this.kind === 'zram') return pages * (kind === 'write' ? c.compressCpuUs : c.decompressCpuUs);
    const extra = Math.max(0, pages * this.pageSizeBytes - REFERENCE_IO_BYTES);
    const bw = kind === 'readahead' ? c.readaheadBytesPerSec : c.bandwidthBytesPerSec;
    return (kind === 'write' ? c.writeLatencyUs : c.readLatencyUs) + (extra / bw) * 1e6;
  }

  /**
   * Channel occupancy of one IO: the longest of its service time, the IOPS share and the
   * bandwidth share (for a file read, of the readahead bandwidth, as io-queue.ts's
   * `readRequests` occupies the in-tick queue).
   */
  occupancyUs(kind: 'read' | 'write' | 'readahead', pagesPerIo: number): number {
    const c = this.config;
    const iopsShare = (c.queueDepth / c.iops) * 1e6;
    const bw = kind === 'readahead' ? c.readaheadBytesPerSec : c.bandwidthBytesPerSec;
    const bwShare = ((c.queueDepth * pagesPerIo * this.pageSizeBytes) / bw) * 1e6;
    return Math.max(this.unloadedLatencyUs(kind, pagesPerIo), iopsShare, bwShare);
  }

  /** Serves one tick of IO; see the file comment for the model. */
  tick(
    tickUs: number,
    readIos: number,
    readPages: number,
    writeIos: number,
    writePages: number,
    raIos = 0,
    raPages = 0,
  ): SwapTickResult {
    if (!(tickUs > 0)) throw new RangeError(`tickUs must be > 0, got ${tickUs}`);
    if (readIos < 0 || writeIos < 0 || raIos < 0 || readPages < readIos || writePages < writeIos || raPages < raIos) {
      throw new RangeError('swap tick: IO counts must be ≥ 0 and pages ≥ IOs');
    }
    if (this.kind === 'none') {
      if (readIos > 0 || writeIos > 0 || raIos > 0) throw new Error('swap IO offered to a host without swap');
      return {
        readIosServed: 0,
        writeIosServed: 0,
        readPagesServed: 0,
        writePagesServed: 0,
        readIosBacklog: 0,
        writeIosBacklog: 0,
        raIosBacklog: 0,
        raOccupancyUs: 0,
        readOccupancyUs: 0,
        utilisation: 0,
        meanReadLatencyUs: 0,
        meanWriteLatencyUs: 0,
        cpuUs: 0,
      };
    }
    const c = this.config;
    if (this.kind === 'zram') {
      // Synchronous (de)compression on the calling CPU: no device queue (§8.2, §11).
      const readLat = readIos > 0 ? (readPages / readIos) * c.decompressCpuUs : c.decompressCpuUs;
      const writeLat = writeIos > 0 ? (writePages / writeIos) * c.compressCpuUs : c.compressCpuUs;
      const cpuUs = readPages * c.decompressCpuUs + writePages * c.compressCpuUs;
      return {
        readIosServed: readIos,
        writeIosServed: writeIos,
        readPagesServed: readPages,
        writePagesServed: writePages,
        readIosBacklog: 0,
        writeIosBacklog: 0,
        raIosBacklog: 0,
        raOccupancyUs: 0,
        readOccupancyUs: 0,
        utilisation: 0,
        meanReadLatencyUs: readLat,
        meanWriteLatencyUs: writeLat,
        cpuUs,
      };
    }

    // The queue works in real-host units; backlog is kept in them.
    const up = 1 / this.sampleRate;
    readIos *= up;
    readPages *= up;
    writeIos *= up;
    writePages *= up;
    raIos *= up;
    raPages *= up;
    const aIos = raIos + this.backlogRaIos;
    const aPages = raPages + this.backlogRaPages;
    const occA = this.occupancyUs('readahead', aIos > 0 ? aPages / aIos : raIos > 0 ? raPages / raIos : 1);
    const rIos = readIos + this.backlogReadIos;
    const rPages = readPages + this.backlogReadPages;
    const wIos = writeIos + this.backlogWriteIos;
    const wPages = writePages + this.backlogWritePages;
    const readPpi = readIos > 0 ? readPages / readIos : rIos > 0 ? rPages / rIos : 1;
    const writePpi = writeIos > 0 ? writePages / writeIos : wIos > 0 ? wPages / wIos : 1;
    const occR = this.occupancyUs('read', rIos > 0 ? rPages / rIos : readPpi);
    const occW = this.occupancyUs('write', wIos > 0 ? wPages / wIos : writePpi);
    const channels = c.queueDepth;
    const capacityUs = channels * tickUs;
    const backlogWork = this.backlogReadIos * occR + this.backlogWriteIos * occW + this.backlogRaIos * occA;
    const newWork = readIos * occR + writeIos * occW + raIos * occA;
    const work = backlogWork + newWork;
    const servedFraction = work > capacityUs ? capacityUs / work : 1;

    // Queueing wait for an IO issued now: Erlang C at the tick's utilisation (mean occupancy as
    // service time), capped below 1, plus the fluid wait behind the backlog (§11 back-pressure).
    const ios = rIos + wIos + aIos;
    const meanOccUs = ios > 0 ? work / ios : (occR + occW) / 2;
    const rho = Math.min(work / capacityUs, this.maxRho);
    const queueUs = mmcWaitUs(channels, rho, meanOccUs) + fluidWaitUs(backlogWork, newWork, capacityUs, tickUs);

    this.backlogReadIos = rIos * (1 - servedFraction);
    this.backlogReadPages = rPages * (1 - servedFraction);
    this.backlogWriteIos = wIos * (1 - servedFraction);
    this.backlogWritePages = wPages * (1 - servedFraction);
    this.backlogRaIos = aIos * (1 - servedFraction);
    this.backlogRaPages = aPages * (1 - servedFraction);
    const down = this.sampleRate;
    return {
      readIosServed: rIos * servedFraction * down,
      writeIosServed: wIos * servedFraction * down,
      readPagesServed: rPages * servedFraction * down,
      writePagesServed: wPages * servedFraction * down,
      readIosBacklog: this.backlogReadIos * down,
      writeIosBacklog: this.backlogWriteIos * down,
      raIosBacklog: this.backlogRaIos * down,
      raOccupancyUs: occA,
      readOccupancyUs: occR,
      utilisation: Math.min(1, work / capacityUs),
      // Swap reads and file reads together, each at its own size and bandwidth.
      meanReadLatencyUs:
        (readIos > 0 || raIos > 0
          ? (readIos * this.unloadedLatencyUs('read', readPpi) +
              raIos * this.unloadedLatencyUs('readahead', raPages / raIos || 1)) /
            (readIos + raIos)
          : this.unloadedLatencyUs('read', readPpi)) + queueUs,
      meanWriteLatencyUs: this.unloadedLatencyUs('write', writePpi) + queueUs,
      cpuUs: 0,
    };
  }
}

/**
 * Mean wait, over arrivals spread evenly across the tick, behind the queued work of a fluid
 * queue: it starts at `backlogWorkUs` (channel-µs), grows at the arrival work rate and drains
 * at `capacityUs / tickUs` channels.
 */
export function fluidWaitUs(backlogWorkUs: number, newWorkUs: number, capacityUs: number, tickUs: number): number {
  const channels = capacityUs / tickUs;
  const slope = newWorkUs / tickUs - channels; // d(queued work)/dt
  if (backlogWorkUs <= 0 && slope <= 0) return 0;
  const empties = slope < 0 ? backlogWorkUs / -slope : Number.POSITIVE_INFINITY;
  if (empties >= tickUs) return (backlogWorkUs + (slope * tickUs) / 2) / channels;
  // Queue drains at `empties`; afterwards arrivals find it empty (the fluid view).
  return (backlogWorkUs * empties) / 2 / tickUs / channels;
}
