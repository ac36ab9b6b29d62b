import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actions, type WorkflowRun } from './actions.js';

/**
 * The shipped GitHub Actions workflows, run step by step with the environment the runner
 * sets (test/ci/actions.ts): every faultline command in them runs for real on a small
 * scenario. The checkout is this repository as built (node_modules and dist linked in), so
 * `npm ci && npm run build` is a shim that checks they are there: installing and compiling
 * from scratch is what the Dockerfile's test runs.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const SCENARIO = read('test/fixtures/ci/scenarios/small-host.yaml');
/** The same scenario with the batch job touching twice as many pages: a regression for `diff`. */
const HUNGRIER = SCENARIO.replace('touchesPerSec: 40000', 'touchesPerSec: 80000');
/** The same scenario with a check its variants fail: the gate must close. */
const STRICT = SCENARIO.replace('host.faultCpuPct: max < 60', 'host.faultCpuPct: max < 1');

let tmp: string;
let shim: string;

/** A checkout of the repository whose scenarios/ holds the given files. */
function checkout(scenarios: Record<string, string>): (workspace: string) => void {
  return (ws) => {
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(ws, f));
    for (const d of ['node_modules', 'dist']) symlinkSync(join(ROOT, d), join(ws, d));
    mkdirSync(join(ws, 'scenarios'));
    for (const [name, text] of Object.entries(scenarios)) writeFileSync(join(ws, 'scenarios', name), text);
  };
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'faultline-workflows-'));
  shim = join(tmp, 'shim');
  mkdirSync(shim);
  writeFileSync(
    join(shim, 'npm'),
    `#!/bin/sh
# npm as the workflows call it, on a checkout that is already installed and built.
case "$*" in
  "ci --no-audit --no-fund") test -d node_modules/yargs ;;
  "run build") test -f dist/cli/main.js ;;
  *) echo "npm $*: not expected in these workflows" >&2; exit 1 ;;
esac
`,
  );
  chmodSync(join(shim, 'npm'), 0o755);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function step(run: WorkflowRun, job: string, name: string) {
  const s = run.jobs
    .filter((j) => j.job === job)
    .flatMap((j) => j.steps)
    .find((x) => x.name === name);
  if (!s) throw new Error(`no step "${name}" in job ${job}`);
  return s;
}

