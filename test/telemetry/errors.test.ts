import { describe, expect, it } from 'vitest';
import { parseTimeLine } from '../../src/traces/telemetry/common.js';
import { importEvents, parseKind } from '../../src/traces/telemetry/index.js';
import { EVENT_KINDS, SERIES_KINDS } from '../../src/traces/telemetry/types.js';
import { InputError } from '../../src/util/errors.js';
import { fixture, parse } from './load.js';

const VMSTAT_HEAD = [
  'procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu----- -----timestamp-----',
  ' r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st                 UTC',
  ' 1  0      0 24327868   4792 271432    0    0   507  1248  267  739  3  3 95  0  0 2026-11-26 04:50:49',
];
const good = (s: number) =>
  ` 1  0      0 24327868   4792 271432    0    0     0     0   83  115  0  0 100  0  0 2026-11-26 04:50:${s}`;

describe('malformed lines', () => {
  it('stop the import with file:line, the reason and the content', () => {
    const text = [...VMSTAT_HEAD, good(50), ' 1  0      0 24327868   4792 271432    0    0  oops', good(52)].join('\n');
    expect(() => parse('vmstat', text)).toThrow(InputError);
    expect(() => parse('vmstat', text)).toThrow(
      'in.txt:5: expected 17 unsigned integers and a timestamp: 1  0      0 24327868   4792 271432    0    0  oops',
    );
  });

  it('are counted and skipped under lenient, never silently', () => {
    const text = [
      ...VMSTAT_HEAD,
      good(50),
      'garbage',
      good(52),
      ' 1 0 0 1 1 1 0 0 0 0 1 1 0 0 100 0 0 2026-13-26 04:50:53',
    ].join('\n');
    const { table, skippedLines } = parse('vmstat', text, { lenient: true });
    expect(skippedLines).toEqual([5, 7]);
    expect(table.timeMs).toHaveLength(2);
  });

  it('cover every kind', () => {
    const cases: [Parameters<typeof parse>[0], string, RegExp][] = [
      [
        'psi',
        '1773453600\nsome avg10=0.00 avg60=0.00 avg300=x total=0\n',
        /in.txt:2: expected "some\|full .*: some avg10=0.00/,
      ],
      ['proc-vmstat', '# 1773453600\npgfault 12\npgmajfault -3\n', /in.txt:3: expected "name value".*: pgmajfault -3$/],
      ['proc-vmstat', 'pgfault 12\n', /in.txt:1: data before the first time line: pgfault 12/],
      ['memory-stat', '2026-03-14T02:00:00Z\nanon 1\nanon 2\n', /in.txt:3: anon appears twice in one snapshot: anon 2/],
      [
        'ps',
        '1773453600\n    PID COMMAND           RSS  MINFL  MAJFL\n      1 systemd         12k  1  2\n',
        /in.txt:3: PID, RSS, MINFL/,
      ],
      [
        'sar',
        'Linux 5.15 (h) \t03/14/26 \t_x86_64_\t(2 CPU)\n\n02:00:01 pswpin/s pswpout/s\n02:10:01 1.00\n',
        /in.txt:4: expected 2 numbers/,
      ],
      [
        'sar',
        '# hostname;interval;timestamp;pswpin/s;pswpout/s\nh;600;2026-03-14 02:10:01 UTC;1.00;x\n',
        /in.txt:2: expected host/,
      ],
      [
        'psi',
        '2026-03-14T02:00:00Z\nsome avg10=0.00 avg60=0.00 avg300=0.00 total=0\n2026-03-14T01:00:00Z\n',
        /in.txt:3: time does not increase/,
      ],
    ];
    for (const [kind, text, re] of cases) expect(() => parse(kind, text), `${kind}: ${text}`).toThrow(re);
  });

  it('skip the lines of a snapshot whose time line was rejected, counted', () => {
    const text = ['1773453600', 'pgfault 100', '2026-02-30T00:00:00Z', 'pgfault 200', '1773453610', 'pgfault 300'].join(
      '\n',
    );
    expect(() => parse('proc-vmstat', text)).toThrow('in.txt:3: date or time out of range: 2026-02-30T00:00:00Z');
    const { table, skippedLines } = parse('proc-vmstat', text, { lenient: true });
    expect(skippedLines).toEqual([3, 4]);
    // 200 pgfaults over the 10 s between the two good snapshots.
    expect(table.values[0]).toEqual([Number.NaN, 20]);
  });
});

