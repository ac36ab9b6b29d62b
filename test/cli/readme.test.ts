import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCommands } from '../../src/cli/commands/index.js';
import { optionNames } from '../../src/cli/usage.js';

const ROOT = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, ROOT), 'utf8');
const MAIN = new URL('dist/cli/main.js', ROOT).pathname;

const commands = await loadCommands([]);
const byName = new Map(commands.map((c) => [String(c.command).split(' ')[0] as string, c]));

/** `faultline <command> …` in the README's inline code and code blocks, with the flags written after it. */
function invocations(md: string): { command: string; flags: string[]; text: string }[] {
  const code = [...md.matchAll(/```[a-z]*\n([\s\S]*?)```/g), ...md.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
  return code.flatMap((c) =>
    [...c.matchAll(/\bfaultline ([a-z][a-z-]*)([^`\n]*)/g)].map((m) => ({
      command: m[1] as string,
      flags: [...(m[2] as string).matchAll(/(?:^|[\s[])--([a-z][a-z-]*)/g)].map((f) => f[1] as string),
      text: m[0],
    })),
  );
}

describe('README.md', () => {
  const md = read('README.md');

  it('names only commands that exist, with flags they accept', () => {
    const calls = invocations(md);
    expect(calls.length).toBeGreaterThan(12);
    for (const call of calls) {
      const cmd = byName.get(call.command);
      expect(cmd, `README: ${call.text}`).toBeDefined();
      const known = new Set(optionNames(cmd!).flatMap((o) => [o, `no-${o}`]));
      for (const flag of call.flags) expect(known.has(flag), `README: ${call.text}: --${flag}`).toBe(true);
    }
    // Every command is in the README's table.
    for (const name of byName.keys())
      expect(
        calls.some((c) => c.command === name),
        name,
      ).toBe(true);
  });

  it('names only npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const used = [...md.matchAll(/\bnpm run ([a-z-]+)/g)].map((m) => m[1] as string);
    expect(used.length).toBeGreaterThan(3);
    for (const s of used) expect(scripts, `npm run ${s}`).toContain(s);
  });

  it('shows the incident scenario’s expect: block as the file has it', () => {
    const expectBlock = (text: string) =>
      /^expect:[^\n]*\n((?:\s+\S[^\n]*\n)+)/m
        .exec(text)![1]!
        .split('\n')
        .map((l) => l.replace(/\s+#.*$/, '').trim())
        .filter(Boolean);
    expect(expectBlock(md)).toEqual(expectBlock(read('scenarios/incident-spark-120g-on-64g.yaml')));
  });
});

describe('usage errors', () => {
  const faultline = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });

  it('suggest the command meant, and point to the top-level help', () => {
    const r = faultline('rn', 'x.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('faultline: unknown command "rn". Did you mean run?\nRun \'faultline --help\' for usage.\n');
  });

  it('suggest the flag meant, and point to the subcommand’s help', () => {
    const r = faultline('run', 'x.yaml', '--shrad', '1/2', '--outt', 'o');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "faultline: Unknown arguments: shrad, outt (--shrad: did you mean --shard?; --outt: did you mean --out?)\nRun 'faultline run --help' for usage.\n",
    );
    expect(faultline('mrc', 't.csv', '--shards', '0.01').stderr).toContain('--shards: did you mean --shards-rate?');
  });

  it('point a malformed flag value to the subcommand’s help too', () => {
    const r = faultline('run', 'x.yaml', '--shard', '9');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'faultline: --shard: expected K/N with 1 ≤ K ≤ N, got "9"\nRun \'faultline run --help\' for usage.\n',
    );
    expect(faultline('merge').stderr).toContain("Run 'faultline merge --help' for usage.");
  });
});
