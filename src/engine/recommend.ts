import { passesChecks } from '../analysis/checks.js';
import { type Probe, RECOMMEND_SCHEMA_VERSION, type Recommendation, type SizeGrid } from '../result/recommend.js';
import type { RunResult } from '../result/types.js';
import type { Variant } from '../scenario/types.js';
import { EXIT_INTERNAL, FaultlineError } from '../util/errors.js';

/**
 * `faultline recommend`: the smallest size of one field (host RAM, a cgroup's
 * memory.max or memory.high, swap) for which every error-level `expect:` check passes.
 * It searches a grid of page-aligned sizes, assuming that more memory never makes a
 * check fail (true of the sizes it varies in all but pathological scenarios; the
 * probes are all reported so that a non-monotone case shows). Each round runs up to
 * `jobs` probes in parallel, cutting the bracket into jobs + 1 parts.
 */

export function gridValue(g: SizeGrid, k: number): number {
  return Math.min(g.high, g.low + k * g.step);
}

export function gridCount(g: SizeGrid): number {
  return Math.ceil((g.high - g.low) / g.step) + 1;
}

/**
 * The grid for `--range low..high [--step]`: bounds and step page-aligned (low and step
 * rounded up, high down). Without a step the resolution is 1% of the range, at least a page.
 */
export function sizeGrid(low: number, high: number, pageSize: number, step?: number): SizeGrid {
  const up = (x: number) => Math.ceil(x / pageSize) * pageSize;
  const lo = up(low);
  const hi = Math.floor(high / pageSize) * pageSize;
  if (!(hi > lo)) throw new RangeError(`empty range after page alignment (${lo}..${hi} bytes)`);
  const s = step === undefined ? Math.max(pageSize, up((hi - lo) / 100)) : Math.max(pageSize, up(step));
  return { low: lo, high: hi, step: s };
}

/**
 * Smallest index in [0, count) whose probe passes, given that passing is monotone in the
 * index. `probe` runs a batch of indices and says which pass; the top is probed first so
 * that a range with no answer costs one round.
 */
export async function searchSmallest(
  count: number,
  perRound: number,
  probe: (indices: number[]) => Promise<boolean[]>,
): Promise<{ answer: number | null; lowerFail: number | null }> {
  const top = count - 1;
  const first = perRound >= 2 && count > 1 ? [top, 0] : [top];
  const firstPass = await probe(first);
  if (!firstPass[0]) return { answer: null, lowerFail: top };
  if (count === 1) return { answer: 0, lowerFail: null };
  const zeroPasses = first.length === 2 ? firstPass[1] : (await probe([0]))[0];
  if (zeroPasses) return { answer: 0, lowerFail: null };
  let lo = 0; // fails
  let hi = top; // passes
  while (hi - lo > 1) {
    const parts = Math.min(perRound, hi - lo - 1);
    const picks = [
      ...new Set(Array.from({ length: parts }, (_, i) => lo + Math.round(((hi - lo) * (i + 1)) / (parts + 1)))),
    ].filter((k) => k > lo && k < hi);
    const passed = await probe(picks);
    picks.forEach((k, i) => {
      if (passed[i]) hi = Math.min(hi, k);
    });
    picks.forEach((k, i) => {
      if (!passed[i] && k < hi) lo = Math.max(lo, k);
    });
  }
  return { answer: hi, lowerFail: lo };
}

export interface RecommendOptions {
  scenario: string;
  variantId: string;
  field: string;
  grid: SizeGrid;
  /** Probes per round: the batch runner's parallelism. */
  jobs: number;
  /** The scenario with `field` set to `bytes` (the loader's sweep substitution). */
  variantAt: (bytes: number) => Variant;
  /** Runs variants and returns their results in order (runBatch on the worker pool). */
  runVariants: (variants: Variant[]) => Promise<RunResult[]>;
  onProbe?: (probe: Probe) => void;
}

export async function recommend(opts: RecommendOptions): Promise<Recommendation> {
  const probes = new Map<number, Probe>();
  const run = async (indices: number[]): Promise<boolean[]> => {
    const values = indices.map((k) => gridValue(opts.grid, k));
    const results = await opts.runVariants(values.map((v) => opts.variantAt(v)));
    return results.map((r, i) => {
      const value = values[i] as number;
      // A crashed or timed-out run says nothing about capacity: stop rather than guess.
      if (r.status === 'failed') {
        throw new FaultlineError(`${opts.field} = ${value} bytes: run failed: ${r.error}`, EXIT_INTERNAL);
      }
      const probe: Probe = { value, passed: passesChecks(r.checks), checks: r.checks, verdict: r.verdict };
      probes.set(value, probe);
      opts.onProbe?.(probe);
      return probe.passed;
    });
  };
  const { answer, lowerFail } = await searchSmallest(gridCount(opts.grid), Math.max(1, opts.jobs), run);
  const answerValue = answer === null ? null : gridValue(opts.grid, answer);
  const lowerValue = lowerFail === null ? null : gridValue(opts.grid, lowerFail);
  return {
    schemaVersion: RECOMMEND_SCHEMA_VERSION,
    kind: 'recommendation',
    scenario: opts.scenario,
    variantId: opts.variantId,
    field: opts.field,
    grid: opts.grid,
    answer: answerValue,
    lowerProbe: lowerValue,
    atAnswer: answerValue === null ? [] : (probes.get(answerValue)?.checks ?? []),
    atLower: lowerValue === null ? [] : (probes.get(lowerValue)?.checks ?? []),
    probes: [...probes.values()].sort((a, b) => a.value - b.value),
  };
}
