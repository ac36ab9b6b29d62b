import { describe, expect, it } from 'vitest';
import { hostWatermarks, scaleWatermarks, zoneWatermarks } from '../../../src/kernel/mechanisms/watermarks.js';
import { minFreeKbytesForLowmem as defaultMinFreeKbytes, intSqrt } from '../../../src/linux/mm.js';

const KiB_PER_GiB = 1024 * 1024;
const GiB = 2 ** 30;

describe('defaultMinFreeKbytes (calculate_min_free_kbytes)', () => {
  it('matches the kernel comment table: 4·sqrt(KiB)', () => {
    expect(defaultMinFreeKbytes(4 * KiB_PER_GiB)).toBe(8192); // sqrt(16·4 194 304) = 8192
    expect(defaultMinFreeKbytes(16 * KiB_PER_GiB)).toBe(16384);
    expect(defaultMinFreeKbytes(64 * KiB_PER_GiB)).toBe(32768);
    expect(defaultMinFreeKbytes(4096 * KiB_PER_GiB)).toBe(262144); // the cap is reached at 4 TiB
  });
  it('floors the square root and clamps to 128 KiB … 256 MiB', () => {
    expect(defaultMinFreeKbytes(512 * 1024)).toBe(2896); // sqrt(8 388 608) = 2896.3
    expect(defaultMinFreeKbytes(512)).toBe(128); // sqrt(8192) = 90 → floor 128
    expect(defaultMinFreeKbytes(16384 * KiB_PER_GiB)).toBe(262144); // sqrt → 524 288, capped
    expect(defaultMinFreeKbytes(1024 * KiB_PER_GiB, 65536)).toBe(65536); // pre-5.x ceiling
  });
  it('intSqrt is the floor square root', () => {
    expect(intSqrt(0)).toBe(0);
    expect(intSqrt(15)).toBe(3);
    expect(intSqrt(16)).toBe(4);
    expect(intSqrt(2 ** 52 - 1)).toBe(2 ** 26 - 1);
  });
});

describe('zoneWatermarks (__setup_per_zone_wmarks)', () => {
  it('64 GiB: the scale-factor gap dominates (kernel-model.md §1.1)', () => {
    // min = 32 768 KiB / 4 = 8 192 pages; gap = max(8 192/4 = 2 048, 16 777 216·10/10 000 = 16 777)
    // low = 8 192 + 16 777 = 24 969; high = 8 192 + 2·16 777 = 41 746 (≈ 32 / 96 / 160 MiB).
    const wm = zoneWatermarks({ managedPages: 16_777_216, pageSizeBytes: 4096, minFreeKbytes: 32768 });
    expect(wm).toEqual({ minPages: 8192, lowPages: 24969, highPages: 41746 });
  });
  it('small zone: the min/4 term dominates', () => {
    // 512 MiB: min = 2 896/4 = 724; gap = max(181, 131 072·10/10 000 = 131) = 181.
    const wm = zoneWatermarks({ managedPages: 131_072, pageSizeBytes: 4096, minFreeKbytes: 2896 });
    expect(wm).toEqual({ minPages: 724, lowPages: 905, highPages: 1086 });
  });
  it('watermark_scale_factor widens the gap; bounds enforced', () => {
    // 64 GiB, wsf 200: gap = 16 777 216·200/10 000 = 335 544.
    const wm = zoneWatermarks({
      managedPages: 16_777_216,
      pageSizeBytes: 4096,
      minFreeKbytes: 32768,
      watermarkScaleFactor: 200,
    });
    expect(wm.lowPages).toBe(8192 + 335_544);
    expect(wm.highPages).toBe(8192 + 2 * 335_544);
    expect(() =>
      zoneWatermarks({ managedPages: 1, pageSizeBytes: 4096, minFreeKbytes: 128, watermarkScaleFactor: 0 }),
    ).toThrow(RangeError);
    expect(() =>
      zoneWatermarks({ managedPages: 1, pageSizeBytes: 4096, minFreeKbytes: 128, watermarkScaleFactor: 3001 }),
    ).toThrow(RangeError);
  });
  it('converts KiB to pages of the given size', () => {
    const wm = zoneWatermarks({ managedPages: 4_194_304, pageSizeBytes: 16384, minFreeKbytes: 32768 });
    expect(wm.minPages).toBe(2048);
  });
});

describe('hostWatermarks', () => {
  it('computes the default when min_free_kbytes is unset, uses the user value otherwise', () => {
    const auto = hostWatermarks({ managedBytes: 64 * GiB, pageSizeBytes: 4096 });
    expect(auto.minFreeKbytes).toBe(32768);
    expect(auto.minPages).toBe(8192);
    const user = hostWatermarks({ managedBytes: 64 * GiB, pageSizeBytes: 4096, minFreeKbytes: 67584 });
    expect(user.minFreeKbytes).toBe(67584);
    expect(user.minPages).toBe(16896);
    expect(hostWatermarks({ managedBytes: 64 * GiB, pageSizeBytes: 4096, minFreeKbytes: 0 }).minPages).toBe(8192);
  });
  it('a sampled host scales the full host marks (not sqrt of the sampled RAM)', () => {
    const wm = hostWatermarks({ managedBytes: 64 * GiB, pageSizeBytes: 4096, scale: 0.1 });
    // 8 192·0.1 = 819.2 → 819; 24 969·0.1 → 2 497; 41 746·0.1 → 4 175.
    expect(wm).toEqual({ minPages: 819, lowPages: 2497, highPages: 4175, minFreeKbytes: 32768 });
    // Computing on 6.4 GiB instead would give min = sqrt(16·6.4 Gi KiB)/4 = 2 590 pages.
    expect(wm.minPages).not.toBe(hostWatermarks({ managedBytes: 6.4 * GiB, pageSizeBytes: 4096 }).minPages);
    expect(() => hostWatermarks({ managedBytes: GiB, pageSizeBytes: 4096, scale: 0 })).toThrow(RangeError);
  });
  it('keeps min ≤ low ≤ high for any size and scale', () => {
    for (let ram = 2 ** 20; ram <= 2 ** 44; ram *= 3) {
      for (const scale of [1, 0.37, 0.01]) {
        const wm = hostWatermarks({ managedBytes: ram, pageSizeBytes: 4096, scale });
        expect(wm.minPages).toBeLessThanOrEqual(wm.lowPages);
        expect(wm.lowPages).toBeLessThanOrEqual(wm.highPages);
      }
    }
    expect(scaleWatermarks({ minPages: 10, lowPages: 11, highPages: 12 }, 0.5)).toEqual({
      minPages: 5,
      lowPages: 6,
      highPages: 6,
    });
  });
});
