import { describe, expect, it } from 'vitest';
import { iso, load, parse, series } from './load.js';

describe('vmstat', () => {
  it('reads vmstat -t through the repeated header and drops the since-boot line', () => {
    const { table, notes } = load('vmstat', 'vmstat-t-thrash.txt');
    // 26 data lines, the first (02:00:00, averages since boot) dropped.
    expect(table.timeMs).toHaveLength(25);
    expect(iso(table)[0]).toBe('2026-03-14T02:00:05.000Z');
    // Line 25 follows the header vmstat repeated after 21 data lines.
    expect(iso(table)[20]).toBe('2026-03-14T02:01:45.000Z');
    expect(iso(table)[24]).toBe('2026-03-14T02:02:05.000Z');
    expect(table.source.intervalSec).toBe(5);
    expect(notes.join('\n')).toMatch(/line 3: dropped vmstat's first sample/);
    // Row 02:00:05: "3  1 231234 8843520  20012 2060448 1400 2100  3500  3300  940 2130 29 12 56  3  0"
    const row = (name: string) => series(table, name)[0];
    expect(row('runnable_procs')).toBe(3);
    expect(row('blocked_procs')).toBe(1);
    expect(row('swap_used_bytes')).toBe(231234 * 1024); // 236783616
    expect(row('free_bytes')).toBe(8843520 * 1024);
    expect(row('cache_bytes')).toBe(2060448 * 1024);
    expect(row('swap_in_bytes_per_sec')).toBe(1400 * 1024); // si KiB/s = 350 pages/s of 4 KiB
    expect(row('swap_out_bytes_per_sec')).toBe(2100 * 1024);
    expect(row('paged_in_bytes_per_sec')).toBe(3500 * 1024); // bi: pgpgin KiB/s
    expect(row('context_switches_per_sec')).toBe(2130);
    expect(row('cpu_iowait_pct')).toBe(3);
    // Row 02:01:45 (after the repeated header): si 29400, b 12.
    expect(series(table, 'swap_in_bytes_per_sec')[20]).toBe(29400 * 1024);
    expect(series(table, 'blocked_procs')[20]).toBe(12);
  });

  it('keeps the first line with --keep-first (output of vmstat -y)', () => {
    const { table } = load('vmstat', 'vmstat-t-thrash.txt', { keepFirst: true });
    expect(table.timeMs).toHaveLength(26);
    expect(series(table, 'free_bytes')[0]).toBe(10443520 * 1024);
  });

  it('needs --start and --interval without -t, and uses them', () => {
    expect(() => load('vmstat', 'vmstat-plain.txt')).toThrow(/has no timestamps .* pass --start .* --interval/);
    const { table } = load('vmstat', 'vmstat-plain.txt', { startMs: Date.UTC(2026, 2, 14, 2, 0, 5), intervalSec: 5 });
    expect(iso(table)).toEqual(['2026-03-14T02:00:05.000Z', '2026-03-14T02:00:10.000Z', '2026-03-14T02:00:15.000Z']);
    expect(series(table, 'free_bytes')).toEqual([8843520 * 1024, 7243520 * 1024, 5643520 * 1024]);
  });

  it('reads -w -t with the gu column and converts a CET timestamp to UTC', () => {
    const { table } = load('vmstat', 'vmstat-wt-cet.txt');
    // 03:00:10 CET (UTC+1) is 02:00:10 UTC.
    expect(iso(table)[0]).toBe('2026-03-14T02:00:10.000Z');
    expect(series(table, 'cpu_guest_pct')).toEqual([0, 0, 0]);
    expect(table.source.intervalSec).toBe(10);
  });

  it('scales memory and si/so by the -S unit but not bi/bo', () => {
    const text = [
      'procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----',
      ' r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st',
      ' 2  0    123  23747      4    274    0    0   519  1226  264  728  3  3 95  0  0',
      ' 1  3    200  20000      4    274    7    9   100   200  264  728  3  3 95  0  0',
    ].join('\n');
    const { table } = parse('vmstat', text, { vmstatUnit: 'M', startMs: 0, intervalSec: 1 });
    expect(series(table, 'free_bytes')).toEqual([20000 * 1048576]);
    expect(series(table, 'swap_in_bytes_per_sec')).toEqual([7 * 1048576]);
    expect(series(table, 'paged_in_bytes_per_sec')).toEqual([100 * 1024]);
    expect(() => parse('vmstat', text, { vmstatUnit: 'G', startMs: 0, intervalSec: 1 })).toThrow(
      /unknown vmstat unit 'G'/,
    );
  });

  it('reads -a (inact/active instead of buff/cache)', () => {
    const text = [
      'procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----',
      ' r  b   swpd   free  inact active   si   so    bi    bo   in   cs us sy id wa st',
      ' 2  0      0 23747908 243672 207764    0    0   519  1226  264  728  3  3 95  0  0',
      ' 1  0      0 23747900 243680 207770    0    0     0     0   57   87  0  0 100  0  0',
    ].join('\n');
    const { table } = parse('vmstat', text, { startMs: 0, intervalSec: 1 });
    expect(series(table, 'inactive_bytes')).toEqual([243680 * 1024]);
    expect(series(table, 'active_bytes')).toEqual([207770 * 1024]);
    expect(table.columns.map((c) => c.name)).not.toContain('cache_bytes');
  });

  it('reads what procps-ng 4.0.2 printed on the build machine (-t, and -w)', () => {
    const t = load('vmstat', 'vmstat-t-live-procps402.txt').table;
    expect(t.timeMs).toHaveLength(25);
    expect(iso(t)[0]).toBe('2026-11-26T04:52:37.000Z');
    const w = load('vmstat', 'vmstat-w-live-procps402.txt', { startMs: 0, intervalSec: 1 }).table;
    expect(w.timeMs).toHaveLength(25);
    expect(w.columns.at(-1)?.name).toBe('cpu_guest_pct');
  });
});
