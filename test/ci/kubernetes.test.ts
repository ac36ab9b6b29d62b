import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/**
 * The shipped Kubernetes Jobs, run as the Job controller runs them: each pod's container
 * command with the environment it sets (JOB_COMPLETION_INDEX 0…completions-1 for an Indexed
 * Job, the container's env), `parallelism` pods at a time. The image is faultline as the
 * Dockerfile installs it (`faultline` on the PATH); volumes are folders of a temp dir, and
 * their mount paths in the commands are those folders. Kubelet features the files rely on
 * beyond that (retries, podFailurePolicy, fsGroup) are checked as declarations.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const SCENARIO = readFileSync(join(ROOT, 'test/fixtures/ci/scenarios/small-host.yaml'), 'utf8');

type Json = Record<string, unknown>;
interface Container {
  name: string;
  image: string;
  command: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Job {
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    podFailurePolicy?: Json;
    template: { spec: { restartPolicy: string; securityContext?: Json; containers: Container[]; volumes: Json[] } };
  };
}

function docs(file: string): Json[] {
  return parseAllDocuments(readFileSync(join(ROOT, file), 'utf8')).map((d) => {
    expect(d.errors, file).toEqual([]);
    return d.toJSON() as Json;
  });
}

let tmp: string;
let bin: string;
/** Volume name → host folder. */
let volumes: Record<string, string>;

/** Runs one pod of a Job; resolves with its exit code and log. */
function pod(job: Job, env: Record<string, string>): Promise<{ code: number | null; log: string }> {
  const c = job.spec.template.spec.containers[0]!;
  expect(c.command).toEqual(['/bin/sh', '-c']);
  let script = (c.args ?? []).join(' ');
  const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => b.mountPath.length - a.mountPath.length);
  for (const m of mounts) {
    const host = volumes[m.name];
    if (!host) throw new Error(`volume ${m.name} is not provided by the test`);
    script = script.split(m.mountPath).join(host);
  }
  const podEnv = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
  return new Promise((resolve) => {
    const p = spawn('/bin/sh', ['-c', script], {
      env: { ...process.env, ...podEnv, ...env, PATH: `${bin}:${process.env.PATH}`, HOME: tmp },
    });
    let log = '';
    p.stdout.on('data', (d) => {
      log += d;
    });
    p.stderr.on('data', (d) => {
      log += d;
    });
    p.on('close', (code) => resolve({ code, log }));
  });
}

/** An Indexed Job: every index once, `parallelism` pods at a time. */
async function runIndexed(job: Job): Promise<{ code: number | null; log: string }[]> {
  const n = job.spec.completions ?? 1;
  const out: { code: number | null; log: string }[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await pod(job, { JOB_COMPLETION_INDEX: String(i) });
    }
  };
  await Promise.all(Array.from({ length: job.spec.parallelism ?? 1 }, worker));
  return out;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'faultline-k8s-'));
  bin = join(tmp, 'bin');
  mkdirSync(bin);
  // The image's /usr/local/bin/faultline (see Dockerfile).
  writeFileSync(join(bin, 'faultline'), `#!/bin/sh\nexec "${process.execPath}" "${MAIN}" "$@"\n`);
  chmodSync(join(bin, 'faultline'), 0o755);
  volumes = { results: join(tmp, 'pvc'), scenarios: join(tmp, 'configmap') };
  mkdirSync(volumes.results!);
  mkdirSync(volumes.scenarios!);
  // kubectl create configmap faultline-scenarios --from-file=scenarios/
  writeFileSync(join(volumes.scenarios!, 'small-host.yaml'), SCENARIO);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('docs/examples/kubernetes', () => {
  const sweep = docs('docs/examples/kubernetes/indexed-job.yaml');
  const merge = docs('docs/examples/kubernetes/merge-job.yaml');
  const sweepJob = sweep.find((d) => d.kind === 'Job') as unknown as Job;
  const mergeJob = merge.find((d) => d.kind === 'Job') as unknown as Job;

  it('declare an Indexed Job with N shards, a shared volume and no retry on bad input', () => {
    expect(sweep.map((d) => d.kind)).toEqual(['PersistentVolumeClaim', 'Job']);
    expect(sweep[0]).toMatchObject({
      metadata: { name: 'faultline-results' },
      spec: { accessModes: ['ReadWriteMany'] },
    });
    expect(sweepJob.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 });
    const c = sweepJob.spec.template.spec.containers[0]!;
    expect(c.env).toEqual([{ name: 'SHARDS', value: String(sweepJob.spec.completions) }]);
    expect(sweepJob.spec.podFailurePolicy).toEqual({
      rules: [{ action: 'FailJob', onExitCodes: { containerName: c.name, operator: 'In', values: [2] } }],
    });
    for (const j of [sweepJob, mergeJob]) {
      expect(j.spec.template.spec.restartPolicy).toBe('Never');
      // The image runs as node (uid 1000): the volume must be writable for it.
      expect(j.spec.template.spec.securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 1000 });
      expect(j.spec.template.spec.volumes).toContainEqual({
        name: 'results',
        persistentVolumeClaim: { claimName: 'faultline-results' },
      });
    }
  });

  it('run: every pod of the Indexed Job writes its shard (the fourth an empty one), the merge Job joins them', async () => {
    const pods = await runIndexed(sweepJob);
    for (const [i, p] of pods.entries()) expect(p.code, `pod ${i}:\n${p.log}`).toBe(0);
    expect(pods[3]!.log).toContain('shard 4/4: no variants (the 3 of the sweep went to the other shards)');
    expect(readdirSync(join(volumes.results!, 'shards')).sort()).toEqual(['0', '1', '2', '3']);
    // A retried pod starts its shard afresh: run pod 1 again over what it left.
    writeFileSync(join(volumes.results!, 'shards', '1', 'leftover'), 'half-finished attempt');
    const retry = await pod(sweepJob, { JOB_COMPLETION_INDEX: '1' });
    expect(retry.code, retry.log).toBe(0);
    expect(existsSync(join(volumes.results!, 'shards', '1', 'leftover'))).toBe(false);

    const merged = await pod(mergeJob, {});
    expect(merged.code, merged.log).toBe(0);
    expect(merged.log).toContain('merged 3 variants of 1 scenario from 4 folders');
    expect(merged.log).toContain('checks: 9 passed, 0 failed');
    expect(existsSync(join(volumes.results!, 'merged', 'small-host', 'sweep-small-host.html'))).toBe(true);
    const again = await pod(mergeJob, {});
    expect(again.code, `the merge Job can run twice: ${again.log}`).toBe(0);
  }, 240_000);

  it('run: the merge Job fails (exit 1) when a check failed, its log saying which', async () => {
    rmSync(join(volumes.results!, 'shards'), { recursive: true, force: true });
    writeFileSync(
      join(volumes.scenarios!, 'small-host.yaml'),
      SCENARIO.replace('host.faultCpuPct: max < 60', 'host.faultCpuPct: max < 1'),
    );
    for (const p of await runIndexed(sweepJob)) expect(p.code, p.log).toBe(0);
    const merged = await pod(mergeJob, {});
    expect(merged.code).toBe(1);
    expect(merged.log).toMatch(/✗ small-host\/max-max: host\.faultCpuPct: max < 1 \(observed max=/);
  }, 240_000);
});
