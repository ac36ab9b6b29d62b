import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputs } from './consistency.js';

/**
 * Every bundled scenario, every variant of its sweep: a number under one label is the same
 * on the variant's page, the sweep page and its exports, summary.md, junit.xml, the index
 * and result.json, and no variant that passes its checks shows a failure colour. The
 * scenarios run shortened (the incident to 8 min, which holds its thrashing, the others to
 * 2 min 30 s, which hold their OOM kills and fault storms) to keep the test short;
 * FAULTLINE_CONSISTENCY_DIR=<output folder> checks a full run instead (`faultline run
 * scenarios/*.yaml --out <folder>`), as was done once for the real bundled sweeps.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const given = process.env.FAULTLINE_CONSISTENCY_DIR;
let tmp = '';
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function shortened(): string {
  tmp = mkdtempSync(join(tmpdir(), 'faultline-consistency-'));
  const dir = join(tmp, 'scenarios');
  mkdirSync(dir);
  for (const f of readdirSync(join(ROOT, 'scenarios')).filter((x) => x.endsWith('.yaml'))) {
    const text = readFileSync(join(ROOT, 'scenarios', f), 'utf8');
    const duration = f.startsWith('incident') ? '8m' : '2m30s';
    writeFileSync(join(dir, f), text.replace(/^duration: .*$/m, `duration: ${duration}`));
  }
  // The recorded-trace scenario reads its trace files beside it.
  cpSync(join(ROOT, 'scenarios', 'traces'), join(dir, 'traces'), { recursive: true });
  return dir;
}

describe('one label, one value, on every page of every bundled sweep variant', () => {
  it('holds for the bundled scenarios', async () => {
    let out = given;
    if (!out) {
      const dir = shortened();
      out = join(tmp, 'out');
      const files = readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(dir, f));
      await promisify(execFile)(
        process.execPath,
        [MAIN, 'run', ...files, '--out', out, '--no-exit-code', '-q', '--jobs', '2'],
        {
          maxBuffer: 16 * 2 ** 20,
        },
      );
    }
    const { problems, variants, comparisons } = checkOutputs(out);
    expect(problems).toEqual([]);
    // incident 16, k8s 2, leak 2, page-cache 8, recorded trace 4, zram 4.
    expect(variants).toBe(36);
    expect(comparisons).toBeGreaterThan(variants * 20);
    if (given) console.log(`${given}: ${variants} variants, ${comparisons} comparisons, no disagreement`);
  }, 600_000);
});
