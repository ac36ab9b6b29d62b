import { didYouMean, InputError } from '../../util/errors.js';
import { importCsv } from './csv.js';
import { importMemoryStat } from './memory-stat.js';
import { importProcVmstat } from './proc-vmstat.js';
import { importPs } from './ps.js';
import { importPsi } from './psi.js';
import { importSar } from './sar.js';
import { type ImportOptions, type ImportResult, TELEMETRY_KINDS, type TelemetryKind } from './types.js';
import { importVmstat } from './vmstat.js';

export { tableToCsv } from './csv.js';
export type { ImportOptions, ImportResult, ObservedColumn, ObservedTable, TelemetryKind } from './types.js';
export { TELEMETRY_KINDS } from './types.js';

const IMPORTERS: Record<TelemetryKind, (text: string, opts: ImportOptions) => ImportResult> = {
  vmstat: importVmstat,
  sar: importSar,
  psi: importPsi,
  'proc-vmstat': importProcVmstat,
  ps: importPs,
  'memory-stat': importMemoryStat,
  csv: importCsv,
};

export function parseKind(kind: string): TelemetryKind {
  if ((TELEMETRY_KINDS as readonly string[]).includes(kind)) return kind as TelemetryKind;
  const guess = didYouMean(kind, TELEMETRY_KINDS);
  const hint = guess ? ` (did you mean '${guess}'?)` : '';
  throw new InputError(`unknown import kind '${kind}'${hint}; kinds: ${TELEMETRY_KINDS.join(', ')}`);
}

/** Parses one telemetry file's text into an observed table; throws InputError on malformed input. */
export function importTelemetry(kind: TelemetryKind, text: string, opts: ImportOptions): ImportResult {
  return IMPORTERS[kind](text, opts);
}
