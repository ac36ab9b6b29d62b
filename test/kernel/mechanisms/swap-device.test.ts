import { describe, expect, it } from 'vitest';
import {
  erlangC,
  fluidWaitUs,
  mmcWaitUs,
  SWAP_DEVICE_PRESETS,
  SwapDevice,
} from '../../../src/kernel/mechanisms/swap-device.js';
import type { SwapConfig } from '../../../src/scenario/types.js';

const GiB = 2 ** 30;

function device(kind: 'hdd' | 'ssd' | 'nvme' | 'zram', sizeBytes = 8 * GiB): SwapDevice {
  return new SwapDevice({ ...SWAP_DEVICE_PRESETS[kind], device: kind, sizeBytes });
}

describe('Erlang C and M/M/c', () => {
  it('C(2 servers, 1 erlang) = 1/3', () => {
    // Erlang B: B0 = 1, B1 = 1·1/(1+1) = 0.5, B2 = 1·0.5/(2+0.5) = 0.2;
    // C = 2·0.2 / (2 − 1·(1 − 0.2)) = 0.4 / 1.2 = 1/3.
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
  });
  it('one server reduces to M/M/1: C = rho, Wq = rho·S/(1 − rho)', () => {
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 12);
    expect(mmcWaitUs(1, 0.5, 100)).toBeCloseTo(100, 9); // 0.5·100/0.5
  });
  it('more servers wait less at the same utilisation', () => {
    expect(mmcWaitUs(16, 0.8, 100)).toBeLessThan(mmcWaitUs(4, 0.8, 100));
    expect(mmcWaitUs(4, 0.8, 100)).toBeLessThan(mmcWaitUs(1, 0.8, 100));
  });
  it('edge cases: no load, saturation', () => {
    expect(erlangC(8, 0)).toBe(0);
    expect(erlangC(8, 8)).toBe(1);
  });
});

describe('presets (kernel-model.md §8.3, §8.2)', () => {
  it('carry the table numbers', () => {
    expect(SWAP_DEVICE_PRESETS.hdd.readLatencyUs).toBe(10_000);
    expect(SWAP_DEVICE_PRESETS.hdd.iops).toBe(120);
    expect(SWAP_DEVICE_PRESETS.hdd.queueDepth).toBe(1);
    expect(SWAP_DEVICE_PRESETS.ssd.readLatencyUs).toBe(80);
    expect(SWAP_DEVICE_PRESETS.ssd.iops).toBe(90_000);
    expect(SWAP_DEVICE_PRESETS.nvme.readLatencyUs).toBe(60);
    expect(SWAP_DEVICE_PRESETS.nvme.iops).toBe(500_000);
    expect(SWAP_DEVICE_PRESETS.zram.decompressCpuUs).toBe(2);
    expect(SWAP_DEVICE_PRESETS.zram.compressionRatio).toBeGreaterThanOrEqual(2.5);
    expect(SWAP_DEVICE_PRESETS.zram.compressionRatio).toBeLessThanOrEqual(3);
  });
});

