/**
 * Reads every surface a run writes — each variant's report.html, summary.md, junit.xml and
 * result.json, each sweep's page and its CSV and JSON exports, the index — and lists every
 * place where one label shows two values, where a number on a page is not the one in
 * result.json, or where a variant that passes its checks wears a failure colour. The
 * pages are read from their own markup (data-figure attributes, the figure and check
 * tables), not through the code that wrote them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { passesChecks } from '../../src/analysis/checks.js';
import { formatValue } from '../../src/analysis/figures.js';
import type { RunResult, RunSetManifest } from '../../src/result/types.js';

function unescapeHtml(s: string): string {
  return s
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&amp;/g, '&')
    .trim();
}

function unescapeMd(s: string): string {
  return s
    .replace(/\\([\\`*_[\]|#])/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** A value at a result.json path such as `summary.processes.db.latencyMs.p99Ms`, process names may hold dots. */
function at(r: RunResult, id: string): unknown {
  const lat = /^summary\.processes\.(.+)\.latencyMs\.p99Ms$/.exec(id);
  if (lat) return r.summary.processes[lat[1] as string]?.latencyMs?.p99Ms;
  let v: unknown = r;
  for (const k of id.split('.')) v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[k];
  return v;
}

const FAIL_CLASSES = ['status-fail', 'status-failed', 'status-thrashing', 'status-oom-killed'];

interface Seen {
  where: string;
  text: string;
}

