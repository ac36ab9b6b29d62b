import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifest, parseResult } from '../../src/result/serialize.js';
import { cli, STACK_LINE, startCli, waitFor } from './spawn-cli.js';

/**
 * Who may write an output folder, and what it holds after runs that fail, race, are killed or
 * rerun (issue #16, defects 1, 2, 9 and 11). Each test runs the built CLI on a four-variant sweep
 * of a few tenths of a second per variant.
 */
const SCENARIO = new URL('../engine/fixtures/quick-sweep.yaml', import.meta.url).pathname;
const VARIANTS = ['anon-128Mi', 'anon-192Mi', 'anon-320Mi', 'anon-384Mi'];
const tmp = mkdtempSync(join(tmpdir(), 'fl-outdir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file under `dir` with its bytes and modification time: what "unchanged" means here. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue;
    const p = join(d.parentPath, d.name);
    out.set(relative(dir, p), `${statSync(p).mtimeMs}:${readFileSync(p, 'utf8')}`);
  }
  return out;
}

function resultFiles(dir: string): string[] {
  return [...snapshot(dir).keys()].filter((f) => f.endsWith('result.json')).map((f) => join(dir, f));
}

/** The run sets index.html lists, as `<folder> · <n> runs` (the summary line of each). */
function listedSets(out: string): string[] {
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  return [...html.matchAll(/([\w.-]+) · (\d+) runs? · faultline/g)].map((m) => `${m[1]} · ${m[2]}`);
}

function oneLine(stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(STACK_LINE);
}

