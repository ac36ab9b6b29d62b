/**
 * HTML reports: pure functions of results (plus the templates on disk). Charts are
 * rendered to static SVG in Node; `interactive` adds the vega bundles and each chart's
 * spec so the browser can replace the static SVG with a live view. Pages are
 * self-contained: inline CSS and scripts, no network (the CSP forbids it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { figureById } from '../analysis/figures.js';
import type { RunResult, RunSetEntry, RunSetManifest } from '../result/types.js';
import type { Spec } from './charts/encode.js';
import { renderSvg } from './charts/render-svg.js';
import { type ChartDef, runChartDefs } from './charts/run-charts.js';
import { faultCpuMultiple, type HeatCell, heatmapChart, multiplesCaption } from './charts/sweep-charts.js';
import { bucketSize } from './downsample.js';
import { metricInfo } from './metric-info.js';
import { RUN_REPORT_FILE, relativeHref } from './paths.js';
import { jsonForScript, scriptSafe } from './safe-json.js';
import { heatmapFigureId, type SweepTable, shortLabel, sweepTable } from './sweep-table.js';
import { type IndexedRunSet, indexViewModel } from './view-model-index.js';
import { type ChartView, type RunViewOptions, runViewModel } from './view-model-run.js';
import { type SweepViewOptions, sweepViewModel } from './view-model-sweep.js';

export interface HtmlOptions {
  /** Inline the vega, vega-lite and vega-embed bundles and make charts live (static SVG stays as fallback). */
  interactive?: boolean;
}

export interface RunReportOptions extends HtmlOptions, RunViewOptions {}

export interface SweepReportOptions extends HtmlOptions, SweepViewOptions {
  /** Figure of the heatmap (`p99:<process>`, `faultCpuPctMax`, `faultCpuPctAvg`, ...); default: the first request-serving process's whole-run p99, else faultCpuPctMax. */
  heatmapMetric?: string;
}

const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

interface Templates {
  layout: HandlebarsTemplateDelegate;
  run: HandlebarsTemplateDelegate;
  sweep: HandlebarsTemplateDelegate;
  index: HandlebarsTemplateDelegate;
  css: string;
  sortScript: string;
  interactiveScript: string;
}

let templates: Templates | undefined;

/** An isolated handlebars instance, so that helpers or partials registered elsewhere cannot change the reports. */
function loadTemplates(): Templates {
  if (templates) return templates;
  const hb = Handlebars.create();
  const read = (name: string) => readFileSync(join(TEMPLATE_DIR, name), 'utf8');
  const partialDir = join(TEMPLATE_DIR, 'partials');
  for (const f of readdirSync(partialDir).sort())
    if (f.endsWith('.hbs')) hb.registerPartial(f.slice(0, -4), readFileSync(join(partialDir, f), 'utf8'));
  const compile = (name: string) => hb.compile(read(name));
  templates = {
    layout: compile('layout.hbs'),
    run: compile('run.hbs'),
    sweep: compile('sweep.hbs'),
    index: compile('index.hbs'),
    css: read('report.css'),
    sortScript: read('sort-table.js'),
    interactiveScript: read('interactive.js'),
  };
  return templates;
}

let bundles: string[] | undefined;

/**
 * The browser builds of vega, vega-lite and vega-embed, in load order. vega's exports map
 * hides package.json, so resolve the entry point and walk up to the package folder.
 */
function vegaBundles(): string[] {
  if (bundles) return bundles;
  const files: [string, string][] = [
    ['vega', 'build/vega.min.js'],
    ['vega-lite', 'build/vega-lite.min.js'],
    ['vega-embed', 'build/vega-embed.min.js'],
  ];
  bundles = files.map(([pkg, file]) => scriptSafe(readFileSync(join(packageDir(pkg), file), 'utf8')));
  return bundles;
}

