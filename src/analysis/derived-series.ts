/**
 * Process series a comparison derives from the recorded ones (src/engine/observed.ts compares
 * them with ps columns; the fit page draws them): pure sums over a run's own series.
 */
import type { Series } from '../result/types.js';

/**
 * Simulated process series that are sums of recorded ones: the recorder keeps majors and
 * minors apart, the objective also compares their sum (PROCESS_MAPPINGS).
 */
export const DERIVED_PROCESS_SERIES: Readonly<Record<string, readonly string[]>> = {
  faultsPerSec: ['majorFaultsPerSec', 'minorFaultsPerSec'],
};

/** A process's simulated series for `metric`, recorded or derived (DERIVED_PROCESS_SERIES); undefined when absent. */
export function simulatedProcessSeries(
  series: Readonly<Record<string, Series>> | undefined,
  metric: string,
): Series | undefined {
  if (!series) return undefined;
  const parts = DERIVED_PROCESS_SERIES[metric];
  if (!parts) return series[metric];
  const found = parts.map((m) => series[m]);
  if (found.some((s) => s === undefined)) return undefined;
  const [head, ...rest] = found as Series[];
  return (head as Series).map((v, i) =>
    v === null || rest.some((s) => s[i] === null || s[i] === undefined)
      ? null
      : rest.reduce<number>((sum, s) => sum + (s[i] as number), v),
  );
}
