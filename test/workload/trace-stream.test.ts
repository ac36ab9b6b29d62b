import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { TracePattern } from '../../src/scenario/types.js';
import { loadTrace, streamTrace } from '../../src/traces/load.js';
import { hash32 } from '../../src/util/rng.js';
import { prepareTrace, prepareWorkloads } from '../../src/workload/trace-prepare.js';
import { TRACE_WINDOW, TraceStream } from '../../src/workload/trace-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-trace-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pattern(file: string, over: Partial<TracePattern> = {}): TracePattern {
  return {
    kind: 'trace',
    file,
    format: 'auto',
    read: { ids: 'auto', expandPages: false, offsetUnit: 1, lenient: false },
    timing: 'rate',
    timeUnitMs: null,
    atEnd: 'loop',
    region: 'anon',
    where: 'scenario.yaml:7:13',
    prepared: null,
    ...over,
  };
}

const take = (s: TraceStream, n: number) => Int32Array.from({ length: n }, () => s.next());

describe('TraceStream', () => {
  it('replays the dense stream of faultline replay, window by window, and loops', async () => {
    const file = 'test/fixtures/traces/lirs-multi1.txt';
    const whole = (await loadTrace(file)).stream;
    const t = await prepareTrace(pattern(file), 4096);
    expect(t).toMatchObject({ references: 15858, distinctPages: 2606, format: 'txt', timesFile: null });
    const s = new TraceStream(t, { loop: true });
    expect(take(s, whole.length)).toEqual(whole);
    expect(take(s, whole.length)).toEqual(whole);
    expect(s.passes).toBe(1);
  });

  it('stops at the end when it does not loop', async () => {
    const t = await prepareTrace(pattern('test/fixtures/traces/lirs-multi1.txt'), 4096);
    const s = new TraceStream(t, { loop: false });
    take(s, 15858);
    expect(s.next()).toBe(-1);
    expect(s.peekTimeMs()).toBe(-1);
  });

  it('reads each trace once however many patterns name it', async () => {
    const p = pattern('test/fixtures/traces/lirs-multi1.txt');
    expect(await prepareTrace({ ...p, where: 'other.yaml:1:1' }, 4096)).toBe(await prepareTrace(p, 4096));
  });

  it('MSR with expanded pages and its timestamps (Windows FILETIME, 100 ns)', async () => {
    const file = 'test/fixtures/traces/msr-cambridge1-sample.csv';
    const read = { ids: 'auto', expandPages: true, offsetUnit: 1, lenient: false } as const;
    const whole = (await loadTrace(file, { expandPages: true })).stream;
    const t = await prepareTrace(pattern(file, { read, timing: 'timestamps', timeUnitMs: 1e-4 }), 4096);
    expect(t.references).toBe(whole.length);
    const s = new TraceStream(t, { loop: false });
    const rows = readFileSync(file, 'utf8').trim().split('\n');
    const time = (row: number) => Number(rows[row]?.split(',')[0]);
    // Row 1 covers pages 2210941 (first 2 KiB); row 2 its next page, 2894372; row 3 one page.
    const due = [s.peekTimeMs()];
    const ids = [s.next()];
    for (let i = 0; i < 2; i++) {
      due.push(s.peekTimeMs());
      ids.push(s.next());
    }
    expect(ids).toEqual(Array.from(whole.subarray(0, 3)));
    expect(due[0]).toBe(0);
    expect(due[1]).toBeCloseTo((time(1) - time(0)) * 1e-4, 6);
    expect(due[2]).toBeCloseTo((time(2) - time(0)) * 1e-4, 6);
    expect(t.spanMs).toBeCloseTo((time(rows.length - 1) - time(0)) * 1e-4, 3);
  });

  it('a gzip csv with a time column in ms; a loop keeps the mean rate across the seam', async () => {
    const file = join(dir, 'timed.csv.gz');
    writeFileSync(file, gzipSync('time,obj_id\n100,7\n110,8\n130,7\n'));
    const t = await prepareTrace(pattern(file, { timing: 'timestamps', timeUnitMs: 1 }), 4096);
    const s = new TraceStream(t, { loop: true });
    const due: number[] = [];
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      due.push(s.peekTimeMs());
      ids.push(s.next());
    }
    expect(ids).toEqual([0, 1, 0, 0, 1, 0]);
    // Span 30 ms over 3 references: a period of 45 ms (one mean gap of 15 ms after the last).
    expect(due).toEqual([0, 10, 30, 45, 55, 75]);
  });

  it('oracleGeneral times are seconds', async () => {
    const file = join(dir, 'tiny.oracleGeneral.bin');
    const buf = Buffer.alloc(3 * 24);
    [
      [5, 42],
      [7, 43],
      [9, 42],
    ].forEach(([time, id], i) => {
      buf.writeUInt32LE(time as number, i * 24);
      buf.writeBigUInt64LE(BigInt(id as number), i * 24 + 4);
    });
    writeFileSync(file, buf);
    const t = await prepareTrace(pattern(file, { timing: 'timestamps', timeUnitMs: 1000 }), 4096);
    const s = new TraceStream(t, { loop: false });
    expect([s.peekTimeMs(), s.next(), s.peekTimeMs(), s.next(), s.peekTimeMs(), s.next()]).toEqual([
      0, 0, 2000, 1, 4000, 0,
    ]);
  });

  it('a sampled replay keeps the references of hash-sampled pages, renumbered densely', async () => {
    const file = 'test/fixtures/traces/lirs-multi1.txt';
    const whole = (await loadTrace(file)).stream;
    const t = await prepareTrace(pattern(file), 4096);
    const s = new TraceStream(t, { loop: false, sampleRate: 0.25, seed: 9 });
    const map = new Map<number, number>();
    const expected: number[] = [];
    for (const id of whole) {
      if (hash32(id, 9) >= 0.25 * 4294967296) continue;
      if (!map.has(id)) map.set(id, map.size);
      expected.push(map.get(id) as number);
    }
    expect(s.pages).toBe(map.size);
    expect(s.pages / 2606).toBeGreaterThan(0.2);
    expect(s.pages / 2606).toBeLessThan(0.3);
    expect(Array.from(take(s, expected.length))).toEqual(expected);
    expect(s.next()).toBe(-1);
  });

  it('an unreadable trace is reported at the pattern in the scenario', async () => {
    const file = join(dir, 'untimed.csv');
    writeFileSync(file, 'obj_id,size\n1,10\n2,10\n');
    await expect(prepareTrace(pattern(file, { timing: 'timestamps', timeUnitMs: 1 }), 4096)).rejects.toThrow(
      /^scenario\.yaml:7:13: trace .*untimed\.csv: the trace has no time column: name it with read\.timeCol/,
    );
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'obj_id,size\n1,10\nx,10\n');
    // The reader's flags become the scenario's fields.
    await expect(prepareTrace(pattern(bad), 4096)).rejects.toThrow(
      'scenario.yaml:7:13: trace ' +
        `${bad}: bad.csv:3: id is not an integer (decimal or 0x-hex): "x,10" (use read.lenient to skip malformed lines)`,
    );
  });
});

