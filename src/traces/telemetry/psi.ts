import { column } from './columns.js';
import { LineIssues, Notes, result, type SourceLine, splitSnapshots, TableBuilder } from './common.js';
import type { ImportOptions, ImportResult } from './types.js';

const LINE_RE = /^(some|full) avg10=(\d+\.\d{2}) avg60=(\d+\.\d{2}) avg300=(\d+\.\d{2}) total=(\d+)$/;

/**
 * Snapshots of /proc/pressure/memory or a cgroup's memory.pressure, each after a time line.
 * Besides the kernel's own averages, the stall share of each interval comes from the
 * cumulative `total=` (µs): Δtotal / Δt. That is exact where the averages are smoothed, and
 * is what senpai integrates. A total that goes down (reboot, a recreated cgroup) leaves that
 * interval empty.
 */
export function importPsi(lines: Iterable<SourceLine>, opts: ImportOptions): ImportResult {
  const issues = new LineIssues(opts.file, opts.lenient);
  const notes = new Notes();
  const table = new TableBuilder(opts);
  const prevTotal: Record<'some' | 'full', number | undefined> = { some: undefined, full: undefined };
  let prevMs: number | undefined;
  for (const snap of splitSnapshots(lines, issues, notes)) {
    const seen = new Set<string>();
    const totals: Record<'some' | 'full', number | undefined> = { some: undefined, full: undefined };
    for (const line of snap.body) {
      const m = LINE_RE.exec(line.text.trim());
      if (!m) {
        issues.bad(line, 'expected "some|full avg10=N.NN avg60=N.NN avg300=N.NN total=N"');
        continue;
      }
      const kind = m[1] as 'some' | 'full';
      if (seen.has(kind)) {
        issues.bad(line, `a second "${kind}" line in one snapshot`);
        continue;
      }
      seen.add(kind);
      table.set(snap.timeMs, column(`psi_${kind}_avg10_pct`), Number(m[2]));
      table.set(snap.timeMs, column(`psi_${kind}_avg60_pct`), Number(m[3]));
      table.set(snap.timeMs, column(`psi_${kind}_avg300_pct`), Number(m[4]));
      totals[kind] = Number(m[5]);
    }
    if (seen.size === 0) continue;
    for (const kind of ['some', 'full'] as const) {
      const prev = prevTotal[kind];
      const cur = totals[kind];
      if (cur === undefined) continue;
      let pct = Number.NaN;
      if (prev !== undefined && prevMs !== undefined) {
        // µs stalled per ms of wall time / 1000 is the stalled fraction; ×100 for percent.
        if (cur >= prev) pct = (cur - prev) / ((snap.timeMs - prevMs) * 10);
        else notes.once(`PSI ${kind} total went down (reboot or recreated cgroup); those intervals are left empty`);
      }
      table.set(snap.timeMs, column(`psi_${kind}_stall_pct`), pct);
    }
    prevTotal.some = totals.some;
    prevTotal.full = totals.full;
    prevMs = snap.timeMs;
  }
  return result(table.build('psi', opts), issues, notes);
}
