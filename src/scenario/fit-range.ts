/**
 * The range notation of a fitted unknown, `low..high`, shared by the scenario's `fit:`
 * section and `faultline fit --vary`: both ends in the field's own notation with the same
 * unit (`8Gi..24Gi`, `40us..400us`, `0.6..1.2`), so a value between them is written back
 * as `<number><unit>` and the field's own schema checks it.
 */

/** Anchored, with a capture per number and unit. `256Mi..1Gi` does not match units, see parseFitRange. */
export const FIT_RANGE_PATTERN =
  '^\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-zµ]*)\\s*\\.\\.\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-zµ]*)\\s*$';
const FIT_RANGE_RE = new RegExp(FIT_RANGE_PATTERN);

export interface FitRange {
  low: number;
  high: number;
  /** Suffix of both ends (`Mi`, `us`), '' for plain numbers. */
  unit: string;
  /** Both ends are integers without a unit: the field may accept only integers. */
  integer: boolean;
  /** The ends as the field would take them: `8Gi`, or the number 8 when there is no unit. */
  lowValue: string | number;
  highValue: string | number;
}

/** The range, or what is wrong with it in words that fit after "the range ...". */
export function parseFitRange(text: string): FitRange | { error: string } {
  const m = FIT_RANGE_RE.exec(text);
  if (!m) return { error: 'is not <low>..<high> with the same unit at both ends, e.g. 8Gi..24Gi or 0.6..1.2' };
  const [, lowText, lowUnit, highText, highUnit] = m as unknown as [string, string, string, string, string];
  if (lowUnit !== highUnit) return { error: `needs the same unit at both ends (found '${lowUnit}' and '${highUnit}')` };
  const low = Number(lowText);
  const high = Number(highText);
  if (!(high > low)) return { error: 'needs low < high' };
  const value = (n: number) => (lowUnit === '' ? n : `${n}${lowUnit}`);
  return {
    low,
    high,
    unit: lowUnit,
    integer: lowUnit === '' && !lowText.includes('.') && !highText.includes('.'),
    lowValue: value(low),
    highValue: value(high),
  };
}
