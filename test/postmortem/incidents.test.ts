/**
 * The two incidents recorded on a real kernel (test/fixtures/postmortem/README.md, ground truth
 * written before any fit): every log imports, lines up by wall clock, and the kernel log's OOM
 * kill lands where the processes' own series say it happened.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVariant } from '../../src/engine/run-variant.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import {
  importEvents,
  importEventsFile,
  importTelemetry,
  importTelemetryFile,
} from '../../src/traces/telemetry/index.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'postmortem');
const at = (incident: string, f: string) => join(DIR, incident, f);
const iso = (ms: number) => new Date(ms).toISOString();
const BOOT_MS = Number(readFileSync(at('leak-oom', 'boot.txt'), 'utf8').trim()) * 1000;

function series(kind: Parameters<typeof importTelemetryFile>[0], file: string) {
  const r = importTelemetryFile(kind, file, { file, lenient: false });
  const col = (name: string) => {
    const i = r.table.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`no ${name} in ${file}`);
    return r.table.values[i] as number[];
  };
  return { ...r, col };
}

describe('the leak-oom kernel log', () => {
  const expected = {
    kind: 'oom-kill',
    pid: 20382,
    process: 'leaky',
    cgroup: '/faultline-pm-14148',
    oomCgroup: '/faultline-pm-14148',
    constraint: 'CONSTRAINT_MEMCG',
    // memory: usage 163840kB, limit 163840kB; memory+swap: usage 229224kB, limit 229376kB.
    detail: {
      memUsageBytes: 163840 * 1024,
      memLimitBytes: 163840 * 1024,
      memswUsageBytes: 229224 * 1024,
      memswLimitBytes: 229376 * 1024,
      anonRssBytes: 96128 * 1024,
      fileRssBytes: 1240 * 1024,
      shmemRssBytes: 0,
      // leaky's swapents 16672 pages in the task dump.
      swapBytes: 16672 * 4096,
    },
    tasks: [
      { pid: 20265, name: 'web', rssBytes: 16633 * 4096, swapBytes: 32 * 4096, oomScoreAdj: 0 },
      { pid: 20382, name: 'leaky', rssBytes: 24342 * 4096, swapBytes: 16672 * 4096, oomScoreAdj: 0 },
    ],
    line: 81,
  };

  it('gives the same OOM kill from raw dmesg with the boot time, --time-format iso and -T', () => {
    const raw = importEventsFile('dmesg', at('leak-oom', 'dmesg.txt'), {
      file: 'dmesg.txt',
      lenient: false,
      bootMs: BOOT_MS,
    });
    const isoLog = importEventsFile('dmesg', at('leak-oom', 'dmesg-iso.txt'), {
      file: 'dmesg-iso.txt',
      lenient: false,
    });
    const ctime = importEventsFile('dmesg', at('leak-oom', 'dmesg-T.txt'), { file: 'dmesg-T.txt', lenient: false });
    for (const r of [raw, isoLog, ctime]) {
      expect(r.events).toHaveLength(1);
      expect(r.events[0]).toMatchObject(expected);
    }
    // [ 1150.820658] after btime 1796518650; iso prints 01:16:40,820658; -T has whole seconds.
    expect(iso(raw.events[0]?.timeMs as number)).toBe('2026-12-06T01:16:40.821Z');
    expect(isoLog.events[0]?.timeMs).toBe(raw.events[0]?.timeMs);
    expect(iso(ctime.events[0]?.timeMs as number)).toBe('2026-12-06T01:16:40.000Z');
    expect(() => importEventsFile('dmesg', at('leak-oom', 'dmesg.txt'), { file: 'dmesg.txt', lenient: false })).toThrow(
      'dmesg.txt:1: boot-relative [seconds] need the boot time: pass --boot <ISO time or epoch seconds> (btime in /proc/stat)',
    );
  });

  it('reads the same lines as journalctl -k -o short-iso-precise would print them', () => {
    // The VM has no journald: the journal form is the iso log with journalctl's host and source fields.
    const journal = readFileSync(at('leak-oom', 'dmesg-iso.txt'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.replace(/^(\S+),(\d+)(\+\d\d:\d\d) /, '$1.$2$3 vm kernel: '))
      .join('\n');
    const r = importEvents('journal', journal, { file: 'journal.txt', lenient: false });
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject(expected);
  });
});

describe('the recorded logs', () => {
  it('keep every process apart by pid, and say when each ran', () => {
    const ps = series('ps', at('service-batch', 'ps.log'));
    expect(ps.table.columns.map((c) => c.name).filter((n) => n.endsWith('_rss_bytes'))).toEqual([
      'service_14424_rss_bytes',
      'batch_15221_rss_bytes',
    ]);
    const first = (name: string) => iso(ps.table.timeMs[ps.col(name).findIndex((v) => v > 0)] as number);
    // run.log: service started 01:11:32.362, batch 01:12:02.370 (ps samples on the whole second).
    expect(first('service_14424_rss_bytes')).toBe('2026-12-06T01:11:33.003Z');
    expect(first('batch_15221_rss_bytes')).toBe('2026-12-06T01:12:03.003Z');
    // /proc/<pid>/stat reads the same counters a moment after ps: the same major faults over the run.
    const stat = series('pid-stat', at('service-batch', 'pidstat.log'));
    const total = (s: typeof ps, name: string) =>
      s
        .col(name)
        .reduce(
          (sum, v, i) =>
            sum +
            (i > 0 && Number.isFinite(v)
              ? (v * ((s.table.timeMs[i] as number) - (s.table.timeMs[i - 1] as number))) / 1000
              : 0),
          0,
        );
    const viaPs = total(ps, 'batch_15221_major_faults_per_sec');
    // The last ps line of batch says MAJFL 455331, the first 0: the rates add up to exactly that.
    expect(Math.round(viaPs)).toBe(455331);
    expect(Math.abs(total(stat, 'batch_15221_major_faults_per_sec') / viaPs - 1)).toBeLessThan(0.005);
  });

  it('/proc/<pid>/stat says each process slept between its touches (workload.c is paced by the clock)', () => {
    // utime + stime while not faulting: batch 46 - 16 = 30 ticks of 1/100 s from its 10th to its 30th sample.
    for (const [incident, procs] of [
      ['service-batch', ['service (pid 14424)', 'batch (pid 15221)']],
      ['leak-oom', ['web (pid 20265)', 'leaky (pid 20382)']],
    ] as const) {
      const notes = series('pid-stat', at(incident, 'pidstat.log')).notes.filter((n) => n.includes('on a CPU'));
      expect(notes.map((n) => n.slice(0, n.indexOf(':')))).toEqual(procs);
      for (const n of notes) {
        expect(Number(/on a CPU ([\d.]+) %/.exec(n)?.[1])).toBeLessThan(3);
        expect(n).toMatch(/paced by the clock \(pacing: wall-clock\)$/);
      }
    }
    // A closed loop: on a CPU all of the 10 s it had no major fault.
    const stat = (t: number, ticks: number) =>
      `${t}\n7 (loop) R 1 1 1 0 -1 0 5 0 0 0 ${ticks} 0 0 0 20 0 1 0 1 1 100 ${'0 '.repeat(26).trim()}`;
    const text = Array.from({ length: 11 }, (_, i) => stat(1_800_000_000 + i, 100 * i)).join('\n');
    const closed = importTelemetry('pid-stat', text, { file: 'loop.stat', lenient: false }).notes;
    expect(closed.filter((n) => n.includes('on a CPU'))).toEqual([
      'loop (pid 7): on a CPU 100.0 % of the 10 s it had no major fault: it runs whenever it is not stalled, a closed loop (pacing: closed-loop)',
    ]);
  });

  it("flag vmstat's frozen memory columns on this VM, and the cgroup limits as constant", () => {
    expect(series('vmstat', at('service-batch', 'vmstat.log')).constant).toEqual([
      'free_bytes',
      'buffers_bytes',
      'cache_bytes',
    ]);
    const top = series('memory-stat', at('leak-oom', 'memstat-top.log'));
    expect(top.constant).toEqual(['hierarchical_memory_limit_bytes', 'hierarchical_memsw_limit_bytes']);
    expect(top.col('hierarchical_memsw_limit_bytes')[0]).toBe(224 * 2 ** 20);
  });
});

describe('alignment by wall clock (the blind draft of the leak)', () => {
  it('places every file and the OOM kill on the scenario clock', () => {
    const { variants } = loadScenarioFile(at('leak-oom', 'draft.yaml'));
    const r = runVariant(variants[0] as NonNullable<(typeof variants)[0]>);
    const o = r.observed;
    if (!o) throw new Error('no observed comparison');
    // startTime 01:14:34Z; the kill at 01:16:40.821 is 126.821 s in.
    expect(o.events?.map((e) => [e.kind, e.process, e.timeMs])).toEqual([['oom-kill', 'leaky', 126821]]);
    expect(r.warnings.filter((w) => w.code === 'observed-window')).toEqual([]);
    // web appears in ps at 01:14:45.003, 11.003 s in: its first sample covers the step ending at 11 s.
    const web = o.processes?.web?.rssBytes ?? [];
    expect(web.findIndex((v) => v !== null && v > 0)).toBe(10);
    expect(o.cgroups?.incident?.usageBytes?.[100]).toBeGreaterThan(150 * 2 ** 20);
  });
});
