import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, RunSetManifest } from '../../src/result/types.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const INCIDENT = join(ROOT, 'scenarios', 'incident-spark-120g-on-64g.yaml');
const AS_IS = 'stop-never_max-max_swappiness-60_soft-limit-none';

function faultline(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-e2e-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('faultline run on the reference incident (as-is variant)', () => {
  let result: RunResult;
  let run: ReturnType<typeof faultline>;

  beforeAll(() => {
    run = faultline(['run', INCIDENT, '--out', dir, '--variant', AS_IS, '--quiet']);
    result = JSON.parse(readFileSync(join(dir, 'incident-spark-120g-on-64g', AS_IS, 'result.json'), 'utf8'));
  }, 120_000);

  it('exits 1 because the scenario’s own expectations fail, and says where the report is', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ incident-spark-120g-on-64g\/.*processes\.db\.latencyMs: p\(99\) < 1000 \(observed/);
    expect(run.stdout).toContain(`report: ${join(dir, 'index.html')}`);
  });

  it('has no major faults while the working sets fit in RAM, and a fault storm once they do not', () => {
    const t = result.timeMs;
    const major = result.host.majorFaultsPerSec as number[];
    const spark = result.processes.spark as Record<string, (number | null)[]>;
    // Spark starts at 2 min; db (20 GiB anon + 12 GiB file) and Spark's first GiBs fit in 64 GiB.
    const before = major.filter((_, i) => (t[i] as number) <= 120_000);
    expect(before.length).toBeGreaterThan(100);
    expect(Math.max(...before)).toBe(0);
    // Once Spark's anonymous memory passes what is left of RAM, swapping starts.
    const late = major.filter((_, i) => (t[i] as number) >= 600_000);
    expect(Math.min(...late)).toBeGreaterThan(100);
    expect(Math.max(...(spark.rssBytes as number[]))).toBeLessThan(64 * 2 ** 30);
    expect(result.summary.host.swapOutPages).toBeGreaterThan(0);
  });

  it('shows the incident’s shape: most CPU on faulting and db queries taking minutes', () => {
    expect(result.summary.host.faultCpuPctMax).toBeGreaterThan(70);
    const db = result.summary.processes.db;
    expect(db?.latencyMs?.p99Ms).toBeGreaterThan(60_000);
    expect(result.verdict.status).toBe('fail');
    expect(result.verdict.host?.state).toBe('thrashing');
    expect(result.verdict.processes.find((p) => p.process === 'db')?.state).toBe('thrashing');
  });

  it('writes every output of the result and a report with its charts inline', () => {
    const vdir = join(dir, 'incident-spark-120g-on-64g', AS_IS);
    const html = readFileSync(join(vdir, 'report.html'), 'utf8');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    expect(readFileSync(join(vdir, 'timeseries.csv'), 'utf8').split('\n')[0]).toMatch(/^time_s,/);
    expect(readFileSync(join(vdir, 'junit.xml'), 'utf8')).toContain('<testsuite');
    const manifest: RunSetManifest = JSON.parse(
      readFileSync(join(dir, 'incident-spark-120g-on-64g', 'manifest.json'), 'utf8'),
    );
    expect(manifest.entries.map((e) => e.variantId)).toEqual([AS_IS]);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('incident-spark-120g-on-64g');
  });

  it('gives byte-identical result JSON for the same seed and inputs', () => {
    const again = mkdtempSync(join(tmpdir(), 'faultline-e2e-again-'));
    try {
      faultline(['run', INCIDENT, '--out', again, '--variant', AS_IS, '--quiet', '--no-exit-code']);
      const a = readFileSync(join(dir, 'incident-spark-120g-on-64g', AS_IS, 'result.json'));
      const b = readFileSync(join(again, 'incident-spark-120g-on-64g', AS_IS, 'result.json'));
      expect(b.equals(a)).toBe(true);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('faultline run on bad input', () => {
  it('names file:line:col of malformed YAML, exits 2 and prints no stack trace', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nhost:\n  ram: 64Gi\n  cpus: [1, 2\n');
    const r = faultline(['run', bad, '--out', join(dir, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error`));
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses an unknown variant before running anything', () => {
    const r = faultline(['run', INCIDENT, '--out', join(dir, 'never2'), '--variant', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--variant: no variant "nope"');
  });
});
