import { InputError } from '../../util/errors.js';
import { assertNotEmpty, LineIssues, Notes, result, splitSnapshots, TableBuilder } from './common.js';
import { emitRates, readKeyValues, VMSTAT_SERIES } from './counters.js';
import type { ImportOptions, ImportResult } from './types.js';

/** Successive /proc/vmstat snapshots, each after a time line, as rates per second. */
export function importProcVmstat(text: string, opts: ImportOptions): ImportResult {
  assertNotEmpty(text, opts.file);
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const table = new TableBuilder();
  const snaps = splitSnapshots(text, issues, notes).map((s) => ({
    timeMs: s.timeMs,
    values: readKeyValues(s, issues),
  }));
  if (snaps.length === 1) notes.once('only one snapshot: rates need two, so every rate is empty');
  if (snaps.length > 0 && emitRates(snaps, VMSTAT_SERIES, table, notes) === 0) {
    throw new InputError(
      `${opts.file}: none of the /proc/vmstat counters faultline reads (pgfault, pgmajfault, pswpin, ...) is present`,
    );
  }
  return result(table.build('proc-vmstat', opts), issues, notes);
}
