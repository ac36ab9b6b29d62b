import { describe, expect, it } from 'vitest';
import { iso, load, parse, series } from './load.js';

describe('psi', () => {
  it('reads averages and derives the stall share from total= (epoch time lines)', () => {
    const { table } = load('psi', 'psi-epoch.txt');
    expect(iso(table)).toEqual(['2026-03-14T02:00:00.000Z', '2026-03-14T02:00:10.000Z', '2026-03-14T02:00:20.000Z']);
    expect(series(table, 'psi_some_avg10_pct')).toEqual([0, 12.51, 47.83]);
    expect(series(table, 'psi_full_avg300_pct')).toEqual([0, 0.44, 2.41]);
    // some: Δtotal 1 250 000 µs over 10 s = 12.5 %; then 5 000 000 µs / 10 s = 50 %.
    expect(series(table, 'psi_some_stall_pct')).toEqual([Number.NaN, 12.5, 50]);
    // full: 800 000 µs / 10 s = 8 %; 4 000 000 µs / 10 s = 40 %.
    expect(series(table, 'psi_full_stall_pct')).toEqual([Number.NaN, 8, 40]);
  });

  it('reads ISO 8601 time lines with offsets and fractions', () => {
    const { table } = load('psi', 'psi-iso.txt');
    // 03:00:00+01:00 = 02:00:00Z; last line 02:00:10.500Z.
    expect(iso(table)).toEqual(['2026-03-14T02:00:00.000Z', '2026-03-14T02:00:05.000Z', '2026-03-14T02:00:10.500Z']);
    // some: 4 000 000 µs / 5 s = 80 %; 3 300 000 µs / 5.5 s = 60 %. full: 3 250 000 / 5 = 65 %; 2 750 000 / 5.5 = 50 %.
    expect(series(table, 'psi_some_stall_pct')).toEqual([Number.NaN, 80, 60]);
    expect(series(table, 'psi_full_stall_pct')).toEqual([Number.NaN, 65, 50]);
  });

  it('skips comment lines the capture script wrote', () => {
    const text =
      '# host db-3, cgroup /\n1773453600\n# memory.pressure\nsome avg10=1.00 avg60=0.00 avg300=0.00 total=5\n';
    expect(series(parse('psi', text).table, 'psi_some_avg10_pct')).toEqual([1]);
  });

  it('shifts every row with --start, keeping the spacing', () => {
    const { table } = load('psi', 'psi-epoch.txt', { startMs: Date.UTC(2026, 2, 14, 8, 0, 0) });
    expect(iso(table)).toEqual(['2026-03-14T08:00:00.000Z', '2026-03-14T08:00:10.000Z', '2026-03-14T08:00:20.000Z']);
  });

  it('leaves an interval empty when total= goes down', () => {
    const text = [
      '1773453600',
      'some avg10=1.00 avg60=0.00 avg300=0.00 total=5000000',
      '1773453610',
      'some avg10=0.00 avg60=0.00 avg300=0.00 total=1000',
    ].join('\n');
    const { table, notes } = parse('psi', text);
    expect(series(table, 'psi_some_stall_pct')).toEqual([Number.NaN, Number.NaN]);
    expect(notes.join('\n')).toMatch(/total went down/);
  });
});

