/**
 * timeseries.csv: one row per step, `time_s` then one column per series. Column names
 * carry the scope and the unit (`host.faultCpuPct_pct`, `process.db.latencyP99Ms_ms`,
 * `cgroup.batch.usageBytes_bytes`); an empty cell is a step with no value. RFC 4180
 * quoting, since process and cgroup names are user-supplied.
 */
import type { RunResult, Series } from '../../result/types.js';
import { metricInfo } from '../metric-info.js';

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function column(name: string, unit: string): string {
  return unit ? `${name}_${unit}` : name;
}

export function timeseriesCsv(r: RunResult): string {
  const cols: { name: string; series: Series }[] = [];
  for (const [m, s] of Object.entries(r.host))
    cols.push({ name: column(`host.${m}`, metricInfo(r, 'host', m).unit), series: s });
  for (const [p, metrics] of Object.entries(r.processes))
    for (const [m, s] of Object.entries(metrics))
      cols.push({ name: column(`process.${p}.${m}`, metricInfo(r, 'process', m).unit), series: s });
  for (const [cg, metrics] of Object.entries(r.cgroups))
    for (const [m, s] of Object.entries(metrics))
      cols.push({ name: column(`cgroup.${cg}.${m}`, metricInfo(r, 'cgroup', m).unit), series: s });
  const lines = [['time_s', ...cols.map((c) => c.name)].map(quote).join(',')];
  for (let i = 0; i < r.timeMs.length; i++) {
    const cells = [String(r.timeMs[i]! / 1000)];
    for (const c of cols) {
      const v = c.series[i];
      cells.push(v === null || v === undefined ? '' : String(v));
    }
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}
