/**
 * The blind workflow of docs/postmortem.md on the three incidents recorded on a real kernel
 * (test/fixtures/postmortem; ground truth in its README, written before any fit). What holds
 * today is asserted, and a rate the logs do not identify is asserted to be reported as such; what
 * the kernel model cannot reproduce yet (swap readahead's window in a burst, which starts from state the
 * host kept from earlier swapping; one deep reclaim pass that wrote 16 MiB at once) is pinned with
 * `it.fails`, so a model fix that makes it hold
 * shows up here as a test to turn into an assertion (docs/postmortem.md, "What the model misses,
 * by shape check").
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
    // docs/postmortem.md, "The second incident": the same unknown and range, default budget and profile (and the
    // fit's multi-start: three compass searches). Every rate is declared in the draft from the logs.
    fit = await fitScenario(join(DIR, 'leak-oom', 'draft.yaml'), {
      vary: ['processes.leaky.memory.anon=16Mi..256Mi'],
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

  // Read off the logs (import ps): after the limit first took some of leaky's working set, its refaults beyond its
  // leak's new pages died away as e^(−0.844 t); times its working set in pages (47.9 MiB: its RSS at its first sample,
  // 49.1 MiB, less its 1.2 MiB of file pages) that is 10 354 touches/s (+3.5 %). Session 7's fit, with the rate
  // unknown, gave 12 109 (+21 %) with a profile open to the range's end: the objective did not pin it.
  it('declares leaky touchesPerSec within ±25 % from the decay of its refaults (truth 10 000/s)', () => {
    const leaky = loadScenarioFile(join(DIR, 'leak-oom', 'draft.yaml')).scenario.processes.find(
      (p) => p.name === 'leaky',
    );
    expect(leaky?.touchesPerSec).toBe(10354);
    expect(within(leaky?.touchesPerSec as number, 10_000, 0.05)).toBe(true);
  });

  it('pins the working set (profile 49Mi..49Mi) and says no parameter is left unbounded', () => {
    const p = fit.report.parameters[0];
    expect([p?.value, p?.profile?.low, p?.profile?.high]).toEqual(['49Mi', '49Mi', '49Mi']);
    expect(fit.report.identifiability.note).toBe(
      'no pair of parameters trades off near the best point: each is pinned by the data to its profile range',
    );
  });

  // One cgroup holds both processes: the host's major faults and swap used are its cgroup's again (1 746 major faults
  // on the host, 1 689 in the cgroup), so the objective scores the cgroup's and leaves the host's out.
  it("leaves out the host terms that its one cgroup's terms double", () => {
    const terms = fit.report.objective.terms;
    expect(terms).toContain('cgroups.incident.majorFaultsPerSec');
    expect(terms).toContain('cgroups.incident.swapBytes');
    expect(terms).not.toContain('majorFaultsPerSec');
    expect(terms).not.toContain('swapUsedBytes');
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

  // 342 / 315 major faults/s steady (+8 %), peak 405 / 331 (+22 %) at the fitted values (session 7's fitted values, leaky
  // at 12 109 touches/s, on today's model: +8 % / +15 %).
  it('matches peak and steady major faults/s within ±25 %', () => {
    const s = shape(fit.best, 'majorFaultsPerSec');
    expect(rel(s.simulated.peak, s.observed.peak)).toBeLessThanOrEqual(0.25);
    expect(rel(s.simulated.steady, s.observed.steady)).toBeLessThanOrEqual(0.25);
  });

  // 480 against 880 pages/s (−46 %; −62 % at the true values): a kernel-model miss, not the import's (sadf and
  // /proc/vmstat agree on 21 352 and 21 355 pages) nor the objective's (the truth misses by more). Half the steady
  // window is one kernel reclaim at 108 s that wrote 4 072 pages within a second (inactive anon 93.8 → 50.8 MiB,
  // active +43 MiB, swap cache 1.9 → 16.6 MiB) and then none for ten while it freed those copies; the model writes the
  // leak's 256 pages a second evenly. The other half is the burst at the limit, where the kernel read 2.0 pages a
  // major fault (readahead) and wrote the touched ones again: a model started with its readahead window open writes
  // as much there (4 894 pages at 63–67 s against 4 937) but the steady figure stays at −52 % (docs/postmortem.md,
  // "What the model misses").
  it.fails('matches steady swap-out pages/s within ±25 %', () => {
    const s = shape(fit.best, 'swapOutPagesPerSec');
    expect(rel(s.simulated.steady, s.observed.steady)).toBeLessThanOrEqual(0.25);
  });

  // The same burst read 583 swap pages/s for 315 major faults/s (readahead); the fitted model 563 (−3 %).
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
  // 128M / 192M, OOM kill of leaky 79.6 s after the first sample. docs/postmortem.md's leak-fast command: the leak
  // read off leaky's RSS and declared; its refaults bound its touch rate below only (import ps: at least 0.93/s × its
  // working set in pages, 5 780 for 24.2 MiB), so the rate is fitted from that bound with the working set, and the fit
  // must say it cannot tell it (fitted.yaml holds this fit's values: objective 0.2040 after 123 runs).
  let fit: Awaited<ReturnType<typeof fitScenario>>;
  let r: RunResult;
  const value = (path: string) => String(fit.report.parameters.find((p) => p.path === path)?.value);
  beforeAll(async () => {
    fit = await fitScenario(join(DIR, 'leak-fast', 'draft.yaml'), {
      vary: ['processes.leaky.memory.anon=16Mi..256Mi', 'processes.leaky.touchesPerSec=5780..50000'],
      budget: 150,
      jobs: 2,
    });
    r = fit.best;
  }, 1_800_000);

  it('declares the leak rate from its RSS and fits the working set within ±25 % (2050Ki/s declared, 25Mi fitted)', () => {
    const leaky = loadScenarioFile(join(DIR, 'leak-fast', 'draft.yaml')).scenario.processes.find(
      (p) => p.name === 'leaky',
    );
    expect(within(leaky?.memory.leakBytesPerSec as number, 2 * MIB, 0.01)).toBe(true);
    expect(value('processes.leaky.memory.anon')).toBe('25Mi');
    expect(within(parseSize(value('processes.leaky.memory.anon')) as number, 24 * MIB)).toBe(true);
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

  // Truth 8 000/s. Neither the logs nor the objective pin it: the import bounds it below (its refaults were back within
  // about a second: λ ≥ 0.93/s), and the fit's profile spans the whole range from that bound to 50 000, so its value
  // (6 855 in session 9, 7 636 in session 8, 9 957 in session 7, 22 132 in session 6) is where the search stopped and
  // the workflow does not claim it. The fit's report says so. (leak-fast-fine, the same incident recorded with a 0.1 s
  // series near the limit, times it: touch-rate.test.ts.)
  it('does not claim leaky touchesPerSec: the fit reports it not identified, bounded below by the logs only', () => {
    const p = fit.report.parameters.find((q) => q.path === 'processes.leaky.touchesPerSec');
    expect([String(p?.profile?.low), String(p?.profile?.high)]).toEqual(['5780', '50000']);
    expect(fit.report.identifiability.note).toMatch(
      /^processes\.leaky\.touchesPerSec is not identified: the data do not bound it below \(its profile reaches 5780\) or above \(its profile reaches 50000\); its fitted value is where the search stopped, not a finding; /,
    );
    expect(fit.report.identifiability.note).not.toMatch(/memory\.anon is not identified/);
  });

  it("declares web's touch rate within ±25 % from its own series (truth 15 000/s; import ps: 14 526)", () => {
    const web = loadScenarioFile(join(DIR, 'leak-fast', 'draft.yaml')).scenario.processes.find((p) => p.name === 'web');
    expect(within(web?.touchesPerSec as number, 15_000)).toBe(true);
  });

  // 525 major faults/s against the kernel's 352 (+49 %; the true values +37 %): swap readahead, a kernel-model miss,
  // not the import's (the host's 2 095 major faults and the cgroup's 2 060 agree) nor the objective's (the truth
  // misses too). The refaults are as many (the kernel's 1 849 major faults and 1 146 readahead hits at 48.6–52.7 s,
  // the model's 2 830 major faults), but a third of the kernel's found their page read ahead. The window
  // (__swapin_nr_pages) is host-wide and bistable: one page a fault, or open windows fed by hits. The model starts
  // cold and stays at one page through the burst; started at the kernel's boot value (4 hits pending) it makes the
  // kernel's burst (+5 % peak, +0 % steady) but the real-kernel matrix loses 3 cells (237 → 234), so it waits for the
  // lab and the recordings to say what state the kernel started in (docs/postmortem.md, "What the model misses").
  it.fails('matches steady major faults/s within ±25 %', () => {
    const s = shape(r, 'majorFaultsPerSec');
    expect(rel(s.simulated.steady, s.observed.steady)).toBeLessThanOrEqual(0.25);
  });

  // Peak 554 against 360 (+54 %; the true values +49 %): readahead, as above.
  it.fails('matches peak major faults/s within ±25 %', () => {
    const s = shape(r, 'majorFaultsPerSec');
    expect(rel(s.simulated.peak, s.observed.peak)).toBeLessThanOrEqual(0.25);
  });
});

describe('leak-fast-fine: leak-fast recorded again with a 0.1 s series near the limit (session 9)', () => {
  // test/fixtures/postmortem/README.md: the same incident as leak-fast (web 48 MiB at 15 000/s, leaky 24 MiB at
  // 8 000/s leaking 2 MiB/s), ground truth written before the recording. The draft declares every rate read off the
  // logs, leaky's touch rate from the 0.1 s series (λ 1.47/s × 6 221 pages = 9 145/s, touch-rate.test.ts); its fit
  // (`faultline fit draft.yaml --vary processes.leaky.memory.anon=16Mi..256Mi`, docs/postmortem.md: 25 runs, 5 min
  // at load 15) kept the draft's working set, 24.3Mi, pinned. fitted.yaml holds it; this runs it.
  let r: RunResult;
  const file = join(DIR, 'leak-fast-fine', 'fitted.yaml');
  beforeAll(() => {
    r = run(file);
  }, 600_000);

  it('declares and fits every parameter within ±25 % of the truth', () => {
    const procs = loadScenarioFile(file).scenario.processes;
    const web = procs.find((p) => p.name === 'web');
    const leaky = procs.find((p) => p.name === 'leaky');
    expect(within(leaky?.touchesPerSec as number, 8000)).toBe(true); // 9 145: +14 %
    expect(within(web?.touchesPerSec as number, 15_000)).toBe(true); // 17 384: +16 %
    expect(within(leaky?.memory.leakBytesPerSec as number, 2 * MIB, 0.02)).toBe(true); // 2 026 KiB/s: −1.1 %
    expect(within(leaky?.memory.anonBytes as number, 24 * MIB, 0.02)).toBe(true); // 24.3 MiB: +1.3 %
    expect(within(web?.memory.anonBytes as number, 48 * MIB, 0.01)).toBe(true);
  });

  it('puts the OOM kill on leaky at its time (80.3 s in the logs and in the run)', () => {
    const oom = r.observed?.oom;
    expect(oom?.observed).toEqual([{ process: 'leaky', timeMs: 80304 }]);
    expect(oom?.victimsMatch).toBe(true);
    expect(within(oom?.simulated[0]?.timeMs as number, 80304, 0.02)).toBe(true);
  });

  it('matches the onsets, peak and steady major faults/s and swap-out within ±25 %', () => {
    for (const m of ['majorFaultsPerSec', 'swapInPagesPerSec', 'swapOutPagesPerSec', 'psiSomePct', 'psiFullPct']) {
      const s = shape(r, m);
      expect(rel(s.simulated.onsetMs, s.observed.onsetMs), m).toBeLessThanOrEqual(0.25);
    }
    // 507 / 409 peak (+24 %), 462 / 383 steady (+21 %); swap-out 1 044 / 1 224 (−15 %), 939 / 1 125 (−17 %).
    for (const m of ['majorFaultsPerSec', 'swapOutPagesPerSec']) {
      const s = shape(r, m);
      expect(rel(s.simulated.peak, s.observed.peak), m).toBeLessThanOrEqual(0.25);
      expect(rel(s.simulated.steady, s.observed.steady), m).toBeLessThanOrEqual(0.25);
    }
  });

  // 463 against 657 swap pages/s steady (−29 %), peak −26 %: the kernel read ahead through the burst (1 440 pages to
  // 75 s), the model, starting with no readahead state, read one page a fault (docs/postmortem.md, "What the model
  // misses": swap readahead's start state).
  it.fails('matches steady swap-in pages/s within ±25 %', () => {
    const s = shape(r, 'swapInPagesPerSec');
    expect(rel(s.simulated.steady, s.observed.steady)).toBeLessThanOrEqual(0.25);
  });
});
