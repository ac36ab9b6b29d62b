import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrace, type TraceOptions } from '../../src/traces/load.js';
import { InputError } from '../../src/util/errors.js';

const FIX = new URL('../fixtures/traces/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fl-traces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Uint8Array, name = `t${n++}.txt`): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function ids(content: string | Uint8Array, opts: TraceOptions = {}, name?: string): Promise<number[]> {
  return [...(await loadTrace(file(content, name), opts)).stream];
}

async function failure(content: string, opts: TraceOptions = {}): Promise<string> {
  const p = file(content, 'bad.txt');
  const err = await loadTrace(p, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return (err as Error).message;
}

/** An oracleGeneral file: 24-byte records (uint32 time, uint64 id, uint32 size, int64 next). */
function oracle(records: [number, bigint, number][]): Buffer {
  const b = Buffer.alloc(24 * records.length);
  records.forEach(([t, id, size], i) => {
    b.writeUInt32LE(t, 24 * i);
    b.writeBigUInt64LE(id, 24 * i + 4);
    b.writeUInt32LE(size, 24 * i + 12);
    b.writeBigInt64LE(-1n, 24 * i + 16);
  });
  return b;
}

describe('text traces', () => {
  it('reads the LIRS multi1 fixture: one id per line', async () => {
    const t = await loadTrace(join(FIX, 'lirs-multi1.txt'));
    expect(t.info).toMatchObject({ format: 'txt', references: 15858, distinctPages: 2606, records: 15858 });
    expect(t.stream[0]).toBe(0);
  });

  it('maps ids to dense pages in order of first appearance', async () => {
    expect(await ids('700\n5\n700\n9\n5\n')).toEqual([0, 1, 0, 2, 1]);
  });

  it('reads a last line without a newline, and CRLF line ends', async () => {
    expect(await ids('1\n2\n3')).toEqual([0, 1, 2]);
    expect(await ids('1\r\n2\r\n1\r\n')).toEqual([0, 1, 0]);
  });

  it('skips a header line when told to', async () => {
    expect(await ids('page\n5\n6\n5\n', { header: true })).toEqual([0, 1, 0]);
  });

  it('counts blank lines instead of treating them as references', async () => {
    const t = await loadTrace(file('1\n\n2\n\n'));
    expect(t.info.references).toBe(2);
    expect(t.info.blankLines).toBe(2);
  });

  it('keeps 64-bit ids apart beyond 2^53, where doubles would merge them', async () => {
    expect(await ids('18446744073709551615\n18446744073709551614\n9007199254740993\n9007199254740992\n')).toEqual([
      0, 1, 2, 3,
    ]);
    expect(await ids('18446744073709551615\n0xffffffffffffffff\n')).toEqual([0, 0]);
  });

  it('takes ids of any width: past 64 bits they are keyed by their value', async () => {
    const two64 = '18446744073709551616';
    expect(await ids(`${two64}\n0x10000000000000000\n${two64}1\n000${two64}\n`)).toEqual([0, 0, 1, 0]);
    const sha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect(await ids(`${sha}\n${sha.toUpperCase()}\nff\n0${sha}\n`, { ids: 'hex' })).toEqual([0, 0, 1, 0]);
  });

  it('reads 0x-hex ids in auto mode and bare hex with ids=hex', async () => {
    expect(await ids('0x10\n16\n0X1F\n31\n')).toEqual([0, 0, 1, 1]);
    expect(await ids('ff\nFF\n00ff\nabcdef0123456789\n', { ids: 'hex' })).toEqual([0, 0, 0, 1]);
  });

  it('takes any text as an id with ids=string', async () => {
    expect(await ids('alpha\nbeta\nalpha\n', { ids: 'string' })).toEqual([0, 1, 0]);
  });

  it('stops at a malformed line with file, line number and content', async () => {
    expect(await failure('1\n2\nx3\n4\n')).toBe(
      'bad.txt:3: id is not an integer (decimal or 0x-hex): "x3" (use --lenient to skip malformed lines)',
    );
    expect(await failure('1\n184467440737095516160x\n')).toBe(
      'bad.txt:2: id is not an integer (decimal or 0x-hex): "184467440737095516160x" (use --lenient to skip malformed lines)',
    );
    expect(await failure('12\nzz\n', { ids: 'hex' })).toBe(
      'bad.txt:2: id is not a hex integer: "zz" (use --lenient to skip malformed lines)',
    );
  });

  it('with lenient, counts, reports and skips malformed lines', async () => {
    const t = await loadTrace(file('1\n-2\n3\nabc\n1'), { lenient: true });
    expect([...t.stream]).toEqual([0, 1, 0]);
    expect(t.info.malformed.count).toBe(2);
    expect(t.info.malformed.examples[0]).toMatch(/:2: id is not an integer \(decimal or 0x-hex\): "-2"$/);
    expect(t.info.malformed.examples[1]).toMatch(/:4: id is not an integer \(decimal or 0x-hex\): "abc"$/);
  });

  it('carries lines across read chunks (a file larger than one 4 MiB chunk)', async () => {
    const count = 700_000;
    const parts: string[] = [];
    for (let i = 0; i < count; i++) parts.push(String((i * 7919) % 100_003));
    const t = await loadTrace(file(parts.join('\n')));
    expect(t.info.references).toBe(count);
    const firstSeen = new Map<string, number>();
    for (const p of parts) if (!firstSeen.has(p)) firstSeen.set(p, firstSeen.size);
    expect(t.info.distinctPages).toBe(firstSeen.size);
    for (const i of [0, 1, 123_456, 524_287, 524_288, 699_999]) {
      expect(t.stream[i]).toBe(firstSeen.get(parts[i] as string));
    }
  });
});

describe('gzip', () => {
  it('detects gzip by its magic bytes, whatever the name', async () => {
    const text = Array.from({ length: 300_000 }, (_, i) => String(i % 5000)).join('\n');
    const plain = await ids(text);
    const gz = await loadTrace(file(gzipSync(text), 'trace.dat'));
    expect(gz.info.compression).toBe('gzip');
    expect([...gz.stream]).toEqual(plain);
  });

  it('reports corrupt gzip data as an input error', async () => {
    const gz = gzipSync('1\n2\n3\n');
    const err = await loadTrace(file(gz.subarray(0, 12), 'cut.gz')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/gzip data is corrupt/);
  });
});

describe('CSV', () => {
  it('finds the id column by header name and records the time range', async () => {
    const t = await loadTrace(file('time,obj_id\n0,10\n0,11\n1,10\n', 'z.csv'));
    expect([...t.stream]).toEqual([0, 1, 0]);
    expect(t.info).toMatchObject({
      format: 'csv',
      columns: { key: 'obj_id', time: 'time' },
      timeFirst: 0,
      timeLast: 1,
    });
  });

  it('reads lines the straight-line loop does not take (hex, CRLF, malformed) with the same rules, from where it stopped', async () => {
    const text = 'time,obj_id\n5,10\n6,11\n7,0x0a\n8,12\r\n9,11\n10,x\n11,12\n';
    const t = await loadTrace(file(text, 'mixed.csv'), { lenient: true });
    expect([...t.stream]).toEqual([0, 1, 0, 2, 1, 2]);
    expect(t.info).toMatchObject({ references: 6, records: 7, timeFirst: 5, timeLast: 11 });
    expect(t.info.malformed.examples).toEqual(['mixed.csv:7: id is not an integer (decimal or 0x-hex): "10,x"']);
    const swapped = await loadTrace(file('obj_id,time\n10,5\n11,6\n10,7.5\n12,8\n', 'swapped.csv'));
    expect([...swapped.stream]).toEqual([0, 1, 0, 2]);
    expect(swapped.info).toMatchObject({ timeFirst: 5, timeLast: 8 });
    // The straight-line loop steps over the time digits and reads the first and last time from their lines.
    for (const [name, text] of [
      ['tid.csv', 'time,obj_id\n120,70\n3456,8\n98765,70\n'],
      ['idt.csv', 'obj_id,time\n70,120\n8,3456\n70,98765\n'],
    ]) {
      const exact = await loadTrace(file(text!, name!));
      expect([...exact.stream]).toEqual([0, 1, 0]);
      expect(exact.info).toMatchObject({ references: 3, timeFirst: 120, timeLast: 98765 });
    }
    // 16 digits leave the straight-line loop for the field loop, which keys them by value.
    expect(await ids('7\n1234567890123456\n7\n1234567890123456\n')).toEqual([0, 1, 0, 1]);
    expect(await failure('1\n2\n3\n4\n5\n6x\n')).toBe(
      'bad.txt:6: id is not an integer (decimal or 0x-hex): "6x" (use --lenient to skip malformed lines)',
    );
  });

  it('takes columns by name or 1-based number, with or without a header', async () => {
    const csv = 'version,time,op,size,lbn\n1,5,2a,512,42\n1,6,28,4096,43\n1,7,28,512,42\n';
    expect(await ids(csv, { idColumn: 'lbn' }, 'a.csv')).toEqual([0, 1, 0]);
    expect(await ids(csv, { idColumn: 5 }, 'b.csv')).toEqual([0, 1, 0]);
    expect(await ids('7;a\n8;b\n7;c\n', { delimiter: ';', idColumn: 1 }, 'c.csv')).toEqual([0, 1, 0]);
  });

  it('explains a misspelled or missing column', async () => {
    const p = file('time,obj_id\n0,1\n', 'h.csv');
    await expect(loadTrace(p, { idColumn: 'objid' })).rejects.toThrow(
      '--id-col "objid" is not a column (did you mean "obj_id"?); columns: time, obj_id',
    );
    await expect(loadTrace(file('a,b\n1,2\n', 'n.csv'))).rejects.toThrow(/name it with --id-col \(columns: 1=a, 2=b\)/);
    expect(await failure('time,obj_id\n0,1\n1\n')).toBe(
      'bad.txt:3: missing column 2 (line has 1): "1" (use --lenient to skip malformed lines)',
    );
    expect(await failure('time,obj_id\n0,1\nsoon,2\n')).toBe(
      'bad.txt:3: time is not a number: "soon,2" (use --lenient to skip malformed lines)',
    );
  });

  it('reads quoted CSV through csv-parse, delimiters inside quotes included', async () => {
    const t = await loadTrace(file('"name","page"\n"a,b","5"\n"c","6"\n"d ""x""","5"\n', 'q.csv'), {
      idColumn: 'page',
    });
    expect([...t.stream]).toEqual([0, 1, 0]);
  });
});

describe('block traces (MSR Cambridge)', () => {
  const msr = join(FIX, 'msr-cambridge1-sample.csv');

  it('keys each request by its start offset, as cache simulators do', async () => {
    const t = await loadTrace(msr);
    const ref = await loadTrace(join(FIX, 'msr-cambridge1-sample.offset.txt'));
    expect(t.info).toMatchObject({ format: 'msr', keyedBy: 'offset', references: 1000, distinctPages: 713 });
    expect([...t.stream]).toEqual([...ref.stream]);
  });

  it('expands each request into the 4 KiB pages it covers', async () => {
    const t = await loadTrace(msr, { expandPages: true });
    const ref = await loadTrace(join(FIX, 'msr-cambridge1-sample.page4k.txt'));
    expect(t.info).toMatchObject({ keyedBy: 'pages', references: 2473, distinctPages: 1917, pageSize: 4096 });
    expect([...t.stream]).toEqual([...ref.stream]);
  });

  it('keeps only the chosen operations, counting the rest', async () => {
    const t = await loadTrace(msr, { ops: ['Read'] });
    expect(t.info).toMatchObject({ references: 508, filteredRecords: 492 });
  });

  it('expands sector-numbered offsets with an offset unit', async () => {
    // lbn 7 × 512 B = byte 3584, and 1024 bytes reach byte 4607: pages 0 and 1. lbn 8 is
    // byte 4096 (page 1); lbn 16 with 4096 bytes is exactly page 2.
    const csv = 'time,lbn,size\n0,7,1024\n1,8,512\n2,16,4096\n';
    const t = await loadTrace(file(csv, 's.csv'), { expandPages: true, offsetUnit: 512 });
    expect([...t.stream]).toEqual([0, 1, 1, 2]);
  });

  it('expands offsets past 2^53 exactly', async () => {
    // 2^64 - 8192 and its hex spelling: pages 2^52 - 2 and 2^52 - 1, which doubles cannot tell apart.
    const csv = 'offset,size\n18446744073709543424,8192\n0xFFFFFFFFFFFFF000,1\n9007199254740992,1\n';
    const t = await loadTrace(file(csv, 'w.csv'), { expandPages: true });
    expect([...t.stream]).toEqual([0, 1, 1, 2]);
  });

  it('rejects a request of size 0 when expanding', async () => {
    expect(await failure('offset,size\n0,4096\n4096,0\n', { expandPages: true })).toBe(
      'bad.txt:3: size must be at least 1 byte: "4096,0" (use --lenient to skip malformed lines)',
    );
  });
});

describe('oracleGeneral binary', () => {
  it('reads 64-bit ids from packed records, also gzipped', async () => {
    const big = (1n << 63n) + 5n;
    const b = oracle([
      [10, 42n, 4096],
      [11, big, 512],
      [12, 42n, 4096],
      [13, big + (1n << 32n), 512],
    ]);
    const t = await loadTrace(file(b, 'x.oracleGeneral.bin'));
    expect([...t.stream]).toEqual([0, 1, 0, 2]);
    expect(t.info).toMatchObject({ format: 'oracleGeneral', timeFirst: 10, timeLast: 13, records: 4 });
    const gz = await loadTrace(file(gzipSync(b), 'x.bin.gz'));
    expect([...gz.stream]).toEqual([0, 1, 0, 2]);
  });

  it('refuses options that only apply to text traces', async () => {
    const p = file(oracle([[1, 1n, 1]]), 'o.oracleGeneral.bin');
    await expect(loadTrace(p, { expandPages: true, idColumn: 2 })).rejects.toThrow(
      '--id-col, --expand-pages do not apply to oracleGeneral records',
    );
  });

  it('refuses a truncated record', async () => {
    const b = oracle([[1, 1n, 1]]);
    await expect(loadTrace(file(b.subarray(0, 30 - 6 - 1), 'cut.oracleGeneral'))).rejects.toThrow(
      /truncated oracleGeneral record at byte 0 \(23 of 24 bytes\)/,
    );
  });
});

describe('shared traces (skipped when ../shared is absent)', () => {
  const shared = new URL('../../../shared/traces/', import.meta.url).pathname;
  const present = existsSync(shared);
  it.skipIf(!present)('reads the three CloudPhysics encodings as the same stream', async () => {
    const csv = await loadTrace(join(shared, 'cloudPhysicsIO.csv'));
    const txt = await loadTrace(join(shared, 'cloudPhysicsIO.txt'));
    const bin = await loadTrace(join(shared, 'cloudPhysicsIO.oracleGeneral.bin'));
    for (const t of [csv, txt, bin]) expect(t.info).toMatchObject({ references: 113872, distinctPages: 48974 });
    expect(csv.stream).toEqual(txt.stream);
    expect(bin.stream).toEqual(txt.stream);
  });
});
