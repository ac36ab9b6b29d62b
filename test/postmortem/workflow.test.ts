/**
 * The blind workflow of docs/postmortem.md on the two incidents recorded on a real kernel
 * (test/fixtures/postmortem; ground truth in its README, written before any fit). What holds
 * today is asserted; what the kernel model cannot reproduce yet (swap readahead's window, sibling
 * reclaim at the parent's limit, the swap-out burst at the memory+swap limit) is pinned with
 * `it.fails`, so a model fix that makes it hold shows up here as a test to turn into an assertion.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitScenario } from '../../src/engine/fit.js';
import { compareShape } from '../../src/engine/observed.js';
import { runVariant } from '../../src/engine/run-variant.js';
import type { RunResult } from '../../src/result/types.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { parseSize } from '../../src/util/units.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'postmortem');
const MIB = 2 ** 20;
const within = (value: number, truth: number, share = 0.25) => Math.abs(value / truth - 1) <= share;

function run(file: string): RunResult {
  const v = loadScenarioFile(file).variants[0];
  if (!v) throw new Error(`no variant in ${file}`);
  return runVariant(v);
}

/** Fitted against observed shape of a host series (docs/postmortem.md, "Shape"). */
function shape(r: RunResult, metric: string) {
  const obs = r.observed?.host[metric];
  if (!obs) throw new Error(`no observed ${metric}`);
  return compareShape(r.timeMs, r.host[metric] ?? [], obs);
}

const rel = (a: number | null, b: number | null) => (a === null || b === null ? Number.NaN : Math.abs(a / b - 1));

describe('leak-oom: the documented fit, blind', () => {
  let fit: Awaited<ReturnType<typeof fitScenario>>;
  beforeAll(async () => {
    // docs/postmortem.md, "The second incident": the same unknowns and ranges, default budget and profile (and the
    // fit's multi-start: three compass searches).
    fit = await fitScenario(join(DIR, 'leak-oom', 'draft.yaml'), {
      vary: ['processes.leaky.memory.anon=16Mi..256Mi', 'processes.leaky.touchesPerSec=1000..50000'],
      budget: 150,
      jobs: 2,
    });
  }, 1_800_000);

  it('declares the leak rate from leaky RSS and fits the working set within ±25 % (truth: 1 MiB/s, 48 MiB)', () => {
    const leaky = loadScenarioFile(join(DIR, 'leak-oom', 'draft.yaml')).scenario.processes.find(
      (p) => p.name === 'leaky',
    );
    expect(within(leaky?.memory.leakBytesPerSec as number, MIB, 0.01)).toBe(true);
    const value = (path: string) => String(fit.report.parameters.find((p) => p.path === path)?.value);
    expect(within(parseSize(value('processes.leaky.memory.anon')) as number, 48 * MIB)).toBe(true);
  });

  it('puts the OOM kill on the right process within ±25 % of its time (truth: leaky at 126.8 s)', () => {
    const oom = fit.report.best.oom;
    expect(oom?.observed).toEqual([{ process: 'leaky', timeMs: 126821 }]);
    expect(oom?.victimsMatch).toBe(true);
    expect(within(oom?.simulated[0]?.timeMs as number, 126821)).toBe(true);
  });

  it("says leaky's touch rate is not bounded above by the data: its profile runs to the range's end", () => {
    const p = fit.report.parameters.find((q) => q.path === 'processes.leaky.touchesPerSec');
    expect([p?.scale, String(p?.profile?.high), p?.profile?.openHigh]).toEqual(['log', '50000', false]);
  });

  // Truth 10 000/s; the fit gives 12 109 (+21 %), found by a later one of its three compass searches (multi-start: the
  // first stopped at 47 614, objective 0.2576; this one at 0.2432). Within, but not because the data pin it: the profile
  // runs from 9 482 to the range's end, and the search misses points that score better still (48 MiB at 33 770/s:
  // 0.1710), because at the limit the model reclaims more of leaky's working set than the kernel did and reads one
  // page a major fault (docs/postmortem.md, "Why the truth scores worse"). Session 6's fit: 50 000.
  it('recovers leaky touchesPerSec within ±25 % (truth 10 000/s)', () => {
    const p = fit.report.parameters.find((q) => q.path === 'processes.leaky.touchesPerSec');
    expect(within(Number(p?.value), 10_000)).toBe(true);
  });

  it("declares web's touch rate within ±25 % from its own series (truth 20 000/s; import ps: 20 780)", () => {
    const web = loadScenarioFile(join(DIR, 'leak-oom', 'draft.yaml')).scenario.processes.find((p) => p.name === 'web');
    expect(within(web?.touchesPerSec as number, 20_000)).toBe(true);
  });

  it('matches the onset of swapping and major faults within ±25 % (truth: 63–64 s)', () => {
    for (const m of ['majorFaultsPerSec', 'swapInPagesPerSec', 'swapOutPagesPerSec']) {
      const s = shape(fit.best, m);
      expect(rel(s.simulated.onsetMs, s.observed.onsetMs), m).toBeLessThanOrEqual(0.25);
    }
  });

  // The kernel swapped out 880 pages/s in the burst when the limit was first reached, the fitted model 405 (−54 %;
  // 283 with session 6's fit, 309 at the true values: pages read ahead, touched and written again; docs/postmortem.md,
  // "What the model misses").
  it.fails('matches steady swap-out pages/s within ±25 %', () => {
    const s = shape(fit.best, 'swapOutPagesPerSec');
    expect(rel(s.simulated.steady, s.observed.steady)).toBeLessThanOrEqual(0.25);
  });

  // The same burst read 583 swap pages/s for 315 major faults/s (readahead); the fitted model 492 (−16 %) since
  // asynchronous swap-out with the cluster slot allocator and read-ahead pages tested against their shadow
  // (session 7; it read 423, −27 %, one page a major fault, before).
  it('matches steady swap-in pages/s within ±25 %', () => {
    const s = shape(fit.best, 'swapInPagesPerSec');
    expect(rel(s.simulated.steady, s.observed.steady)).toBeLessThanOrEqual(0.25);
  });
});