function packageDir(pkg: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(pkg)));
  for (;;) {
    try {
      const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (meta.name === pkg) return dir;
    } catch {
      // no package.json at this level: keep walking up
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of package ${pkg}`);
    dir = up;
  }
}

/**
 * vega writes fixed width/height on the root <svg>; dropping them (the viewBox stays)
 * lets CSS scale the chart down to a narrow window. The natural width stays as a
 * maximum, so that a small chart is not blown up on a wide screen.
 */
function responsiveSvg(svg: string): string {
  return svg.replace(/^<svg([^>]*)>/, (_m, attrs: string) => {
    const width = /\swidth="([0-9.]+)"/.exec(attrs)?.[1];
    const kept = attrs.replace(/\s(width|height)="[^"]*"/g, '');
    const style = width ? ` style="max-width: ${width}px"` : '';
    return `<svg${kept}${style} preserveAspectRatio="xMinYMin meet" role="img">`;
  });
}

/**
 * The live version of a time chart: drag to pan and scroll to zoom along time (all layers
 * share the x scale). Only for interactive pages: a static SVG cannot use it.
 */
function withTimeZoom(spec: Spec): Spec {
  const layers = (spec as { layer?: { encoding?: { x?: { type?: string } } }[] }).layer;
  const [first, ...rest] = layers ?? [];
  if (first?.encoding?.x?.type !== 'temporal') return spec;
  const zoom = { name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' };
  return { ...spec, layer: [{ ...first, params: [zoom] }, ...rest] } as Spec;
}

async function renderCharts(defs: ChartDef[], interactive: boolean): Promise<ChartView[]> {
  const out: ChartView[] = [];
  for (const d of defs) {
    const svg = responsiveSvg(await renderSvg(d.spec));
    const view: ChartView = { id: d.id, title: d.title, caption: d.caption, definitions: d.definitions, svg };
    if (interactive) view.specJson = jsonForScript(withTimeZoom(d.spec));
    out.push(view);
  }
  return out;
}

const CSP_STATIC = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";
// vega compiles its expressions with new Function, hence 'unsafe-eval' in interactive pages only.
const CSP_INTERACTIVE =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'unsafe-eval'; img-src data:";

function page(pageTitle: string, body: string, bodyClass: string, scripts: string[], interactive: boolean): string {
  const t = loadTemplates();
  return t.layout({
    pageTitle,
    body,
    bodyClass,
    css: t.css,
    csp: interactive ? CSP_INTERACTIVE : CSP_STATIC,
    generator: 'faultline',
    scripts: interactive ? [...scripts, ...vegaBundles(), t.interactiveScript] : scripts,
  });
}

/** The report of one variant: verdict, key figures, charts, tables. */
export async function renderRunReport(result: RunResult, opts: RunReportOptions = {}): Promise<string> {
  const interactive = opts.interactive ?? false;
  const charts = await renderCharts(runChartDefs(result), interactive);
  const vm = runViewModel(result, charts, opts);
  return page(vm.pageTitle, loadTemplates().run(vm), `run ${vm.verdict.cssClass}`, [], interactive);
}

/**
 * The comparison of one scenario's variants. `results` may miss variants (a failed
 * variant with no result file): the table still lists every manifest entry of the scenario.
 */
export async function renderSweepReport(
  manifest: RunSetManifest,
  results: RunResult[],
  opts: SweepReportOptions & { scenario?: string } = {},
): Promise<string> {
  const interactive = opts.interactive ?? false;
  const { table, mine } = sweepTableOf(manifest, results, opts.scenario);
  const heatId = heatmapFigureId(table, opts.heatmapMetric);
  const dims = table.dimensions;
  const varying = dims.filter((d) => d.values.length > 1);
  const defs: ChartDef[] = [];
  const any = mine[0];
  const cells: HeatCell[] = table.rows.map((row) => {
    const f = row.result ? figureById(row.result, heatId) : undefined;
    const [across, ...down] = varying;
    return {
      x: across ? String(row.entry.params[across.name]) : 'all',
      y: down.length ? down.map((d) => `${d.short}=${String(row.entry.params[d.name])}`).join(' · ') : 'all',
      variant: row.entry.variantId,
      value: f?.value ?? null,
      label: f?.text ?? '—',
      passAll: row.status.rank <= 1,
    };
  });
  const heatFigure = table.rows.map((r) => (r.result ? figureById(r.result, heatId) : undefined)).find((f) => f);
  if (varying.length > 0 && any && heatFigure && cells.some((c) => c.value !== null)) {
    const scope = heatId.endsWith('.p99Ms') ? 'process' : heatId === 'summary.host.oomKills' ? 'run' : 'host';
    const name =
      scope === 'process'
        ? 'latencyMs'
        : scope === 'run'
          ? 'oomKills'
          : heatId.replace(/^summary\.host\.(\w+?)(Max|Avg)$/, '$1');
    defs.push(
      heatmapChart(cells, {
        metricLabel: heatFigure.label,
        unit: heatFigure.unit,
        xTitle: varying[0]!.short,
        yNames: varying.slice(1).map((d) => d.short),
        log: heatFigure.unit === 'ms' || heatId === 'summary.host.majorFaultsPerSecMax',
        definition: {
          name: heatId,
          unit: heatFigure.unit,
          description: metricInfo(any, scope, name).description,
        },
      }),
    );
  }
  const charts = await renderCharts(defs, interactive);
  const multiples = table.rows.flatMap((row) =>
    row.result && row.result.timeMs.length > 0
      ? [
          {
            label: shortLabel(row.entry.params, dims) || row.entry.variantId,
            statusClass: row.status.cssClass,
            statusLabel: row.status.label,
            href: row.entry.dir,
            result: row.result,
          },
        ]
      : [],
  );
  if (multiples.length > 0 && any) {
    const durationMs = Math.max(...multiples.map((m) => m.result.scenario.durationMs));
    const steps = bucketSize(Math.max(...multiples.map((m) => m.result.timeMs.length)), 150);
    const defn = (name: string) => {
      const m = metricInfo(any, 'host', name);
      return { name: `host.${name}`, unit: m.unit, description: m.description };
    };
    const head = multiplesCaption(steps, ['faultCpuPct', 'cpuFaultPct', 'cpuReclaimPct', 'cpuIowaitPct'].map(defn));
    const items = [];
    for (const m of multiples)
      items.push({
        label: m.label,
        href: relativeHref(opts.reportDir ?? '', `${m.href}/${RUN_REPORT_FILE}`),
        statusLabel: m.statusLabel,
        cssClass: m.statusClass,
        svg: responsiveSvg(await renderSvg(faultCpuMultiple(m, durationMs))),
      });
    charts.push({ id: 'fault-cpu-multiples', ...head, svg: '', items });
  }
  const vm = sweepViewModel(manifest, table, mine, charts, opts);
  return page(vm.pageTitle, loadTemplates().sweep(vm), 'sweep', [loadTemplates().sortScript], interactive);
}

/** One scenario's sweep table from a manifest and the results found for it. */
export function sweepTableOf(
  manifest: RunSetManifest,
  results: RunResult[],
  scenario = manifest.entries[0]?.scenario,
): { table: SweepTable; mine: RunResult[] } {
  // Shards may be merged out of order; `order` is the position in the scenario's sweep.
  const entries: RunSetEntry[] = manifest.entries
    .filter((e) => e.scenario === scenario)
    .sort((a, b) => a.order - b.order);
  const mine = results.filter((r) => r.scenario.name === scenario);
  return { table: sweepTable(entries, mine), mine };
}

/** reports/index.html: every run set of an output folder with its variants' verdicts and dates. */
export function renderIndex(sets: IndexedRunSet[]): string {
  const vm = indexViewModel(sets);
  return page(vm.pageTitle, loadTemplates().index(vm), 'index', [], false);
}
