import { describe, expect, it } from 'vitest';
import { summaryMarkdown } from '../../src/report/exporters/markdown.js';
import { renderIndex, renderRunReport, renderSweepReport } from '../../src/report/html.js';
import { jsonForScript } from '../../src/report/safe-json.js';
import { incidentResult, sweepFixture } from './fixtures.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
/** As vega writes it in SVG text. */
const ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';
/** As handlebars writes it: it also escapes `=`. */
const ESCAPED_HB = '&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Pass/fail without dumping a megabyte of HTML into the test log. */
function expectIn(html: string, pattern: string | RegExp, what: string): void {
  const found = typeof pattern === 'string' ? html.includes(pattern) : pattern.test(html);
  expect(found, `${what}: ${String(pattern)}`).toBe(true);
}

describe('user-supplied names in HTML reports', () => {
  it('show as text in tables, headings, the verdict and chart SVG of a run report', async () => {
    const html = await renderRunReport(incidentResult({ steps: 300, thrashFromS: 100, oomKillAtS: 250, db: HOSTILE }));
    expect(html.includes('<img'), 'raw tag').toBe(false);
    expectIn(html, `<th scope="row" class="pname">${ESCAPED_HB}</th>`, 'table');
    expectIn(html, `<div class="fig-label">${ESCAPED_HB} p99 latency, whole run</div>`, 'key figure');
    expectIn(html, `<span class="words">${ESCAPED_HB} thrashing from`, 'verdict');
    // Legend labels inside the inline SVG, drawn by vega, whole (labelLimit: 0).
    expectIn(html, new RegExp(`<text[^>]*>${escapeRe(ESCAPED)}</text>`), 'legend');
    expectIn(html, new RegExp(`<text[^>]*>${escapeRe(ESCAPED)} anonymous</text>`), 'memory legend');
  });

  it('stay inert in the embedded specs of an interactive report', async () => {
    const html = await renderRunReport(incidentResult({ steps: 120, thrashFromS: 40, oomKillAtS: 100, db: HOSTILE }), {
      interactive: true,
    });
    const scripts = [...html.matchAll(/<script type="application\/json" data-chart="[^"]+">([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(7);
    for (const [, body] of scripts) expect(body).not.toMatch(/[<>]/);
    const withName = scripts.filter(([, body]) => JSON.stringify(JSON.parse(body!)).includes(HOSTILE));
    expect(withName.map(([, body]) => (JSON.parse(body!) as { title: string }).title)).toContain(
      'Major page faults per second, per process',
    );
    expectIn(html, 'script-src &#x27;unsafe-inline&#x27; &#x27;unsafe-eval&#x27;', 'CSP allows vega');
    expect(html.match(/<script>/g)?.length).toBe(4); // vega, vega-lite, vega-embed, the loader
  });

  it('show as text in the sweep table, the heatmap and the index', async () => {
    const { manifest, results } = sweepFixture({ db: HOSTILE, steps: 120 });
    const html = await renderSweepReport(manifest, results);
    expect(html.includes('<img'), 'raw tag').toBe(false);
    expectIn(html, `<th scope="col" class="check-col" data-numeric="true" title="`, 'sortable check header');
    expectIn(html, `>${ESCAPED_HB} p99 latency, whole run &lt; 1 s</th>`, 'table header');
    expectIn(html, new RegExp(`<text[^>]*>${escapeRe(ESCAPED)} p99 latency, whole run</text>`), 'heatmap legend title');
    const index = renderIndex([{ dir: 'incident', manifest }]);
    expect(index.includes('<img'), 'raw tag in index').toBe(false);
    expectIn(index, `${ESCAPED_HB} healthy: whole-run p99`, 'index verdict');
  });

  it('are escaped in summary.md, where GitHub would render HTML', () => {
    const md = summaryMarkdown(incidentResult({ steps: 60, db: HOSTILE }));
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt; p99 latency, whole run');
  });
});

describe('jsonForScript', () => {
  it('round-trips and leaves nothing that could end the script element', () => {
    const value = { t: 'heat </script><script>alert(2)</script> \u2028 <!-- & map' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/<\/script|<!--|\u2028|\u2029/i);
    expect(JSON.parse(text)).toEqual(value);
  });
});
