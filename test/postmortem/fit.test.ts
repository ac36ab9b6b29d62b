import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  coordinateOf,
  doubledHostTerms,
  fitScenario,
  fittedScenarioText,
  objectiveTerms,
  parseVary,
  valueAt,
} from '../../src/engine/fit.js';
import { runVariant } from '../../src/engine/run-variant.js';
import type { RunResult } from '../../src/result/types.js';
import { loadScenarioFile, loadScenarioText } from '../../src/scenario/load.js';
import type { Variant } from '../../src/scenario/types.js';
import { tableToCsv } from '../../src/traces/telemetry/index.js';
import { parseDuration, parseSize } from '../../src/util/units.js';

const SCENARIO = new URL('../fixtures/postmortem/synthetic.yaml', import.meta.url).pathname;
const TRUE_ANON = '384Mi';
const TRUE_LATENCY = '150us';

const dir = mkdtempSync(join(tmpdir(), 'faultline-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `faultline import` would have written had the true host been observed: the run's series as normalised CSV. */
function observedCsv(truth: RunResult): string {
  const cols: [string, string][] = [
    ['major_faults_per_sec', 'majorFaultsPerSec'],
    ['swap_out_pages_per_sec', 'swapOutPagesPerSec'],
    ['free_bytes', 'memFreeBytes'],
    ['psi_some_avg10_pct', 'psiSomeAvg10Pct'],
    ['cpu_iowait_pct', 'cpuIowaitPct'],
  ];
  const start = Date.parse('2026-03-14T02:00:00Z');
  return tableToCsv({
    source: { kind: 'vmstat', file: 'truth', intervalSec: 2 },
    columns: cols.map(([name]) => ({ name, unit: '', description: '' })),
    timeMs: truth.timeMs.map((t) => start + t),
    values: cols.map(([, m]) => (truth.host[m] ?? []).map((v) => v ?? Number.NaN)),
  });
}

describe('fit', () => {
  it('recovers a working-set size and a swap latency within 10% from a perturbed start', async () => {
    const raw = YAML.parse(readFileSync(SCENARIO, 'utf8'));
    raw.processes.app.memory.anon = TRUE_ANON;
    raw.host.swap.readLatency = TRUE_LATENCY;
    const truth = runVariant(loadScenarioText(YAML.stringify(raw), SCENARIO).variants[0] as Variant);
    expect(truth.status).toBe('ok');
    const csv = join(dir, 'observed.csv');
    writeFileSync(csv, observedCsv(truth));

    const observed = [{ kind: 'csv', file: csv, offsetMs: truth.timeMs[0] as number }];
    const outcome = await fitScenario(SCENARIO, {
      vary: ['processes.app.memory.anon=200Mi..600Mi', 'host.swap.readLatency=40us..400us'],
      observed,
      budget: 30,
      profile: false,
      jobs: 2,
    });
    const [anon, latency] = outcome.report.parameters;
    // The start is the file's perturbed values, not the truth.
    expect(anon?.start).toBe('448Mi');
    expect(latency?.start).toBe('90us');
    expect([anon?.startFrom, latency?.startFrom]).toEqual(['scenario', 'scenario']);
    expect(outcome.report.identifiability.note).toBe('not computed (--no-profile)');
    const fittedAnon = parseSize(String(anon?.value)) as number;
    const fittedLatency = parseDuration(String(latency?.value)) as number;
    expect(Math.abs(fittedAnon / (parseSize(TRUE_ANON) as number) - 1)).toBeLessThan(0.1);
    expect(Math.abs(fittedLatency / (parseDuration(TRUE_LATENCY) as number) - 1)).toBeLessThan(0.1);
    expect(outcome.report.runs).toBeLessThanOrEqual(30);
    const objectives = outcome.report.iterations.map((i) => i.objective ?? Number.POSITIVE_INFINITY);
    expect(outcome.report.best.objective).toBe(Math.min(...objectives));
    expect(outcome.report.best.objective).toBeLessThan(objectives[0] as number);

    // The fitted scenario is the original text with the values substituted: comments kept, and it loads.
    const outFile = join(dir, 'out', 'fitted.yaml');
    const text = fittedScenarioText(outcome, SCENARIO, outFile, observed);
    expect(text).toContain('# the working set: fitted');
    expect(text).toContain(`anon: ${anon?.value}`);
    writeFileSync(join(dir, 'fitted.yaml'), text.replace(/file: .*/, `file: ${csv}`));
    const reloaded = loadScenarioFile(join(dir, 'fitted.yaml')).scenario;
    expect(reloaded.processes[0]?.memory.anonBytes).toBe(fittedAnon);
    expect(reloaded.observed).toHaveLength(1);
  }, 600_000); // a fit: minutes on two cores shared with other work
});

describe('the fit: section', () => {
  const withFit = (name: string, fit: string) => {
    const file = join(dir, name);
    writeFileSync(file, `${readFileSync(SCENARIO, 'utf8')}fit:\n${fit}`);
    return file;
  };
  const observed = [
    {
      kind: 'vmstat',
      file: new URL('../fixtures/telemetry/vmstat-t-thrash.txt', import.meta.url).pathname,
      offsetMs: 0,
    },
  ];

  it('declares the unknowns when no --vary is given; --vary replaces it', async () => {
    const file = withFit(
      'declared.yaml',
      '  processes.app.memory.anon: 256Mi..512Mi\n  host.sysctl.vm.swappiness: 10..90\n',
    );
    expect(loadScenarioFile(file).scenario.fit).toEqual([
      { path: 'processes.app.memory.anon', low: '256Mi', high: '512Mi', where: `${file}:26:3` },
      { path: 'host.sysctl.vm.swappiness', low: '10', high: '90', where: `${file}:27:3` },
    ]);
    const declared = await fitScenario(file, { vary: [], observed, budget: 2, profile: false, jobs: 2 });
    // swappiness is not in the file: it starts at the kernel default the loader gives it, 60.
    expect(declared.report.parameters.map((p) => [p.path, p.low, p.high, p.unit, p.start, p.startFrom])).toEqual([
      ['processes.app.memory.anon', 256, 512, 'Mi', '448Mi', 'scenario'],
      ['host.sysctl.vm.swappiness', 10, 90, '', 60, 'default'],
    ]);
    expect(Object.keys(declared.report.iterations[1]?.params ?? {})).toEqual([
      'processes.app.memory.anon',
      'host.sysctl.vm.swappiness',
    ]);
    const overridden = await fitScenario(file, {
      vary: ['host.swap.readLatency=40us..400us'],
      observed,
      budget: 2,
      profile: false,
      jobs: 2,
    });
    expect(overridden.report.parameters.map((p) => p.path)).toEqual(['host.swap.readLatency']);
    expect(overridden.report.parameters[0]).toMatchObject({ start: '90us', startFrom: 'scenario' });
    // Without readLatency in the file, the start is the ssd preset's 80us, not mid-range.
    const presetFile = join(dir, 'preset.yaml');
    writeFileSync(presetFile, readFileSync(SCENARIO, 'utf8').replace(/^ {4}readLatency: 90us\n/m, ''));
    const preset = await fitScenario(presetFile, {
      vary: ['host.swap.readLatency=40us..400us'],
      observed,
      budget: 2,
      profile: false,
      jobs: 2,
    });
    expect(preset.report.parameters[0]).toMatchObject({ start: '80us', startFrom: 'default' });
  }, 600_000); // a fit: minutes on two cores shared with other work

  it('is required when no --vary is given', async () => {
    await expect(fitScenario(SCENARIO, { vary: [], observed, budget: 2, jobs: 1 })).rejects.toThrow(
      /nothing to fit: declare unknowns in a fit: section/,
    );
  });
});

describe('--vary', () => {
  const raw = YAML.parse(readFileSync(SCENARIO, 'utf8'));

  it('resolves paths through the scenario schema, keys with dots included', () => {
    expect(parseVary('host.sysctl.vm.swappiness=0..100', raw)).toMatchObject({
      segments: ['host', 'sysctl', 'vm.swappiness'],
      integer: true,
      unit: '',
    });
    expect(parseVary('processes.app.access.alpha=0.5..1.2', raw)).toMatchObject({
      integer: false,
      low: 0.5,
      high: 1.2,
    });
  });

  it('writes ends in two units of one kind in the smaller one (issue 15)', () => {
    expect(parseVary('processes.app.memory.anon=256Mi..1Gi', raw)).toMatchObject({ low: 256, high: 1024, unit: 'Mi' });
    expect(parseVary('host.swap.readLatency=500us..2ms', raw)).toMatchObject({ low: 500, high: 2000, unit: 'us' });
    expect(parseVary('processes.app.memory.leakPerSec=256Ki..4Mi', raw)).toMatchObject({
      low: 256,
      high: 4096,
      unit: 'Ki',
    });
  });

  it('searches a rate spanning a factor of 4 or more on a log scale, sizes and narrow rates linearly', () => {
    const touches = parseVary('processes.app.touchesPerSec=1000..64000', raw);
    expect(touches.scale).toBe('log');
    // Equal steps are equal factors: the middle of 1 000..64 000 is 8 000, a quarter 2 828 (an integer range).
    expect([valueAt(touches, 0), valueAt(touches, 0.5), valueAt(touches, 0.25), valueAt(touches, 1)]).toEqual([
      1000, 8000, 2828, 64000,
    ]);
    expect(coordinateOf(touches, 8000)).toBeCloseTo(0.5, 12);
    expect(parseVary('processes.app.memory.leakPerSec=256Ki..4Mi', raw).scale).toBe('log');
    expect(parseVary('processes.app.touchesPerSec=1000..3000', raw).scale).toBe('linear');
    const anon = parseVary('processes.app.memory.anon=16Mi..256Mi', raw);
    expect([anon.scale, valueAt(anon, 0.5)]).toEqual(['linear', '136Mi']);
  });

  it('refuses unknown paths, units of two kinds, empty ranges and the sweep itself', () => {
    expect(() => parseVary('processes.app.memory.anom=1Mi..2Mi', raw)).toThrow(/names no field.*anon/);
    expect(() => parseVary('processes.app.memory.anon=1Mi..2ms', raw)).toThrow(
      /mixes units that do not convert \('Mi' and 'ms'\)/,
    );
    expect(() => parseVary('processes.app.memory.anon=1Gi..512Mi', raw)).toThrow(/low < high/);
    expect(() => parseVary('processes.app.memory.anon=2Mi..1Mi', raw)).toThrow(/low < high/);
    expect(() => parseVary('processes.app.memory.anon', raw)).toThrow(/expected <field path>/);
  });
});

describe('objective terms', () => {
  // A run whose processes all live in `cgroups` (a partial RunResult: doubledHostTerms reads the processes' cgroups).
  const runIn = (...cgroups: string[]) =>
    ({ scenario: { processes: cgroups.map((cgroup, i) => ({ name: `p${i}`, cgroup })) } }) as unknown as RunResult;

  it("leaves a host term to its cgroup's twin when one cgroup holds every process, not otherwise", () => {
    const all = [
      'majorFaultsPerSec',
      'swapUsedBytes',
      'swapInPagesPerSec',
      'cgroups.app.majorFaultsPerSec',
      'cgroups.app.swapBytes',
    ].map((name) => ({ name, points: 10, mapePct: 10, normalisedError: 0.1 }));
    expect(doubledHostTerms(runIn('app', 'app'), all)).toEqual(['majorFaultsPerSec', 'swapUsedBytes']);
    expect(doubledHostTerms(runIn('app', 'other'), all)).toEqual([]);
    // Without the cgroup's twin term the host's stays.
    expect(doubledHostTerms(runIn('app'), all.slice(0, 3))).toEqual([]);
    const names = (metrics?: string[]) =>
      objectiveTerms(all, metrics, doubledHostTerms(runIn('app'), all)).map((t) => t.name);
    expect(names()).toEqual(['swapInPagesPerSec', 'cgroups.app.majorFaultsPerSec', 'cgroups.app.swapBytes']);
    // --metric names the terms as given.
    expect(names(['majorFaultsPerSec'])).toEqual(['majorFaultsPerSec']);
  });

  const term = (name: string) => ({ name, points: 10, mapePct: 10, normalisedError: 0.1 });
  const names = (list: string[], metrics?: string[]) => objectiveTerms(list.map(term), metrics).map((t) => t.name);

  it('keeps the compared series but free memory, minor faults and the PSI stall share; --metric names them', () => {
    const all = ['majorFaultsPerSec', 'psiSomeAvg10Pct', 'psiSomePct', 'psiFullPct', 'memFreeBytes'];
    const scoped = [
      'processes.app.minorFaultsPerSec',
      'processes.app.majorFaultsPerSec',
      'processes.app.faultsPerSec',
      'cgroups.app.majorFaultsPerSec',
      'cgroups.app.psiSomeAvg10Pct',
    ];
    // A process's majors give way to its faultsPerSec (majors + minors); a cgroup's stay.
    expect(names([...all, ...scoped])).toEqual([
      'majorFaultsPerSec',
      'psiSomeAvg10Pct',
      'processes.app.faultsPerSec',
      'cgroups.app.majorFaultsPerSec',
      'cgroups.app.psiSomeAvg10Pct',
    ]);
    expect(names(scoped, ['processes.app.majorFaultsPerSec'])).toEqual(['processes.app.majorFaultsPerSec']);
    expect(names(all, ['psiSomePct', 'memFreeBytes'])).toEqual(['psiSomePct', 'memFreeBytes']);
  });
});
