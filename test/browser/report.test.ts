/**
 * The reports in a real browser: Debian's Chromium driven by playwright-core (flags from
 * shared/docs/stack.md §6). Checks that pages load with no console errors and no network
 * requests, that every chart has drawn marks, that interactive charts come alive, and
 * that the sort script works; screenshots go to test-results/screenshots/ for review.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderIndex, renderRunReport, renderSweepReport } from '../../src/report/html.js';
import { incidentResult, incidentSweepFixture, sweepFixture, withObserved } from '../report/fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = resolve('test-results/screenshots');
const available = existsSync(CHROMIUM);
if (!available && !process.env.CI)
  console.warn(`browser test skipped: ${CHROMIUM} not found (apt-get install -y chromium); in CI it is required`);

describe.skipIf(!available && !process.env.CI)('reports in Chromium', () => {
  let dir = '';
  let profile = '';
  let ctx: BrowserContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fl-browser-'));
    profile = mkdtempSync(join(tmpdir(), 'fl-chrome-'));
    mkdirSync(SHOTS, { recursive: true });
    const { manifest, results } = sweepFixture();
    writeFileSync(join(dir, 'run.html'), await renderRunReport(incidentResult()));
    writeFileSync(join(dir, 'sweep.html'), await renderSweepReport(manifest, results));
    // The bundled incident's sweep in shape: 16 variants, four swept fields, four checks.
    const incident = incidentSweepFixture();
    writeFileSync(join(dir, 'sweep-incident.html'), await renderSweepReport(incident.manifest, incident.results));
    writeFileSync(join(dir, 'index.html'), renderIndex([{ dir: '', manifest: incident.manifest }]));
    const passing = incident.results.find((r) => r.verdict.status === 'warn')!;
    writeFileSync(join(dir, 'run-passing.html'), await renderRunReport(passing));
    const hostile = incidentResult({ db: '<img src=x onerror=alert(1)>' });
    writeFileSync(join(dir, 'run-interactive.html'), await renderRunReport(hostile, { interactive: true }));
    const observed = withObserved(incidentResult());
    writeFileSync(join(dir, 'run-observed.html'), await renderRunReport(observed));
    writeFileSync(join(dir, 'run-observed-interactive.html'), await renderRunReport(observed, { interactive: true }));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1100, height: 1000 },
    });
  });

  afterAll(async () => {
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  /** Opens a page, recording console errors, page errors, dialogs and every request. */
  async function open(file: string): Promise<{ page: Page; problems: string[]; requests: string[]; url: string }> {
    const page = await ctx.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(join(dir, file)).href;
    await page.goto(url, { waitUntil: 'load' });
    return { page, problems, requests, url };
  }

  /** Marks drawn inside each chart's SVG (paths of line, area, rect and symbol marks). */
  function markCounts(page: Page): Promise<{ id: string; marks: number }[]> {
    return page.evaluate(() =>
      [...document.querySelectorAll('figure.chart')].map((f) => ({
        id: f.id,
        marks: f.querySelectorAll(
          'svg .mark-line path, svg .mark-area path, svg .mark-rect path, svg .mark-symbol path, svg .mark-rule line',
        ).length,
      })),
    );
  }

  it('run report: no errors, no network, every chart drawn', async () => {
    const { page, problems, requests, url } = await open('run.html');
    const counts = await markCounts(page);
    expect(counts.map((c) => c.id)).toEqual([
      'chart-major-faults',
      'chart-minor-faults',
      'chart-cpu',
      'chart-memory',
      'chart-swap',
      'chart-psi',
      'chart-latency',
    ]);
    for (const c of counts) expect(c.marks, c.id).toBeGreaterThan(0);
    expect(await page.textContent('.verdict .headline')).toContain('thrashing from 00:05:12');
    await page.screenshot({ path: join(SHOTS, 'run.png'), fullPage: true });
    await page.setViewportSize({ width: 420, height: 900 });
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow, 'page wider than a narrow window').toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'run-narrow.png'), fullPage: false });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('sweep report: charts drawn, the table sorts on click', async () => {
    const { page, problems, requests, url } = await open('sweep.html');
    const counts = await markCounts(page);
    expect(counts.map((c) => c.id)).toEqual(['chart-heatmap', 'chart-fault-cpu-multiples']);
    for (const c of counts) expect(c.marks, c.id).toBeGreaterThan(0);
    const firstVariant = () => page.getAttribute('#variants tbody tr:first-child', 'data-variant');
    expect(await firstVariant()).toBe('stop=never,batch-max=max');
    await page.click('#variants thead th:nth-child(1) button'); // status, passing variants first
    expect(await firstVariant()).toBe('stop=never,batch-max=36Gi');
    expect(await page.getAttribute('#variants thead th:nth-child(1)', 'aria-sort')).toBe('ascending');
    await page.click('#variants thead th:nth-child(1) button');
    expect(await page.getAttribute('#variants thead th:nth-child(1)', 'aria-sort')).toBe('descending');
    await page.click('#variants thead th:nth-child(1) button');
    await page.screenshot({ path: join(SHOTS, 'sweep.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  /** Background colour of the failure pill, from the page's own stylesheet. */
  const BAD = 'rgb(179, 38, 30)';

  it('sweep of the incident at 1,400 px: every decision column in view, no passing variant in a failure colour', async () => {
    const { page, problems } = await open('sweep-incident.html');
    await page.setViewportSize({ width: 1400, height: 1000 });
    const layout = await page.evaluate(() => {
      const table = document.getElementById('variants')!;
      const box = table.closest('.scroll')!;
      return {
        pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
        tableOverflow: box.scrollWidth - box.clientWidth,
        headers: [...table.querySelectorAll('thead th')].map((th) => ({
          text: th.textContent!.replace(/[↕▲▼]/g, '').trim(),
          right: th.getBoundingClientRect().right,
        })),
      };
    });
    expect(layout.pageOverflow).toBeLessThanOrEqual(0);
    expect(layout.tableOverflow).toBeLessThanOrEqual(0);
    expect(layout.headers.map((h) => h.text)).toEqual([
      'status',
      'CPU lost to faulting, run mean',
      'major faults/s, worst step',
      'db p99 latency, whole run < 1 s',
      'CPU lost to faulting, worst step < 50% (warn)',
      'OOM kills = 0',
      'allocFailures = 0 (warn)',
      'max',
      'soft',
      'swappiness',
      'stop',
    ]);
    for (const h of layout.headers) expect(h.right, h.text).toBeLessThanOrEqual(1400);
    const pills = await page.evaluate(() =>
      [...document.querySelectorAll('#variants tbody tr')].map((tr) => ({
        variant: tr.getAttribute('data-variant'),
        passes: tr.classList.contains('pass-all'),
        background: getComputedStyle(tr.querySelector('.status-cell .pill')!).backgroundColor,
      })),
    );
    expect(pills.filter((p) => p.passes).length).toBe(12);
    for (const p of pills) expect(p.background === BAD, `${p.variant}: ${p.background}`).toBe(!p.passes);
    await page.screenshot({ path: join(SHOTS, 'sweep-incident-1400.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 900 });
    expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'sweep-incident-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('index and a passing variant’s report: the status follows the checks, in the same words', async () => {
    const index = await open('index.html');
    const rows = await index.page.evaluate(() =>
      [...document.querySelectorAll('table.data tbody tr')].map((tr) => ({
        passes: tr.classList.contains('pass-all'),
        label: tr.querySelector('.pill')!.textContent,
        background: getComputedStyle(tr.querySelector('.pill')!).backgroundColor,
      })),
    );
    expect(rows.length).toBe(16);
    for (const r of rows) expect(r.background === BAD, `${r.label}`).toBe(!r.passes);
    expect(rows.filter((r) => r.passes).map((r) => r.label)).toEqual(Array(12).fill('Passes, 1 warning'));
    await index.page.screenshot({ path: join(SHOTS, 'index.png'), fullPage: true });
    await index.page.setViewportSize({ width: 390, height: 900 });
    expect(await index.page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(
      0,
    );
    expect(index.problems).toEqual([]);
    await index.page.close();
    const run = await open('run-passing.html');
    const badge = await run.page.evaluate(() => {
      const b = document.querySelector('.verdict .badge')!;
      return { text: b.textContent, background: getComputedStyle(b).backgroundColor };
    });
    expect(badge.text).toBe('Passes, 1 warning');
    expect(badge.background).not.toBe(BAD);
    expect(await run.page.textContent('.verdict .headline')).toContain('db healthy: whole-run p99');
    await run.page.screenshot({ path: join(SHOTS, 'run-passing.png'), fullPage: false });
    expect(run.problems).toEqual([]);
    await run.page.close();
  });

  /** Dashed line paths (observed series, thresholds and event rules are lines too, so only paths count). */
  function dashedLines(page: Page, chart: string): Promise<number> {
    return page.evaluate(
      (id) => document.querySelectorAll(`#${id} svg .mark-line path[stroke-dasharray]`).length,
      chart,
    );
  }

  it('run report with observed series: dashed overlays on the charts and the comparison table', async () => {
    const { page, problems, requests, url } = await open('run-observed.html');
    const counts = await markCounts(page);
    expect(counts.map((c) => c.id)).toEqual([
      'chart-major-faults',
      'chart-minor-faults',
      'chart-cpu',
      'chart-memory',
      'chart-swap',
      'chart-swap-used',
      'chart-psi',
      'chart-latency',
    ]);
    for (const c of counts) expect(c.marks, c.id).toBeGreaterThan(0);
    for (const id of ['chart-major-faults', 'chart-memory', 'chart-swap', 'chart-swap-used', 'chart-psi'])
      expect(await dashedLines(page, id), id).toBeGreaterThan(0);
    expect(await dashedLines(page, 'chart-cpu')).toBe(0);
    expect(await page.textContent('#chart-swap svg')).toContain('swap-in, observed (sar)');
    expect(await page.locator('#observed table tbody tr').count()).toBe(7);
    await page.screenshot({ path: join(SHOTS, 'run-observed.png'), fullPage: true });
    await page.locator('#chart-swap').screenshot({ path: join(SHOTS, 'run-observed-swap.png') });
    await page.locator('#observed').screenshot({ path: join(SHOTS, 'run-observed-table.png') });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
    const live = await open('run-observed-interactive.html');
    await live.page.waitForFunction('Number(document.body.dataset.rendered || 0) >= 8', undefined, { timeout: 20_000 });
    expect(await dashedLines(live.page, 'chart-swap')).toBeGreaterThan(0);
    expect(live.problems).toEqual([]);
    await live.page.close();
  });

  it('interactive report: live charts replace the static ones, hostile names stay text', async () => {
    const { page, problems, requests, url } = await open('run-interactive.html');
    await page.waitForFunction('Number(document.body.dataset.rendered || 0) >= 7', undefined, { timeout: 20_000 });
    const counts = await markCounts(page);
    for (const c of counts) expect(c.marks, c.id).toBeGreaterThan(0);
    expect(await page.evaluate('document.querySelectorAll("img").length')).toBe(0);
    expect(await page.textContent('table.data tbody th.pname')).toBe('<img src=x onerror=alert(1)>');
    await page.screenshot({ path: join(SHOTS, 'run-interactive.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });
});
