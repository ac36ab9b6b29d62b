import {
  cpSync,
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
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cli, STACK_LINE } from '../cli/spawn-cli.js';
import { hostile, mutate, mutation } from './hostile.js';

/**
 * Property tests over the CLI's run, validate and report paths (issue #16): the built CLI with
 * hostile flags, scenario files, output folders and run-set folders. Whatever the input: never a
 * stack trace, never exit 3 (that is for bugs), a refusal within 10 s with nothing changed, and
 * an exit 0 only over a complete output.
 */
const SCENARIO = new URL('../engine/fixtures/quick-sweep.yaml', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'fl-clifuzz-'));
let good: string;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  good = join(tmp, 'good');
  const r = await cli([
    'run',
    SCENARIO,
    '--out',
    good,
    '--jobs',
    '1',
    '--quiet',
    '--variant',
    'anon-128Mi',
    'anon-320Mi',
  ]);
  expect(r.code).toBe(0);
});

/** Every file under `dir` with its bytes and modification time. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return out;
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue;
    const p = join(d.parentPath, d.name);
    out.set(relative(dir, p), `${statSync(p).mtimeMs}:${readFileSync(p, 'utf8')}`);
  }
  return out;
}

/** An exit-0 run's output: every run set complete (each listed variant's files there), nothing partial. */
function expectComplete(out: string): void {
  expect(existsSync(join(out, 'index.html'))).toBe(true);
  expect(existsSync(join(out, '.faultline', 'partial'))).toBe(false);
  for (const d of readdirSync(out, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name === '.faultline') continue;
    const m = JSON.parse(readFileSync(join(out, d.name, 'manifest.json'), 'utf8')) as { entries: { dir: string }[] };
    for (const e of m.entries)
      for (const f of ['result.json', 'report.html', 'summary.md', 'junit.xml', 'timeseries.csv'])
        expect(existsSync(join(out, d.name, e.dir, f)), `${d.name}/${e.dir}/${f}`).toBe(true);
  }
}

function expectClean(r: { code: number | null; stderr: string; ms: number }, what: string): void {
  expect(r.stderr, what).not.toMatch(STACK_LINE);
  expect(r.stderr, what).not.toContain('internal error');
  expect([0, 1, 2], `${what}\n${r.stderr}`).toContain(r.code);
  if (r.code === 2) expect(r.ms, what).toBeLessThan(10_000);
}

let counter = 0;
/** A fresh place for an output folder, of one of the shapes that have broken writers. */
function outPath(kind: string): string {
  const base = join(tmp, `o${counter++}`);
  switch (kind) {
    case 'new':
      return base;
    case 'file':
      writeFileSync(base, 'x');
      return base;
    case 'under-file':
      writeFileSync(base, 'x');
      return join(base, 'sub');
    case 'long-name':
      return join(base, 'n'.repeat(300));
    case 'long-path':
      return join(base, ...Array.from({ length: 30 }, () => 'p'.repeat(200)));
    case 'user-folder':
      mkdirSync(base);
      writeFileSync(join(base, 'index.html'), '<h1>mine</h1>');
      return base;
    default: {
      cpSync(good, base, { recursive: true });
      return base;
    }
  }
}

const OUT_KINDS = ['new', 'file', 'under-file', 'long-name', 'long-path', 'user-folder', 'earlier-run'] as const;
const flag = fc.constantFrom<string[]>(
  [],
  ['--jobs', '0'],
  ['--jobs', '-1'],
  ['--jobs', '1.5'],
  ['--jobs', 'x'],
  ['--max-variants', '0'],
  ['--max-variants', 'x'],
  ['--max-variants', '2'],
  ['--timeout', 'x'],
  ['--timeout', '0s'],
  ['--shard', '3/2'],
  ['--shard', '0/0'],
  ['--shard', 'x'],
  ['--variant', 'nope'],
  ['--sample-rate', '2'],
  ['--fidelity', 'nope'],
  ['--allow-large', 'x'],
  ['--bogus'],
);

