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

describe('touch rate from the decay of refaults (a process whose RSS never settles)', () => {
  const decayNote = (text: string) =>
    importTelemetry('ps', text, { file: 'ps.log', lenient: false }).notes.find((n) => n.includes('refault'));

  /**
   * A leaking process: 40 MiB of working set plus half a sample of its leak at its first snapshot (so that the
   * note's working set is 40 MiB exactly), 256 new pages a second for 20 s, then reclaim takes 1 000 pages of its
   * working set at one snapshot and each comes back at its first touch: at λ per second, 1 000·e^(−λt) are still
   * missing t seconds later. Its RSS holds at the limit from then on (reclaim takes leaked pages as it adds new
   * ones). Its touch rate is λ × 10 240 pages.
   */
  function leaking(lambda: number): string {
    const rows: [number, number, number][] = [];
    for (let i = 0; i <= 20; i++) rows.push([40960 + 512 + 1024 * i, 256 * i, 0]);
    for (let k = 1; k <= 12; k++) {
      const back = Math.round(1000 * (1 - Math.exp(-lambda * k)));
      rows.push([60000, 256 * (20 + k) + back, 0]);
    }
    // The capture starts a second before the process does, as a recording does: its first RSS is then its start's.
    return `${T0 - 1}\n  PID COMMAND   RSS MINFL MAJFL\n${psLog(rows)}`;
  }

  it('reads λ off the refaults beyond the growth line and multiplies it by the working set in pages', () => {
    // λ = 0.5/s: 5 120 touches/s over 10 240 pages; λ is searched on a grid of 2 % steps (0.498 is the nearest).
    const note = decayNote(leaking(0.5)) ?? '';
    expect(note).toMatch(/^app \(pid 42\): touchesPerSec about (\d+) \((\d+)\.\.(\d+)\): after 22\.0 s its faults/);
    const [, rate, low, high] = /about (\d+) \((\d+)\.\.(\d+)\)/.exec(note)?.map(Number) ?? [];
    expect(Math.abs((rate as number) / 5120 - 1)).toBeLessThan(0.02);
    expect([(low as number) <= 5120, (high as number) >= 5120]).toEqual([true, true]);
    // Counted to the end of the 8 s window after the peak interval (k = 1 .. 9): round(1 000 · (1 − e^(−4.5))).
    expect(note).toContain('(989 refaults: pages reclaim took from it)');
    expect(note).toContain('40.0 ± 0.5 MiB');
  });

  it('gives only a lower bound when the refaults are over within a sample', () => {
    // λ = 6/s: 99.75 % of the pages are back by the first snapshot after the reclaim.
    expect(decayNote(leaking(6))).toMatch(
      /^app \(pid 42\): touchesPerSec at least \d+, not bounded above by the data: .* died away within about a sample/,
    );
  });

  // Ground truth (test/fixtures/postmortem/README.md): leak-oom's leaky 10 000 touches/s over 48 MiB, leak-fast's
  // 8 000/s over 24 MiB; service-batch's batch job grows into its limit and thrashes to its end. Validated on the
  // webs, whose rate is known and whose own refaults decay the same way: 1.18 and 1.41/s (leak-oom's two bursts)
  // and 1.16 and 1.14/s (leak-fast's), against 20 000 / 16 384 and 15 000 / 12 288 pages = 1.22/s.
  it('reads leak-oom leaky at 10 616/s (+6 %), bounds leak-fast leaky below at 6 069/s, and refuses the batch job', () => {
    const note = (incident: string, proc: string) => {
      const file = join(import.meta.dirname, '..', 'fixtures', 'postmortem', incident, 'ps.log');
      return importTelemetryFile('ps', file, { file, lenient: false }).notes.find(
        (n) => n.startsWith(`${proc}: touchesPerSec`) && n.includes('refault'),
      );
    };
    expect(note('leak-oom', 'leaky (pid 20382)')).toMatch(
      /^leaky \(pid 20382\): touchesPerSec about 10616 \(10204\.\.10829\): after 66\.3 s .* λ = 0\.84\/s \(0\.81\.\.0\.86\);.* 49\.1 ± 0\.5 MiB/,
    );
    expect(note('leak-fast', 'leaky (pid 3062)')).toMatch(
      /^leaky \(pid 3062\): touchesPerSec at least 6069, not bounded above by the data: after 50\.6 s /,
    );
    expect(note('service-batch', 'batch (pid 15221)')).toMatch(
      /^batch \(pid 15221\): touchesPerSec not estimable from refault decay: its faults beyond its growth's line had not died away 8 s after they peaked/,
    );
  });

  // leak-fast-fine (test/fixtures/postmortem/README.md): leak-fast recorded again with /proc/<pid>/stat every 0.1 s from
  // when the cgroup's usage came within 10 % of its limit. Its 1 s ps.log does not even show leaky's burst; the
  // 0.1 s series times its decay: λ = 1.47/s, and λ × its working set in pages (24 MiB: 6 144) is 9 032 touches/s
  // against the truth's 8 000 (+13 %). Its RSS at the fine series' first sample is 67.7 MiB (working set + 40 MiB of
  // leak), so the note gives λ alone and says where the working set must come from.
  it('times leak-fast-fine leaky from its 0.1 s series (λ 1.47/s: 9 032/s for 24 MiB, truth 8 000), not from its 1 s ps.log', () => {
    const dir = join(import.meta.dirname, '..', 'fixtures', 'postmortem', 'leak-fast-fine');
    const leaky = (kind: 'ps' | 'pid-stat', name: string) => {
      const file = join(dir, name);
      return importTelemetryFile(kind, file, { file, lenient: false }).notes.find(
        (n) => n.startsWith('leaky (pid 910): touchesPerSec') && n.includes('refault'),
      );
    };
    expect(leaky('ps', 'ps.log')).toMatch(
      /^leaky \(pid 910\): touchesPerSec not estimable from refault decay: no burst of faults beyond its growth's line/,
    );
    const note = leaky('pid-stat', 'pidstat-fine.log') ?? '';
    expect(note).toMatch(
      /^leaky \(pid 910\): touchesPerSec = λ × its working set in pages, λ = 1\.47\/s \(1\.44\.\.1\.50\): after 8\.7 s its faults beyond its 512\.7 new pages\/s \(467 refaults/,
    );
    expect(note).toMatch(/its RSS there \(67\.7 MiB\) is not its working set: take that from a log that saw it start$/);
    const lambda = Number(/λ = ([\d.]+)\/s/.exec(note)?.[1]);
    expect(Math.abs((lambda * 6144) / 8000 - 1)).toBeLessThanOrEqual(0.25);
  });
});