describe('service-batch: the documented fitted scenario against the telemetry', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(join(DIR, 'service-batch', 'fitted.yaml'));
  }, 600_000);

  it('matches the onset of major faults within ±25 %', () => {
    const s = shape(r, 'majorFaultsPerSec');
    expect(rel(s.simulated.onsetMs, s.observed.onsetMs)).toBeLessThanOrEqual(0.25);
  });

  // 8 643 / 8 535 major faults/s against the kernel's 10 053 / 9 654 (−14 %, −12 %), with both rates read off the logs
  // (the service 20 601/s from ps, the batch job 19 899/s from its cgroup's memory + swap). Session 6's fit, with the
  // batch job's rate fitted to 29 113/s, made +27 % / +31 %.
  it('matches peak and steady major faults/s within ±25 %', () => {
    const s = shape(r, 'majorFaultsPerSec');
    expect(rel(s.simulated.peak, s.observed.peak)).toBeLessThanOrEqual(0.25);
    expect(rel(s.simulated.steady, s.observed.steady)).toBeLessThanOrEqual(0.25);
  });

  it('matches the onset of PSI some and full within ±25 %', () => {
    for (const m of ['psiSomePct', 'psiFullPct']) {
      const s = shape(r, m);
      expect(rel(s.simulated.onsetMs, s.observed.onsetMs), m).toBeLessThanOrEqual(0.25);
    }
  });

  // The share of each second stalled (PSI total=): the kernel 23.7 % some / 20.4 % full (5 s means, steady), the
  // fitted run 18.1 % for both (−24 %, −11 %), since both processes keep their pace through the stalls.
  it('matches steady PSI some and full within ±25 %', () => {
    for (const m of ['psiSomePct', 'psiFullPct']) {
      const s = shape(r, m);
      expect(rel(s.simulated.steady, s.observed.steady), m).toBeLessThanOrEqual(0.25);
    }
  });

  it('matches the swap-in and swap-out onsets within ±25 %', () => {
    for (const m of ['swapInPagesPerSec', 'swapOutPagesPerSec']) {
      const s = shape(r, m);
      expect(rel(s.simulated.onsetMs, s.observed.onsetMs)).toBeLessThanOrEqual(0.25);
    }
  });

  // The kernel read 1.80 swap pages per major fault (cluster readahead on a rotational disk): 17 356 pages/s; the
  // fitted model 17 513 (+1 %) since session 7's cluster slot allocator and shadow test of read-ahead pages
  // (before, 8 580, −51 %: read-ahead pages went to the inactive list untested and the window stayed at one page).
  it('matches steady swap-in pages/s within ±25 %', () => {
    const s = shape(r, 'swapInPagesPerSec');
    expect(rel(s.simulated.steady, s.observed.steady)).toBeLessThanOrEqual(0.25);
  });

  // The kernel wrote 1.35 pages per major fault (pages read ahead and touched are written again): 13 013 pages/s;
  // the fitted model 12 956 (−0.4 %) with session 7's asynchronous swap-out and readahead (before, 8 553, −34 %).
  it('matches steady swap-out pages/s within ±25 %', () => {
    const s = shape(r, 'swapOutPagesPerSec');
    expect(rel(s.simulated.steady, s.observed.steady)).toBeLessThanOrEqual(0.25);
  });

  // Declared from its cgroup's memory + swap, which held at 256.2 MiB from 105.7 s (import memory-stat).
  it('declares the batch job final size within ±25 % (truth 256 MiB)', () => {
    const fitted = loadScenarioFile(join(DIR, 'service-batch', 'fitted.yaml')).scenario;
    expect(within(fitted.processes.find((p) => p.name === 'batch')?.memory.anonBytes as number, 256 * MIB)).toBe(true);
  });

  // Truth 20 000/s per second of wall time; the draft declares import ps's 20 601 (docs/import.md, "Touch rates").
  // Fitted, it came out at 14 375/s (−28 %): at the parent's limit the kernel reclaimed both children by size (the
  // service 76.5 of 96 MiB resident, 3 470 major faults/s at 100–155 s); the model protects the pages touched more
  // often, and the fit lowered the service's rate until the model reclaimed it as much (docs/postmortem.md, "What
  // the model misses": sibling reclaim).
  it('declares the service touch rate within ±25 % (truth 20 000/s)', () => {
    const fitted = loadScenarioFile(join(DIR, 'service-batch', 'fitted.yaml')).scenario;
    expect(within(fitted.processes.find((p) => p.name === 'service')?.touchesPerSec as number, 20_000)).toBe(true);
  });

  // Truth 20 000/s per second of wall time (the workload makes up its stalls: pacing wall-clock, which the
  // pid-stat import notes). Declared from its cgroup's memory + swap: 19 899/s (import memory-stat; docs/import.md).
  // Fitted (session 6) it came out at 29 113/s, +46 %: the true values score worse than that (0.2055 against 0.1435
  // today) because the model reclaims the service less than the kernel did (sibling reclaim, docs/postmortem.md).
  it('declares the batch job touch rate within ±25 %', () => {
    const fitted = loadScenarioFile(join(DIR, 'service-batch', 'fitted.yaml')).scenario;
    expect(within(fitted.processes.find((p) => p.name === 'batch')?.touchesPerSec as number, 20_000)).toBe(true);
  });
});

