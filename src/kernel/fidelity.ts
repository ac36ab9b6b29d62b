import type { FidelityInfo } from '../result/types.js';
import type { Scenario } from '../scenario/types.js';
import { InputError } from '../util/errors.js';

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
 * Relative error of the run's total major faults, sampled vs exact, measured by
 * test/kernel/fidelity.test.ts on a small two-tenant thrashing scenario at rate 1/16
 * (6.6 % when measured, rounded up).
 */
export const MEASURED_SAMPLING_ERROR_PCT = 7;

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
    touches += (p.requests ? p.requests.ratePerSec * p.requests.pagesPerRequest : p.touchesPerSec) * life;
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
  const auto = Math.min(
    1,
    FRAME_BUDGET / size.frames,
    touchBudget / Math.max(1, size.touches),
    PAGE_BUDGET / size.pages,
  );
  let choice: FidelityChoice;
  if (mode === 'exact') {
    if (size.pages > MAX_EXACT_PAGES) {
      throw new InputError(
        `exact replay needs ${size.pages} page ids (limit ${MAX_EXACT_PAGES}): use fidelity sampled (suggested rate ${fmt(auto)})`,
      );
    }
    choice = { mode: 'exact', rate: 1 };
  } else if (mode === 'sampled') {
    const rate = forcedRate ?? auto;
    if (!(rate > 0 && rate <= 1)) throw new InputError(`fidelity sample rate must be in (0, 1], got ${rate}`);
    choice = { mode: 'sampled', rate };
  } else choice = auto >= 1 ? { mode: 'exact', rate: 1 } : { mode: 'sampled', rate: auto };
  const frames = Math.floor(size.frames * choice.rate);
  if (frames < MIN_SIMULATED_FRAMES) {
    throw new InputError(
      `scenario too large to replay: ${size.frames} frames, ${size.pages} pages and ${size.touches} touches ` +
        `would need a sample rate of ${fmt(choice.rate)}, leaving ${frames} simulated frames (minimum ${MIN_SIMULATED_FRAMES}); ` +
        'shorten the duration, lower touchesPerSec, or split the host',
    );
  }
  if (size.pages * choice.rate > MAX_EXACT_PAGES) {
    throw new InputError(
      `sampled replay still needs ${Math.round(size.pages * choice.rate)} page ids (limit ${MAX_EXACT_PAGES}): lower the sample rate`,
    );
  }
  return choice;
}

export function fidelityInfo(choice: FidelityChoice, simulatedFrames: number): FidelityInfo {
  if (choice.mode === 'exact') {
    return { mode: 'exact', sampleRate: 1, simulatedFrames, note: 'exact page-level replay' };
  }
  return {
    mode: 'sampled',
    sampleRate: choice.rate,
    simulatedFrames,
    measuredErrorPct: MEASURED_SAMPLING_ERROR_PCT,
    note:
      `spatial sampling: ${fmt(choice.rate)} of each process's pages (by hash), RAM, limits and watermarks ` +
      `scaled by the same rate, counts scaled back by ${fmt(1 / choice.rate)}`,
  };
}

function fmt(x: number): string {
  return x >= 0.01 ? x.toFixed(3) : x.toExponential(2);
}
