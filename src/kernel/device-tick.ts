/**
 * The swap device between ticks: the tick's reads and writes handed to the device model
 * (mechanisms/swap-device.ts), its backlog carried into the next tick's in-tick queue, and
 * the writeback budget that throttles kswapd (`reclaim_throttle` on writeback).
 */
import type { Recorder } from './recorder.js';
import type { SimContext } from './sim-context.js';

export class DeviceTick {
  private readonly ctx: SimContext;
  private lastReadIos = 0;
  private backlogReadIos = 0;
  private backlogWritePages = 0;
  /** File reads (readahead windows): channel-µs of the last tick's and of the backlog. */
  private lastRaWorkUs = 0;
  private backlogRaWorkUs = 0;

  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  /**
   * Pages kswapd may write to swap this tick (sampled): the device time left after the
   * backlog and the reads of the last tick. Beyond it, too many pages would be under
   * writeback and kswapd throttles (`reclaim_throttle`), leaving reclaim to the allocators.
   */
  kswapdWriteBudgetPages(): number {
    const ctx = this.ctx;
    const s = ctx.sc.host.swap;
    if (s.device === 'none') return 0;
    if (s.device === 'zram') return Number.POSITIVE_INFINITY;
    const cluster = ctx.sc.host.kernel.swapClusterMax;
    const page = ctx.sc.host.pageSizeBytes;
    const occ = (latUs: number, pages: number) =>
      Math.max(latUs, (s.queueDepth / s.iops) * 1e6, ((s.queueDepth * pages * page) / s.bandwidthBytesPerSec) * 1e6);
    const occRead = occ(s.readLatencyUs, 1);
    const occWrite = occ(s.writeLatencyUs, cluster);
    const capacityUs = s.queueDepth * ctx.tickMs * 1000;
    const busyUs =
      (this.lastReadIos + this.backlogReadIos) * occRead +
      (this.backlogWritePages / cluster) * occWrite +
      this.lastRaWorkUs +
      this.backlogRaWorkUs;
    const freeUs = Math.max(0, capacityUs - busyUs);
    return (freeUs / occWrite) * cluster * ctx.rate;
  }

  /** The tick's IO through the device model; its backlog becomes the host's queue at the next tick. */
  endTick(recorder: Recorder): void {
    const ctx = this.ctx;
    const host = ctx.host;
    const state = host.state;
    if (ctx.sc.host.swap.device === 'none') return;
    const counters = state.counters;
    const cluster = ctx.sc.host.kernel.swapClusterMax;
    const disk = ctx.sc.host.swap.device !== 'zram';
    // Swap reads and file reads in small folios share the read class; asynchronous readahead
    // windows (large folios, large requests at the readahead bandwidth) are their own. With
    // zram, file reads are not the swap device's.
    const readPages = (counters.swapInPages + (disk ? counters.fileReadPages : 0)) * ctx.scale;
    const readIos = (counters.swapReadIos + (disk ? counters.fileReadIos : 0)) * ctx.scale;
    const raPages = disk ? counters.raReadPages * ctx.scale : 0;
    const raIos = disk ? counters.raReadIos * ctx.scale : 0;
    const writePages = (counters.swapOutPages + (disk ? counters.fileWritePages : 0)) * ctx.scale;
    const writeIos = writePages / cluster;
    const r = state.device.tick(
      ctx.tickMs * 1000,
      readIos,
      Math.max(readPages, readIos),
      writeIos,
      writePages,
      raIos,
      Math.max(raPages, raIos),
    );
    this.lastReadIos = readIos;
    this.backlogReadIos = r.readIosBacklog;
    this.backlogWritePages = r.writeIosBacklog * cluster;
    // Each class's backlog at its own occupancy: a file window's is that of its whole request
    // (until 2026-12-06 it was carried as one page's, so a reader that outran the device left
    // a backlog of requests that grew without bound while it queued almost nothing).
    this.lastRaWorkUs = r.raOccupancyUs * raIos;
    this.backlogRaWorkUs = r.raOccupancyUs * r.raIosBacklog;
    // The backlog's requests: a swap read or write is one, a window as many as this tick's were split into.
    const readRequests = (counters.swapReadIos + (disk ? counters.fileReadRequests : 0)) * ctx.scale;
    const raRequests = disk ? counters.raReadRequests * ctx.scale : 0;
    const perRead = readIos > 0 ? readRequests / readIos : 1;
    const perWindow = raIos > 0 ? raRequests / raIos : 1;
    host.setDeviceBacklog(
      r.readIosBacklog * r.readOccupancyUs + r.writeIosBacklog * state.occWriteUs + this.backlogRaWorkUs,
      r.readIosBacklog * perRead + r.raIosBacklog * perWindow + r.writeIosBacklog,
    );
    recorder.device({ utilisation: r.utilisation, readIos: readIos + raIos, meanReadLatencyUs: r.meanReadLatencyUs });
  }
}
