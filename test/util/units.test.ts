import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatClock,
  formatDurationMs,
  parseDuration,
  parseSize,
  sizeCaseHint,
} from '../../src/util/units.js';

describe('parseSize', () => {
  it('reads binary suffixes as powers of 1024 and decimal ones as powers of 1000', () => {
    expect(parseSize('64Gi')).toBe(64 * 2 ** 30);
    expect(parseSize('64GiB')).toBe(64 * 2 ** 30);
    expect(parseSize('64G')).toBe(64e9);
    expect(parseSize('64GB')).toBe(64e9);
    expect(parseSize('4Ki')).toBe(4096);
    expect(parseSize('4K')).toBe(4000);
    expect(parseSize('1.5Mi')).toBe(1.5 * 2 ** 20);
    expect(parseSize('2Ti')).toBe(2 * 2 ** 40);
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize('4096B')).toBe(4096);
  });

  it('refuses what is not a size', () => {
    for (const bad of ['', 'Gi', '64 gigs', '-1Gi', '1e3', '64Gx', '1..5Mi']) expect(parseSize(bad)).toBeUndefined();
  });

  it('reads kilo as k or K and refuses other letters in the wrong case, naming both spellings', () => {
    expect(parseSize('4k')).toBe(4000);
    expect(parseSize('4kB')).toBe(4000);
    for (const bad of ['64gb', '64Gb', '512mi', '1gi', '64GIB', '2m', '4kiB']) expect(parseSize(bad)).toBeUndefined();
    expect(sizeCaseHint('64gb')).toBe(
      'sizes are case-sensitive: write "64Gi" for 64 × 2^30 bytes or "64G" for 64 × 10^9; a lowercase b would mean bits',
    );
    expect(sizeCaseHint('512mi')).toBe(
      'sizes are case-sensitive: write "512Mi" for 512 × 2^20 bytes or "512M" for 512 × 10^6',
    );
    expect(sizeCaseHint('64Gi')).toBeUndefined();
    expect(sizeCaseHint('64 gigs')).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it('reads units and compound durations as milliseconds', () => {
    expect(parseDuration('200ms')).toBe(200);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('5min')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1h 30m')).toBe(5_400_000);
    expect(parseDuration('80us')).toBeCloseTo(0.08, 12);
    expect(parseDuration('1.5s')).toBe(1500);
  });

  it('refuses bare numbers and unknown units', () => {
    for (const bad of ['', '30', 's', '30 seconds', '5d', '1h30']) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe('formatting', () => {
  it('shows sizes in binary units', () => {
    expect(formatBytes(64 * 2 ** 30)).toBe('64 GiB');
    expect(formatBytes(1536 * 2 ** 20)).toBe('1.5 GiB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('unlimited');
  });
  it('shows durations with the largest fitting unit', () => {
    expect(formatDurationMs(210)).toBe('210 ms');
    expect(formatDurationMs(246_000)).toBe('4.1 min');
    expect(formatDurationMs(0.5)).toBe('500 µs');
  });
  it('shows simulated times as a clock', () => {
    expect(formatClock(312_000)).toBe('00:05:12');
    expect(formatClock(3_600_000 + 61_000)).toBe('01:01:01');
  });
});
