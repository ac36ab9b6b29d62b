/**
 * The rates a draft declares from one process's or one cgroup's own series
 * (src/traces/telemetry/growth.ts; docs/import.md, "Growth and leak rates", "Touch rates from
 * memory + swap"): a growth or leak rate from the RSS's steady rise, a touch rate from a cgroup's
 * memory + swap once it holds still.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTelemetry, importTelemetryFile } from '../../src/traces/telemetry/index.js';

const T0 = 1_800_000_000;
const MIB_KIB = 1024;
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'postmortem');

/** ps snapshots of one process, one a second (RSS 0: absent): RSS in KiB and cumulative minor and major faults. */
function psLog(rows: readonly [rssKib: number, minflt: number, majflt: number][]): string {
  return rows
    .map(([rss, minflt, majflt], i) =>
      rss === 0
        ? `${T0 + i}\n  PID COMMAND   RSS MINFL MAJFL`
        : `${T0 + i}\n  PID COMMAND   RSS MINFL MAJFL\n   42 app  ${rss} ${minflt} ${majflt}`,
    )
    .join('\n');
}

/** v1 memory.stat snapshots, one a second: rss, swapcached and swap in MiB, pgfault cumulative. */
function memstatLog(
  rows: readonly [rssMib: number, swapcachedMib: number, swapMib: number, pgfault: number][],
): string {
  return rows
    .map(
      ([rss, sc, swap, pgfault], i) =>
        `${T0 + i}\nrss ${rss * 2 ** 20}\nswapcached ${sc * 2 ** 20}\nswap ${swap * 2 ** 20}\npgfault ${pgfault}\npgmajfault 0`,
    )
    .join('\n');
}

const notesOf = (kind: 'ps' | 'memory-stat', text: string) =>
  importTelemetry(kind, text, { file: 'x.log', lenient: false }).notes;

