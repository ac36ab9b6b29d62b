import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import yargs from 'yargs';
import { diffCommand } from '../../src/cli/commands/diff.js';
import { mergeCommand } from '../../src/cli/commands/merge.js';
import { recommendCommand } from '../../src/cli/commands/recommend.js';
import { runCommand } from '../../src/cli/commands/run.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const DOCS = ['docs/ci.md', 'docs/distributed.md'];
/** The example files each doc shows in full. */
const SHIPPED: Record<string, string[]> = {
  'docs/ci.md': ['docs/examples/github/nightly.yml', 'docs/examples/github/baseline.yml'],
  'docs/distributed.md': [
    'Dockerfile',
    'docs/examples/kubernetes/indexed-job.yaml',
    'docs/examples/kubernetes/merge-job.yaml',
    'docs/examples/github/sweep-matrix.yml',
  ],
};

function yamlBlocks(md: string): string[] {
  return [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/** The long option names a command accepts, from its own yargs builder. */
function optionsOf(cmd: { builder?: unknown }): Set<string> {
  const y = (cmd.builder as (y: unknown) => { getOptions(): { key: Record<string, unknown> } })(yargs([]));
  const keys = Object.keys(y.getOptions().key);
  return new Set([...keys, ...keys.map((k) => `no-${k}`), 'help']);
}

const COMMANDS = { run: runCommand, merge: mergeCommand, diff: diffCommand, recommend: recommendCommand };

describe('CI and distribution docs', () => {
  it('hold YAML that parses, with no duplicate keys', () => {
    for (const doc of DOCS) {
      const blocks = yamlBlocks(read(doc));
      expect(blocks.length, doc).toBeGreaterThan(0);
      for (const b of blocks) {
        for (const part of b.split(/^---$/m)) {
          const d = parseDocument(part, { uniqueKeys: true });
          expect(
            d.errors.map((e) => e.message),
            `${doc}:\n${part.slice(0, 200)}`,
          ).toEqual([]);
        }
      }
    }
  });

  it('show the shipped files verbatim (the files the tests in test/ci run)', () => {
    for (const [doc, files] of Object.entries(SHIPPED))
      for (const f of files) expect(read(doc).includes(read(f)), `${doc} shows ${f}`).toBe(true);
  });

  it('use only flags the commands accept', () => {
    const text = [...DOCS.map(read), ...Object.values(SHIPPED).flat().map(read)].join('\n');
    const calls = [...text.matchAll(/(?:main\.js|faultline) (run|merge|diff|recommend)\b([^\n]*(?:\n\s+--[^\n]*)*)/g)];
    expect(calls.length).toBeGreaterThan(8);
    for (const [, command, rest] of calls) {
      const known = optionsOf(COMMANDS[command as keyof typeof COMMANDS]);
      for (const flag of (rest as string).matchAll(/--([a-z][a-z-]*)/g)) {
        expect(known.has(flag[1] as string), `faultline ${command} --${flag[1]}`).toBe(true);
      }
    }
  });
});
