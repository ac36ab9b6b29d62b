/**
 * A touch rate read off the decay of a process's refaults (docs/import.md, "Touch rates from
 * refault decay"), for a process whose RSS never settles (it leaks or grows), so that the RSS
 * cannot say how much of its working set is missing.
 *
 * While it grows, each of its faults is a new page: its cumulative faults rise on a line. When
 * reclaim takes part of its working set in a burst and then stops (a cgroup limit first
 * reached), every page taken comes back at the first touch that finds it gone, and with touches
 * spread uniformly over W pages at R touches/s each missing page is touched at R / W per
 * second: the faults beyond the line level off as A − B·e^(−λt) with λ = R / W. λ is the one
 * number the series carries (how much was taken, B, and when are fitted beside it), and R is
 * λ times the working set in pages.
 */
import type { GrowthRate } from './growth.js';

/** The decay is fitted over this long after the burst's largest interval. */
const WINDOW_MS = 8000;
/** The burst's largest interval is looked for this long after its first. */
const BURST_MS = 3000;
/** Least rise of an interval's faults above the growth's line that starts a burst (or 4 σ of the line's scatter). */
const MIN_RISE = 10;
/** The faults beyond the line over the window's last two samples must be below this share of the burst's: it died away. */
const LEVEL_SHARE = 0.05;
/** Fewest refaults (faults beyond the growth's line) a decay rests on. */
const MIN_REFAULTS = 100;
/** λ searched on a log grid over this range, per second. */
const LAMBDA_MIN = 0.01;
const LAMBDA_MAX = 30;
const LAMBDA_STEP = 1.02;
/** λ values whose squared error is within this many residual variances of the best: about ±2 σ for one parameter. */
const DELTA_SSE = 4;

export interface RefaultDecay {
  /** λ at the least squared error, per second, and the range the noise allows (low/high undefined: not bounded on that side). */
  lambdaPerSec: number;
  lowPerSec: number | undefined;
  highPerSec: number | undefined;
  /** Start of the fitted decay (end of the burst's largest interval), ms since the capture's first snapshot. */
  atMs: number;
  /** Faults beyond the growth's line over the burst and its decay. */
  refaults: number;
  /** Faults a second on the growth's line (new pages). */
  baselinePerSec: number;
  /** The working set: RSS at the first snapshot less half a sample of growth, ± that half. */
  workingSetBytes: number;
  workingSetSpreadBytes: number;
  /** It was running at the capture's first snapshot (a series started near a limit): its first RSS is not its working set. */
  runningBefore: boolean;
}

/** Least squares of y on a + b·x. */
function line(x: readonly number[], y: readonly number[]): { a: number; b: number; sse: number } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += ((x[i] as number) - mx) ** 2;
    sxy += ((x[i] as number) - mx) * ((y[i] as number) - my);
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  const a = my - b * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += ((y[i] as number) - a - b * (x[i] as number)) ** 2;
  return { a, b, sse };
}

/**
 * The decay after the first burst of refaults that follows the process's growth, or why there is
 * none (a string for the note). undefined when the process has no growth run to take new pages'
 * faults from (GrowthRate.run).
 */
