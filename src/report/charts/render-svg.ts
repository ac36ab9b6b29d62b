import type { TopLevelSpec } from 'vega-lite';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');

// vega and vega-lite take about 0.2 s to load: only commands that draw charts pay for them.
let engines: Promise<[Vega, VegaLite]> | undefined;

/**
 * Renders a vega-lite spec to a static SVG string in Node, with no canvas package
 * (vega's `renderer: 'none'` view still produces SVG). Text widths are estimated
 * without canvas, so callers that show long labels set `labelLimit: 0`.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  engines ??= Promise.all([import('vega'), import('vega-lite')]);
  const [vega, vegaLite] = await engines;
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
