import type { CheckResult, Verdict } from '../../result/types.js';

/** The answer of `faultline recommend`, as engine/recommend.ts computes it and the page renders it. */

/** The sizes probed: low, low + step, …, capped by high (the last point). Bytes. */
export interface SizeGrid {
  low: number;
  high: number;
  step: number;
}

export interface Probe {
  /** The field's value, bytes. */
  value: number;
  /** Every check at level error passed. */
  passed: boolean;
  checks: CheckResult[];
  verdict: Verdict;
}

export interface Recommendation {
  scenario: string;
  /** The variant of the scenario's sweep the search starts from (`base` without a sweep). */
  variantId: string;
  /** The field path varied, as given to `--vary`. */
  field: string;
  grid: SizeGrid;
  /** The smallest passing size; null when even `high` fails. */
  answer: number | null;
  /** The largest failing size probed below the answer (`high` when nothing passes; null when `low` passes). */
  lowerProbe: number | null;
  atAnswer: CheckResult[];
  atLower: CheckResult[];
  /** Every probe, by size. */
  probes: Probe[];
}