describe('reading a trace in chunks', () => {
  it('never holds more than a chunk of references, however long the trace', async () => {
    const file = join(dir, 'long.txt');
    const n = 3_000_000;
    const lines = new Array<string>(n);
    for (let i = 0; i < n; i++) lines[i] = String(1_000_000 + ((i * 7919) % 5_000_000));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const sizes: number[] = [];
    const info = await streamTrace(file, {}, false, (ids) => sizes.push(ids.length));
    expect(info.references).toBe(n);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
    // The reader takes 6 MiB of the file at a time, 8 bytes a line: at most 786,432 references
    // in hand, of 3 million; the replay's window is smaller still.
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(786_432);
    expect(TRACE_WINDOW).toBeLessThan(786_432);
  });
});

describe('prepareWorkloads', () => {
  const scenario = (memory: string) => `name: t
duration: 1m
host: { ram: 1Gi, cpus: 1 }
processes:
  db:
    ${memory}
    access: { pattern: trace, file: traces/lirs-multi1.txt }
`;

  it("sizes a region by its trace's distinct pages", async () => {
    const { variants } = loadScenarioText(scenario(''), 'test/fixtures/t.yaml');
    const [v] = await prepareWorkloads(variants);
    const p = v?.scenario.processes[0];
    expect(p?.memory.anonBytes).toBe(2606 * 4096);
    expect(p?.memory.anonInitialBytes).toBe(2606 * 4096);
    const pattern = p?.access[0]?.pattern;
    expect(pattern?.kind === 'trace' && pattern.prepared?.distinctPages).toBe(2606);
    // The loaded variant itself is left as it was.
    expect(variants[0]?.scenario.processes[0]?.memory.anonBytes).toBe(0);
  });

  it('refuses a given region too small for the trace, at its position', async () => {
    const { variants } = loadScenarioText(scenario('memory: { anon: 8Mi }'), 'test/fixtures/t.yaml');
    await expect(prepareWorkloads(variants)).rejects.toThrow(
      'test/fixtures/t.yaml:7:37: the trace has 2606 distinct pages, more than memory.anon holds (2048 pages of 4096 bytes): raise it, or leave it out to size the region by the trace',
    );
  });
});
