import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCount } from '../../src/engine/cost.js';
import { cli, STACK_LINE } from './spawn-cli.js';

/**
 * Work and input bounds decided before any work starts (issue #16, defects 3, 4 and 10): each
 * refusal is exit 2, at file:line:col, within seconds, with nothing written.
 */
const tmp = mkdtempSync(join(tmpdir(), 'fl-bounds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BASE = `name: bounds
duration: 20s
host:
  ram: 1Gi
  cpus: 2
  swap: { size: 1Gi, device: ssd }
processes:
  app:
    memory: { anon: 512Mi }
    touchesPerSec: 10000
`;

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

function sizes(n: number): string {
  return `[${Array.from({ length: n }, (_, i) => `${i + 1}Mi`).join(', ')}]`;
}

/** A sweep of 100 × 100 × 100 = 10^6 combinations, in 1.2 KB of YAML. */
const MILLION = `${BASE}sweep:
  matrix:
    processes.app.memory.anon: ${sizes(100)}
    host.swap.size: ${sizes(100)}
    host.sysctl.vm.swappiness: [${Array.from({ length: 100 }, (_, i) => i).join(', ')}]
`;

describe('work bounds', () => {
  it('defect 4: validate and run refuse a 10^6-combination sweep at once, at the sweep, saying how long it would take', async () => {
    const path = file('million.yaml', MILLION);
    const out = join(tmp, 'never');
    for (const args of [
      ['validate', path],
      ['run', path, '--out', out],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.ms).toBeLessThan(10_000);
      expect(r.stderr).toMatch(
        new RegExp(
          `^${path}:11:1: error: sweep: 1 000 000 variants \\(100 × 100 × 100\\), more than the limit of 1 000; at about [\\d.]+ (ms|s) each that is about [\\d.]+ (h|days) on \\d+ jobs? here \\(narrow the sweep, or raise the limit with --max-variants N`,
        ),
      );
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('defect 4: a sweep within --max-variants but past the time limit is refused unless --allow-large', async () => {
    const path = file(
      'long-sweep.yaml',
      // Exact replays of 1.8e9 touches each: minutes per variant whatever the calibration.
      `${BASE.replace('20s', '30m').replace('touchesPerSec: 10000', 'touchesPerSec: 1000000')}fidelity: { mode: exact }\nsweep:\n  matrix:\n    processes.app.memory.anon: ${sizes(50)}\n    host.swap.size: ${sizes(40)}\n`,
    );
    const r = await cli(['validate', path, '--max-variants', '2000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /a run would take 2000 variants: about [\d.]+ (h|days) on \d+ jobs? here.*more than the limit of about 1 h/,
    );
    const run = await cli(['run', path, '--max-variants', '2000', '--out', join(tmp, 'never2')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^faultline: this run would take 2 000 variants, about [\d.]+ (h|days) on \d+ jobs? here \(estimated\)/,
    );
    expect(existsSync(join(tmp, 'never2'))).toBe(false);
    const allowed = await cli(['validate', path, '--max-variants', '2000', '--allow-large']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^ok .*long-sweep\.yaml \(2000 variants: about [\d.]+ (h|days) on \d+ jobs? here/);
  });

  it('defect 4: step 1us over 5 minutes is refused at the step, before anything is simulated', async () => {
    const path = file('tiny-step.yaml', BASE.replace('duration: 20s', 'duration: 5m\nstep: 1us'));
    const r = await cli(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${path}:3:7: error: step: 300 000 000 steps × 31 series = 9 300 000 000 values per result, more than the limit of 10 000 000 (about 10 bytes of result.json each) (use a longer step, a shorter duration, or --allow-large)\n`,
    );
  });

  it('validate prints what a run would cost', async () => {
    const r = await cli(['validate', file('ok.yaml', BASE)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok .*ok\.yaml \(1 variant: about [\d.]+ (ms|s) on \d+ jobs? here\)\n$/);
  });
});