export function refaultDecay(g: GrowthRate, startMs: number, pageBytes: number): RefaultDecay | string | undefined {
  const run = g.run();
  if (!run) return undefined;
  const n = g.timeMs.length;
  const sec = (i: number) => ((g.timeMs[i] as number) - (g.timeMs[0] as number)) / 1000;
  const cum: number[] = [];
  for (let i = 0; i < n; i++) cum.push((cum[i - 1] ?? 0) + (g.minor[i] as number) + (g.major[i] as number));
  const idx = Array.from({ length: run.to - run.from + 1 }, (_, k) => run.from + k);
  const base = line(
    idx.map(sec),
    idx.map((i) => cum[i] as number),
  );
  const baseVar = base.sse / Math.max(1, idx.length - 2);
  const excess = (i: number) => (cum[i] as number) - base.a - base.b * sec(i);
  let end = run.to;
  while (end + 1 < n && (g.bytes[end + 1] as number) > 0) end++;
  // The burst: from the first interval whose faults rise above the line by more than its scatter, its largest
  // interval within BURST_MS; a later burst (another limit, another cgroup's reclaim) is not read.
  const rise = (i: number) => excess(i) - excess(i - 1);
  let first = run.to + 1;
  while (first <= end && rise(first) <= Math.max(MIN_RISE, 4 * Math.sqrt(baseVar))) first++;
  if (first > end)
    return "no burst of faults beyond its growth's line after it stopped (reclaim took none of its working set)";
  let peak = first;
  for (let i = first; i <= end && sec(i) - sec(first) <= BURST_MS / 1000; i++) if (rise(i) > rise(peak)) peak = i;
  const win: number[] = [];
  for (let i = peak; i <= end && sec(i) - sec(peak) <= WINDOW_MS / 1000; i++) win.push(i);
  const last = win.at(-1) as number;
  const refaults = excess(last) - excess(run.to);
  if (refaults < MIN_REFAULTS)
    return `${refaults.toFixed(0)} faults beyond its ${base.b.toFixed(1)} new pages/s after its growth stopped (reclaim took little of its working set)`;
  if (win.length < 5) return `it was gone ${(sec(end) - sec(peak)).toFixed(1)} s after its refaults peaked`;
  const tail = excess(last) - excess(win.at(-3) as number);
  if (tail > LEVEL_SHARE * refaults + 4 * Math.sqrt(baseVar))
    return `its faults beyond its growth's line had not died away ${(WINDOW_MS / 1000).toFixed(0)} s after they peaked (${tail.toFixed(0)} in its last two samples): reclaim kept taking from it (a working set that does not fit), so no decay shows its rate`;
  // For each λ the level and the size of the burst are a line in e^(−λt): least squares in closed form.
  const misfit = (lambda: number) =>
    line(
      win.map((i) => -Math.exp(-lambda * (sec(i) - sec(peak)))),
      win.map(excess),
    ).sse;
  const grid: { lambda: number; sse: number }[] = [];
  for (let l = LAMBDA_MIN; l <= LAMBDA_MAX; l *= LAMBDA_STEP) grid.push({ lambda: l, sse: misfit(l) });
  const best = grid.reduce((a, b) => (b.sse < a.sse ? b : a));
  // The noise: the growth line's scatter (when the snapshots were taken against the process's own clock), or the
  // decay's own misfit when larger; at least a fault.
  const variance = Math.max(1, baseVar, best.sse / (win.length - 3));
  const within = grid.filter((q) => q.sse <= best.sse + DELTA_SSE * variance);
  const low = within[0] as { lambda: number };
  const high = within.at(-1) as { lambda: number };
  const spacings = g.timeMs.slice(1).map((t, i) => t - (g.timeMs[i] as number));
  spacings.sort((a, b) => a - b);
  const spacingSec = (spacings[Math.floor(spacings.length / 2)] ?? 1000) / 1000;
  const half = (base.b * pageBytes * spacingSec) / 2;
  return {
    lambdaPerSec: best.lambda,
    lowPerSec: low === grid[0] ? undefined : low.lambda,
    highPerSec: high === grid.at(-1) ? undefined : high.lambda,
    atMs: (g.timeMs[peak] as number) - startMs,
    refaults,
    baselinePerSec: base.b,
    workingSetBytes: (g.bytes[0] as number) - half,
    workingSetSpreadBytes: half,
    runningBefore: (g.timeMs[0] as number) <= startMs,
  };
}

/** The note of a process (ps, pid-stat) whose RSS never settled, or undefined when it has no growth run. */
export function refaultDecayNote(g: GrowthRate, startMs: number, pageBytes: number): string | undefined {
  const d = refaultDecay(g, startMs, pageBytes);
  if (d === undefined) return undefined;
  if (typeof d === 'string') return `touchesPerSec not estimable from refault decay: ${d}`;
  const pages = d.workingSetBytes / pageBytes;
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const rate = (l: number) => Math.round(l * pages);
  const ws = `its working set taken as its RSS at its first sample less half a sample of its growth, ${mib(d.workingSetBytes)} ± ${mib(d.workingSetSpreadBytes)} MiB (file pages included), to be scaled with the working set the draft gives it`;
  const what = `after ${(d.atMs / 1000).toFixed(1)} s its faults beyond its ${d.baselinePerSec.toFixed(1)} new pages/s (${d.refaults.toFixed(0)} refaults: pages reclaim took from it)`;
  const why =
    'each page it lost comes back at its first touch, so λ × its working set in pages is its touch rate, for touches spread uniformly';
  const fmt = (l: number) => l.toFixed(2);
  if (d.runningBefore) {
    // A series that starts after the process did (a finer one begun near a limit): λ alone; the working set in pages
    // comes from a log that saw the process start.
    const range =
      d.highPerSec === undefined
        ? `λ ≥ ${fmt(d.lowPerSec ?? 0)}/s, not bounded above by the data`
        : `λ = ${fmt(d.lambdaPerSec)}/s (${d.lowPerSec === undefined ? '≤ ' : `${fmt(d.lowPerSec)}..`}${fmt(d.highPerSec)})`;
    return `touchesPerSec = λ × its working set in pages, ${range}: ${what} died away as e^(−λt); ${why}; it was running at this file's first sample, so its RSS there (${mib(d.workingSetBytes + d.workingSetSpreadBytes)} MiB) is not its working set: take that from a log that saw it start`;
  }
  if (d.highPerSec === undefined) {
    const low = d.lowPerSec ?? 0;
    return `touchesPerSec at least ${rate(low)}, not bounded above by the data: ${what} died away within about a sample, e^(−λt) with λ ≥ ${fmt(low)}/s (best ${fmt(d.lambdaPerSec)}/s): faster than samples this far apart can time against the scatter of its growth's line; ${why}; ${ws}`;
  }
  const range = d.lowPerSec === undefined ? `≤ ${fmt(d.highPerSec)}` : `${fmt(d.lowPerSec)}..${fmt(d.highPerSec)}`;
  return `touchesPerSec about ${rate(d.lambdaPerSec)} (${d.lowPerSec === undefined ? '≤ ' : `${rate(d.lowPerSec)}..`}${rate(d.highPerSec)}): ${what} died away as e^(−λt), λ = ${fmt(d.lambdaPerSec)}/s (${range}); ${why}; ${ws}`;
}
