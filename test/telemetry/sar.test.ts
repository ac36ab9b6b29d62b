import { describe, expect, it } from 'vitest';
import { iso, load, parse, series } from './load.js';

describe('sar text', () => {
  it('reads live interleaved -W -B -r -S in en_US 12-hour time across midnight', () => {
    const { table, notes } = load('sar', 'sar-12h-thrash.txt');
    // Banner 03/13/2026; 11:50 PM, 11:55 PM, then 12:00 AM and 12:05 AM of the next day.
    expect(iso(table)).toEqual([
      '2026-03-13T23:50:01.000Z',
      '2026-03-13T23:55:01.000Z',
      '2026-03-14T00:00:01.000Z',
      '2026-03-14T00:05:01.000Z',
    ]);
    // Average: rows are not samples.
    expect(series(table, 'swap_in_pages_per_sec')).toEqual([120.4, 2310.75, 5120, 4890.33]);
    expect(series(table, 'major_faults_per_sec')[2]).toBe(5120);
    // pgpgin/s 9243.00 KiB/s → 9243 × 1024 = 9464832 B/s
    expect(series(table, 'paged_in_bytes_per_sec')[1]).toBe(9464832);
    expect(series(table, 'scan_direct_pages_per_sec')[2]).toBe(80123.4);
    expect(series(table, 'vm_efficiency_pct')[0]).toBe(95.77);
    // kbmemfree 131072 at 12:00:01 AM → 134217728 B; kbswpused 12582912 KiB = 12 GiB
    expect(series(table, 'free_bytes')[2]).toBe(134217728);
    expect(series(table, 'swap_used_bytes')[2]).toBe(12 * 2 ** 30);
    expect(series(table, 'swap_used_pct')[3]).toBe(93.75);
    expect(notes.join('\n')).toMatch(/no time zone; times read as UTC/);
  });

  it('reads sar -f output in 24-hour C locale with a LINUX RESTART and per-segment averages', () => {
    const { table, notes } = load('sar', 'sar-24h-thrash.txt');
    // Banner 03/14/26; two samples, reboot at 02:23:44, two more.
    expect(iso(table)).toEqual([
      '2026-03-14T02:10:01.000Z',
      '2026-03-14T02:20:01.000Z',
      '2026-03-14T02:30:01.000Z',
      '2026-03-14T02:40:01.000Z',
    ]);
    expect(series(table, 'faults_per_sec')).toEqual([15234.11, 40211.5, 88123.45, 90012]);
    expect(series(table, 'committed_bytes')[3]).toBe(83600000 * 1024);
    expect(notes.join('\n')).toMatch(/LINUX RESTART/);
    expect(table.source.intervalSec).toBe(600);
  });

  it('gives the same table from sar text and sadf -d of the same data', () => {
    const text = load('sar', 'sar-24h-thrash.txt').table;
    const csv = load('sar', 'sadf-d-thrash.csv').table;
    expect(csv.columns.map((c) => c.name)).toEqual(text.columns.map((c) => c.name));
    expect(csv.timeMs).toEqual(text.timeMs);
    expect(csv.values).toEqual(text.values);
  });

  it('reads real sysstat 12.6.1 output in C, en_US and de_DE (decimal comma, Durchschn.:)', () => {
    const c = load('sar', 'sar-live-C-sysstat1261.txt').table;
    const us = load('sar', 'sar-live-en_US-sysstat1261.txt').table;
    const de = load('sar', 'sar-live-de_DE-sysstat1261.txt').table;
    const sadf = load('sar', 'sadf-d-live-sysstat1261.csv').table;
    // 3 samples, a restart, 3 samples, then 2 more after a second restart.
    expect(c.timeMs).toHaveLength(8);
    for (const t of [us, de, sadf]) {
      expect(t.timeMs).toEqual(c.timeMs);
      expect(t.values).toEqual(c.values);
    }
    // 04:51:03  pgfree/s 6131.00 (6131,00 under de_DE)
    expect(series(de, 'pages_freed_per_sec')[0]).toBe(6131);
    const deSadf = load('sar', 'sadf-d-live-de_DE-sysstat1261.csv').table;
    expect(series(deSadf, 'pages_freed_per_sec')).toEqual(series(c, 'pages_freed_per_sec'));
  });

  it('reads day-first banner dates and says when a slashed date is ambiguous', () => {
    const body = '\n\n02:00:01     pswpin/s pswpout/s\n02:10:01         1.00      2.00\n';
    const gb = parse('sar', `Linux 5.15.0 (h) \t26/11/26 \t_x86_64_\t(2 CPU)${body}`);
    expect(iso(gb.table)).toEqual(['2026-11-26T02:10:01.000Z']);
    const iso8601 = parse('sar', `Linux 5.15.0 (h) \t2026-11-05 \t_x86_64_\t(2 CPU)${body}`);
    expect(iso(iso8601.table)).toEqual(['2026-11-05T02:10:01.000Z']);
    const amb = parse('sar', `Linux 5.15.0 (h) \t05/11/26 \t_x86_64_\t(2 CPU)${body}`);
    expect(iso(amb.table)).toEqual(['2026-05-11T02:10:01.000Z']);
    expect(amb.notes.join('\n')).toMatch(/05\/11\/26 read month first/);
  });

  it('skips reports it does not import, and says so', () => {
    const text = [
      'Linux 5.15.0 (h) \t03/14/26 \t_x86_64_\t(2 CPU)',
      '',
      '02:00:01        CPU     %user     %nice   %system   %iowait    %steal     %idle',
      '02:10:01        all      1.00      0.00      2.00      3.00      0.00     94.00',
      '',
      '02:00:01     pswpin/s pswpout/s',
      '02:10:01         1.00      2.00',
    ].join('\n');
    const { table, notes } = parse('sar', text);
    expect(table.columns.map((c) => c.name)).toEqual(['swap_in_pages_per_sec', 'swap_out_pages_per_sec']);
    expect(notes.join('\n')).toMatch(/CPU %user .* not supported/);
  });
  it('treats a stray "word: number" line as malformed, not as an Average row', () => {
    const text = 'Linux 5.15.0 (h) \t03/14/26 \t_x86_64_\t(2 CPU)\n\n02:00:01     pswpin/s pswpout/s\nKilled: 9\n';
    expect(() => parse('sar', text)).toThrow(
      'in.txt:4: expected a sar line starting with a time (HH:MM:SS [AM|PM]): Killed: 9',
    );
  });
});

describe('sadf -d', () => {
  it('reads several sections and skips the LINUX-RESTART row', () => {
    const { table, notes } = load('sar', 'sadf-d-thrash.csv');
    expect(iso(table)[2]).toBe('2026-03-14T02:30:01.000Z');
    // kbswpcad 204800 KiB at 02:30:01 → 209715200 B
    expect(series(table, 'swap_cached_bytes')[2]).toBe(209715200);
    expect(notes.join('\n')).toMatch(/LINUX-RESTART/);
  });

  it('reads epoch (-U) and local (-t) timestamps', () => {
    const epoch = parse('sar', '# hostname;interval;timestamp;pswpin/s;pswpout/s\nh;600;1773454201;1.00;2.00\n');
    expect(iso(epoch.table)).toEqual(['2026-03-14T02:10:01.000Z']);
    const local = parse(
      'sar',
      '# hostname;interval;timestamp;pswpin/s;pswpout/s\nh;600;2026-03-14 02:10:01;1.00;2.00\n',
    );
    expect(iso(local.table)).toEqual(['2026-03-14T02:10:01.000Z']);
    expect(local.notes.join('\n')).toMatch(/without UTC/);
  });
});
