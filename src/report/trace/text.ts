import type { ReplayRow, TraceResult } from '../../result/trace.js';

/** Plain-text and CSV views of a trace result (pure functions of it, like the HTML). */

function table(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

const ratio = (v: number) => v.toFixed(6);
const count = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** CSV cells are quoted when they hold a delimiter, a quote or a line break. */
function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function rowsTable(rows: readonly ReplayRow[]): string {
  return table(
    ['policy', 'frames', 'asked', 'references', 'faults', 'fault ratio'],
    rows.map((r) => [
      r.policy,
      String(r.frames),
      r.framesSpec,
      String(r.references),
      String(r.faults),
      ratio(r.faultRatio),
    ]),
    [false, true, true, true, true, true],
  );
}

export function rowsCsv(rows: readonly ReplayRow[]): string {
  const lines = ['policy,frames,frames_spec,references,faults,fault_ratio'];
  for (const r of rows) {
    lines.push([csvCell(r.policy), r.frames, csvCell(r.framesSpec), r.references, r.faults, r.faultRatio].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function curvesCsv(result: TraceResult): string {
  const lines = ['policy,method,frames,faults,fault_ratio'];
  for (const c of result.curves) {
    for (const p of c.points) lines.push([csvCell(c.policy), c.method, p.frames, p.faults, p.faultRatio].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function curvesTable(result: TraceResult): string {
  const parts: string[] = [];
  for (const c of result.curves) {
    const how =
      c.method === 'shards-fixed-rate'
        ? `SHARDS fixed rate ${c.rate} (${c.sampledPages} pages, ${c.sampledReferences} sampled references, seed ${c.seed})`
        : c.method === 'shards-fixed-size'
          ? `SHARDS fixed size ${c.maxPages} pages, final rate ${c.finalRate.toPrecision(4)} (seed ${c.seed})`
          : c.method === 'exact-stack'
            ? 'exact LRU stack distances'
            : 'simulated per size';
    parts.push(`# ${c.policy}: ${how}, ${c.references} references`);
    if (result.ram) {
      const atRam = [...c.points].reverse().find((p) => p.frames <= (result.ram?.frames ?? 0));
      parts.push(
        `# RAM ${result.ram.frames} frames (--ram ${result.ram.given})${atRam ? `: fault ratio ${ratio(atRam.faultRatio)} at ${atRam.frames} frames` : ''}`,
      );
    }
    if (c.targetFrames !== undefined) {
      parts.push(
        `# target fault ratio ${result.target}: ${c.targetFrames === null ? 'no size meets it' : `smallest size ${c.targetFrames} frames`}`,
      );
    }
    parts.push(
      table(
        ['frames', 'faults', 'fault ratio'],
        c.points.map((p) => [String(p.frames), count(p.faults), ratio(p.faultRatio)]),
        [true, true, true],
      ),
    );
  }
  return parts.join('\n');
}
