/**
 * The fast trace path: an oracleGeneral file replayed while a reader thread maps it, and
 * (policy, size) replays spread over threads sharing one stream, must give exactly the rows
 * of the plain sequential path; a read error stops the replay threads and is the error
 * reported. Also the trace result contract's reader (result/trace-compat.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFrameList } from '../../src/analysis/mrc-sizes.js';
import { canReplayWhileReading, replayTrace, replayWhileReading } from '../../src/engine/replay.js';
import { simulate } from '../../src/policies/simulate.js';
import { parseTraceResult, upgradeTraceResult } from '../../src/result/trace-compat.js';
import { loadTrace, streamableReferences } from '../../src/traces/load.js';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-pipeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** oracleGeneral records for `ids` (64-bit, given as hi/lo pairs), next-access fields -1. */
function oracleGeneral(ids: [number, number][]): Buffer {
  const b = Buffer.alloc(ids.length * 24);
  ids.forEach(([hi, lo], i) => {
    b.writeUInt32LE(i, i * 24);
    b.writeUInt32LE(lo, i * 24 + 4);
    b.writeUInt32LE(hi, i * 24 + 8);
    b.writeUInt32LE(1, i * 24 + 12);
    b.writeInt32LE(-1, i * 24 + 16);
    b.writeInt32LE(-1, i * 24 + 20);
  });
  return b;
}

/** 300,000 skewed references, some ids past 2^32, so several 6 MiB reads and hashed ids. */
function sampleFile(): { file: string; ids: [number, number][] } {
  const rng = new Rng(5);
  const ids: [number, number][] = Array.from({ length: 300_000 }, () => {
    const r = rng.nextInt(1000) < 900 ? rng.nextInt(2000) : rng.nextInt(60_000);
    return r % 7 === 0 ? [r, 12345] : [0, r];
  });
  const file = join(dir, 'sample.oracleGeneral.bin');
  writeFileSync(file, oracleGeneral(ids));
  return { file, ids };
}

describe('replay while reading (oracleGeneral pipeline)', () => {
  const { file } = sampleFile();
  const policies = ['lru', 'fifo', 'clock:bits=2:load=0', 'arc:p=real', 'sieve', 'lirs:hir=0.01:stack=2:hitq=demote'];
  const frames = parseFrameList('100,1000,5000');

  it('knows which files and requests can stream', () => {
    expect(streamableReferences(file)).toEqual({ references: 300_000, exact: true });
    expect(streamableReferences(join(dir, 'missing.bin'))).toBeUndefined();
    expect(canReplayWhileReading(policies, frames)).toBe(true);
    expect(canReplayWhileReading(['lru'], parseFrameList('10%'))).toBe(false);
    expect(canReplayWhileReading(['opt'], frames)).toBe(false);
  });

  it.each([1, 2, 3])('gives the sequential rows with %i thread(s)', async (threads) => {
    const plain = await loadTrace(file);
    const expected = policies.flatMap((p) =>
      frames.map((f) => {
        const frames = f.kind === 'frames' ? f.frames : 0;
        return simulate(p, plain.stream, frames, { warmup: 10, maxPageId: plain.info.distinctPages }).faults;
      }),
    );
    const { trace, rows } = await replayWhileReading(file, {}, 300_000, policies, frames, { warmup: 10, threads });
    expect(rows.map((r) => r.faults)).toEqual(expected);
    expect(rows.every((r) => r.references === 300_000 - 10)).toBe(true);
    expect(trace.info.distinctPages).toBe(plain.info.distinctPages);
    expect(Array.from(trace.stream.subarray(0, 1000))).toEqual(Array.from(plain.stream.subarray(0, 1000)));
    const shared = await loadTrace(file, { sharedStream: true });
    expect(shared.stream.buffer).toBeInstanceOf(SharedArrayBuffer);
    const parallel = await replayTrace(shared, policies, frames, { warmup: 10, threads });
    expect(parallel).toEqual(rows);
  });

  it('reports the reader error (exit 2 kind), not a replay thread failure', async () => {
    const bad = join(dir, 'bad.oracleGeneral.bin');
    writeFileSync(bad, oracleGeneral(Array.from({ length: 10 }, (_, i) => [0, i])));
    const p = replayWhileReading(bad, { header: true }, 10, ['lru'], parseFrameList('4'), { threads: 2 });
    await expect(p).rejects.toThrow(InputError);
    await expect(p).rejects.toThrow(/--header do not apply to oracleGeneral/);
  });
});

