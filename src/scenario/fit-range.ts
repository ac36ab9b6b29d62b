/**
 * The range notation of a fitted unknown, `low..high`, shared by the scenario's `fit:`
 * section and `faultline fit --vary`: both ends in the field's own notation (`8Gi..24Gi`,
 * `40us..400us`, `0.6..1.2`), so a value between them is written back as `<number><unit>`
 * and the field's own schema checks it. Ends in two units of one kind (`256Mi..1Gi`,
 * `500us..2ms`) are both written in the smaller one (`256Mi..1024Mi`).
 */
import { parseDuration, parseSize } from '../util/units.js';

/** Anchored, with a capture per number and unit. */
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
  if (!m) return { error: 'is not <low>..<high>, e.g. 8Gi..24Gi, 256Mi..1Gi or 0.6..1.2' };
  let [, lowText, lowUnit, highText, highUnit] = m as unknown as [string, string, string, string, string];
  if (lowUnit !== highUnit) {
    const common = commonUnit(lowText, lowUnit, highText, highUnit);
    if (!common)
      return {
        error: `mixes units that do not convert ('${lowUnit}' and '${highUnit}'): give both ends as sizes or both as durations`,
      };
    [lowText, highText, lowUnit, highUnit] = [common.low, common.high, common.unit, common.unit];
  }
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

/** Both ends in the smaller of two units of one kind (sizes or durations), as decimal text. */
function commonUnit(
  lowText: string,
  lowUnit: string,
  highText: string,
  highUnit: string,
): { low: string; high: string; unit: string } | undefined {
  for (const parse of [parseSize, parseDuration]) {
    const one = (u: string) => (u === '' ? undefined : parse(`1${u}`));
    const [lowOne, highOne] = [one(lowUnit), one(highUnit)];
    if (lowOne === undefined || highOne === undefined || !(lowOne > 0) || !(highOne > 0)) continue;
    const unit = lowOne <= highOne ? lowUnit : highUnit;
    const base = Math.min(lowOne, highOne);
    const text = (n: string, perUnit: number) => String(Number(((Number(n) * perUnit) / base).toPrecision(12)));
    return { low: text(lowText, lowOne), high: text(highText, highOne), unit };
  }
  return undefined;
}