describe('growth and leak rates from a process RSS', () => {
  // 48 MiB at once when it appears, then 1 MiB/s = 256 new pages/s for 10 s (the first rising interval is left out:
  // it may hold the rest of a start's first allocation), then the limit: RSS holds and what it added is not touched
  // again (1 major fault in 10 s, 0.1/s against 256 new pages/s).
  const leak: [number, number, number][] = [[0, 0, 0]];
  for (let i = 0; i <= 10; i++) leak.push([(48 + i) * MIB_KIB, 12288 + 256 * i, 0]);
  for (let i = 1; i <= 10; i++) leak.push([58 * MIB_KIB, 12288 + 2560 + 256 * i, i === 5 ? 1 : i > 5 ? 1 : 0]);

  it('reads a leak: the slope of its RSS, its new pages, and no faulting back after it', () => {
    expect(notesOf('ps', psLog(leak)).find((n) => n.includes('RSS grew'))).toBe(
      'app (pid 42): RSS grew 1024.0 KiB/s (1.000 MiB/s) from 49.0 MiB at 2.0 s to 58.0 MiB at 11.0 s without a major fault, with 256.0 minor faults/s (1024.0 KiB/s of new 4 KiB pages); over the 10.0 s after it, 0.1 major faults/s against 256 new pages/s before: what it added is not touched again (a leak: leakPerSec)',
    );
  });

  it('reads a growing working set: after the limit it faults back what reclaim takes', () => {
    const grow = leak.map(([rss, min, maj], i): [number, number, number] => [
      rss,
      min,
      i > 11 ? maj + 300 * (i - 11) : maj,
    ]);
    expect(notesOf('ps', psLog(grow)).find((n) => n.includes('RSS grew'))).toMatch(
      /over the 10\.0 s after it, 300\.1 major faults\/s against 256 new pages\/s before: it faults back what reclaim takes \(a growing working set: growthPerSec\)$/,
    );
  });

  it('says nothing for a rise shorter than 6 intervals or smaller than 1 % of the size', () => {
    const short = leak.slice(0, 7);
    expect(notesOf('ps', psLog(short)).some((n) => n.includes('RSS grew'))).toBe(false);
    const creep: [number, number, number][] = Array.from({ length: 12 }, (_, i) => [40960 + 4 * i, 10240 + i, 0]);
    expect(notesOf('ps', psLog(creep)).some((n) => n.includes('RSS grew'))).toBe(false);
  });

  // Ground truth in test/fixtures/postmortem/README.md (written before the recordings): leak-oom's leaky leaks
  // 1 MiB/s (1024 KiB/s), leak-fast's 2 MiB/s, service-batch's batch job grows 4 MiB/s.
  it.each([
    ['leak-oom', 'leaky (pid 20382)', '1023.9', 'a leak: leakPerSec'],
    ['leak-fast', 'leaky (pid 3062)', '2050.0', 'a leak: leakPerSec'],
    ['service-batch', 'batch (pid 15221)', '4096.2', 'a growing working set: growthPerSec'],
  ])('reads %s: %s grew %s KiB/s (%s)', (incident, proc, rate, kind) => {
    const file = join(FIXTURES, incident, 'ps.log');
    const notes = importTelemetryFile('ps', file, { file, lenient: false }).notes.filter((n) => n.includes('RSS grew'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(new RegExp(`^${proc.replace(/[()]/g, '\\$&')}: RSS grew ${rate} KiB/s .*\\(${kind}\\)$`));
  });
});

describe('touch rate from a cgroup memory + swap', () => {
  it('divides faults by the share of memory + swap not mapped, once memory + swap holds still', () => {
    // 80 MiB resident and held for 5 intervals, then reclaim moves a quarter to swap and the swap cache (memory +
    // swap unchanged: 100 MiB) and the process faults 2 560 times a second for 10 s: 25 600 faults over 2.5 s of
    // missing share, 10 240 touches/s. The first interval after the move is half missing on average (0 → 1/4):
    // 2 560 faults over 0.125 s there.
    const rows: [number, number, number, number][] = [];
    for (let i = 0; i < 7; i++) rows.push([100, 0, 0, 25600]);
    for (let i = 1; i <= 10; i++) rows.push([75, 5, 20, 25600 + 2560 * i]);
    const note = notesOf('memory-stat', memstatLog(rows)).find((n) => n.includes('touchesPerSec'));
    // 25 600 faults over 0.125 + 9 × 0.25 = 2.375 s.
    expect(note).toBe(
      'touchesPerSec about 10779: its memory + swap (rss + swapcached + swap) held at 100.0 MiB from 5.0 s; after that it faulted 25600 times (pgfault) while the share of it in swap or the swap cache added up to 2.375 s; faults ÷ missing share, for one process (or one rate) touching its pages uniformly',
    );
  });

  it('gives no touch rate for a cgroup whose memory + swap grows past the level it held (a leak), and its growth', () => {
    const rows: [number, number, number, number][] = [];
    for (let i = 0; i < 7; i++) rows.push([100, 0, 0, 25600]);
    for (let i = 1; i <= 10; i++) rows.push([100, 1, i * 2 - 1, 25600 + 512 * i]);
    const notes = notesOf('memory-stat', memstatLog(rows));
    expect(notes.find((n) => n.includes('touchesPerSec'))).toBe(
      'touchesPerSec not estimable: its memory + swap grew past the 100.0 MiB from 5.0 s it had held (a leak or growth), so that was not its working set',
    );
    expect(notes.find((n) => n.includes('grew') && !n.includes('touchesPerSec'))).toBe(
      'memory + swap (rss + swapcached + swap) grew 2048.0 KiB/s (2.000 MiB/s) from 102.0 MiB at 7.0 s to 120.0 MiB at 16.0 s: new pages of its processes, kept in memory or in swap (growthPerSec or leakPerSec; ps says whose, and which)',
    );
  });

  // Truth 20 000/s for both (test/fixtures/postmortem/README.md). The batch job's RSS never settles (it grows
  // into the parent's limit), so ps reads no rate for it; its cgroup's memory + swap holds at its final size.
  it.each([
    ['memstat-batch.log', 19899, '256.2 MiB from 105.7 s'],
    ['memstat-service.log', 19784, '96.1 MiB from 15.7 s'],
  ])('reads service-batch %s: %i touches/s, held at %s (truth 20 000/s)', (name, rate, held) => {
    const file = join(FIXTURES, 'service-batch', name);
    const note = importTelemetryFile('memory-stat', file, { file, lenient: false }).notes.find((n) =>
      n.startsWith('touchesPerSec'),
    );
    expect(note).toMatch(new RegExp(`^touchesPerSec about ${rate}: .* held at ${held};`));
    expect(Math.abs(rate / 20_000 - 1)).toBeLessThan(0.02);
  });

  it('reads no touch rate for the leaks cgroups: their memory + swap grows to the kill', () => {
    for (const incident of ['leak-oom', 'leak-fast']) {
      const file = join(FIXTURES, incident, 'memstat-top.log');
      const note = importTelemetryFile('memory-stat', file, { file, lenient: false }).notes.find((n) =>
        n.startsWith('touchesPerSec'),
      );
      expect(note, incident).toMatch(/^touchesPerSec not estimable: its memory \+ swap grew past/);
    }
  });
});