describe('an output folder is owned by one run at a time', () => {
  it('defect 2: a second concurrent run into the same --out is refused (exit 2, naming the first); the first finishes', async () => {
    const out = join(tmp, 'concurrent');
    const first = startCli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet']);
    await waitFor(join(out, '.faultline', 'lock'));
    const second = await cli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(`^faultline: ${out} is being written by faultline run \\(pid ${first.child.pid} on `),
    );
    oneLine(second.stderr);
    expect(second.ms).toBeLessThan(10_000);
    const done = await first.done;
    expect(done.code).toBe(0);
    expect(listedSets(out)).toEqual(['quick-sweep · 4']);
    expect(existsSync(join(out, '.faultline', 'lock'))).toBe(false);
  });

  it('defect 2: two scenarios of one run with the same name are refused before anything is written', async () => {
    const copy = join(tmp, 'same-name.yaml');
    copyFileSync(SCENARIO, copy);
    const out = join(tmp, 'same-name-out');
    const r = await cli(['run', SCENARIO, copy, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${copy}:2:7: error: name: scenario "quick-sweep" is also the name of ${SCENARIO}:2:7`);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(out)).toBe(false);
  });

  it('defect 2: after a run whose variants fail (exit 3), every result on disk says failed, none is left from an earlier good run', async () => {
    const out = join(tmp, 'failed');
    expect((await cli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet'])).code).toBe(0);
    const failing = VARIANTS.slice(0, 2);
    const r = await cli([
      'run',
      SCENARIO,
      '--out',
      out,
      '--jobs',
      '1',
      '--quiet',
      '--timeout',
      '1ms',
      '--variant',
      ...failing,
    ]);
    expect(r.code).toBe(3);
    const set = join(out, 'quick-sweep');
    const manifest = parseManifest(readFileSync(join(set, 'manifest.json'), 'utf8'));
    expect(manifest.entries.map((e) => [e.variantId, e.status])).toEqual(failing.map((v) => [v, 'failed']));
    // The run set is replaced whole: the two variants the earlier run also wrote are gone with it.
    expect(resultFiles(out).map((f) => parseResult(readFileSync(f, 'utf8')).status)).toEqual(['failed', 'failed']);
    for (const v of failing) {
      const dir = join(set, v);
      expect(parseResult(readFileSync(join(dir, 'result.json'), 'utf8')).error).toBe('timed out after 1 ms');
      expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('run failed: timed out after 1 ms');
      expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('**Run failed:**');
      expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<error message="timed out after 1 ms"/>');
    }
  });

  it('defect 11: a rerun killed halfway leaves the previous run set and index as they were; the next rerun replaces it whole', async () => {
    const out = join(tmp, 'rerun');
    expect((await cli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet', '--variant', 'anon-128Mi'])).code).toBe(
      0,
    );
    const before = snapshot(join(out, 'quick-sweep'));
    const indexBefore = readFileSync(join(out, 'index.html'), 'utf8');

    const killed = startCli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet']);
    await waitFor(join(out, '.faultline', 'partial', 'quick-sweep', 'manifest.json'));
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    expect(snapshot(join(out, 'quick-sweep'))).toEqual(before);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe(indexBefore);
    expect(listedSets(out)).toEqual(['quick-sweep · 1']);

    const again = await cli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/note: .* was locked by faultline run \(pid \d+ .*\), which is gone; taking it over/);
    expect(again.stderr).toMatch(/note: replacing the partial run set of an interrupted run \(\d finished variants?\)/);
    expect(listedSets(out)).toEqual(['quick-sweep · 4']);
    expect(readdirSync(join(out, 'quick-sweep')).filter((f) => VARIANTS.includes(f))).toEqual(VARIANTS);
    expect(readdirSync(out).sort()).toEqual(['.faultline', 'index.html', 'quick-sweep']);
    expect(readdirSync(join(out, '.faultline'))).toEqual([]);
  });

  it('refuses to write over what faultline did not write: an index.html, or a folder named like the scenario', async () => {
    const site = join(tmp, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), '<h1>my page</h1>');
    const r = await cli(['run', SCENARIO, '--out', site]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${site} holds an index.html that faultline did not write`);
    expect(readdirSync(site)).toEqual(['index.html']);

    const mine = join(tmp, 'mine');
    mkdirSync(join(mine, 'quick-sweep'), { recursive: true });
    writeFileSync(join(mine, 'quick-sweep', 'notes.txt'), 'keep me');
    const r2 = await cli(['run', SCENARIO, '--out', mine]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${join(mine, 'quick-sweep')} exists and is not a faultline run set`);
    expect(readFileSync(join(mine, 'quick-sweep', 'notes.txt'), 'utf8')).toBe('keep me');
  });
});

describe('faultline report re-renders run sets only, and only inside them', () => {
  it('defect 1: refuses a folder of result files without a manifest, rewriting none of them', async () => {
    const out = join(tmp, 'two-runs');
    expect((await cli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet'])).code).toBe(0);
    // Result files of two runs copied side by side, as from CI artefacts: same scenario, same variant ids.
    const loose = join(tmp, 'loose');
    for (const [k, v] of [
      ['a', 'anon-128Mi'],
      ['b', 'anon-192Mi'],
    ] as const) {
      mkdirSync(join(loose, k, 'run', v), { recursive: true });
      copyFileSync(join(out, 'quick-sweep', v, 'result.json'), join(loose, k, 'run', v, 'result.json'));
    }
    const before = snapshot(loose);
    const r = await cli(['report', loose]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${loose}: no manifest.json in it or its direct subfolders`);
    oneLine(r.stderr);
    expect(snapshot(loose)).toEqual(before);
  });

  it('defect 1: refuses a run set whose result file is another variant’s, rewriting nothing', async () => {
    const out = join(tmp, 'two-runs');
    const swapped = join(tmp, 'swapped');
    mkdirSync(swapped);
    copyFileSync(join(out, 'quick-sweep', 'manifest.json'), join(swapped, 'manifest.json'));
    for (const v of VARIANTS) mkdirSync(join(swapped, v));
    VARIANTS.forEach((v, i) => {
      copyFileSync(
        join(out, 'quick-sweep', VARIANTS[(i + 1) % 4] as string, 'result.json'),
        join(swapped, v, 'result.json'),
      );
    });
    const before = snapshot(swapped);
    const r = await cli(['report', swapped]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `holds quick-sweep/anon-192Mi, but ${join(swapped, 'manifest.json')} lists quick-sweep/anon-128Mi there`,
    );
    expect(snapshot(swapped)).toEqual(before);
  });

  it('re-renders a run set in place without writing anywhere else', async () => {
    const out = join(tmp, 'two-runs');
    const sibling = join(tmp, 'sibling');
    mkdirSync(sibling, { recursive: true });
    writeFileSync(join(sibling, 'keep.txt'), 'x');
    const outside = snapshot(tmp);
    const r = await cli(['report', join(out, 'quick-sweep')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Re-rendered 4 variants in 1 run set');
    const after = snapshot(tmp);
    const changed = [...after.keys()].filter((f) => after.get(f) !== outside.get(f));
    expect(changed.length).toBeGreaterThan(0);
    for (const f of changed) expect(f.startsWith(join('two-runs', 'quick-sweep'))).toBe(true);
    expect([...outside.keys()].filter((f) => !after.has(f))).toEqual([]);
  });

  it('defect 9: report --out naming a file, or a path through a file, fails in one line (exit 2)', async () => {
    const out = join(tmp, 'two-runs');
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const r = await cli(['report', out, '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`faultline: ${file} is a file, not a folder; choose a folder for --out\n`);
    const r2 = await cli(['report', out, '--out', join(file, 'sub')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toBe(
      `faultline: cannot create ${join(file, 'sub')}: a part of the path is a file, not a folder (ENOTDIR)\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe('x');
  });
});
