/**
 * Runs a GitHub Actions workflow file on this machine, as the runner would, for the subset
 * of the syntax faultline's example workflows use: jobs with `needs` and a matrix, steps
 * with `if`, `env`, `id` and `run` (bash -eo pipefail, with GITHUB_OUTPUT, GITHUB_ENV and
 * GITHUB_STEP_SUMMARY files), `${{ }}` expressions over the github, matrix, strategy, steps,
 * needs and env contexts, and the four actions they use: checkout (a copy of the given
 * repository), setup-node (node is on the PATH), upload-artifact and download-artifact (a
 * store of folders). Anything else fails loudly, so a workflow edited beyond this subset
 * fails its test instead of passing untested.
 *
 * Earlier runs of workflows (for `gh run list` / `gh run download`) live in the same store;
 * a `gh` on the PATH (test/ci/gh-stub.mjs) answers from it.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
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
import { basename, join } from 'node:path';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

export interface StepResult {
  name: string;
  id?: string;
  outcome: 'success' | 'failure' | 'skipped';
  output: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface JobResult {
  job: string;
  matrix: Record<string, unknown>;
  result: 'success' | 'failure' | 'skipped';
  steps: StepResult[];
  /** The job's GITHUB_STEP_SUMMARY, all steps together. */
  summary: string;
}

export interface WorkflowRun {
  id: number;
  workflow: string;
  event: string;
  branch: string;
  conclusion: 'success' | 'failure';
  jobs: JobResult[];
  /** Artefact name → folder holding its files. */
  artifacts: Map<string, string>;
}

export interface RunOptions {
  /** The file name the workflow is installed under (`nightly.yml`), as `gh run list --workflow` names it. */
  workflowFile: string;
  event: string;
  /** The branch (ref_name) the run is on; for a pull request, the PR branch. */
  branch: string;
  /** For pull requests: the branch it targets (`github.base_ref`). */
  baseRef?: string;
  /** The repository as checkout sees it: a function that fills the workspace. */
  checkout: (workspace: string) => void;
  /** Extra folders put first on the PATH (shims of npm and the like). */
  path?: string[];
}

const GH_STUB = new URL('./gh-stub.mjs', import.meta.url).pathname;

/** The artefact store and the runs so far: one per test, like one repository's Actions tab. */
export class Actions {
  readonly root: string;
  readonly runs: WorkflowRun[] = [];