describe('proc-vmstat', () => {
  it('turns three snapshots of a 6.18 /proc/vmstat into rates', () => {
    const { table } = load('proc-vmstat', 'proc-vmstat-6.18.txt');
    expect(iso(table)).toEqual(['2026-03-14T02:00:00.000Z', '2026-03-14T02:00:10.000Z', '2026-03-14T02:00:25.000Z']);
    // 10 s interval: pgfault +450 000 → 45 000/s; pgmajfault +12 000 → 1200/s; pswpin +11 000 → 1100/s.
    // 15 s interval: pgfault +300 000 → 20 000/s; pgmajfault +30 000 → 2000/s; pswpin +45 000 → 3000/s.
    expect(series(table, 'faults_per_sec')).toEqual([Number.NaN, 45000, 20000]);
    expect(series(table, 'major_faults_per_sec')).toEqual([Number.NaN, 1200, 2000]);
    expect(series(table, 'swap_in_pages_per_sec')).toEqual([Number.NaN, 1100, 3000]);
    expect(series(table, 'swap_out_pages_per_sec')).toEqual([Number.NaN, 1600, 4000]);
    // pgpgin is KiB: +88 000 KiB / 10 s × 1024 = 9 011 200 B/s; +180 000 / 15 × 1024 = 12 288 000.
    expect(series(table, 'paged_in_bytes_per_sec')).toEqual([Number.NaN, 9011200, 12288000]);
    // refaults: anon +7000, file +3000 → 700 + 300 = 1000/s; anon +22 500, file +7500 over 15 s → 1500 + 500.
    expect(series(table, 'refault_anon_pages_per_sec')).toEqual([Number.NaN, 700, 1500]);
    expect(series(table, 'refault_pages_per_sec')).toEqual([Number.NaN, 1000, 2000]);
    expect(series(table, 'scan_direct_pages_per_sec')).toEqual([Number.NaN, 15000, 30000]);
    expect(series(table, 'steal_kswapd_pages_per_sec')).toEqual([Number.NaN, 20000, 20000]);
    // oom_kill 3 → 3 → 4: 0/s, then 1 kill in 15 s.
    expect(series(table, 'oom_kills_per_sec')).toEqual([Number.NaN, 0, 1 / 15]);
  });

  it('reads the refault activations and restores and the swap readahead counters', () => {
    const snap = (t: number, v: number[]) =>
      [
        String(t),
        `pgmajfault ${v[0]}`,
        `pswpin ${v[1]}`,
        `workingset_activate_anon ${v[2]}`,
        `workingset_restore_anon ${v[3]}`,
        `swap_ra ${v[4]}`,
        `swap_ra_hit ${v[5]}`,
      ].join('\n');
    // Over 10 s: 9 000 major faults read 17 000 pages, 8 000 of them ahead, 3 500 of those used.
    const text = `${snap(1773453600, [100, 200, 300, 400, 500, 600])}\n${snap(1773453610, [9100, 17200, 15300, 13400, 8500, 4100])}\n`;
    const { table } = parse('proc-vmstat', text);
    expect(series(table, 'major_faults_per_sec')).toEqual([Number.NaN, 900]);
    expect(series(table, 'swap_in_pages_per_sec')).toEqual([Number.NaN, 1700]);
    expect(series(table, 'activate_anon_pages_per_sec')).toEqual([Number.NaN, 1500]);
    expect(series(table, 'restore_anon_pages_per_sec')).toEqual([Number.NaN, 1300]);
    expect(series(table, 'swap_readahead_pages_per_sec')).toEqual([Number.NaN, 800]);
    expect(series(table, 'swap_readahead_hits_per_sec')).toEqual([Number.NaN, 350]);
  });

  it('reads a 4.4 kernel (workingset_refault, per-zone pgscan) and leaves the interval across a reboot empty', () => {
    const { table, notes } = load('proc-vmstat', 'proc-vmstat-4.4-reset.txt');
    // 20 s: workingset_refault +40 000 → 2000/s.
    expect(series(table, 'refault_pages_per_sec')).toEqual([Number.NaN, 2000, Number.NaN]);
    // pgscan_kswapd_dma32 + _normal: (1 520 000 + 70 580 000) − (1 500 000 + 70 000 000) = 600 000 → 30 000/s.
    expect(series(table, 'scan_kswapd_pages_per_sec')).toEqual([Number.NaN, 30000, Number.NaN]);
    // pgsteal_direct_dma32 + _normal: 2000 + 98 000 = 100 000 → 5000/s.
    expect(series(table, 'steal_direct_pages_per_sec')).toEqual([Number.NaN, 5000, Number.NaN]);
    expect(table.columns.map((c) => c.name)).not.toContain('oom_kills_per_sec');
    expect(notes.join('\n')).toMatch(/11 counter\(s\) went down in the interval ending 2026-03-14T02:05:00.000Z/);
  });
});

