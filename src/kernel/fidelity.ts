import type { FidelityInfo, ResultWarning } from '../result/types.js';
import type { Scenario } from '../scenario/types.js';
import { InputError } from '../util/errors.js';
import { touchBound } from '../workload/rates.js';

/**
 * Budgets for one replay on this project's 2-core machines. A simulated touch costs about
 * 0.2–0.4 µs of wall time here, so the touch budget keeps the reference incident (30 min)
 * near 5 s; frames and page ids bound memory (a few bytes each in typed arrays).
 */
export const TOUCH_BUDGET = 10_000_000;
export const FRAME_BUDGET = 1_000_000;
export const PAGE_BUDGET = 6_000_000;
/** Touches replayed per second of wall time on this project's machines (measured on the incident). */
export const TOUCHES_PER_WALL_SEC = 3_000_000;
/** Below this many simulated frames a sample is too coarse to mean anything: refuse. */
export const MIN_SIMULATED_FRAMES = 2048;
/** Hard ceiling on page ids in exact mode (typed arrays of ~10 bytes each). */
export const MAX_EXACT_PAGES = 64_000_000;

/**
 * Sampled-vs-exact error, measured on 2026-12-06 (seventh measurement, after a sampled request
 * read's own-chunk queue (`selfQueueUs`) and a throttled sampled pass's scan carry
 * (lru-classic.ts) were added, on main's 955c8d9; `npx tsx bench/sampling-error.ts incident16|incident4|pcb`)
 * by replaying each scenario below exactly and at each rate (test/kernel/fidelity.test.ts re-checks
 * the rates the bundled scenarios use against this table; docs/kernel.md has the per-scenario
 * figures). Each row: relative error |sampled / exact − 1| in %, the maximum over these runs,
 * rounded up:
 * - `incident/16`: scenarios/incident-spark-120g-on-64g.yaml with every size ÷ 16 (4 GiB RAM,
 *   8 GiB swap, db 1.25 + 0.75 GiB, Spark 256 MiB → 7.5 GiB), rates unchanged (touches,
 *   requests, growth 256 MiB/s, device), Spark starting at 20 s, 120 s; seeds 1, 2, 3;
 * - `incident/4`: the same with sizes ÷ 4 (16 GiB RAM); seeds 1, 2;
 * - `page-cache-vs-batch` (variant swappiness-60_device-ssd, 4 GiB, 6 min); seeds 1, 2.
 * A row covers the rates from its own up to the next measured one (runs at the rates the bundled
 * scenarios choose, 1/1.12, 1/2.52, 1/4.03, 1/22.4 and 1/70.4, count in the row they fall in) and
 * is at least the row above it, so a figure never shrinks as the rate falls.
 * Metrics: the run's total major faults, the average host faultCpuPct, the p99 request latency
 * of the tenant with a request model (db / fileserver). The seed is the scenario seed, which
 * seeds every stream of the replay. Measured after the fixes of docs/kernel.md "Fidelity".
 * Fault CPU stays within 5 % everywhere. Major faults: incident/16 within 2 % down to 1/32, then
 * low (−8 to −9 % at 1/64, −20 to −21 % at 1/128: a sampled fault's 1/R reads reach the device
 * queue at once, the queue empties between such lumps and the device, saturated when exact, is
 * busy less); incident/4 high from 1/8 (+3 to +6 %) to 1/128 (+32 to +42 %), its db keeping more
 * memory than exact. The p99 is within −23 to +8 % on incident/16 (the db's queue of requests
 * grows at the excess of its service time over its capacity, so a few % of service time is tens
 * of % of p99) and leans low on incident/4 from 1/64 (−27 to −53 %). page-cache-vs-batch stays
 * within 5 %.
 * `minFrames` is the smallest simulated frame count among the runs.
 */
export interface SamplingErrorRow {
  rate: number;
  minFrames: number;
  majorFaultsPct: number;
  faultCpuPctAvgPct: number;
  latencyP99Pct: number;
}
export const SAMPLING_ERROR_TABLE: readonly SamplingErrorRow[] = [
  { rate: 1 / 8, minFrames: 122_880, majorFaultsPct: 6, faultCpuPctAvgPct: 2, latencyP99Pct: 9 },
  { rate: 1 / 16, minFrames: 61_440, majorFaultsPct: 9, faultCpuPctAvgPct: 2, latencyP99Pct: 13 },
  { rate: 1 / 32, minFrames: 30_720, majorFaultsPct: 13, faultCpuPctAvgPct: 2, latencyP99Pct: 23 },
  { rate: 1 / 64, minFrames: 15_360, majorFaultsPct: 28, faultCpuPctAvgPct: 5, latencyP99Pct: 34 },
  { rate: 1 / 128, minFrames: 7_680, majorFaultsPct: 43, faultCpuPctAvgPct: 5, latencyP99Pct: 53 },
];
/** The metric `measuredErrorPct` is about (the others are in `measuredErrorsPct`). */
export const SAMPLING_ERROR_METRIC = 'total major faults';

