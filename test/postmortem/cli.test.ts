import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareObserved } from '../../src/engine/observed.js';
import { loadScenarioFile } from '../../src/scenario/load.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const SCENARIO = new URL('../fixtures/postmortem/synthetic.yaml', import.meta.url).pathname;
const VMSTAT = new URL('../fixtures/telemetry/vmstat-t-thrash.txt', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'faultline-fit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const faultline = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });

describe('faultline fit', () => {
  it('writes the fitted scenario, fit.json, fit.html and the best result within the budget', () => {
    const out = join(dir, 'fit');
    const r = faultline(
      'fit',
      SCENARIO,
      '--observed',
      `vmstat:${VMSTAT}`,
      '--vary',
      'processes.app.memory.anon=256Mi..512Mi',
      '--budget',
      '4',
      '--jobs',
      '2',
      '--out',
      out,
      '-q',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^processes\.app\.memory\.anon = \d+(\.\d+)?Mi \(start 448Mi from scenario, within 10%: .*Mi\.\..*Mi\+?\)$/m,
    );
    const report = JSON.parse(readFileSync(join(out, 'fit.json'), 'utf8'));
    expect(report.schemaVersion).toBe(3);
    expect(report.parameters[0].scale).toBe('linear');
    // The budget caps the search; the profile adds at most 4 runs for one parameter (fewer when a point ran already).
    const phases = report.iterations.map((i: { phase: string }) => i.phase);
    expect(phases.filter((p: string) => p !== 'profile')).toHaveLength(4);
    expect(phases.filter((p: string) => p === 'profile').length).toBeGreaterThan(0);
    expect(phases.filter((p: string) => p === 'profile').length).toBeLessThanOrEqual(4);
    expect(report.runs).toBe(phases.length);
    expect(report.stoppedBecause).toBe('budget');
    expect(report.objective.terms).toContain('swapInPagesPerSec');
    // One overlay per term with a series, and the objective trace.
    expect(readFileSync(join(out, 'fit.html'), 'utf8').match(/<svg/g)?.length).toBe(report.best.terms.length + 1);
    const fitted = loadScenarioFile(join(out, 'fitted.yaml')).scenario;
    expect(fitted.observed.map((o) => o.file)).toEqual([VMSTAT]);
    const best = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(best.observed.errors.length).toBe(report.best.terms.length);
  });

  it('exits 2 with the reason for a bad range or observed files the run cannot use', () => {
    const fitWith = (vary: string, observed = `vmstat:${VMSTAT}`) =>
      faultline('fit', SCENARIO, '--observed', observed, '--vary', vary, '--out', join(dir, 'bad'), '-q');
    const section = fitWith('processes.app.memory=1..2');
    expect(section.status).toBe(2);
    expect(section.stderr).toBe(
      "faultline: --vary 'processes.app.memory=1..2': processes.app.memory is a section; name a field inside it\n",
    );
    // Every value out of the field's range: no candidate loads, and the loader's reason is shown.
    const range = fitWith('host.sysctl.vm.swappiness=300..400');
    expect(range.status).toBe(2);
    expect(range.stderr).toMatch(/^faultline: no candidate could be run: .*vm\.swappiness/s);
    const csv = join(dir, 'unmapped.csv');
    writeFileSync(csv, 'time,t_s,cpu_user_pct\n2026-03-14T02:00:00.000Z,0,5\n2026-03-14T02:00:05.000Z,5,6\n');
    const none = fitWith('processes.app.memory.anon=256Mi..512Mi', `csv:${csv}`);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('the observed files give no series the simulation can be compared with');
  });
});

describe('an observed file that cannot be read', () => {
  it('becomes a warning beside an otherwise complete comparison', () => {
    const s = loadScenarioFile(SCENARIO).scenario;
    const missing = join(dir, 'gone.txt');
    expect(existsSync(missing)).toBe(false);
    const { observed, warnings } = compareObserved(
      { host: s.host, observed: [{ kind: 'vmstat', file: missing, offsetMs: 0 }] },
      { timeMs: [1000], host: {} },
    );
    expect(warnings).toEqual([
      { code: 'observed-unreadable', message: expect.stringContaining(`: cannot read ${missing}: ENOENT`) },
    ]);
    expect(observed.sources).toEqual([{ kind: 'vmstat', file: missing, offsetMs: 0, rows: 0 }]);
    expect(observed.errors).toEqual([]);
  });
});
