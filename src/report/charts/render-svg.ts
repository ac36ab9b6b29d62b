import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders a vega-lite spec to a static SVG string in Node, with no canvas package
 * (vega's `renderer: 'none'` view still produces SVG). Text widths are estimated
 * without canvas, so callers that show long labels set `labelLimit: 0`.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