/**
 * The measured row that applies to a run sampled at `rate`: the one at the nearest measured
 * rate at or below it. The table's figures never shrink as the rate falls, so this is the
 * conservative reading; undefined when `rate` is below every measured rate (not measured there).
 */
export function samplingErrorAt(rate: number): SamplingErrorRow | undefined {
  let best: SamplingErrorRow | undefined;
  // 1e-9: a rate given as 1/16 must hit the 1/16 row despite rounding.
  for (const row of SAMPLING_ERROR_TABLE)
    if (row.rate <= rate * (1 + 1e-9) && (!best || row.rate > best.rate)) best = row;
  return best;
}

/**
 * A request-model process's clock moves once per scheduling chunk (its position is the share of
 * the tick's pages done), so in an exact replay the reads of one chunk's `chunkReal` real touches
 * are issued at one instant and each waits behind the chunk's earlier ones: with a read per touch
 * at `readsPerTouch`, a read sees on average readsPerTouch · (chunkReal − 1) / 2 of them ahead.
 * A sampled replay keeps the part made of its own sampled chunk's earlier sampled faults
 * (each `scale` real reads): readsPerTouch · (chunk − 1) · scale / 2, and loses the rest, the
 * reads that one sampled fault and its neighbours stand for. Returns that loss as queue time per
 * channel (µs) each real read of a sampled fault adds (`occPerChannelUs`: one read's device time
 * per channel); 0 exact (chunk = chunkReal, scale 1).
 */
export function selfQueueUs(
  readsPerTouch: number,
  chunkReal: number,
  chunk: number,
  scale: number,
  occPerChannelUs: number,
): number {
  const ahead = Math.max(0, chunkReal - 1 - (chunk - 1) * scale);
  return (readsPerTouch * ahead * occPerChannelUs) / 2;
}

/** A scenario the replay cannot hold at any usable rate; `field` is the scenario field to change. */
export class FidelityError extends InputError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FidelityError';
  }
}

export interface FidelityChoice {
  mode: 'exact' | 'sampled';
  rate: number;
}

/** What an exact replay would simulate: frames, page ids and touches. */
export function exactSize(sc: Scenario): { frames: number; pages: number; touches: number } {
  const page = sc.host.pageSizeBytes;
  const frames = Math.floor((sc.host.ramBytes - sc.host.reservedBytes) / page);
  let pages = 0;
  let touches = 0;
  for (const p of sc.processes) {
    const life = Math.max(0, Math.min(sc.durationMs, p.stopMs) - Math.min(p.startMs, sc.durationMs)) / 1000;
    pages += (p.memory.anonBytes + p.memory.fileBytes + p.memory.leakBytesPerSec * life) / page;
    touches += touchBound(p, life);
  }
  return { frames, pages: Math.ceil(pages), touches: Math.ceil(touches) };
}

export function chooseFidelity(
  sc: Scenario,
  forced?: { mode: 'exact' | 'sampled'; sampleRate?: number },
): FidelityChoice {
  const size = exactSize(sc);
  const mode = forced?.mode ?? sc.fidelity.mode;
  const forcedRate = forced?.sampleRate ?? sc.fidelity.sampleRate ?? undefined;
  const touchBudget = Math.min(TOUCH_BUDGET, (sc.fidelity.timeBudgetMs / 1000) * TOUCHES_PER_WALL_SEC);
  // Time grows with the pages that can be resident, the working set capped by RAM: frames past the
  // working set are a count, not work, so RAM far beyond it must not drive the rate to nothing.
  const resident = Math.min(size.frames, size.pages);
  const budgeted = Math.min(
    1,
    FRAME_BUDGET / Math.max(1, resident),
    touchBudget / Math.max(1, size.touches),
    PAGE_BUDGET / Math.max(1, size.pages),
  );
  // A sample of the working set smaller than MIN_SIMULATED_FRAMES pages says nothing: a small working
  // set touched for long is replayed at a higher rate (exact at most) and over the time budget
  // instead; validate's cost estimate says how long that takes.
  const auto = Math.max(budgeted, Math.min(1, MIN_SIMULATED_FRAMES / Math.max(1, resident)));
  let choice: FidelityChoice;
  if (mode === 'exact') {
    if (size.pages > MAX_EXACT_PAGES) {
      throw new FidelityError(
        'fidelity.mode',
        `exact replay needs ${size.pages} page ids (limit ${MAX_EXACT_PAGES}): use fidelity sampled (suggested rate ${fmt(auto)})`,
      );
    }
    choice = { mode: 'exact', rate: 1 };
  } else if (mode === 'sampled') {
    const rate = forcedRate ?? auto;
    if (!(rate > 0 && rate <= 1))
      throw new FidelityError('fidelity.sampleRate', `fidelity sample rate must be in (0, 1], got ${rate}`);
    choice = { mode: 'sampled', rate };
  } else choice = auto >= 1 ? { mode: 'exact', rate: 1 } : { mode: 'sampled', rate: auto };
  const frames = Math.floor(size.frames * choice.rate);
  if (frames < MIN_SIMULATED_FRAMES) {
    throw choice.rate === 1
      ? new FidelityError(
          'host.ram',
          `RAM of ${size.frames} page frames is too small to replay (minimum ${MIN_SIMULATED_FRAMES} frames, 8 MiB of 4 KiB pages)`,
        )
      : new FidelityError(
          'fidelity.sampleRate',
          `sample rate ${fmt(choice.rate)} leaves ${frames} simulated frames of ${size.frames} (minimum ${MIN_SIMULATED_FRAMES}): raise the sample rate`,
        );
  }
  if (choice.rate < 1 && resident * choice.rate < MIN_SIMULATED_FRAMES) {
    throw new FidelityError(
      'fidelity.sampleRate',
      `sample rate ${fmt(choice.rate)} leaves ${Math.floor(resident * choice.rate)} simulated pages of a working set ` +
        `of ${size.pages} pages (${resident} of them fit in RAM; minimum ${MIN_SIMULATED_FRAMES}): raise the sample rate`,
    );
  }
  // The swap device keeps a slot table of its sampled size: a swap far beyond any working set is
  // never used, but its table would be allocated whole.
  const swapSlots = sc.host.swap.device === 'none' ? 0 : (sc.host.swap.sizeBytes / sc.host.pageSizeBytes) * choice.rate;
  if (swapSlots > MAX_EXACT_PAGES) {
    throw new FidelityError(
      'host.swap.size',
      `swap of ${Math.floor(sc.host.swap.sizeBytes / sc.host.pageSizeBytes)} pages needs ${Math.round(swapSlots)} simulated swap slots ` +
        `at rate ${fmt(choice.rate)} (limit ${MAX_EXACT_PAGES}); no more swap than RAM plus the working sets can ever be used`,
    );
  }
  if (size.pages * choice.rate > MAX_EXACT_PAGES) {
    throw new FidelityError(
      'fidelity.sampleRate',
      `sampled replay still needs ${Math.round(size.pages * choice.rate)} page ids (limit ${MAX_EXACT_PAGES}): lower the sample rate, or make the working set smaller`,
    );
  }
  return choice;
}

