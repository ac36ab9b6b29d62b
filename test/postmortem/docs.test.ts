/**
 * docs/postmortem.md is meant to be pasted: its commands use flags the commands accept, and what
 * it shows them printing is what they print on the recorded incident.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { fitCommand } from '../../src/cli/commands/fit.js';
import { importCommand } from '../../src/cli/commands/import.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DOC = readFileSync(join(ROOT, 'docs', 'postmortem.md'), 'utf8');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const INCIDENT = join(ROOT, 'test', 'fixtures', 'postmortem', 'service-batch');
const dir = mkdtempSync(join(tmpdir(), 'fl-pm-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function optionsOf(cmd: { builder?: unknown }): Set<string> {
  const y = (cmd.builder as (y: unknown) => { getOptions(): { key: Record<string, unknown> } })(yargs([]));
  const keys = Object.keys(y.getOptions().key);
  return new Set([...keys, ...keys.map((k) => `no-${k}`), 'help']);
}

const faultline = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: INCIDENT, encoding: 'utf8' });

describe('docs/postmortem.md', () => {
  it('uses only flags faultline import and fit accept', () => {
    const calls = [...DOC.matchAll(/faultline (import|fit)\b([^\n]*(?:\n\s+--[^\n]*)*)/g)];
    expect(calls.length).toBeGreaterThan(8);
    const known = { import: optionsOf(importCommand), fit: optionsOf(fitCommand) };
    for (const [, command, rest] of calls) {
      for (const flag of (rest as string).matchAll(/ --([a-z][a-z-]*)/g)) {
        expect(known[command as 'import' | 'fit'].has(flag[1] as string), `faultline ${command} --${flag[1]}`).toBe(
          true,
        );
      }
    }
  });

  it('shows the notes the imports of step 1 print', () => {
    const ps = faultline('import', 'ps', 'ps.log', '--out', join(dir, 'ps.csv'));
    const top = faultline('import', 'memory-stat', 'memstat-top.log', '--out', join(dir, 'top.csv'));
    const vmstat = faultline('import', 'vmstat', 'vmstat.log', '--out', join(dir, 'vmstat.csv'));
    const stat = faultline('import', 'pid-stat', 'pidstat.log', '--out', join(dir, 'pidstat.csv'));
    const shown = [
      ...ps.stderr.split('\n').filter((l) => l.includes('largest RSS') || l.includes('touchesPerSec')),
      ...top.stderr.split('\n').filter((l) => l.includes('note: hierarchical_mem')),
      ...vmstat.stderr.split('\n').filter((l) => l.includes('never change')),
      ...stat.stderr.split('\n').filter((l) => l.includes('on a CPU')),
    ];
    expect(shown).toHaveLength(10);
    for (const line of shown) expect(DOC).toContain(line);
  });

  it("gives the batch job's growth rate with the awk line it shows", () => {
    faultline('import', 'ps', 'ps.log', '--out', join(dir, 'ps.csv'));
    const awk = /^(awk -F, -v c=6 .*) ps\.csv$/m.exec(DOC)?.[1];
    expect(awk).toBeDefined();
    const r = spawnSync('bash', ['-c', `${awk} ${join(dir, 'ps.csv')}`], { encoding: 'utf8' });
    expect(r.stdout).toBe('4.0 MiB/s from 20 MiB\n');
    expect(DOC).toContain('```\n4.0 MiB/s from 20 MiB\n```');
  });

  it('shows the draft that is in the fixtures', () => {
    const draft = readFileSync(join(INCIDENT, 'draft.yaml'), 'utf8');
    for (const line of ['startTime: "2026-12-06T01:11:22Z"', 'memory.limit_in_bytes: 256Mi', 'stop: 160s']) {
      expect(draft).toContain(line);
      expect(DOC).toContain(line);
    }
  });
});
