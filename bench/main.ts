import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { baselineSection } from './baseline.js';
import { engineSection } from './engine.js';
import { BenchContext, type Measurement, type Section } from './harness.js';
import { mrcSection } from './mrc.js';
import { parseSection } from './parse.js';
import { policiesSection } from './policies.js';
import { referenceSection } from './reference.js';

/**
 * `npm run bench [-- --only mrc,parse] [--refs N] [--pages N] [--reps N]`. A new section is a
 * module exporting a Section, added to SECTIONS. The baseline always runs first so
 * every throughput figure gets a same-run ratio.
 */
const SECTIONS: Section[] = [
  baselineSection,
  policiesSection,
  parseSection,
  mrcSection,
  referenceSection,
  engineSection,
];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    refs: { type: 'string', default: '20000000' },
    pages: { type: 'string', default: '1000000' },
    reps: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/out/bench.json' },
  },
});
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((id) => !SECTIONS.some((s) => s.id === id));
if (unknown?.length) {
  process.stderr.write(
    `bench: unknown section ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.id).join(', ')}\n`,
  );
  process.exit(2);
}
const ctx = new BenchContext({
  refs: Number(values.refs),
  pages: Number(values.pages),
  alpha: 0.9,
  seed: 42,
  reps: Math.max(1, Number(values.reps)),
});
const results: Measurement[] = [];
// Other work on the machine skews every figure; the load average says how much.
const loadBefore = loadavg()[0];
try {
  for (const section of SECTIONS) {
    if (only && section.id !== 'baseline' && !only.includes(section.id)) continue;
    process.stderr.write(`bench: ${section.title}\n`);
    results.push(...(await section.run(ctx)));
  }
} finally {
  ctx.dispose();
}
const ru = process.resourceUsage();
results.push({ section: 'memory', name: 'peak RSS (maxRSS)', value: ru.maxRSS / 1024, unit: 'MiB' });

const report = {
  config: ctx.config,
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  loadAverage1m: { before: loadBefore, after: loadavg()[0] },
  results,
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);

const fmt = (m: Measurement) =>
  m.unit === 'refs/s' || m.unit === 'lines/s'
    ? `${(m.value / 1e6).toFixed(1)} M ${m.unit}`
    : m.unit === 's'
      ? `${m.value.toFixed(3)} s`
      : m.unit === 'ratio'
        ? m.value.toFixed(4)
        : `${m.value.toFixed(0)} ${m.unit}`;
const rows = results.map((m) => [
  m.section,
  m.name,
  fmt(m),
  m.target ? `${m.target.op} ${fmt({ ...m, value: m.target.value })}` : '',
  m.ok === undefined ? '' : m.ok ? 'ok' : 'MISS',
  m.ratio === undefined ? '' : `${m.ratio.toFixed(3)}×`,
  m.note ?? '',
]);
const header = ['section', 'measure', 'value', 'target', '', 'vs baseline', 'note'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
for (const r of [header, ...rows])
  process.stdout.write(
    `${r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()}\n`,
  );
process.stdout.write(
  `\nload average (1 min) ${loadBefore?.toFixed(2)} before, ${loadavg()[0]?.toFixed(2)} after, on ${cpus().length} CPUs\n`,
);
process.stdout.write(
  `${ctx.config.refs} refs, Zipf(${ctx.config.alpha}) over ${ctx.config.pages} pages, seed ${ctx.config.seed}; JSON: ${values.out}\n`,
);
