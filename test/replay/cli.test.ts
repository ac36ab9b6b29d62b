import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTraceResult } from '../../src/result/trace-compat.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const FIX = join(ROOT, 'test/fixtures/traces');
const dir = mkdtempSync(join(tmpdir(), 'fl-cli-'));

beforeAll(() => {
  // test/global-setup.ts has rebuilt dist/ if any source was newer.
  expect(existsSync(CLI)).toBe(true);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('faultline replay (built CLI)', () => {
  it('prints the versioned trace result (the one mrc prints) with a row per policy and size as JSON', () => {
    const r = run(
      'replay',
      join(FIX, 'lirs-multi1.txt'),
      '--policy',
      'lru,clock',
      '--frames',
      '1%,10%,300',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const result = parseTraceResult(r.stdout, 'stdout');
    expect(result.schema).toBe('faultline/trace-result@1');
    expect(result.command).toBe('replay');
    expect(result.trace.references).toBe(15858);
    expect(result.curves).toEqual([]);
    const rows = result.rows as unknown as Record<string, unknown>[];
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['faultRatio', 'faults', 'frames', 'framesSpec', 'policy', 'references']);
      expect(row.references).toBe(15858);
    }
    expect(rows.map((x) => x.frames)).toEqual([26, 260, 300, 26, 260, 300]);
    expect(String(rows[3]?.policy)).toMatch(/^clock:/);
    expect(r.stderr).toContain('15858 references to 2606 distinct pages');
  });

  it('reads MSR block traces by start offset or expanded into pages', () => {
    const msr = join(FIX, 'msr-cambridge1-sample.csv');
    const keyed = JSON.parse(run('replay', msr, '--frames', '100', '--format', 'json').stdout);
    const pages = JSON.parse(run('replay', msr, '--frames', '100', '--format', 'json', '--expand-pages').stdout);
    expect(keyed.rows[0].references).toBe(1000);
    expect(pages.rows[0].references).toBe(2473);
  });

  it('writes --out atomically and renders HTML without scripts', () => {
    const out = join(dir, 'r.html');
    const r = run('replay', join(FIX, 'lirs-multi1.txt'), '--format', 'html', '--out', out, '--ram', '500');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
  });

  it('exits 2 with file and line on a malformed trace, and counts with --lenient', () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '1\n2\nnot-a-page\n3');
    const r = run('replay', bad, '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.txt:3: id is not an integer (decimal or 0x-hex): "not-a-page"');
    const ok = run('replay', bad, '--format', 'json', '--frames', '2', '--lenient');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).rows[0].references).toBe(3);
    expect(ok.stderr).toContain('skipped 1 malformed line(s)');
  });

  it('exits 2 on a missing file, an unknown policy and a bad size', () => {
    expect(run('replay', join(dir, 'nope.txt')).code).toBe(2);
    const pol = run('replay', join(FIX, 'lirs-multi1.txt'), '--policy', 'lruu');
    expect(pol.code).toBe(2);
    expect(pol.stderr).toContain('did you mean "lru"');
    expect(run('replay', join(FIX, 'lirs-multi1.txt'), '--frames', '0%').code).toBe(2);
  });
});

describe('faultline mrc (built CLI)', () => {
  it('prints the exact curve as JSON with RAM and the smallest size meeting the target', () => {
    const r = run('mrc', join(FIX, 'lirs-multi1.txt'), '--format', 'json', '--ram', '1000', '--target', '0.3');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.schema).toBe('faultline/trace-result@1');
    expect(res.ram).toEqual({ frames: 1000, given: '1000' });
    const [curve] = res.curves;
    expect(curve.method).toBe('exact-stack');
    expect(curve.points.some((p: { frames: number }) => p.frames === 1000)).toBe(true);
    expect(typeof curve.targetFrames).toBe('number');
  });

  it('states the SHARDS rate, and writes CSV', () => {
    const r = run('mrc', join(FIX, 'lirs-multi1.txt'), '--shards-rate', '0.5', '--format', 'json');
    expect(JSON.parse(r.stdout).curves[0]).toMatchObject({ method: 'shards-fixed-rate', rate: 0.5 });
    const csv = run(
      'mrc',
      join(FIX, 'lirs-multi1.txt'),
      '--frames',
      '10,100',
      '--policy',
      'lru,fifo',
      '--format',
      'csv',
    );
    expect(csv.stdout.split('\n')[0]).toBe('policy,method,frames,faults,fault_ratio');
    expect(csv.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('exits 2 on a bad trace', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'time,obj_id\n1,2\n2\n');
    const r = run('mrc', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.csv:3: missing column 2 (line has 1): "2"');
  });
});
