/**
 * The touch rate `faultline import ps` / `pid-stat` reads off a process's own series
 * (src/traces/telemetry/ps.ts TouchRate, docs/import.md "Touch rates"): faults over the missing
 * share of the RSS the process settled at.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTelemetry, importTelemetryFile } from '../../src/traces/telemetry/index.js';

const T0 = 1_800_000_000;

/** ps snapshots of one process, one a second: RSS in KiB and cumulative minor and major faults. */
function psLog(rows: readonly [rssKib: number, minflt: number, majflt: number][]): string {
  return rows
    .map(
      ([rss, minflt, majflt], i) => `${T0 + i}\n  PID COMMAND   RSS MINFL MAJFL\n   42 app  ${rss} ${minflt} ${majflt}`,
    )
    .join('\n');
}

const rateNote = (text: string) =>
  importTelemetry('ps', text, { file: 'ps.log', lenient: false }).notes.find((n) => n.includes('touchesPerSec'));

describe('touch rate from a process series', () => {
  it('divides faults by the missing share of the settled RSS, leaving out the interval reclaim cut', () => {
    // 40 MiB settled over 6 quiet samples (the first interval carries its first touches), then reclaim takes a
    // quarter in one interval (RSS falls: left out), then 10 s at 30 MiB with 2 560 faults/s (1 000 major): the
    // share missing is 1/4 throughout, so 25 600 faults over 2.5 s of missing share = 10 240 touches/s.
    const rows: [number, number, number][] = [[40960, 10240, 0]];
    for (let i = 0; i < 6; i++) rows.push([40960, 10240, 0]);
    rows.push([30720, 10300, 0]);
    for (let i = 1; i <= 10; i++) rows.push([30720, 10300 + 1560 * i, 1000 * i]);
    expect(rateNote(psLog(rows))).toBe(
      'app (pid 42): touchesPerSec about 10240: its RSS settled at 40.0 MiB without faults, then, over the intervals its RSS did not fall (1 did), it faulted 25600 times (major + minor) while the missing share of that size added up to 2.500 s; faults ÷ missing share, for touches spread uniformly over its working set',
    );
  });

  it('measures what was missing against the level the RSS settles at again, exponentially between samples', () => {
    // Settled at 40 MiB; reclaim takes 8 MiB (an interval where RSS falls: left out), of which 1 MiB (file pages
    // it never touches again) never comes back. The other 7 MiB come back as e^(−t): 7·e^(−k) MiB missing of the
    // 39 MiB it settles at again, each page restored by one fault. The missing share's mean over a second that
    // takes it from a to b is (a − b) / ln(a / b) and the faults are (a − b) of the 39 MiB, so the touch rate is
    // 39 MiB of 4 KiB pages per second: 9 984 (a straight line between samples would give 9 228, −8 %).
    const kib = (mib: number) => 4 * Math.round(mib * 256);
    const rows: [number, number, number][] = [];
    for (let i = 0; i < 7; i++) rows.push([40960, 10240, 0]);
    let faults = 10240;
    for (let k = 0; k <= 12; k++) {
      const rss = kib(39 - 7 * Math.exp(-k));
      if (k > 0) faults += (rss - (rows.at(-1) as [number, number, number])[0]) / 4;
      rows.push([rss, faults, 0]);
    }
    for (let i = 0; i < 5; i++) rows.push([39 * 1024, faults, 0]);
    const rate = Number(/about (\d+)/.exec(rateNote(psLog(rows)) ?? '')?.[1]);
    // RSS and faults in whole pages: within 0.5 % of 9 984.
    expect(Math.abs(rate / 9984 - 1)).toBeLessThan(0.005);
  });

  it('gives no rate for a process whose RSS never holds still (it grows or leaks) or that never faults again', () => {
    const growing = psLog(Array.from({ length: 12 }, (_, i) => [1024 * (i + 1), 256 * (i + 1), 0]));
    expect(rateNote(growing)).toBe(
      'app (pid 42): touchesPerSec not estimable: its RSS never held still without faults for 5 samples (it grew or faulted all along), so its working set is not its RSS',
    );
    const resident = psLog(Array.from({ length: 12 }, () => [40960, 10240, 0]));
    expect(rateNote(resident)).toBe(
      'app (pid 42): touchesPerSec not estimable: 0 faults after its RSS settled at 40.0 MiB (its pages stayed resident)',
    );
  });

  // Ground truth in test/fixtures/postmortem/README.md (written before the recordings): service 20 000/s,
  // web 20 000/s (leak-oom) and 15 000/s (leak-fast). The batch job grows into the limit and leaky leaks:
  // their RSS never settles, so no rate is read for them.
  it.each([
    ['service-batch', 'service (pid 14424)', 20601, 'batch (pid 15221)'],
    ['leak-oom', 'web (pid 20265)', 20780, 'leaky (pid 20382)'],
    ['leak-fast', 'web (pid 2927)', 14526, 'leaky (pid 3062)'],
  ])('reads %s: %s at %i touches/s from ps (within 5 %% of the truth), none for %s', (incident, proc, rate, other) => {
    const file = join(import.meta.dirname, '..', 'fixtures', 'postmortem', incident, 'ps.log');
    const notes = importTelemetryFile('ps', file, { file, lenient: false }).notes;
    expect(notes.find((n) => n.startsWith(`${proc}: touchesPerSec`))).toMatch(
      new RegExp(`^${proc.replace(/[()]/g, '\\$&')}: touchesPerSec about ${rate}: `),
    );
    expect(notes.find((n) => n.startsWith(`${other}: touchesPerSec`))).toMatch(
      /not estimable: its RSS never held still/,
    );
  });
});