describe('service-batch: the fit recovers what the model can express', () => {
  it('finds the batch job final size within ±25 % from a wrong guess (512 MiB), the other unknowns as fitted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-workflow-'));
    try {
      // fitted.yaml with the draft's guess for the size, and its observed files by absolute path.
      const text = readFileSync(join(DIR, 'service-batch', 'fitted.yaml'), 'utf8')
        .replace('anon: 256.2Mi', 'anon: 512Mi')
        .replace(/file: ([^,\s}]+)/g, (_, f: string) => `file: ${join(DIR, 'service-batch', f)}`);
      const file = join(dir, 'guess.yaml');
      writeFileSync(file, text);
      const outcome = await fitScenario(file, {
        vary: ['processes.batch.memory.anon=128Mi..1Gi'],
        budget: 16,
        profile: false,
        jobs: 2,
      });
      expect(outcome.report.parameters[0]?.start).toBe('512Mi');
      const anon = parseSize(String(outcome.report.parameters[0]?.value)) as number;
      expect(within(anon, 256 * MIB)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 1_800_000);
});

describe('leak-fast: the leak workflow on a third incident, recorded after it was written (blind)', () => {
  // test/fixtures/postmortem/README.md: web 48 MiB at 15 000/s, leaky 24 MiB at 8 000/s leaking 2 MiB/s, limits
  // 128M / 192M, OOM kill of leaky 79.6 s after the first sample. fitted.yaml holds what docs/postmortem.md's leak
  // command (the same two unknowns and ranges as leak-oom's; the leak rate read off leaky's RSS and declared) found
  // from draft.yaml: objective 0.2147 after 120 runs.
  let r: RunResult;
  let leaky: ReturnType<typeof loadScenarioFile>['scenario']['processes'][number] | undefined;
  beforeAll(() => {
    const file = join(DIR, 'leak-fast', 'fitted.yaml');
    r = run(file);
    leaky = loadScenarioFile(file).scenario.processes.find((p) => p.name === 'leaky');
  }, 600_000);

  it('declares the leak rate from its RSS and fits the working set within ±25 % (2050Ki/s declared, 25Mi fitted)', () => {
    expect(within(leaky?.memory.leakBytesPerSec as number, 2 * MIB, 0.01)).toBe(true);
    expect(within(leaky?.memory.anonBytes as number, 24 * MIB)).toBe(true);
  });

  it('puts the OOM kill on leaky within ±25 % of its time (80.1 s in the logs, 79 s fitted)', () => {
    const oom = r.observed?.oom;
    expect(oom?.observed).toEqual([{ process: 'leaky', timeMs: 80064 }]);
    expect(oom?.victimsMatch).toBe(true);
    expect(within(oom?.simulated[0]?.timeMs as number, 80064)).toBe(true);
  });

  it('matches the onsets of major faults, swap-in and swap-out within ±25 % (49 s)', () => {
    for (const m of ['majorFaultsPerSec', 'swapInPagesPerSec', 'swapOutPagesPerSec']) {
      const s = shape(r, m);
      expect(rel(s.simulated.onsetMs, s.observed.onsetMs), m).toBeLessThanOrEqual(0.25);
    }
  });

  // 9 957/s, +24.5 %: within, but not because the data pin it. Its profile runs from 7 798 to the range's end (the
  // data bound it below only), and the first compass search stopped at 47 818 (objective 0.3053); the second of the
  // multi-start's searches found 9 957 (0.2147). Session 6's fit, leak fitted too: 22 132. The true values score
  // 0.2390 (leak 2 MiB/s, 24 MiB): docs/postmortem.md, "Why the truth scores worse".
  it('recovers leaky touchesPerSec within ±25 % (truth 8 000/s)', () => {
    expect(within(leaky?.touchesPerSec as number, 8000)).toBe(true);
  });

  it("declares web's touch rate within ±25 % from its own series (truth 15 000/s; import ps: 14 526)", () => {
    const web = loadScenarioFile(join(DIR, 'leak-fast', 'draft.yaml')).scenario.processes.find((p) => p.name === 'web');
    expect(within(web?.touchesPerSec as number, 15_000)).toBe(true);
  });

  // 480 major faults/s against the kernel's 352 (+36 %; session 6's fit, at 22 132 touches/s, +23 %; the true values
  // +38 %), since the kernel took 1 487 of its 3 749 swap-ins as readahead hits (swap_ra_hit; minor faults) and the
  // model reads about one page a major fault.
  it.fails('matches steady major faults/s within ±25 %', () => {
    const s = shape(r, 'majorFaultsPerSec');
    expect(rel(s.simulated.steady, s.observed.steady)).toBeLessThanOrEqual(0.25);
  });

  // Peak 504 against 360 (+40 %; session 6's fit +30 %, the true values +49 %): readahead, as above.
  it.fails('matches peak major faults/s within ±25 %', () => {
    const s = shape(r, 'majorFaultsPerSec');
    expect(rel(s.simulated.peak, s.observed.peak)).toBeLessThanOrEqual(0.25);
  });
});