describe('docs/examples/github/sweep-matrix.yml', () => {
  const workflow = read('docs/examples/github/sweep-matrix.yml');
  let actions: Actions;
  beforeAll(() => {
    actions = new Actions();
  });
  afterAll(() => actions.dispose());

  it('fans three variants out over four shards (the fourth empty, and saying so), merges them and passes', async () => {
    const run = await actions.run(workflow, {
      workflowFile: 'sweep.yml',
      event: 'pull_request',
      branch: 'feature',
      baseRef: 'main',
      checkout: checkout({ 'small-host.yaml': SCENARIO }),
      path: [shim],
    });
    const shards = run.jobs.filter((j) => j.job === 'shard');
    expect(shards.map((j) => [j.matrix.shard, j.result])).toEqual([
      [1, 'success'],
      [2, 'success'],
      [3, 'success'],
      [4, 'success'],
    ]);
    const empty = shards[3]!.steps.find((s) => s.name === 'Run this shard')!;
    expect(empty.output).toContain('shard 4/4: no variants (the 3 of the sweep went to the other shards)');
    expect([...run.artifacts.keys()]).toEqual([
      'faultline-shard-1',
      'faultline-shard-2',
      'faultline-shard-3',
      'faultline-shard-4',
      'faultline-report',
    ]);
    const merge = step(run, 'merge', 'Merge (fails when an expect: check failed)');
    expect(merge.outcome).toBe('success');
    expect(merge.output).toContain('merged 3 variants of 1 scenario from 4 folders\n');
    expect(merge.output).toContain('checks: 9 passed, 0 failed');
    expect(merge.summary).toMatch(/^## ✅ faultline merge: 3 of 3 variants pass/);
    const report = run.artifacts.get('faultline-report')!;
    expect(readdirSync(join(report, 'small-host')).filter((f) => f.startsWith('sweep-'))).toEqual([
      'sweep-small-host.csv',
      'sweep-small-host.html',
      'sweep-small-host.json',
      'sweep-small-host.md',
    ]);
    expect(run.conclusion).toBe('success');
  }, 240_000);

  it('fails the merge job, with the failed checks in its log and summary, when a check fails; the report still uploads', async () => {
    const run = await actions.run(workflow, {
      workflowFile: 'sweep.yml',
      event: 'pull_request',
      branch: 'feature',
      baseRef: 'main',
      checkout: checkout({ 'small-host.yaml': STRICT }),
      path: [shim],
    });
    for (const j of run.jobs.filter((x) => x.job === 'shard')) expect(j.result).toBe('success');
    const merge = step(run, 'merge', 'Merge (fails when an expect: check failed)');
    expect(merge.outcome).toBe('failure');
    expect(merge.output).toMatch(/✗ small-host\/max-max: host\.faultCpuPct: max < 1 \(observed max=/);
    expect(merge.summary).toMatch(/^## ❌ faultline merge: 0 of 3 variants pass/);
    expect(run.artifacts.has('faultline-report')).toBe(true);
    expect(run.conclusion).toBe('failure');
  }, 240_000);
});

describe('docs/examples/github/nightly.yml', () => {
  const workflow = read('docs/examples/github/nightly.yml');
  let actions: Actions;
  beforeAll(() => {
    actions = new Actions();
  });
  afterAll(() => actions.dispose());

  it('the first night has no baseline and only checks the expectations', async () => {
    const run = await actions.run(workflow, {
      workflowFile: 'nightly.yml',
      event: 'schedule',
      branch: 'main',
      checkout: checkout({ 'small-host.yaml': SCENARIO }),
      path: [shim],
    });
    expect(step(run, 'nightly', 'Download the results the previous nightly published').outputs).toEqual({
      found: 'false',
    });
    expect(step(run, 'nightly', 'Compare with the previous nightly').outcome).toBe('skipped');
    expect(step(run, 'nightly', 'Run the bundled scenarios').outputs).toEqual({ exit: '0' });
    expect(run.jobs[0]!.summary).toContain('No previous nightly results: nothing to compare against this time.');
    expect(run.jobs[0]!.summary).toContain('## ✅ faultline run: 3 of 3 variants pass');
    expect([...run.artifacts.keys()]).toEqual(['faultline-nightly']);
    expect(run.conclusion).toBe('success');
  }, 240_000);

  it('the next night compares with it and fails on a regression, publishing the comparison', async () => {
    const run = await actions.run(workflow, {
      workflowFile: 'nightly.yml',
      event: 'schedule',
      branch: 'main',
      checkout: checkout({ 'small-host.yaml': HUNGRIER }),
      path: [shim],
    });
    const first = actions.runs[0]!.id;
    expect(step(run, 'nightly', 'Download the results the previous nightly published').outputs).toEqual({
      found: 'true',
    });
    expect(run.jobs[0]!.summary).toContain(`Baseline: run ${first}`);
    expect(step(run, 'nightly', 'Compare with the previous nightly').outputs).toEqual({ exit: '1' });
    expect(run.jobs[0]!.summary).toMatch(/## ❌ faultline diff: \d+ regressions/);
    const gate = step(run, 'nightly', 'Fail on expectation failures or regressions');
    expect(gate.outcome).toBe('failure');
    expect(gate.output).toContain('::error::a figure regressed against the previous nightly');
    expect([...run.artifacts.keys()]).toEqual(['faultline-nightly', 'faultline-nightly-diff']);
    expect(existsSync(join(run.artifacts.get('faultline-nightly-diff')!, 'diff.html'))).toBe(true);
  }, 240_000);
});

describe('docs/examples/github/baseline.yml', () => {
  const workflow = read('docs/examples/github/baseline.yml');
  let actions: Actions;
  beforeAll(() => {
    actions = new Actions();
  });
  afterAll(() => actions.dispose());

  const pr = (scenario: string) =>
    actions.run(workflow, {
      workflowFile: 'faultline-baseline.yml',
      event: 'pull_request',
      branch: 'feature',
      baseRef: 'main',
      checkout: checkout({ 'small-host.yaml': scenario }),
      path: [shim],
    });

  it('a pull request before any baseline is stored checks the expectations only', async () => {
    const run = await pr(SCENARIO);
    expect(step(run, 'faultline', 'Fetch the baseline of the target branch').outputs).toEqual({ found: 'false' });
    expect(step(run, 'faultline', 'Compare with the baseline').outcome).toBe('skipped');
    expect(run.conclusion).toBe('success');
  }, 240_000);

  it('a push to main stores the baseline; a pull request that regresses is gated, one that does not passes', async () => {
    const push = await actions.run(workflow, {
      workflowFile: 'faultline-baseline.yml',
      event: 'push',
      branch: 'main',
      checkout: checkout({ 'small-host.yaml': SCENARIO }),
      path: [shim],
    });
    expect(step(push, 'faultline', 'Fetch the baseline of the target branch').outcome).toBe('skipped');
    expect([...push.artifacts.keys()]).toEqual(['faultline-baseline', 'faultline-reports']);
    expect(push.conclusion).toBe('success');

    const bad = await pr(HUNGRIER);
    expect(step(bad, 'faultline', 'Fetch the baseline of the target branch').outputs).toEqual({ found: 'true' });
    expect(bad.jobs[0]!.summary).toContain(`Baseline: run ${push.id} on main`);
    expect(step(bad, 'faultline', 'Compare with the baseline').outputs).toEqual({ exit: '1' });
    const gate = step(bad, 'faultline', 'Gate');
    expect(gate.outcome).toBe('failure');
    expect(gate.output).toContain('::error::a figure regressed against the baseline (reports/diff.html)');
    expect(existsSync(join(bad.artifacts.get('faultline-reports')!, 'diff.html'))).toBe(true);
    expect(bad.artifacts.has('faultline-baseline')).toBe(false);

    const good = await pr(SCENARIO);
    expect(step(good, 'faultline', 'Compare with the baseline').outputs).toEqual({ exit: '0' });
    expect(good.jobs[0]!.summary).toContain('## ✅ faultline diff: 0 regressions, 0 improvements in 3 variants');
    expect(good.conclusion).toBe('success');
  }, 240_000);
});
