/**
 * Issue #16 items 6, 7 and 12 (mrc): frame counts past the trace's pages, lines past the
 * text reader's bound, and RAM/target values that are zero or negative. Each is a clean
 * exit 2 with a message naming what was wrong, or (for huge frame counts) the same counts
 * as a cache holding every page.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/policies/simulate.js';
import { loadTrace } from '../../src/traces/load.js';
import { MAX_LINE_BYTES } from '../../src/traces/text-scanner.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const TRACE = join(ROOT, 'test/fixtures/traces/lirs-multi1.txt');
const dir = mkdtempSync(join(tmpdir(), 'fl-bounds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  expect(existsSync(CLI)).toBe(true);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('frame counts far past the page count (#16 item 6)', () => {
  it('opt, lfu and random give the every-page-fits counts at 10^12 frames instead of a RangeError', () => {
    const r = run('replay', TRACE, '--policy', 'opt,lfu,random,lru', '--frames', '1000000000000', '--format', 'csv');
    expect(r.stderr).not.toMatch(/RangeError|internal error|\n\s+at /);
    expect(r.code).toBe(0);
    // Only first references fault when every one of the 2,606 pages fits.
    const faults = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[4]);
    expect(faults).toEqual(['2606', '2606', '2606', '2606']);
  });

  it('simulate allocates by resident pages, not by frames asked for', () => {
    const stream = Int32Array.from([0, 1, 2, 0, 1, 2, 3]);
    for (const spec of ['opt', 'lfu', 'random']) expect(simulate(spec, stream, 2 ** 40).faults).toBe(4);
  });
});

describe('text trace line bound (#16 item 7)', () => {
  it('stops at a line past the bound with file and line, even when lenient, within seconds', async () => {
    const file = join(dir, 'long.txt');
    writeFileSync(file, `1\n2\n${'7'.repeat(MAX_LINE_BYTES * 6)}\n3\n`);
    const t0 = Date.now();
    await expect(loadTrace(file, { lenient: true })).rejects.toThrow(/^long\.txt:3: line longer than 1 MiB/);
    const r = run('replay', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultline: long\.txt:3: line longer than 1 MiB \(the limit for a text trace line\)/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('holds for a long line inside one read chunk and for quoted CSV', async () => {
    const file = join(dir, 'long.csv');
    writeFileSync(file, `id,name\n1,a\n2,${'b'.repeat(MAX_LINE_BYTES + 10)}\n`);
    await expect(loadTrace(file)).rejects.toThrow(/^long\.csv:3: line longer than 1 MiB/);
    const quoted = join(dir, 'quoted.csv');
    writeFileSync(quoted, `id,name\n1,"a"\n2,"${'b'.repeat(MAX_LINE_BYTES + 10)}"\n`);
    await expect(loadTrace(quoted)).rejects.toThrow(/^quoted\.csv:\d+: /);
  });

  it('accepts a line just under the bound', async () => {
    const file = join(dir, 'wide.csv');
    writeFileSync(file, `id,pad\n1,${'p'.repeat(MAX_LINE_BYTES - 10)}\n2,x\n`);
    const t = await loadTrace(file);
    expect(t.info.references).toBe(2);
  });
});

describe('mrc --ram and --target values (#16 item 12)', () => {
  it.each([
    [['--ram', '0'], '--ram "0" is less than one frame'],
    [['--ram', '100B'], '--ram "100B" is less than one frame'],
    [['--ram', '-1Gi'], '--ram "-1Gi" is negative'],
    [['--ram', '-5'], '--ram "-5" is negative'],
    [['--target', '-1%'], '--target "-1%" must be a fault ratio in [0, 1]'],
    [['--target', '-0.5'], '--target "-0.5" must be a fault ratio in [0, 1]'],
    [['--target'], '--target needs a value'],
  ])('mrc %j exits 2: %s', (args, message) => {
    const r = run('mrc', TRACE, ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('Unknown arguments');
  });

  it('still takes valid values', () => {
    const r = run('mrc', TRACE, '--ram', '1Mi', '--target', '20%', '--format', 'json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.ram).toEqual({ frames: 256, given: '1Mi' });
    expect(result.target).toBe(0.2);
  });
});
