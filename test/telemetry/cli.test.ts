import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './load.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
let dir: string;

function faultline(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // test/global-setup.ts has built dist/ if it was stale.
  expect(existsSync(MAIN)).toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'faultline-import-'));
});

describe('faultline import', () => {
  it('writes the normalised CSV to stdout and notes to stderr', () => {
    const r = faultline('import', 'vmstat', join(FIXTURES, 'vmstat-t-thrash.txt'));
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^time,t_s,runnable_procs,blocked_procs,swap_used_bytes,free_bytes,/);
    expect(lines[1]).toMatch(/^2026-03-14T02:00:05\.000Z,0,3,1,236783616,9055764480,/);
    expect(lines).toHaveLength(26);
    expect(r.stderr).toMatch(/faultline: note: line 3: dropped vmstat's first sample/);
  });

  it('writes --out and reports what it wrote', () => {
    const out = join(dir, 'psi.csv');
    const r = faultline('import', 'psi', join(FIXTURES, 'psi-epoch.txt'), '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/wrote 3 rows × 8 series to/);
    expect(readFileSync(out, 'utf8').split('\n')[2]).toBe(
      '2026-03-14T02:00:10.000Z,10,12.51,3.2,0.71,8.04,2.01,0.44,12.5,8',
    );
  });

  it('reads its own CSV back (kind csv): the same bytes out', () => {
    const out = join(dir, 'vmstat.csv');
    expect(faultline('import', 'vmstat', join(FIXTURES, 'vmstat-t-thrash.txt'), '--out', out).code).toBe(0);
    const again = faultline('import', 'csv', out);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(readFileSync(out, 'utf8'));
  });

  it('exits 2 on a malformed line, naming file, line and content; --lenient skips and counts', () => {
    const file = join(dir, 'bad-vmstat.txt');
    const lines = readFileSync(join(FIXTURES, 'vmstat-t-thrash.txt'), 'utf8').split('\n');
    lines[5] = `${lines[5]} 17`;
    lines[9] = 'Killed';
    writeFileSync(file, lines.join('\n'));
    const strict = faultline('import', 'vmstat', file);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(`${file}:6: expected 17 unsigned integers and a timestamp: ${lines[5]?.trim()}`);
    const lenient = faultline('import', 'vmstat', file, '--lenient');
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(`warning: skipped 2 malformed line(s) in ${file}: line 6, 10`);
    expect(lenient.stdout.trimEnd().split('\n')).toHaveLength(24);
  });

  it('exits 2 on an unknown kind, an empty file, a missing file and a bad --start', () => {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    expect(faultline('import', 'sra', empty).stderr).toMatch(/unknown import kind 'sra' \(did you mean 'sar'\?\)/);
    expect(faultline('import', 'sar', empty)).toMatchObject({
      code: 2,
      stderr: `faultline: ${empty}: file is empty\n`,
    });
    expect(faultline('import', 'sar', join(dir, 'nope.txt'))).toMatchObject({ code: 2 });
    const r = faultline('import', 'vmstat', join(FIXTURES, 'vmstat-plain.txt'), '--start', 'yesterday');
    expect(r).toMatchObject({
      code: 2,
      stderr: "faultline: --start 'yesterday' is not an ISO 8601 time or epoch seconds\n",
    });
  });

  it('takes --start and --interval for vmstat without -t', () => {
    const r = faultline(
      'import',
      'vmstat',
      join(FIXTURES, 'vmstat-plain.txt'),
      '--start',
      '2026-03-14T02:00:05Z',
      '--interval',
      '5',
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[3]).toMatch(/^2026-03-14T02:00:15\.000Z,10,/);
  });
});
