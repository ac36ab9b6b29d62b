/**
 * Issue 16 item 8: `import` read the whole file at once, and a 1 GB vmstat log failed with
 * ERR_STRING_TOO_LONG. Every importer now streams its file with stated limits (docs/import.md,
 * "Limits"), each refusal a clean exit 2 naming the file and the line.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TableBuilder } from '../../src/traces/telemetry/common.js';
import { importTelemetryFile } from '../../src/traces/telemetry/index.js';
import { MAX_LINE_BYTES, MAX_ROWS } from '../../src/traces/telemetry/lines.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'fl-import-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER =
  'procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu----- -----timestamp-----\n r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st                 UTC\n';

describe('import limits', () => {
  it('refuses a line over 64 KiB at that line, without assembling it', () => {
    const file = join(dir, 'long.txt');
    writeFileSync(file, `${HEADER}${'1 '.repeat(MAX_LINE_BYTES)}\n`);
    expect(() => importTelemetryFile('vmstat', file, { file: 'long.txt', lenient: true })).toThrow(
      'long.txt:3: line longer than 64 KiB; this is not the output of a telemetry tool (docs/import.md, "Limits")',
    );
  });

  it('refuses a table of more than MAX_ROWS samples, naming the line', () => {
    const position = { line: 0 };
    const table = new TableBuilder({ file: 'big.txt', position });
    for (let r = 0; r < MAX_ROWS; r++) table.touch(r * 1000);
    position.line = MAX_ROWS + 7;
    expect(() => table.touch(MAX_ROWS * 1000)).toThrow(
      `big.txt:${MAX_ROWS + 7}: more than ${MAX_ROWS.toLocaleString('en-US')} samples; cut the window of the incident out of the file first`,
    );
  });

  it('gives a 1 GiB file exit 2 with file and line within seconds, never ERR_STRING_TOO_LONG', () => {
    const file = join(dir, 'huge.log');
    // A sparse 1 GiB file after a real vmstat header: NUL bytes and no newline, as a log cut by a crash can be.
    writeFileSync(file, HEADER);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from('\n'), 0, 1, 2 ** 30 - 1);
    closeSync(fd);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [CLI, 'import', 'vmstat', file], { encoding: 'utf8' });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `faultline: ${file}:3: line longer than 64 KiB; this is not the output of a telemetry tool (docs/import.md, "Limits")\n`,
    );
  });

  it(`reads a ${MAX_ROWS.toLocaleString('en-US')}-sample vmstat log and refuses the next sample at its line`, () => {
    const file = join(dir, 'million.log');
    const fd = openSync(file, 'w');
    writeSync(fd, HEADER);
    const t0Ms = Date.UTC(2026, 0, 1);
    const chunk: string[] = [];
    // MAX_ROWS + 2 lines: vmstat's since-boot first line is dropped, so one sample too many remains.
    for (let i = 0; i < MAX_ROWS + 2; i++) {
      const t = new Date(t0Ms + i * 1000).toISOString().slice(0, 19).replace('T', ' ');
      chunk.push(` 1  0      0 21532492  43736 2380448    0    0     0     0  100  200  1  1 98  0  0 ${t}`);
      if (chunk.length === 50_000) {
        writeSync(fd, `${chunk.join('\n')}\n`);
        chunk.length = 0;
      }
    }
    writeSync(fd, `${chunk.join('\n')}\n`);
    closeSync(fd);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [CLI, 'import', 'vmstat', file, '--out', join(dir, 'million.csv')], {
      encoding: 'utf8',
    });
    // About 5 s of one idle core; the bound leaves room for a shared machine.
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `faultline: ${file}:${MAX_ROWS + 4}: more than ${MAX_ROWS.toLocaleString('en-US')} samples; cut the window of the incident out of the file first (docs/import.md, "Limits")\n`,
    );
  });
});
