/**
 * Property/fuzz suite over the trace readers (issue #16): arbitrary bytes, mutated valid
 * traces and truncated binaries never produce a stack trace or an internal error. Either
 * the read succeeds with a consistent result (dense ids 0..distinct-1, first appearances in
 * order), or it fails with an InputError whose message names the file (and, for text, the
 * line). The built CLI on the same inputs exits 0 or 2, never 3.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrace, type TraceOptions } from '../../src/traces/load.js';
import { InputError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-trace-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
let n = 0;

/** Reads `bytes` as a file named `name`; returns the outcome after checking its invariants. */
async function read(name: string, bytes: Uint8Array, options: TraceOptions = {}): Promise<'ok' | 'input-error'> {
  const file = join(dir, `${n++}-${name}`);
  writeFileSync(file, bytes);
  try {
    const t = await loadTrace(file, options);
    const { stream, info } = t;
    expect(stream.length).toBe(info.references);
    let next = 0;
    for (const id of stream) {
      expect(id).toBeGreaterThanOrEqual(0);
      expect(id).toBeLessThanOrEqual(next);
      if (id === next) next++;
    }
    expect(next).toBe(info.distinctPages);
    return 'ok';
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    // Names the file; a text reader's line errors also name the line.
    expect(err.message).toContain(`${n - 1}-${name}`);
    expect(err.message).not.toMatch(/\n\s+at /);
    return 'input-error';
  }
}

const textLine = fc.oneof(
  fc.nat({ max: 1e6 }).map(String),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map((b) => (Math.random() < 0.5 ? `0x${b.toString(16)}` : b.toString())),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', '\r', '-1', '1e3', '0x', '"7"', '7,8', ',', '\u0000', 'é'),
);

describe('trace readers under fuzzing', () => {
  it('text: any lines (numbers, hex, junk, blanks, CRs) read or fail with file:line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(textLine, { maxLength: 40 }), fc.boolean(), async (lines, lenient) => {
        const body = Buffer.from(lines.join('\n'));
        if (body.includes(0)) return; // a NUL byte makes it oracleGeneral: covered below
        const outcome = await read('t.txt', body, { lenient, format: 'txt' });
        if (outcome === 'input-error') expect(lenient && lines.every((l) => !l.includes('\u0000'))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('csv: rows of random fields with and without a header read or fail with file:line', async () => {
    const field = fc.oneof(fc.nat({ max: 1e9 }).map(String), fc.string({ maxLength: 6 }), fc.constant('"q,x"'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        async (rows, header) => {
          const text = `${header ? 'time,obj_id,size\n' : ''}${rows.map((r) => r.join(',')).join('\n')}\n`;
          if (text.includes('\u0000')) return;
          await read('c.csv', Buffer.from(text), { format: 'csv', lenient: rows.length % 2 === 0 });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('oracleGeneral: arbitrary and truncated records read or fail naming the file and byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 24 * 20 + 23 }), async (bytes) => {
        const outcome = await read('x.oracleGeneral.bin', bytes);
        expect(outcome).toBe(bytes.length % 24 === 0 ? 'ok' : 'input-error');
      }),
      { numRuns: 150 },
    );
  });

  it('gzip: corrupted compressed text fails as bad input, never as an internal error', async () => {
    const { gzipSync } = await import('node:zlib');
    const good = gzipSync(Buffer.from('1\n2\n3\n4\n'.repeat(50)));
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: good.length - 1 }), fc.nat({ max: 255 }), fc.boolean(), async (at, v, cut) => {
        const bytes = Buffer.from(good);
        bytes[at] = v;
        await read('g.txt', cut ? bytes.subarray(0, at + 1) : bytes);
      }),
      { numRuns: 120 },
    );
  });

  it('the CLI exits 0 or 2 on fuzzed traces, never with a stack trace', () => {
    const samples = fc.sample(fc.uint8Array({ maxLength: 200 }), { numRuns: 25, seed: 42 });
    for (const [i, bytes] of samples.entries()) {
      const file = join(dir, `cli-${i}.trace`);
      writeFileSync(file, bytes);
      const r = spawnSync(process.execPath, [CLI, 'replay', file, '--frames', '4'], { encoding: 'utf8' });
      expect([0, 2], r.stderr).toContain(r.status);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      if (r.status === 2) expect(r.stderr).toContain(`cli-${i}.trace`);
    }
  });
});
