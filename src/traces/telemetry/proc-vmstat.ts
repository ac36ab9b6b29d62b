import { InputError } from '../../util/errors.js';
import { LineIssues, Notes, result, type SourceLine, splitSnapshots, TableBuilder } from './common.js';
import { RateEmitter, readKeyValues, VMSTAT_SERIES } from './counters.js';
import type { ImportOptions, ImportResult } from './types.js';

/** Fields only a cgroup's memory.stat has; /proc/vmstat names its gauges nr_*. */
export const MEMCG_ONLY_KEYS = ['anon', 'file', 'cache', 'rss', 'hierarchical_memory_limit', 'total_rss', 'sock'];

/** Successive /proc/vmstat snapshots, each after a time line, as rates per second. */
export function importProcVmstat(lines: Iterable<SourceLine>, opts: ImportOptions): ImportResult {
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const table = new TableBuilder(opts);
  const rates = new RateEmitter(VMSTAT_SERIES, table);
  let count = 0;
  for (const snap of splitSnapshots(lines, issues, notes)) {
    const values = readKeyValues(snap, issues);
    const memcg = MEMCG_ONLY_KEYS.filter((k) => values.has(k));
    if (memcg.length > 0) {
      throw new InputError(
        `${opts.file}:${snap.line.no}: this snapshot has ${memcg.join(', ')}, fields of a cgroup's memory.stat, not of /proc/vmstat; import it with: faultline import memory-stat ${opts.file}`,
      );
    }
    rates.add({ timeMs: snap.timeMs, values });
    count++;
  }
  if (count === 1) notes.once('only one snapshot: rates need two, so every rate is empty');
  if (count > 0 && rates.finish(notes) === 0) {
    throw new InputError(
      `${opts.file}: none of the /proc/vmstat counters faultline reads (pgfault, pgmajfault, pswpin, ...) is present`,
    );
  }
  return result(table.build('proc-vmstat', opts), issues, notes);
}