describe('CLI fuzzing', () => {
  it('run: hostile flags, scenarios and output folders end cleanly, and exit 0 only over a complete output', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...OUT_KINDS),
        fc.array(flag, { maxLength: 2 }),
        fc.option(fc.array(mutation, { minLength: 1, maxLength: 3 }), { nil: undefined }),
        async (kind, flags, mutations) => {
          const out = outPath(kind);
          let scenario = SCENARIO;
          if (mutations) {
            const doc = mutate(
              {
                name: 'fz',
                duration: '2s',
                host: { ram: '256Mi', cpus: 2 },
                processes: { a: { memory: { anon: '64Mi' } } },
              },
              mutations,
            );
            scenario = join(tmp, `s${counter++}.yaml`);
            writeFileSync(scenario, stringify(doc));
          }
          const before = snapshot(kind === 'earlier-run' ? out : good);
          const args = ['run', scenario, '--out', out, '--quiet', '--variant', 'anon-128Mi', ...flags.flat()];
          if (mutations) args.splice(args.indexOf('--variant'), 2);
          const r = await cli(args);
          expectClean(r, args.join(' '));
          if (r.code === 0) expectComplete(out);
          // A refused or failed run leaves an earlier run's output as it was.
          else if (kind === 'earlier-run') expect(snapshot(out)).toEqual(before);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 30), seed: Number(process.env.FUZZ_SEED ?? 1619) },
    );
  }, 600_000);

  it('validate: hostile scenario files end cleanly (exit 0 or 2), within 10 s', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), hostile, async (mutations, junk) => {
        const doc = mutate(
          {
            name: 'fz',
            duration: '2s',
            host: { ram: '256Mi', cpus: 2 },
            processes: { a: { memory: { anon: '64Mi' } } },
            sweep: { matrix: { 'host.ram': ['256Mi', '512Mi'] } },
          },
          mutations,
        );
        const path = join(tmp, `v${counter++}.yaml`);
        writeFileSync(path, typeof junk === 'string' && junk.length > 100 ? junk : stringify(doc));
        const r = await cli(['validate', path]);
        expectClean(r, readFileSync(path, 'utf8'));
        expect([0, 2]).toContain(r.code);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 30), seed: Number(process.env.FUZZ_SEED ?? 1620) },
    );
  }, 600_000);

  it('report: hostile run-set folders and --out targets end cleanly; a refusal changes nothing', async () => {
    const sources = ['good', 'run-set', 'loose', 'corrupt-manifest', 'missing', 'file', 'empty'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...sources),
        fc.option(fc.constantFrom(...OUT_KINDS.filter((k) => k !== 'earlier-run')), { nil: undefined }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (source, outKind, mutations) => {
          const dir = join(tmp, `r${counter++}`);
          if (source !== 'missing' && source !== 'file' && source !== 'empty') cpSync(good, dir, { recursive: true });
          if (source === 'file') writeFileSync(dir, 'x');
          if (source === 'empty') mkdirSync(dir);
          if (source === 'loose') rmSync(join(dir, 'quick-sweep', 'manifest.json'));
          if (source === 'corrupt-manifest') {
            const path = join(dir, 'quick-sweep', 'manifest.json');
            writeFileSync(path, JSON.stringify(mutate(JSON.parse(readFileSync(path, 'utf8')), mutations)));
          }
          const target = source === 'run-set' ? join(dir, 'quick-sweep') : dir;
          const out = outKind === undefined ? undefined : outPath(outKind);
          const before = snapshot(dir);
          const args = ['report', target, ...(out === undefined ? [] : ['--out', out])];
          const r = await cli(args);
          expectClean(r, `${args.join(' ')} (${source})`);
          expect([0, 2]).toContain(r.code);
          if (r.code !== 0 || out !== undefined) {
            // Refused, or written elsewhere: the source run sets are untouched (the lock comes and goes).
            const after = snapshot(dir);
            for (const [f, v] of before) expect(after.get(f), f).toBe(v);
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 30), seed: Number(process.env.FUZZ_SEED ?? 1621) },
    );
  }, 600_000);
});
