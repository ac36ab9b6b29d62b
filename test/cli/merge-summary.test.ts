import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSetManifest } from '../../src/result/types.js';

/**
 * The last step of a sharded CI run is `merge`: it must say why the job is red as `run`
 * does (the check block) and write the job summary; a shard that got no variant must say
 * so and still leave a valid, explicit result set for the artefact upload and the merge.
 */
const run = promisify(execFile);
const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const SCENARIO = new URL('../engine/fixtures/tiny-sweep.yaml', import.meta.url).pathname;
// Two variants over three shards: shard 3 gets none. One passes its checks, one fails (faultCpuPct).
const VARIANTS = ['--variant', 'max-max_swappiness-60', 'max-512Mi_swappiness-60'];

async function cli(cwd: string, env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], {
      cwd,
      env: { ...process.env, CI: 'true', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('merge after shards, one of them empty', () => {
  let tmp: string;
  let single: Awaited<ReturnType<typeof cli>>;
  let shards: Awaited<ReturnType<typeof cli>>[];
  let merged: Awaited<ReturnType<typeof cli>>;
  const summaries = (name: string) => join(tmp, `${name}.md`);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'faultline-merge-summary-'));
    for (const f of ['single', 'merge', 's1', 's2', 's3']) writeFileSync(summaries(f), '');
    [single, ...shards] = await Promise.all([
      cli(tmp, { GITHUB_STEP_SUMMARY: summaries('single') }, 'run', SCENARIO, ...VARIANTS, '--out', 'single'),
      ...[1, 2, 3].map((k) =>
        cli(
          tmp,
          { GITHUB_STEP_SUMMARY: summaries(`s${k}`) },
          'run',
          SCENARIO,
          ...VARIANTS,
          '--out',
          `s${k}`,
          '--shard',
          `${k}/3`,
          '--no-exit-code',
        ),
      ),
    ]);
    merged = await cli(tmp, { GITHUB_STEP_SUMMARY: summaries('merge') }, 'merge', 's1', 's2', 's3', '--out', 'merged');
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('an empty shard says so and writes an explicit, empty result set', () => {
    const empty = shards[2]!;
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toContain(
      'shard 3/3: no variants (the 2 of the sweep went to the other shards); writing an empty result set',
    );
    const manifest = JSON.parse(readFileSync(join(tmp, 's3', 'tiny-sweep', 'manifest.json'), 'utf8')) as RunSetManifest;
    expect(manifest.entries).toEqual([]);
    expect(manifest.shard).toEqual({ index: 3, count: 3, sweepVariants: 2 });
    expect(readFileSync(join(tmp, 's3', 'index.html'), 'utf8')).toContain(
      'No variants: this is shard 3 of 3, and the 2 variants of the sweep went to the other shards.',
    );
    expect(readFileSync(summaries('s3'), 'utf8')).toContain('## faultline run: no variants');
  });

  it('merge prints the same check block and scenario line as a single run, and exits like it', () => {
    // --variant picked sweep positions 0 and 2: the merge notices the hole, as it should.
    expect(merged.stderr).toBe(
      'faultline: warning: tiny-sweep: no shard holds sweep position 1; is a shard missing?\n',
    );
    expect(merged.stdout).toContain('merged 2 variants of 1 scenario from 3 folders\n');
    const block = (out: string) => out.slice(out.indexOf('  ✗'), out.indexOf('report: '));
    expect(block(merged.stdout)).toBe(block(single.stdout));
    expect(block(merged.stdout)).toMatch(
      /✗ tiny-sweep\/max-512Mi_swappiness-60: host\.faultCpuPct: max < 15 \(observed max=[\d.]+%; [\d.]+% busy, [\d.]+% waiting\)/,
    );
    expect(block(merged.stdout)).toContain('checks: 3 passed, 1 failed');
    expect(merged.stdout).toMatch(/report: merged\/index\.html\n$/);
    expect(single.code).toBe(1);
    expect(merged.code).toBe(1);
  });

  it('merge writes GITHUB_STEP_SUMMARY with every variant, failures first', () => {
    const md = readFileSync(summaries('merge'), 'utf8');
    expect(md.split('\n')[0]).toBe('## ❌ faultline merge: 1 of 2 variants pass');
    expect(md).toMatch(/\| ❌ Fails 1 of 2 checks \| tiny-sweep\/max-512Mi_swappiness-60 \|/);
    expect(md).toMatch(/\| ✅ Passes all 2 checks \| tiny-sweep\/max-max_swappiness-60 \|/);
    // The same rows as the single run's summary.
    const rows = (s: string) => s.split('\n').filter((l) => l.startsWith('| ') && l.includes('tiny-sweep/'));
    expect(rows(md)).toEqual(rows(readFileSync(summaries('single'), 'utf8')));
  });

  it('merge of shards that are all empty says so and exits 0', async () => {
    const again = await cli(tmp, { GITHUB_STEP_SUMMARY: summaries('merge') }, 'merge', 's3', '--out', 'none');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('merged 0 variants of 0 scenarios from 1 folders (every shard was empty)');
    expect(existsSync(join(tmp, 'none', 'index.html'))).toBe(true);
    // Besides faultline's own control folder (the lock; docs/outputs.md), only the index.
    expect(readdirSync(join(tmp, 'none')).sort()).toEqual(['.faultline', 'index.html']);
  });
});
