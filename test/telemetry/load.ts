import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importTelemetry } from '../../src/traces/telemetry/index.js';
import type { ImportOptions, ImportResult, ObservedTable, TelemetryKind } from '../../src/traces/telemetry/types.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'telemetry');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function load(kind: TelemetryKind, name: string, opts: Partial<ImportOptions> = {}): ImportResult {
  return importTelemetry(kind, fixture(name), { file: name, lenient: false, ...opts });
}

export function parse(kind: TelemetryKind, text: string, opts: Partial<ImportOptions> = {}): ImportResult {
  return importTelemetry(kind, text, { file: 'in.txt', lenient: false, ...opts });
}

/** One column's values, by name; throws when absent so a renamed column fails loudly. */
export function series(table: ObservedTable, name: string): number[] {
  const i = table.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`no column ${name}; have ${table.columns.map((c) => c.name).join(' ')}`);
  return table.values[i] as number[];
}

export function iso(table: ObservedTable): string[] {
  return table.timeMs.map((t) => new Date(t).toISOString());
}