  constructor() {
    this.root = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'faultline-actions-'));
    const bin = join(this.root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'gh'), `#!/bin/sh\nexec "${process.execPath}" "${GH_STUB}" "$@"\n`);
    chmodSync(join(bin, 'gh'), 0o755);
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** What `gh` reads: every finished run with its artefacts' folders, newest first. */
  private writeIndex(): void {
    const runs = [...this.runs].reverse().map((r) => ({
      databaseId: r.id,
      workflow: r.workflow,
      event: r.event,
      headBranch: r.branch,
      status: 'completed',
      conclusion: r.conclusion,
      artifacts: Object.fromEntries(r.artifacts),
    }));
    writeFileSync(join(this.root, 'runs.json'), JSON.stringify(runs));
  }

  async run(workflowText: string, opts: RunOptions): Promise<WorkflowRun> {
    const wf = parse(workflowText) as Json;
    const id = 1000 + this.runs.length + 1;
    const run: WorkflowRun = {
      id,
      workflow: opts.workflowFile,
      event: opts.event,
      branch: opts.branch,
      conclusion: 'success',
      jobs: [],
      artifacts: new Map(),
    };
    this.writeIndex();
    const jobs = wf.jobs as Record<string, Json>;
    const done = new Map<string, JobResult[]>();
    const pending = Object.keys(jobs);
    while (pending.length > 0) {
      const ready = pending.filter((j) => needsOf(jobs[j]!).every((n) => done.has(n)));
      if (ready.length === 0) throw new Error(`workflow: jobs ${pending.join(', ')} wait on each other`);
      for (const name of ready) {
        pending.splice(pending.indexOf(name), 1);
        const job = jobs[name]!;
        const needs = Object.fromEntries(
          needsOf(job).map((n) => [
            n,
            { result: (done.get(n) ?? []).every((r) => r.result === 'success') ? 'success' : 'failure' },
          ]),
        );
        const combos = matrixOf(job);
        const results = await Promise.all(
          combos.map((matrix, index) =>
            this.runJob(name, job, wf, opts, run, { matrix, index, total: combos.length, needs }),
          ),
        );
        done.set(name, results);
        run.jobs.push(...results);
      }
    }
    run.conclusion = run.jobs.every((j) => j.result !== 'failure') ? 'success' : 'failure';
    this.runs.push(run);
    this.writeIndex();
    return run;
  }

  private async runJob(
    name: string,
    job: Json,
    wf: Json,
    opts: RunOptions,
    run: WorkflowRun,
    ctx: { matrix: Record<string, unknown>; index: number; total: number; needs: Json },
  ): Promise<JobResult> {
    const result: JobResult = { job: name, matrix: ctx.matrix, result: 'success', steps: [], summary: '' };
    const upstreamFailed = Object.values(ctx.needs).some((n) => (n as Json).result !== 'success');
    const jobIf = condition(job.if);
    const workspace = mkdtempSync(join(this.root, `${name}-`));
    const runnerTemp = mkdtempSync(join(this.root, 'temp-'));
    const env: Record<string, string> = {
      ...stringMap(wf.env),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: 'example/faultline',
      GITHUB_RUN_ID: String(run.id),
      GITHUB_REF_NAME: opts.branch,
      GITHUB_EVENT_NAME: opts.event,
      ...(opts.baseRef ? { GITHUB_BASE_REF: opts.baseRef } : {}),
      RUNNER_TEMP: runnerTemp,
      FAKE_GH_RUNS: join(this.root, 'runs.json'),
      PATH: [...(opts.path ?? []), join(this.root, 'bin'), process.env.PATH].join(':'),
    };
    const steps: Record<string, { outputs: Record<string, string>; outcome: string }> = {};
    const context = (): Ctx => ({
      github: {
        event_name: opts.event,
        ref_name: opts.branch,
        base_ref: opts.baseRef ?? '',
        repository: 'example/faultline',
        run_id: String(run.id),
        token: 'fake-token',
        workspace,
      },
      matrix: ctx.matrix,
      strategy: { 'job-total': ctx.total, 'job-index': ctx.index },
      steps,
      needs: ctx.needs,
      env,
      status: { failed: result.result === 'failure', upstreamFailed },
    });
    if (!truthy(evaluate(jobIf, context()))) {
      result.result = 'skipped';
      return result;
    }
    Object.assign(env, stringMap(interpolateAll(job.env, context())));
    for (const step of (job.steps as Json[]) ?? []) {
      const label = String(step.name ?? step.uses ?? String(step.run).split('\n')[0]);
      const cond = condition(step.if);
      const s: StepResult = { name: label, outcome: 'skipped', output: '', outputs: {}, summary: '' };
      if (typeof step.id === 'string') s.id = step.id;
      result.steps.push(s);
      if (truthy(evaluate(cond, context()))) {
        const files = {
          GITHUB_OUTPUT: join(runnerTemp, `output-${result.steps.length}`),
          GITHUB_ENV: join(runnerTemp, `env-${result.steps.length}`),
          GITHUB_STEP_SUMMARY: join(runnerTemp, `summary-${result.steps.length}`),
        };
        for (const f of Object.values(files)) writeFileSync(f, '');
        const stepEnv = { ...env, ...stringMap(interpolateAll(step.env, context())), ...files };
        const ok =
          step.run !== undefined
            ? this.runScript(interpolate(String(step.run), context()), workspace, stepEnv, s)
            : this.useAction(
                String(step.uses),
                stringMap(interpolateAll(step.with, context())),
                workspace,
                opts,
                run,
                s,
              );
        s.outcome = ok ? 'success' : 'failure';
        s.outputs = parseOutputs(readFileSync(files.GITHUB_OUTPUT, 'utf8'));
        Object.assign(env, parseOutputs(readFileSync(files.GITHUB_ENV, 'utf8')));
        s.summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
        result.summary += s.summary;
        if (!ok) result.result = 'failure';
      }
      if (s.id) steps[s.id] = { outputs: s.outputs, outcome: s.outcome };
    }
    return result;
  }

  private runScript(script: string, cwd: string, env: Record<string, string>, s: StepResult): boolean {
    const file = join(env.RUNNER_TEMP as string, `step-${Math.random().toString(36).slice(2)}.sh`);
    writeFileSync(file, script);
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
      cwd,
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    });
    s.output = `${r.stdout}${r.stderr}`;
    return r.status === 0;
  }

  private useAction(
    uses: string,
    w: Record<string, string>,
    workspace: string,
    opts: RunOptions,
    run: WorkflowRun,
    s: StepResult,
  ): boolean {
    const action = uses.replace(/@.*$/, '');
    switch (action) {
      case 'actions/checkout':
        opts.checkout(workspace);
        return true;
      case 'actions/setup-node':
        if (w['node-version'] !== '20')
          throw new Error(`setup-node: node-version ${w['node-version']} is not this machine's`);
        return true;
      case 'actions/upload-artifact': {
        known(w, ['name', 'path', 'if-no-files-found', 'retention-days'], uses);
        const source = join(workspace, w.path ?? '');
        const isFile = existsSync(source) && statSync(source).isFile();
        const files = !existsSync(source) ? [] : isFile ? [source] : listFiles(source);
        if (files.length === 0) {
          s.output = `No files were found with the provided path: ${w.path}.`;
          return w['if-no-files-found'] !== 'error';
        }
        const name = w.name ?? 'artifact';
        if (run.artifacts.has(name)) {
          s.output = `an artifact named ${name} already exists in this run`;
          return false;
        }
        // A folder's contents, or a single file, make the artefact's root (as upload-artifact stores them).
        const target = join(this.root, 'artifacts', String(run.id), name);
        cpSync(source, isFile ? join(target, basename(source)) : target, { recursive: true });
        run.artifacts.set(name, target);
        s.output = `uploaded ${files.length} files as ${name}`;
        return true;
      }
      case 'actions/download-artifact': {
        known(w, ['name', 'pattern', 'path'], uses);
        const dest = join(workspace, w.path ?? '');
        if (w.name !== undefined) {
          const src = run.artifacts.get(w.name);
          if (!src) {
            s.output = `Artifact not found: ${w.name}`;
            return false;
          }
          cpSync(src, dest, { recursive: true });
          return true;
        }
        // A pattern downloads each matching artefact into its own folder (merge-multiple: false).
        const re = new RegExp(`^${(w.pattern ?? '*').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
        const matching = [...run.artifacts].filter(([n]) => re.test(n));
        for (const [n, src] of matching) cpSync(src, join(dest, n), { recursive: true });
        s.output = `downloaded ${matching.map(([n]) => n).join(', ')}`;
        return true;
      }
      default:
        throw new Error(`workflow: action ${uses} is not emulated; extend test/ci/actions.ts`);
    }
  }
}

function known(w: Record<string, string>, keys: string[], uses: string): void {
  for (const k of Object.keys(w)) if (!keys.includes(k)) throw new Error(`${uses}: input ${k} is not emulated`);
}

function needsOf(job: Json): string[] {
  const n = job.needs;
  return n === undefined ? [] : Array.isArray(n) ? n.map(String) : [String(n)];
}

function matrixOf(job: Json): Record<string, unknown>[] {
  const strategy = (job.strategy ?? {}) as Json;
  const matrix = (strategy.matrix ?? {}) as Record<string, unknown[]>;
  let combos: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(matrix)) {
    if (!Array.isArray(values)) throw new Error(`matrix.${k}: only lists are emulated`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  }
  return combos;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true } as never as { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name);
}

function stringMap(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  return Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, String(x)]));
}

/** `name=value` lines and `name<<DELIM` … `DELIM` blocks, as the runner reads GITHUB_OUTPUT and GITHUB_ENV. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i] as string);
      out[heredoc[1] as string] = body.join('\n');
    } else if (line.includes('=')) out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return out;
}

// ---------------------------------------------------------------- expressions

interface Ctx {
  github: Record<string, string>;
  matrix: Record<string, unknown>;
  strategy: Record<string, unknown>;
  steps: Record<string, { outputs: Record<string, string>; outcome: string }>;
  needs: Json;
  env: Record<string, string>;
  status: { failed: boolean; upstreamFailed: boolean };
}

function interpolate(text: string, ctx: Ctx): string {
  return text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_m, expr: string) => toText(evaluate(expr, ctx)));
}

function interpolateAll(v: unknown, ctx: Ctx): unknown {
  if (v === undefined || v === null) return v;
  return Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, interpolate(String(x), ctx)]));
}

function toText(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

function truthy(v: unknown): boolean {
  return v !== '' && v !== 0 && v !== false && v !== null && v !== undefined;
}

/**
 * Evaluates an expression: literals ('text', numbers, true, false, null), context paths
 * (`steps.run.outputs.exit`, `strategy.job-total`), the status functions, `!`, `==`, `!=`,
 * `&&`, `||` and parentheses.
 */
export function evaluate(source: string, ctx: Ctx): unknown {
  const text = source.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1');
  const tokens = text.match(/'(?:[^']|'')*'|&&|\|\||==|!=|[!()]|[A-Za-z_][\w.-]*(?:\(\))?|\d+(?:\.\d+)?/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const primary = (): unknown => {
    const t = next();
    if (t === undefined) throw new Error(`expression ends early: ${source}`);
    if (t === '(') {
      const v = or();
      if (next() !== ')') throw new Error(`expression: missing ) in ${source}`);
      return v;
    }
    if (t === '!') return !truthy(primary());
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (t === 'always()') return true;
    if (t === 'success()') return !ctx.status.failed && !ctx.status.upstreamFailed;
    if (t === 'failure()') return ctx.status.failed || ctx.status.upstreamFailed;
    if (t === 'cancelled()') return false;
    if (t.endsWith('()')) throw new Error(`expression: function ${t} is not emulated`);
    const [head, ...rest] = t.split('.');
    const roots: Record<string, unknown> = { ...ctx };
    if (!(head! in roots) || head === 'status') throw new Error(`expression: context ${head} is not emulated`);
    let v: unknown = roots[head!];
    for (const k of rest) v = v === undefined || v === null ? undefined : (v as Json)[k];
    return v;
  };
  const equality = (): unknown => {
    let v = primary();
    while (peek() === '==' || peek() === '!=') {
      const op = next();
      const w = primary();
      const same = toText(v) === toText(w);
      v = op === '==' ? same : !same;
    }
    return v;
  };
  const and = (): unknown => {
    let v = equality();
    while (peek() === '&&') {
      next();
      const w = equality();
      v = truthy(v) ? w : v;
    }
    return v;
  };
  const or = (): unknown => {
    let v = and();
    while (peek() === '||') {
      next();
      const w = and();
      v = truthy(v) ? v : w;
    }
    return v;
  };
  const value = or();
  if (pos !== tokens.length) throw new Error(`expression: cannot read "${tokens.slice(pos).join(' ')}" in ${source}`);
  return value;
}

/** An `if:` as the runner reads it: with no status function, it means `success() && (…)`. */
function condition(expr: unknown): string {
  if (expr === undefined) return 'success()';
  const text = String(expr).replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1');
  return /\b(always|success|failure|cancelled)\(\)/.test(text) ? text : `success() && (${text})`;
}