describe('SwapDevice queue', () => {
  it('unloaded latency equals the service time', () => {
    for (const kind of ['hdd', 'ssd', 'nvme'] as const) {
      const d = device(kind);
      const r = d.tick(1e6, 0, 0, 0, 0);
      expect(r.meanReadLatencyUs).toBe(SWAP_DEVICE_PRESETS[kind].readLatencyUs);
      expect(r.meanWriteLatencyUs).toBe(SWAP_DEVICE_PRESETS[kind].writeLatencyUs);
      expect(r.utilisation).toBe(0);
    }
  });

  it('HDD follows M/M/1: W = S/(1 − rho)', () => {
    // One channel; occupancy = max(10 000 µs, 1/120 s = 8 333 µs, 4096 B / 150 MB/s = 27 µs) = 10 000 µs.
    // 50 reads in a 1 s tick: rho = 50·10 000 / 1e6 = 0.5 → W = 10 000 / 0.5 = 20 000 µs.
    const r = device('hdd').tick(1e6, 50, 50, 0, 0);
    expect(r.utilisation).toBeCloseTo(0.5, 12);
    expect(r.meanReadLatencyUs).toBeCloseTo(20_000, 6);
    expect(r.readIosServed).toBe(50);
    expect(r.readIosBacklog).toBe(0);
  });

  it('read latency grows monotonically with load', () => {
    for (const kind of ['hdd', 'ssd', 'nvme'] as const) {
      const iops = SWAP_DEVICE_PRESETS[kind].iops;
      let prev = 0;
      for (let f = 0.05; f <= 3; f += 0.05) {
        const r = device(kind).tick(100_000, iops * f * 0.1, iops * f * 0.1, 0, 0);
        // With 32–64 channels the Erlang-C wait at low load is below one ulp of the service time.
        expect(r.meanReadLatencyUs).toBeGreaterThanOrEqual(prev);
        if (f > 0.5) expect(r.meanReadLatencyUs).toBeGreaterThan(prev);
        expect(Number.isFinite(r.meanReadLatencyUs)).toBe(true);
        prev = r.meanReadLatencyUs;
      }
      expect(prev).toBeGreaterThan(2 * SWAP_DEVICE_PRESETS[kind].readLatencyUs);
    }
  });

  it('never serves more than IOPS or bandwidth allow; the excess is carried over', () => {
    // NVMe: 64 channels, occupancy max(60 µs, 64/500 000 s = 128 µs, …) = 128 µs → 500 000 IOPS.
    const d = device('nvme');
    const r = d.tick(1e6, 1_000_000, 1_000_000, 0, 0);
    expect(r.readIosServed).toBeCloseTo(500_000, 6);
    expect(r.readIosBacklog).toBeCloseTo(500_000, 6);
    expect(r.utilisation).toBe(1);
    // The next tick serves the backlog first even with no new IO.
    const r2 = d.tick(1e6, 0, 0, 0, 0);
    expect(r2.readIosServed).toBeCloseTo(500_000, 6);
    expect(r2.readIosBacklog).toBeCloseTo(0, 6);

    // 128 KiB IOs: bandwidth share 64·131 072 B / 3e9 B/s = 2 796 µs per IO → 3e9 B/s at most.
    const big = device('nvme').tick(1e6, 100_000, 3_200_000, 0, 0);
    expect(big.readPagesServed * 4096).toBeLessThanOrEqual(3e9 * (1 + 1e-12));
    expect(big.readPagesServed * 4096).toBeCloseTo(3e9, 0);
  });

  it('file reads go at the readahead bandwidth and share the capacity; their backlog is whole requests', () => {
    // A disk whose 4 MiB readahead requests go at 2.4 GB/s where its sequential bandwidth is 1.2 GB/s
    // (the lab's virtio disk, docs/kernel.md): one channel, 1 s, 600 requests of 1024 pages offered.
    const d = new SwapDevice({
      ...SWAP_DEVICE_PRESETS.ssd,
      device: 'custom',
      sizeBytes: 8 * GiB,
      queueDepth: 1,
      bandwidthBytesPerSec: 1.2e9,
      readaheadBytesPerSec: 2.4e9,
    });
    // One channel: a request occupies it for its latency (80 µs) plus the transfer beyond 4 KiB.
    const occUs = 80 + ((4 * 2 ** 20 - 4096) / 2.4e9) * 1e6; // 1 825.9 µs
    expect(d.occupancyUs('readahead', 1024)).toBeCloseTo(occUs, 6);
    expect(d.occupancyUs('read', 1024)).toBeCloseTo(80 + ((4 * 2 ** 20 - 4096) / 1.2e9) * 1e6, 6);
    const r = d.tick(1e6, 0, 0, 0, 0, 600, 600 * 1024);
    // 1 s serves 1e6/1 825.9 = 547.7 requests: 52.3 carried as whole requests (not as single pages).
    expect(r.raIosBacklog).toBeCloseTo(600 - 1e6 / occUs, 6);
    expect(r.raOccupancyUs).toBeCloseTo(occUs, 6);
    expect(r.utilisation).toBe(1);
    // Swap reads offered with them wait behind the same queue.
    const both = new SwapDevice({ ...SWAP_DEVICE_PRESETS.hdd, device: 'custom', sizeBytes: GiB }).tick(
      1e6,
      100,
      100,
      0,
      0,
      100,
      100,
    );
    expect(both.readIosBacklog).toBeCloseTo(50, 9);
    expect(both.raIosBacklog).toBeCloseTo(50, 9);
  });

  it('mixed reads and writes share the capacity', () => {
    // HDD, 1 s: 100 reads + 100 writes, each occupying 10 000 µs → 2e6 µs of work on 1e6 µs: half served.
    const r = device('hdd').tick(1e6, 100, 100, 100, 100);
    expect(r.readIosServed).toBeCloseTo(50, 9);
    expect(r.writeIosServed).toBeCloseTo(50, 9);
    expect(r.readIosServed + r.writeIosServed).toBeLessThanOrEqual(120);
  });

  it('overload latency stays finite and grows with the backlog', () => {
    const d = device('hdd');
    let prev = 0;
    for (let i = 0; i < 5; i++) {
      const r = d.tick(1e6, 200, 200, 0, 0);
      expect(Number.isFinite(r.meanReadLatencyUs)).toBe(true);
      expect(r.meanReadLatencyUs).toBeGreaterThan(prev);
      prev = r.meanReadLatencyUs;
    }
  });

  it('fluid wait: hand values', () => {
    // 2 channels over a 1000 µs tick; 1000 channel-µs queued, no arrivals: drains at 2/µs in 500 µs.
    // Mean wait over the tick = (1000·500/2)/1000 / 2 = 125 µs.
    expect(fluidWaitUs(1000, 0, 2000, 1000)).toBeCloseTo(125, 12);
    // Overload with no backlog: queue grows at (4000/1000 − 2) = 2 per µs; mean = (2·1000/2)/2 = 500 µs.
    expect(fluidWaitUs(0, 4000, 2000, 1000)).toBeCloseTo(500, 12);
    expect(fluidWaitUs(0, 1000, 2000, 1000)).toBe(0);
  });

  it('multi-page IOs take longer than one page by the transfer time', () => {
    const d = device('ssd');
    // 8 pages = 32 KiB: 28 KiB beyond the 4 KiB reference at 520 MB/s = 55.1 µs extra.
    expect(d.unloadedLatencyUs('read', 8)).toBeCloseTo(80 + (28672 / 520e6) * 1e6, 9);
  });
});