describe('ps', () => {
  it('keeps every process apart by pid, follows appearing, exiting and reused pids', () => {
    const { table } = load('ps', 'ps-3snap.txt');
    expect(table.timeMs).toHaveLength(3);
    // Two postgres processes are two sets of columns (issue 15: never summed by name).
    // 1201: minflt +5000 +3000, majflt +800 +500 over 10 s intervals.
    expect(series(table, 'postgres_1201_minor_faults_per_sec')).toEqual([Number.NaN, 500, 300]);
    expect(series(table, 'postgres_1201_major_faults_per_sec')).toEqual([Number.NaN, 80, 50]);
    expect(series(table, 'postgres_1201_rss_bytes')).toEqual([8388608 * 1024, 8300000 * 1024, 8200000 * 1024]);
    // 1202 went 402000 → 100 (a reused pid): its 100 / 5 count whole in the interval → 10/s, 0.5/s.
    expect(series(table, 'postgres_1202_minor_faults_per_sec')).toEqual([Number.NaN, 200, 10]);
    expect(series(table, 'postgres_1202_major_faults_per_sec')).toEqual([Number.NaN, 20, 0.5]);
    // java: +100 000 minflt, +15 000 majflt in 10 s.
    expect(series(table, 'java_2210_major_faults_per_sec')).toEqual([Number.NaN, 1500, 600]);
    // pg_dump appears in snapshot 2 (all its 3000/50 faults fall in that interval) and is gone in 3.
    expect(series(table, 'pg_dump_4242_minor_faults_per_sec')).toEqual([0, 300, 0]);
    expect(series(table, 'pg_dump_4242_rss_bytes')).toEqual([0, 51200 * 1024, 0]);
    // cron exits after snapshot 1.
    expect(series(table, 'cron_3100_rss_bytes')).toEqual([2944 * 1024, 0, 0]);
    // "Web Content" holds a space: +1000 minflt, +2 majflt in 10 s.
    expect(series(table, 'web_content_3377_minor_faults_per_sec')).toEqual([Number.NaN, 100, 50]);
    expect(series(table, 'web_content_3377_major_faults_per_sec')).toEqual([Number.NaN, 0.2, 0]);
    expect(table.columns.some((c) => c.name.startsWith('postgres_rss') || c.name.endsWith('_procs'))).toBe(false);
  });

  it('reads ps output without time lines given --start (one snapshot) and --interval (several)', () => {
    const one = '    PID COMMAND           RSS  MINFL  MAJFL\n   1201 postgres      8388608 912345  1200\n';
    expect(() => parse('ps', one)).toThrow(/^in.txt:1: this ps output has no time lines .*pass --start/);
    const start = Date.UTC(2026, 2, 14, 2, 0, 0);
    const { table } = parse('ps', one, { startMs: start });
    expect(iso(table)).toEqual(['2026-03-14T02:00:00.000Z']);
    expect(series(table, 'postgres_1201_rss_bytes')).toEqual([8388608 * 1024]);
    const two = `${one}${one.replace('912345  1200', '912845  1300')}`;
    expect(() => parse('ps', two, { startMs: start })).toThrow(
      /^in.txt:3: a second ps snapshot without time lines; pass --interval/,
    );
    const both = parse('ps', two, { startMs: start, intervalSec: 5 }).table;
    expect(iso(both)).toEqual(['2026-03-14T02:00:00.000Z', '2026-03-14T02:00:05.000Z']);
    expect(series(both, 'postgres_1201_major_faults_per_sec')).toEqual([Number.NaN, 20]);
  });

  it('rejects a snapshot without the needed ps columns', () => {
    const text = '1773453600\n    PID COMMAND           RSS\n      1 systemd         12504\n';
    expect(() => parse('ps', text)).toThrow(/in.txt:2: expected a ps header with MINFL, MAJFL/);
  });
});

describe('memory-stat', () => {
  it('reads cgroup v2 memory.stat with memory.events: gauges in bytes, counters as rates', () => {
    const { table, notes } = load('memory-stat', 'memory-stat-v2.txt');
    expect(series(table, 'anon_bytes')).toEqual([30064771072, 31138512896, 31675383808]);
    expect(series(table, 'file_dirty_bytes')).toEqual([4096000, 2048000, 1024000]);
    // 5 s intervals: pgmajfault +15 000 → 3000/s, +25 000 → 5000/s.
    expect(series(table, 'major_faults_per_sec')).toEqual([Number.NaN, 3000, 5000]);
    // refaults: anon +10 000, file +5000 → 3000/s; anon +15 000, file +2500 → 3500/s.
    expect(series(table, 'refault_pages_per_sec')).toEqual([Number.NaN, 3000, 3500]);
    expect(series(table, 'scan_pages_per_sec')).toEqual([Number.NaN, 80000, 120000]);
    // memory.events: high 100 → 160 → 260, oom_kill 0 → 1 → 2.
    expect(series(table, 'memory_high_events_per_sec')).toEqual([Number.NaN, 12, 20]);
    expect(series(table, 'oom_kills_per_sec')).toEqual([Number.NaN, 0.2, 0.2]);
    expect(notes.join('\n')).toMatch(/fields not imported: workingset_nodereclaim/);
  });

  it('reads cgroup v1 memory.stat with its total_ hierarchy fields', () => {
    const { table } = load('memory-stat', 'memory-stat-v1.txt');
    expect(iso(table)).toEqual(['2026-03-14T02:00:00.000Z', '2026-03-14T02:00:30.000Z']);
    expect(series(table, 'rss_bytes')).toEqual([25769803776, 27917287424]);
    expect(series(table, 'total_cache_bytes')).toEqual([4294967296, 2147483648]);
    // pgmajfault +4000 in 30 s; pgfault +60 000 → 2000/s.
    expect(series(table, 'major_faults_per_sec')).toEqual([Number.NaN, 4000 / 30]);
    expect(series(table, 'total_faults_per_sec')).toEqual([Number.NaN, 2000]);
  });
});
