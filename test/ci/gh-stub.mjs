#!/usr/bin/env node
// The GitHub CLI as test/ci/actions.ts's workflows call it: `gh run list` and `gh run
// download`, answered from the emulator's store of earlier runs ($FAKE_GH_RUNS). Any other
// use fails, so a workflow that starts calling gh differently fails its test.
import { cpSync, existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : args[i + 1];
};
const fail = (msg) => {
  process.stderr.write(`gh (test stub): ${msg}\n`);
  process.exit(1);
};
const runs = JSON.parse(readFileSync(process.env.FAKE_GH_RUNS, 'utf8'));
if (!process.env.GH_TOKEN) fail('GH_TOKEN is not set (gh needs it in a workflow)');
if (!flag('repo')) fail('--repo is required here');

if (args[0] === 'run' && args[1] === 'list') {
  const known = new Set(['repo', 'workflow', 'branch', 'status', 'event', 'limit', 'json', 'jq']);
  for (const a of args.slice(2))
    if (a.startsWith('--') && !known.has(a.slice(2))) fail(`run list ${a} is not emulated`);
  if (flag('json') !== 'databaseId') fail('run list: only --json databaseId is emulated');
  const picked = runs
    .filter((r) => (flag('workflow') ? r.workflow === flag('workflow') : true))
    .filter((r) => (flag('branch') ? r.headBranch === flag('branch') : true))
    .filter((r) => (flag('event') ? r.event === flag('event') : true))
    .filter((r) => (flag('status') ? r.status === flag('status') || r.conclusion === flag('status') : true))
    .slice(0, Number(flag('limit') ?? 20));
  const jq = flag('jq');
  if (jq === '.[].databaseId') for (const r of picked) process.stdout.write(`${r.databaseId}\n`);
  else if (jq === '.[0].databaseId') process.stdout.write(picked[0] ? `${picked[0].databaseId}\n` : 'null\n');
  else fail(`run list: --jq ${jq} is not emulated`);
} else if (args[0] === 'run' && args[1] === 'download') {
  const run = runs.find((r) => String(r.databaseId) === args[2]);
  if (!run) fail(`run ${args[2]} not found`);
  const name = flag('name');
  const dir = flag('dir') ?? '.';
  const src = run.artifacts[name];
  if (!src || !existsSync(src)) fail(`no artifact ${name} in run ${args[2]}`);
  cpSync(src, dir, { recursive: true });
} else fail(`${args.join(' ')} is not emulated`);