export function checkOutputs(root: string): { problems: string[]; variants: number; comparisons: number } {
  const problems: string[] = [];
  let variants = 0;
  let comparisons = 0;
  /** label → value seen per variant, to find one label with two values. */
  const same = (key: string, seen: Map<string, Seen>, where: string, text: string) => {
    comparisons++;
    const first = seen.get(key);
    if (!first) seen.set(key, { where, text });
    else if (first.text !== text) problems.push(`${key}: "${first.text}" in ${first.where} but "${text}" in ${where}`);
  };
  const index = readFileSync(join(root, 'index.html'), 'utf8');

  for (const scenarioDir of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const dir = join(root, scenarioDir.name);
    if (!existsSync(join(dir, 'manifest.json'))) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as RunSetManifest;
    const sweepName = readdirSync(dir).find((f) => /^sweep-.*\.html$/.test(f));
    const sweep = sweepName ? readFileSync(join(dir, sweepName), 'utf8') : '';
    const sweepJson = sweepName
      ? (JSON.parse(readFileSync(join(dir, sweepName.replace(/\.html$/, '.json')), 'utf8')) as {
          results: { variant: string; figures: Record<string, { value: number | null; text: string | null }> }[];
        })
      : undefined;
    const csv = sweepName
      ? readFileSync(join(dir, sweepName.replace(/\.html$/, '.csv')), 'utf8')
          .trim()
          .split('\n')
      : [];
    const csvHeader = csv[0] ? splitCsv(csv[0]) : [];

    for (const entry of manifest.entries) {
      variants++;
      const vdir = join(dir, entry.dir);
      const label = `${entry.scenario}/${entry.variantId}`;
      const r = JSON.parse(readFileSync(join(vdir, 'result.json'), 'utf8')) as RunResult;
      const html = readFileSync(join(vdir, 'report.html'), 'utf8');
      const md = readFileSync(join(vdir, 'summary.md'), 'utf8');
      const junit = readFileSync(join(vdir, 'junit.xml'), 'utf8');
      const byLabel = new Map<string, Seen>();
      const byId = new Map<string, Seen>();
      const labelOf = new Map<string, string>();

      // Key figures on the page: each against result.json and by label.
      for (const m of html.matchAll(
        /<div class="figure [^"]*" data-figure="([^"]+)"><div class="fig-label">([\s\S]*?)<\/div><div class="fig-value">([\s\S]*?)<\/div><div class="fig-note">([\s\S]*?)<\/div>/g,
      )) {
        const [id, lab, text] = [unescapeHtml(m[1]!), unescapeHtml(m[2]!), unescapeHtml(m[3]!)];
        same(`${label} ${lab}`, byLabel, 'report.html', text);
        same(`${label} #${id}`, byId, 'report.html', text);
        labelOf.set(id, lab);
        const raw = at(r, id);
        if (typeof raw === 'number' && !id.endsWith('swapInPages') && !id.endsWith('fromMs')) {
          comparisons++;
          const unit = /Pct/.test(id) ? 'pct' : /Ms$/.test(id) ? 'ms' : /PerSec/.test(id) ? 'perSec' : 'count';
          if (formatValue(raw, unit) !== text) problems.push(`${label} ${lab}: page "${text}", result.json ${raw}`);
        }
        const note = unescapeHtml(m[4]!);
        const split = /([\d.,]+% busy, [\d.,]+% waiting)/.exec(note)?.[1];
        if (split) same(`${label} ${lab} (parts)`, byLabel, 'report.html', split);
      }
      if (byId.size === 0) problems.push(`${label}: no key figures found on report.html`);

      // summary.md's figure table: same labels, same values.
      for (const m of md.matchAll(/^\| ([^|]+?) \| ([^|]+?) \| ([^|]*?) \|$/gm)) {
        const [lab, text] = [unescapeMd(m[1]!), unescapeMd(m[2]!)];
        if (lab === 'figure' || lab === '---' || lab === 'fidelity') continue;
        same(`${label} ${lab}`, byLabel, 'summary.md', text);
        const split = /([\d.,]+% busy, [\d.,]+% waiting)/.exec(unescapeMd(m[3]!))?.[1];
        if (split) same(`${label} ${lab} (parts)`, byLabel, 'summary.md', split);
      }

      // Checks: result.json's observed value, the page, summary.md, junit.xml and the sweep agree.
      const pageChecks = new Map(
        [
          ...html.matchAll(
            /<td><code>([\s\S]*?)<\/code><\/td><td class="nowrap">[\s\S]*?<\/td><td class="num">([\s\S]*?)<\/td><td class="scope">([\s\S]*?)<\/td>/g,
          ),
        ].map((m) => [unescapeHtml(m[1]!), { text: unescapeHtml(m[2]!), scope: unescapeHtml(m[3]!) }]),
      );
      const mdChecks = new Map(
        [...md.matchAll(/^\| (?:❌ FAIL|⚠️ warn|✅ pass) \| (.+?) \| .+? \| (.+?) \| (.+?) \|$/gm)].map((m) => [
          unescapeMd(m[1]!),
          { text: unescapeMd(m[2]!), scope: unescapeMd(m[3]!) },
        ]),
      );
      for (const c of r.checks) {
        const expected = c.observed === null ? 'no value' : formatValue(c.observed, c.unit);
        const key = `${label} check ${c.source}`;
        const seen = new Map<string, Seen>();
        same(key, seen, 'result.json', expected);
        same(key, seen, 'report.html', pageChecks.get(c.source)?.text ?? '(missing)');
        same(key, seen, 'summary.md', mdChecks.get(c.source)?.text ?? '(missing)');
        same(`${key} (over)`, seen, 'report.html', pageChecks.get(c.source)?.scope ?? '(missing)');
        same(`${key} (over)`, seen, 'summary.md', mdChecks.get(c.source)?.scope ?? '(missing)');
        if (!c.passed && c.level === 'error') {
          const xml = unescapeHtml(
            new RegExp(`name="${escapeXml(c.source)}">\\s*<failure message="observed ([^"]*?) \\(`).exec(junit)?.[1] ??
              '(missing)',
          );
          same(key, seen, 'junit.xml', xml);
        }
        // A check whose figure is a key figure observes that figure's value.
        const fig = [...byId].find(([k]) => k === `${label} #${figureOfCheck(c.metric, c.aggregation)}`);
        if (fig) same(key, seen, 'key figure', fig[1].text);
      }

      // The headline's numbers are the key figures' numbers under the same labels.
      for (const p of r.verdict.processes) {
        const m = new RegExp(`${escapeRe(p.process)} [^;]*?whole-run p99 ([\\d.,]+ \\S+)`).exec(r.verdict.headline);
        if (m) same(`${label} ${p.process} p99 latency, whole run`, byLabel, 'the verdict', m[1]!);
      }
      const host =
        /host (thrashing|degraded) [^:]*: ([\d.,]+%) of CPU time lost to faulting \(([\d.,]+% busy, [\d.,]+% waiting)\)/.exec(
          r.verdict.headline,
        );
      if (host) {
        same(`${label} CPU lost to faulting, while ${host[1]}`, byLabel, 'the verdict', host[2]!);
        same(`${label} CPU lost to faulting, while ${host[1]} (parts)`, byLabel, 'the verdict', host[3]!);
      }

      // The status: the same words everywhere, never a failure colour on a variant that passes.
      const passes = r.status === 'ok' && passesChecks(r.checks);
      const status = new Map<string, Seen>();
      const badge = /<span class="badge (status-[\w-]+)">([^<]*)<\/span>/.exec(html);
      const mdStatus = /^\*\*(.+?):\*\* /m.exec(md)?.[1];
      same(`${label} status`, status, 'report.html', badge?.[2] ?? '(missing)');
      same(`${label} status`, status, 'summary.md', mdStatus ?? '(missing)');
      if (passes && FAIL_CLASSES.includes(badge?.[1] ?? ''))
        problems.push(`${label}: passes its checks but its report shows ${badge?.[1]}`);
      const indexRow = new RegExp(
        `>${escapeRe(entry.variantId)}</a></th><td class="status-cell"><span class="pill ([\\w-]+)">([^<]*)</span></td><td class="headline-cell">([^<]*)</td>`,
      ).exec(index);
      same(`${label} status`, status, 'index.html', indexRow?.[2] ?? '(missing)');
      same(`${label} verdict`, status, 'result.json', r.verdict.headline);
      same(`${label} verdict`, status, 'index.html', unescapeHtml(indexRow?.[3] ?? '(missing)'));
      if (passes && FAIL_CLASSES.includes(indexRow?.[1] ?? ''))
        problems.push(`${label}: passes but index.html shows ${indexRow?.[1]}`);

      if (sweepName) {
        const row = new RegExp(`<tr class="[^"]*" data-variant="${escapeRe(entry.variantId)}">([\\s\\S]*?)</tr>`).exec(
          sweep,
        )?.[1];
        if (!row) {
          problems.push(`${label}: not in ${sweepName}`);
          continue;
        }
        const pill = /<a class="pill ([\w-]+)" href="[^"]*">([^<]*)<\/a>/.exec(row);
        same(`${label} status`, status, sweepName, pill?.[2] ?? '(missing)');
        if (passes && FAIL_CLASSES.includes(pill?.[1] ?? ''))
          problems.push(`${label}: passes but ${sweepName} shows ${pill?.[1]}`);
        for (const m of row.matchAll(
          /data-figure="([^"]+)"[^>]*><span class="v">([^<]*)<\/span>(?:<div class="sub">([^<]*)<\/div>)?/g,
        )) {
          const id = unescapeHtml(m[1]!);
          const text = unescapeHtml(m[2]!).replace(/^[✓✗!] /, '');
          same(`${label} #${id}`, byId, sweepName, text);
          if (m[3]) same(`${label} ${labelOf.get(id)} (parts)`, byLabel, sweepName, unescapeHtml(m[3]));
        }
        const jsonRow = sweepJson?.results.find((x) => x.variant === entry.variantId);
        for (const [id, f] of Object.entries(jsonRow?.figures ?? {})) {
          if (f.text !== null) same(`${label} #${id}`, byId, 'sweep JSON', f.text);
          comparisons++;
          if (f.value !== at(r, id)) problems.push(`${label} #${id}: sweep JSON ${f.value}, result.json ${at(r, id)}`);
        }
        const line = csv.find((l) => splitCsv(l)[0] === entry.variantId);
        const cells = line ? splitCsv(line) : [];
        csvHeader.forEach((h, i) => {
          const part = /^(summary\.[\w.]+)\.busy_pct$/.exec(h)?.[1];
          if (part) {
            // The parts, printed as every page prints them, against the page's note.
            const text = `${formatValue(Number(cells[i]), 'pct')} busy, ${formatValue(Number(cells[i + 1]), 'pct')} waiting`;
            same(`${label} ${labelOf.get(part)} (parts)`, byLabel, 'sweep CSV', text);
            return;
          }
          const id = /^(summary\.[\w.]+?)_(pct|ms|perSec|count)$/.exec(h)?.[1];
          if (!id || id.endsWith('.waiting')) return;
          comparisons++;
          if (cells[i] !== String(at(r, id) ?? ''))
            problems.push(`${label} ${h}: CSV ${cells[i]}, result.json ${at(r, id)}`);
        });
      }
    }
  }
  return { problems, variants, comparisons };
}

function figureOfCheck(metric: string, aggregation: string): string | undefined {
  const lat = /^processes\.(.+)\.latencyMs$/.exec(metric);
  if (lat && aggregation === 'p(99)') return `summary.processes.${lat[1]}.latencyMs.p99Ms`;
  if (metric === 'oomKills') return 'summary.host.oomKills';
  return (
    {
      'host.faultCpuPct max': 'summary.host.faultCpuPctMax',
      'host.faultCpuPct avg': 'summary.host.faultCpuPctAvg',
      'host.majorFaultsPerSec max': 'summary.host.majorFaultsPerSecMax',
    } as Record<string, string>
  )[`${metric} ${aggregation}`];
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function escapeXml(s: string): string {
  return escapeRe(
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;'),
  );
}
