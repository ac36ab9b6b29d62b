import type { ObservedTable } from './types.js';

/** Shortest decimal that survives a round trip at 12 significant digits: drops binary noise like 0.30000000000000004. */
function formatNumber(x: number): string {
  if (Number.isNaN(x)) return '';
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(12)));
}

/** The normalised CSV: `time` (ISO 8601 UTC), `t_s` (seconds since the first row), then one column per series; empty cells are unknown. */
export function tableToCsv(table: ObservedTable): string {
  const t0 = table.timeMs[0] ?? 0;
  const lines = [['time', 't_s', ...table.columns.map((c) => c.name)].join(',')];
  table.timeMs.forEach((t, r) => {
    const cells = table.values.map((col) => formatNumber(col[r] as number));
    lines.push([new Date(t).toISOString(), formatNumber((t - t0) / 1000), ...cells].join(','));
  });
  return `${lines.join('\n')}\n`;
}
