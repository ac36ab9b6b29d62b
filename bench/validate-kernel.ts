/**
 * The real-kernel matrix (docs/validation.md): measures families of cases on this machine's
 * kernel, compares each with the model and prints the table.
 *
 *   npm run validate-kernel -- [--family a|b|c|d|all] [--repeats 3] [--write] [--only ID]
 *   npm run validate-kernel -- --compare            (no measuring: the committed fixtures vs the model)
 *   npm run validate-kernel -- --compare --family a --fixture bench/out/a-….json   (a recording instead)
 *   FAULTLINE_MATRIX_YAML=<dir> npm run validate-kernel -- --compare   (also writes each case's scenario there)
 *
 * Measuring needs root and the cgroup v1 memory controller, adds a 2 GiB swap file for the
 * family's duration (removed at the end, on failure and on Ctrl-C) and holds
 * /tmp/faultline-kernel-lab.lock for one family at a time (released between families, so that
 * other kernel measurements on a shared machine can take turns). --write replaces
 * test/fixtures/kernel/<family>.json; without it the run's fixture goes to bench/out/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureFamily } from '../src/probe/families.js';
import { type FamilyFixture, type FamilyId, parseFixture } from '../src/probe/fixture.js';
import { LAB_LOCK } from '../src/probe/lab.js';
import { compareFamily, formatTable, summarize } from '../src/probe/matrix.js';

const FAMILIES: FamilyId[] = ['a', 'b', 'c', 'd'];
const root = fileURLToPath(new URL('..', import.meta.url));
const fixtureDir = join(root, 'test/fixtures/kernel');

const args = process.argv.slice(2);
const USAGE =
  'usage: validate-kernel [--family a|b|c|d|all] [--repeats N] [--only ID] [--write]   (measures; root)\n' +
  '       validate-kernel --compare [--family ...] [--fixture FILE]               (the committed fixtures vs the model)\n' +
  "         --fixture FILE: compare a recording (e.g. bench/out/a-*.json) in place of its family's committed fixture";
// Without --compare this measures the kernel as root (a swap file, cgroups): a mistyped or unknown
// flag must stop here rather than start a measurement.
let values: {
  family?: string;
  repeats?: string;
  only?: string;
  compare?: boolean;
  write?: boolean;
  fixture?: string;
  help?: boolean;
};
try {
  ({ values } = parseArgs({
    args,
    strict: true,
    options: {
      family: { type: 'string' },
      repeats: { type: 'string' },
      only: { type: 'string' },
      compare: { type: 'boolean' },
      write: { type: 'boolean' },
      fixture: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (e) {
  console.error(`${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.error(USAGE);
  process.exit(0);
}
const which = values.family ?? 'all';
const families = which === 'all' ? FAMILIES : (which.split(',') as FamilyId[]);
if (families.some((f) => !FAMILIES.includes(f))) {
  console.error(`--family: expected a, b, c, d or all, found ${which}`);
  process.exit(2);
}

if (values.fixture !== undefined && !values.compare) {
  console.error(`--fixture compares a recording: it needs --compare\n${USAGE}`);
  process.exit(2);
}

if (values.compare) {
  const given =
    values.fixture === undefined ? undefined : parseFixture(readFileSync(values.fixture, 'utf8'), values.fixture);
  const fixtures = families.map((f) =>
    given?.family === f ? given : parseFixture(readFileSync(join(fixtureDir, `${f}.json`), 'utf8'), `${f}.json`),
  );
  if (given && !families.includes(given.family)) {
    console.error(`--fixture: ${values.fixture} is family ${given.family}, not among --family ${which}`);
    process.exit(2);
  }
  report(fixtures);
} else if (families.length > 1 || !process.env.FAULTLINE_LAB_LOCKED) {
  // One family per lock hold: each runs in a child under flock, so the lock is free between them.
  for (const f of families) {
    const child = spawnSync(
      'flock',
      [LAB_LOCK, process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...withFamily(args, f)],
      { stdio: 'inherit', env: { ...process.env, FAULTLINE_LAB_LOCKED: '1' } },
    );
    if (child.status !== 0) process.exit(child.status ?? 3);
  }
} else {
  const family = families[0] as FamilyId;
  const repeats = Number(values.repeats ?? 3);
  const only = values.only;
  const dir = values.write ? fixtureDir : join(root, 'bench/out');
  const fixture = await measureFamily(family, {
    repeats,
    log: (l) => console.error(l),
    ...(only ? { only } : {}),
    save: (f) => {
      const text = `${JSON.stringify(f)}\n`;
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${family}.json`);
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
      console.error(`wrote ${file} (${text.length} bytes)`);
    },
  });
  report([fixture]);
}

function withFamily(a: string[], f: FamilyId): string[] {
  const out = [...a];
  const i = out.indexOf('--family');
  if (i >= 0) out.splice(i, 2);
  return [...out, '--family', f];
}

function report(fixtures: FamilyFixture[]): void {
  const tables = fixtures.map((f) => compareFamily(f));
  for (const t of tables) console.log(formatTable(t));
  console.log(summarize(tables));
}