describe('replay while reading a text trace', () => {
  // 300,000 `time,id` lines, some ids past 2^32 and in hex, a CRLF line, a blank line and a malformed line.
  const rng = new Rng(9);
  const lines = ['time,obj_id'];
  for (let i = 0; i < 300_000; i++) {
    const r = rng.nextInt(1000) < 900 ? rng.nextInt(2000) : rng.nextInt(60_000);
    lines.push(`${i >> 4},${r % 11 === 0 ? `0x${(r * 2 ** 33).toString(16)}` : r}`);
  }
  lines[1000] = `${lines[1000]}\r`;
  lines[2000] = '';
  lines[3000] = '187,abc';
  const file = join(dir, 'sample.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const policies = ['lru', 'fifo', 's3fifo', 'arc'];
  const frames = parseFrameList('100,5000');

  it('is bounded by one reference per two bytes, and never for policies that fill per-page state', () => {
    expect(streamableReferences(file)).toBeUndefined();
    const bound = streamableReferences(file, { minStreamedTextBytes: 0 });
    expect(bound?.exact).toBe(false);
    expect(bound!.references).toBeGreaterThanOrEqual(300_000);
    expect(streamableReferences(file, { expandPages: true })).toBeUndefined();
    expect(canReplayWhileReading(['lru', 'lfu'], frames, false)).toBe(false);
    expect(canReplayWhileReading(['lru', 'lfu'], frames, true)).toBe(true);
  });

  it.each([1, 2])('gives the sequential rows and trace with %i thread(s)', async (threads) => {
    const options = { lenient: true };
    const plain = await loadTrace(file, options);
    expect(plain.info.references).toBe(299_998);
    const expected = policies.flatMap((p) =>
      frames.map((f) => {
        const frames = f.kind === 'frames' ? f.frames : 0;
        return simulate(p, plain.stream, frames, { warmup: 10, maxPageId: plain.info.distinctPages }).faults;
      }),
    );
    const bound = streamableReferences(file, { minStreamedTextBytes: 0 })!.references;
    const { trace, rows } = await replayWhileReading(file, options, bound, policies, frames, { warmup: 10, threads });
    expect(rows.map((r) => r.faults)).toEqual(expected);
    expect(rows.every((r) => r.references === 299_998 - 10)).toBe(true);
    expect(trace.info).toEqual(plain.info);
    expect(Array.from(trace.stream)).toEqual(Array.from(plain.stream));
  });
});

describe('trace result contract (result/trace.ts)', () => {
  const result = {
    schema: 'faultline/trace-result@1',
    command: 'replay',
    trace: { references: 3 },
    warmup: 0,
    rows: [],
    curves: [],
  };

  it('reads version 1 and refuses newer, foreign and pre-version files with a reason', () => {
    expect(parseTraceResult(JSON.stringify(result)).command).toBe('replay');
    expect(() => upgradeTraceResult({ ...result, schema: 'faultline/trace-result@9' }, 'x.json')).toThrow(
      /x\.json: written as trace result version 9; this faultline reads up to 1/,
    );
    expect(() => upgradeTraceResult([{ policy: 'lru' }], 'old.json')).toThrow(/old\.json: a bare list of replay rows/);
    expect(() => upgradeTraceResult({ ...result, rows: 3 }, 'r.json')).toThrow(
      /field "rows" is missing or has the wrong type/,
    );
    expect(() => parseTraceResult('{', 'broken.json')).toThrow(/broken\.json: not valid JSON/);
  });
});