export function fidelityInfo(choice: FidelityChoice, simulatedFrames: number): FidelityInfo {
  if (choice.mode === 'exact') {
    return { mode: 'exact', sampleRate: 1, simulatedFrames, note: 'exact page-level replay' };
  }
  const row = samplingErrorAt(choice.rate);
  const how =
    `spatial sampling: ${fmt(choice.rate)} of each process's pages (by hash), RAM, limits and watermarks ` +
    `scaled by the same rate, counts scaled back by ${fmt(1 / choice.rate)}`;
  if (!row) {
    const lowest = Math.min(...SAMPLING_ERROR_TABLE.map((r) => r.rate));
    return {
      mode: 'sampled',
      sampleRate: choice.rate,
      simulatedFrames,
      note: `${how}; error against exact runs not measured this low (lowest measured rate 1/${Math.round(1 / lowest)})`,
    };
  }
  const at = `1/${Math.round(1 / row.rate)}`;
  return {
    mode: 'sampled',
    sampleRate: choice.rate,
    simulatedFrames,
    measuredErrorPct: row.majorFaultsPct,
    measuredAtRate: row.rate,
    errorMetric: SAMPLING_ERROR_METRIC,
    measuredErrorsPct: {
      majorFaults: row.majorFaultsPct,
      faultCpuPctAvg: row.faultCpuPctAvgPct,
      latencyP99: row.latencyP99Pct,
    },
    note:
      `${how}; error against exact runs measured at rate ${at} (the nearest measured rate at or below this one) ` +
      `on scaled-down bundled scenarios: total major faults ±${row.majorFaultsPct}%, ` +
      `average fault CPU ±${row.faultCpuPctAvgPct}%, p99 request latency ±${row.latencyP99Pct}%`,
  };
}

/**
 * Warnings a result carries about how it was computed: a sample rate below every measured one
 * means no figure of the run has a measured error (the verdict says so too).
 */
export function fidelityWarnings(info: FidelityInfo): ResultWarning[] {
  if (info.mode !== 'sampled' || info.measuredErrorPct !== undefined) return [];
  const lowest = Math.min(...SAMPLING_ERROR_TABLE.map((r) => r.rate));
  return [
    {
      code: 'sampling-unmeasured',
      message:
        `sampled at ${fmt(info.sampleRate)} of the pages, below the lowest rate whose error against exact runs was measured ` +
        `(1/${Math.round(1 / lowest)}): no figure of this run has a known error; raise fidelity.timeBudget ` +
        '(or fidelity.sampleRate) or shorten the duration',
    },
  ];
}

/** The words a verdict headline gains when the run's sampling was not measured. */
export const UNMEASURED_VERDICT_NOTE = 'sampled below every measured rate: error unknown';

function fmt(x: number): string {
  return x >= 0.01 ? x.toFixed(3) : x.toExponential(2);
}