describe('SwapDevice slots and zram', () => {
  it('has size/page − 1 slots (header page) and refuses beyond them', () => {
    const d = device('ssd', 1 << 20); // 256 pages → 255 slots
    expect(d.totalSlots).toBe(255);
    expect(d.allocSlots(200)).toBe(200);
    expect(d.allocSlots(100)).toBe(55);
    expect(d.freeSlotCount).toBe(0);
    d.freeSlots(10);
    expect(d.usedSlots).toBe(245);
    expect(d.usedBytes).toBe(245 * 4096);
    expect(() => d.freeSlots(1000)).toThrow(RangeError);
  });

  it('zram: no queue, CPU per page, compressed RAM usage', () => {
    const z = device('zram', 4 * GiB);
    const r = z.tick(1000, 1_000_000, 1_000_000, 10, 20);
    // No queue however high the load: latency = pages per IO × decompress CPU.
    expect(r.readIosServed).toBe(1_000_000);
    expect(r.readIosBacklog).toBe(0);
    expect(r.meanReadLatencyUs).toBe(2);
    expect(r.meanWriteLatencyUs).toBe(10); // 2 pages × 5 µs
    expect(r.cpuUs).toBe(1_000_000 * 2 + 20 * 5);
    z.allocSlots(1000);
    expect(z.ramUsedBytes).toBeCloseTo((1000 * 4096) / 2.5, 9);
    expect(device('ssd').ramUsedBytes).toBe(0);
  });

  it('no swap: no slots, IO is a caller error', () => {
    const cfg: SwapConfig = { ...SWAP_DEVICE_PRESETS.ssd, device: 'none', sizeBytes: 0 };
    const d = new SwapDevice(cfg);
    expect(d.totalSlots).toBe(0);
    expect(d.allocSlots(5)).toBe(0);
    expect(() => d.tick(1000, 1, 1, 0, 0)).toThrow();
  });
});

describe('SwapDevice on a sampled host', () => {
  it('queues sampled IO as the real host’s and returns sampled counts', () => {
    // R = 0.1: 50 sampled reads on an HDD are 500 real reads in 1 s → 100 served (1 channel, 10 ms),
    // 400 carried; back in sampled units: 10 served, 40 carried. The full host at the same load agrees.
    const cfg = { ...SWAP_DEVICE_PRESETS.hdd, device: 'hdd' as const, sizeBytes: GiB };
    const sampled = new SwapDevice(cfg, { sampleRate: 0.1 }).tick(1e6, 50, 50, 0, 0);
    const full = new SwapDevice(cfg).tick(1e6, 500, 500, 0, 0);
    expect(sampled.readIosServed).toBeCloseTo(10, 9);
    expect(sampled.readIosBacklog).toBeCloseTo(40, 9);
    expect(sampled.meanReadLatencyUs).toBeCloseTo(full.meanReadLatencyUs, 9);
    expect(sampled.utilisation).toBe(1);
    // Without the rate the device would see only 50 IOs: half its capacity, no backlog.
    expect(new SwapDevice(cfg).tick(1e6, 50, 50, 0, 0).readIosBacklog).toBe(0);
    expect(() => new SwapDevice(cfg, { sampleRate: 0 })).toThrow(RangeError);
  });
});
