import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResult } from '../../src/result/serialize.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const SCENARIO = new URL('../engine/fixtures/tiny-sweep.yaml', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'faultline-interrupt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function resultFiles(dir: string): string[] {
  const scen = join(dir, 'tiny-sweep');
  if (!existsSync(scen)) return [];
  return readdirSync(scen)
    .map((v) => join(scen, v, 'result.json'))
    .filter((f) => existsSync(f));
}

describe('an interrupted sweep', () => {
  it('leaves the variants it finished as valid results that faultline report renders', async () => {
    const out = join(tmp, 'out');
    const child = spawn(process.execPath, [MAIN, 'run', SCENARIO, '--out', out, '--jobs', '1', '--quiet'], {
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
    );
    // Interrupt as soon as the first variant is on disk, long before the six are done.
    while (resultFiles(out).length === 0) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await exited).not.toBe(0);

    const written = resultFiles(out);
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(6);
    expect(existsSync(join(out, 'tiny-sweep', 'manifest.json'))).toBe(false);
    for (const f of written) expect(parseResult(readFileSync(f, 'utf8'), f).status).toBe('ok');

    const report = await promisify(execFile)(process.execPath, [MAIN, 'report', out]);
    expect(report.stdout).toMatch(new RegExp(`Re-rendered ${written.length} variants?`));
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('tiny-sweep');
  });
});