describe('flags', () => {
  it('refuses a single-valued flag given twice (it reached the handler as a list: a TypeError, exit 3)', async () => {
    const path = file('flags.yaml', BASE);
    const r = await cli(['run', path, '--shard', '1/2', '--shard', '2/2', '--out', join(tmp, 'never5')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("faultline: --shard given more than once\nRun 'faultline run --help' for usage.\n");
    // A list flag still takes several values, given once or repeated.
    const v = await cli(['run', path, '--variant', 'a', '--variant', 'b', '--out', join(tmp, 'never5')]);
    expect(v.stderr).toBe('faultline: --variant: no variant "a", "b"; known: base\n');
    expect(existsSync(join(tmp, 'never5'))).toBe(false);
  });
});

describe('input bounds', () => {
  it('defect 3: a 300-character scenario name fails at validate, at the name', async () => {
    const path = file('long-name.yaml', BASE.replace('name: bounds', `name: ${'a'.repeat(300)}`));
    const r = await cli(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${path}:1:7: error: name: expected at most 200 characters, found 300 (the name becomes folder and file names, and file names are limited to 255 bytes with faultline's suffixes)\n`,
    );
    const run = await cli(['run', path, '--out', join(tmp, 'never3')]);
    expect(run.code).toBe(2);
    expect(existsSync(join(tmp, 'never3'))).toBe(false);
  });

  it('defect 10: duration 876000h and touchesPerSec 1e15 fail at validate, at the field, and run never starts them', async () => {
    const duration = file('duration.yaml', BASE.replace('duration: 20s', 'duration: 876000h'));
    const touches = file('touches.yaml', BASE.replace('touchesPerSec: 10000', 'touchesPerSec: 1e15'));
    const r = await cli(['validate', duration, touches]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        `${duration}:2:11: error: duration: expected at most 31 days (744h), found "876000h" (a longer replay outgrows any time budget; replay a slow leak faster over a shorter time)`,
        `${touches}:10:20: error: processes.app.touchesPerSec: expected at most 1e9 touches per second, found 1000000000000000 (4 KiB pages at that rate are 4 TB/s, beyond any host's memory bandwidth)`,
        '',
      ].join('\n'),
    );
    const run = await cli(['run', duration, touches, '--out', join(tmp, 'never4')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(r.stderr);
    expect(existsSync(join(tmp, 'never4'))).toBe(false);
  });

  it('a scenario the replay cannot hold fails at validate (exit 2), not later as a failed variant (exit 3)', async () => {
    const path = file(
      'too-big.yaml',
      `${BASE.replace('ram: 1Gi', 'ram: 1Ti').replace('anon: 512Mi', 'anon: 512Gi')}fidelity: { mode: exact }\n`,
    );
    const r = await cli(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^${path}:11:19: error: fidelity.mode: exact replay needs 134217728 page ids \\(limit 64000000\\): use fidelity sampled`,
      ),
    );
  });

  it('refuses more processes than a run report can chart (1000 replicas: its renderer ran out of stack, exit 3)', async () => {
    const path = file(
      'replicas.yaml',
      BASE.replace('touchesPerSec: 10000', 'touchesPerSec: 10000\n    replicas: 1000'),
    );
    const r = await cli(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${path}:8:3: error: processes: 1000 processes (replicas counted), more than the 900 a run report can chart (model groups of identical replicas as fewer, larger processes)`,
    );
  });

  it('refuses a size past 1 EiB at validate, at once (int_sqrt of it never ends)', async () => {
    const path = file('huge-ram.yaml', BASE.replace('ram: 1Gi', 'ram: 99999999999999999999Pi'));
    const r = await cli(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toBe(
      `${path}:4:8: error: host.ram: expected at most 1024Pi (1 EiB), found "99999999999999999999Pi" (no host has more; larger sizes lose the precision of a byte count)\n`,
    );
  });

  it('refuses a scenario file too large to be one, without reading it into the loader', async () => {
    const path = file('huge.yaml', `${BASE}# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    const r = await cli(['validate', path]);
    expect(r.code).toBe(2);
    const bytes = formatCount(statSync(path).size);
    expect(r.stderr).toBe(`${path}:1:1: error: ${bytes} bytes; a scenario file is at most 4 194 304 bytes\n`);
  });
});
