import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Shards as a CI matrix runs them: separate processes of the built CLI (`npm test` builds
 * first), merged, compared with one run of the whole sweep on one machine.
 */
const run = promisify(execFile);
const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const SCENARIO = new URL('../engine/fixtures/tiny-sweep.yaml', import.meta.url).pathname;
// The first four of its six variants: enough for uneven shards, and half the run time.
const VARIANTS = [
  '--variant',
  'max-max_swappiness-60',
  'max-max_swappiness-10',
  'max-512Mi_swappiness-60',
  'max-512Mi_swappiness-10',
];

async function cli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], {
      cwd,
      env: { ...process.env, CI: 'true' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

describe('run --shard K/3 in three processes, then merge', () => {
  let tmp: string;
  let single: Awaited<ReturnType<typeof cli>>;
  let shards: Awaited<ReturnType<typeof cli>>[];
  let merged: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
    tmp = mkdtempSync(join(tmpdir(), 'faultline-shards-'));
    [single, ...shards] = await Promise.all([
      cli(tmp, 'run', SCENARIO, ...VARIANTS, '--out', 'single', '--jobs', '1'),
      ...[1, 2, 3].map((k) =>
        cli(tmp, 'run', SCENARIO, ...VARIANTS, '--out', `s${k}`, '--shard', `${k}/3`, '--jobs', '1', '--no-exit-code'),
      ),
    ]);
    merged = await cli(tmp, 'merge', 's1', 's2', 's3', '--out', 'merged');
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('deals the variants out round-robin', () => {
    for (const s of shards) expect(s.code, s.stderr).toBe(0);
    const counts = [1, 2, 3].map(
      (k) => readdirSync(join(tmp, `s${k}`, 'tiny-sweep')).filter((f) => !f.includes('.')).length,
    );
    expect(counts).toEqual([2, 1, 1]);
  });

  it('merges into the same files as the single run, byte for byte apart from the date', () => {
    expect(merged.stderr).toBe('');
    expect(merged.stdout).toContain('merged 4 variants of 1 scenario from 3 folders');
    const a = join(tmp, 'single');
    const b = join(tmp, 'merged');
    expect(files(b)).toEqual(files(a));
    const results = files(a).filter((f) => f.endsWith('result.json'));
    expect(results).toHaveLength(4);
    for (const f of results) expect(readFileSync(join(b, f), 'utf8'), f).toBe(readFileSync(join(a, f), 'utf8'));
    const undated = (f: string) => {
      const m = JSON.parse(readFileSync(f, 'utf8'));
      expect(m.generatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      return { ...m, generatedAt: '' };
    };
    const manifest = join('tiny-sweep', 'manifest.json');
    expect(undated(join(b, manifest))).toEqual(undated(join(a, manifest)));
    for (const f of files(a).filter((f) => /(summary\.md|junit\.xml|timeseries\.csv|[^/]+\/report\.html)$/.test(f))) {
      expect(readFileSync(join(b, f), 'utf8'), f).toBe(readFileSync(join(a, f), 'utf8'));
    }
  });

  it('exits like the single run: 1, because checks fail in some variants', () => {
    expect(single.code, single.stderr).toBe(1);
    expect(merged.code).toBe(1);
  });

  it('refuses to merge a shard twice, writing nothing', async () => {
    const again = await cli(tmp, 'merge', 's1', 's1', '--out', 'twice');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/variant tiny-sweep\/\S+ is in two shards/);
    expect(existsSync(join(tmp, 'twice'))).toBe(false);
  });
});
