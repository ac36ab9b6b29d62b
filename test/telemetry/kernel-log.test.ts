/** Kernel log lines other than the recorded memcg OOM kill (test/postmortem/incidents.test.ts has that one). */
import { describe, expect, it } from 'vitest';
import { importEvents } from '../../src/traces/telemetry/index.js';

const opts = { file: 'kern.log', lenient: false };

describe('kernel log events', () => {
  it('reads a global OOM kill without a task dump, hung tasks, allocation failures and throttling', () => {
    const log = [
      '[  100.000001] INFO: task postgres:4242 blocked for more than 120 seconds.',
      '[  100.000002]       Not tainted 6.1.0 #1',
      '[  101.500000] kworker/u8:2: page allocation failure: order:4, mode:0x40cc0(GFP_KERNEL|__GFP_COMP), nodemask=(null)',
      '[  102.000000] CPU0: Package temperature above threshold, cpu clock throttled (total events = 1)',
      '[  103.250000] Out of memory: Killed process 777 (java) total-vm:9000000kB, anon-rss:4000000kB, file-rss:2048kB, shmem-rss:0kB, UID:1000 pgtables:9000kB oom_score_adj:0',
    ].join('\n');
    const { events } = importEvents('dmesg', log, { ...opts, bootMs: Date.UTC(2026, 0, 1) });
    expect(events.map((e) => [e.kind, e.process, e.pid, new Date(e.timeMs).toISOString(), e.line])).toEqual([
      ['hung-task', 'postgres', 4242, '2026-01-01T00:01:40.000Z', 1],
      ['alloc-fail', 'kworker/u8:2', undefined, '2026-01-01T00:01:41.500Z', 3],
      ['throttle', undefined, undefined, '2026-01-01T00:01:42.000Z', 4],
      ['oom-kill', 'java', 777, '2026-01-01T00:01:43.250Z', 5],
    ]);
    expect(events[0]?.detail).toEqual({ blockedSec: 120 });
    expect(events[3]).toMatchObject({
      constraint: 'CONSTRAINT_NONE',
      detail: { anonRssBytes: 4000000 * 1024, fileRssBytes: 2048 * 1024, shmemRssBytes: 0 },
    });
    expect(events[3]?.tasks).toBeUndefined();
  });

  it('reads journalctl -k outputs, skipping other programs and its markers', () => {
    const iso = [
      '-- Boot 1a2b3c --',
      '2026-01-01T00:01:43+0000 db1 systemd[1]: Started foo.service.',
      '2026-01-01T00:01:43+0000 db1 kernel: Out of memory: Killed process 777 (java) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0',
    ].join('\n');
    expect(importEvents('journal', iso, opts).events.map((e) => [e.kind, new Date(e.timeMs).toISOString()])).toEqual([
      ['oom-kill', '2026-01-01T00:01:43.000Z'],
    ]);
    const short = 'Jan 01 00:01:43 db1 kernel: INFO: task java:777 blocked for more than 30 seconds.';
    expect(() => importEvents('journal', short, opts)).toThrow(
      'kern.log:1: journalctl -o short prints no year: pass --start <ISO time> in the same year (or use -o short-iso): Jan 01',
    );
    const year = importEvents('journal', short, { ...opts, startMs: Date.UTC(2026, 5, 1) });
    expect(new Date(year.events[0]?.timeMs as number).toISOString()).toBe('2026-01-01T00:01:43.000Z');
    const mono = '[  103.250000] db1 kernel: INFO: task java:777 blocked for more than 30 seconds.';
    expect(() => importEvents('journal', mono, opts)).toThrow(
      /kern.log:1: boot-relative \[seconds\] need the boot time/,
    );
  });

  it('refuses a file with no time it can read, and lines without one', () => {
    expect(() => importEvents('dmesg', 'hello\nworld\n', opts)).toThrow(
      'kern.log:1: not a dmesg line (expected a time such as [  12.345678], [Sun Dec  6 01:00:13 2026] or an ISO 8601 time first): hello',
    );
    expect(() => importEvents('dmesg', 'hello\nworld\n', { ...opts, lenient: true })).toThrow(
      'kern.log: no dmesg line with a time found',
    );
  });
});
