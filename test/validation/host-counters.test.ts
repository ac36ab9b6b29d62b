import { describe, expect, it } from 'vitest';
import { hostCounters, parseDiskStat, parseLoadAvg } from '../../src/probe/host-counters.js';

// Lines as this VM writes them (2026-12-06): /proc/loadavg and /sys/block/vda/stat (17 fields on 6.18).
const LOADAVG = '0.66 1.23 3.85 1/108 4633\n';
const VDA_BEFORE =
  '14310238  8726057 2117340058 14295753  9005527 15775148 329919488 10095699        0  1786180 24626506   875886      645 345093592   225802    18576     9250\n';
const VDA_AFTER =
  '14310338  8726057 2117341658 14295803  9005727 15775148 329921088 10105699        0  1786680 24636506   875886      645 345093592   225802    18576     9250\n';

describe('host counters recorded beside each repeat', () => {
  it('reads the 1-minute load average', () => {
    expect(parseLoadAvg(LOADAVG)).toBe(0.66);
  });

  it('reads IOs, sectors and ms per direction from a block stat line', () => {
    expect(parseDiskStat(VDA_BEFORE)).toEqual({
      readIos: 14310238,
      readSectors: 2117340058,
      readMs: 14295753,
      writeIos: 9005527,
      writeSectors: 329919488,
      writeMs: 10095699,
    });
  });

  it('gives deltas over the repeat and the mean time a write took', () => {
    const vm0 = { pswpin: 1000, swap_ra: 50, swap_ra_hit: 40 };
    const vm1 = { pswpin: 1800, swap_ra: 650, swap_ra_hit: 490 };
    const c = hostCounters(
      { load1: 0.66, vm: vm0, disk: parseDiskStat(VDA_BEFORE) },
      { load1: 12.5, vm: vm1, disk: parseDiskStat(VDA_AFTER) },
    );
    expect(c.loadAvg1Start).toBe(0.66);
    expect(c.loadAvg1End).toBe(12.5);
    expect(c.vmstat.pswpin).toBe(800);
    expect(c.vmstat.swap_ra).toBe(600);
    expect(c.vmstat.swap_ra_hit).toBe(450);
    // Counters the kernel did not report count as no change, not as missing.
    expect(c.vmstat.pgrotated).toBe(0);
    // 200 writes in 10 000 ms: 50 ms a write (the slow swap writes of a sequential loop).
    expect(c.disk).toEqual({
      readIos: 100,
      readSectors: 1600,
      readMs: 50,
      writeIos: 200,
      writeSectors: 1600,
      writeMs: 10000,
      msPerWrite: 50,
    });
  });

  it('rejects what is not such a line, naming it', () => {
    expect(() => parseLoadAvg('load: high')).toThrow(/not a \/proc\/loadavg line: "load: high"/);
    expect(() => parseDiskStat('1 2 3')).toThrow(/not a \/sys\/block\/<disk>\/stat line/);
  });
});
