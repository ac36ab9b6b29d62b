import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaText } from '../../src/cli/commands/schema.js';

const ROOT = resolve('.');
const MAIN = join(ROOT, 'dist/cli/main.js');

function faultline(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let work: string;

beforeAll(() => {
  // test/global-setup.ts has rebuilt dist/ if any source was newer.
  expect(existsSync(join(ROOT, 'dist/cli/commands/validate.js'))).toBe(true);
  work = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('faultline validate', () => {
  it('prints ok and the variant count for valid files', () => {
    const r = faultline(['validate', 'scenarios/incident-spark-120g-on-64g.yaml', 'scenarios/zram-laptop.yaml']);
    // Each line ends with the estimated cost of a run (docs/outputs.md), which depends on this machine's cores.
    expect(r.stdout).toMatch(
      /^ok scenarios\/incident-spark-120g-on-64g\.yaml \(16 variants: about .+\)\nok scenarios\/zram-laptop\.yaml \(4 variants: about .+\)\n$/,
    );
    expect(r.code).toBe(0);
  });

  it('exits 2 with file:line:col and no stack trace on malformed YAML', () => {
    const r = faultline(['validate', 'test/fixtures/scenarios/invalid/yaml-syntax.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^test\/fixtures\/scenarios\/invalid\/yaml-syntax\.yaml:7:27: error: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('reports every file before failing', () => {
    const r = faultline([
      'validate',
      'test/fixtures/scenarios/invalid/schema-bare-number-size.yaml',
      'scenarios/leak-to-oom-kill.yaml',
      'test/fixtures/scenarios/invalid/ref-events.yaml',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ok scenarios\/leak-to-oom-kill\.yaml \(2 variants: about .+\)\n$/);
    expect(r.stderr).toMatch(/schema-bare-number-size\.yaml:5:8: error: host\.ram/);
    expect(r.stderr).toMatch(
      /ref-events\.yaml:11:11: error: events\.0\.kill: no process "sprak" is defined \(did you mean spark\?\)/,
    );
  });

  it('prints warnings but exits 0', () => {
    const r = faultline(['validate', 'test/fixtures/scenarios/warnings.yaml']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warnings\.yaml:\d+:\d+: warning: cgroups\.batch\.memory\.high: memory\.high/);
    expect(r.stdout).toMatch(/^ok test\/fixtures\/scenarios\/warnings\.yaml \(1 variant: about .+\)\n$/);
  });

  it('reports a missing file', () => {
    const r = faultline(['validate', 'nope.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nope.yaml:1:1: error: file not found\n');
  });
});

describe('faultline schema', () => {
  it('prints the JSON Schema', () => {
    const r = faultline(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(schemaText());
  });
});

describe('faultline init', () => {
  it('writes a starter that validates, and refuses to overwrite it', () => {
    const first = faultline(['init', 'demo'], work);
    expect(first.code).toBe(0);
    const text = readFileSync(join(work, 'demo.yaml'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*docs\/scenario\.schema\.json$/);
    const schemaRef = /\$schema=(.*)$/m.exec(text)?.[1] as string;
    expect(existsSync(resolve(work, schemaRef))).toBe(true);
    const check = faultline(['validate', 'demo.yaml'], work);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^ok demo\.yaml \(2 variants: about .+\)\n$/);
    const again = faultline(['init', 'demo'], work);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/demo\.yaml already exists/);
    expect(readFileSync(join(work, 'demo.yaml'), 'utf8')).toBe(text);
  });

  it('rejects a name that cannot be a scenario name', () => {
    expect(faultline(['init', 'Bad Name'], work).code).toBe(2);
  });
});
