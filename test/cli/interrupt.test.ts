import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifest, parseResult } from '../../src/result/serialize.js';
import { cli, STACK_LINE, startCli, waitFor } from './spawn-cli.js';

const SCENARIO = new URL('../engine/fixtures/tiny-sweep.yaml', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'faultline-interrupt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('an interrupted sweep', () => {
  it('stops at SIGINT (exit 130), leaving the variants it finished as a partial run set that faultline report renders', async () => {
    const out = join(tmp, 'out');
    const partial = join(out, '.faultline', 'partial', 'tiny-sweep');
    const run = startCli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet']);
    // Interrupt as soon as the first variant is on disk, long before the six are done.
    await waitFor(join(partial, 'manifest.json'));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(
      /^faultline: interrupted by SIGINT: (\d) of 6 variants finished; their partial run set is in .*\.faultline\/partial\/tiny-sweep \(faultline report renders it\); the run sets in .* are unchanged\n$/,
    );
    expect(r.stderr).not.toMatch(STACK_LINE);

    // The manifest lists exactly the variants whose files are all there, every one a complete result.
    const manifest = parseManifest(readFileSync(join(partial, 'manifest.json'), 'utf8'));
    const finished = Number(/(\d) of 6/.exec(r.stderr)?.[1]);
    expect(manifest.entries).toHaveLength(finished);
    expect(finished).toBeGreaterThan(0);
    expect(finished).toBeLessThan(6);
    const dirs = readdirSync(partial).filter((d) => d !== 'manifest.json');
    expect(dirs.sort()).toEqual(manifest.entries.map((e) => e.dir).sort());
    for (const e of manifest.entries) {
      const f = join(partial, e.dir, 'result.json');
      expect(parseResult(readFileSync(f, 'utf8'), f).status).toBe('ok');
    }
    // Nothing unfinished is published: no run set in place, no index, and the lock is released.
    expect(readdirSync(out)).toEqual(['.faultline']);
    expect(existsSync(join(out, '.faultline', 'lock'))).toBe(false);

    const report = await cli(['report', partial]);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(new RegExp(`Re-rendered ${finished} variants? in 1 run set`));
    expect(readFileSync(join(partial, 'index.html'), 'utf8')).toContain('tiny-sweep');
  });
});