describe('whole-file errors', () => {
  it('an empty file', () => {
    for (const kind of SERIES_KINDS) expect(() => parse(kind, '  \n\n')).toThrow('in.txt: file is empty');
    for (const kind of EVENT_KINDS) {
      expect(() => importEvents(kind, '  \n\n', { file: 'in.txt', lenient: false })).toThrow('in.txt: file is empty');
    }
  });

  it('a file with no samples', () => {
    expect(() => parse('vmstat', VMSTAT_HEAD.slice(0, 2).join('\n'))).toThrow(
      'in.txt: no samples found in this vmstat file',
    );
  });

  it('the wrong kind for the file', () => {
    // Issue 16 item 12: a memory.stat file read as /proc/vmstat used to give exit 0 and wrong columns.
    expect(() => parse('proc-vmstat', fixture('memory-stat-v1.txt'))).toThrow(
      "in.txt:2: this looks like a cgroup's memory.stat snapshots, not proc-vmstat output; import it with: faultline import memory-stat in.txt",
    );
    expect(() => parse('memory-stat', fixture('proc-vmstat-6.18.txt'))).toThrow(
      /^in.txt:2: this looks like \/proc\/vmstat snapshots, not memory-stat output; import it with: faultline import proc-vmstat in.txt$/,
    );
    expect(() => parse('proc-vmstat', fixture('psi-epoch.txt'), { lenient: true })).toThrow(
      /^in.txt:2: this looks like a PSI file .*, not proc-vmstat output; import it with: faultline import psi in.txt$/,
    );
    expect(() => parse('vmstat', fixture('psi-epoch.txt'))).toThrow(/^in.txt:2: this looks like a PSI file/);
    // A snapshot past the sniffed head that has memory.stat fields is refused where it is.
    const snap = (i: number, body: string) => `${1773453600 + i}\n${body}\n`;
    const late = Array.from({ length: 71 }, (_, i) => snap(i, `pgfault ${i}`)).join('') + snap(71, 'rss 5');
    expect(() => parse('proc-vmstat', late)).toThrow(
      /^in.txt:143: this snapshot has rss, fields of a cgroup's memory.stat/,
    );
  });

  it('an unknown kind, with did-you-mean and the list', () => {
    expect(() => parseKind('vmstst')).toThrow(
      "unknown import kind 'vmstst' (did you mean 'vmstat'?); kinds: vmstat, sar, sadf, psi, proc-vmstat, ps, pid-stat, memory-stat, csv, dmesg, journal",
    );
    expect(() => parseKind('dmseg')).toThrow(/^unknown import kind 'dmseg' \(did you mean 'dmesg'\?\); kinds: vmstat/);
  });
});

describe('time lines', () => {
  it('accept epoch seconds, ISO 8601 and date(1) output', () => {
    const ms = (s: string) => {
      const t = parseTimeLine(s);
      return t && 'ms' in t ? t.ms : t;
    };
    const at = Date.UTC(2026, 2, 14, 2, 0, 0);
    expect(ms('1773453600')).toBe(at);
    expect(ms('# 1773453600')).toBe(at);
    expect(ms('1773453600.250000000')).toBe(at + 250);
    expect(ms('2026-03-14T02:00:00Z')).toBe(at);
    expect(ms('2026-03-14T03:00:00+01:00')).toBe(at);
    expect(ms('2026-03-13 21:00:00-0500')).toBe(at);
    expect(ms('2026-03-14 02:00:00.000000000+00:00')).toBe(at);
    expect(ms('Sat Mar 14 02:00:00 UTC 2026')).toBe(at);
    expect(ms('Sat Mar 14 03:00:00 CET 2026')).toBe(at);
    expect(ms('pgfault 12')).toBeUndefined();
    expect(ms('# a comment')).toBeUndefined();
    expect(parseTimeLine('2026-03-14T02:00:00')).toEqual({ ms: at, zoneAssumed: 'no time zone' });
    expect(parseTimeLine('12')).toEqual({ error: expect.stringMatching(/not a time/) });
  });
});
