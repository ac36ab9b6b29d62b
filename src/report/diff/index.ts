import { stableStringify } from '../../util/stable-json.js';
import { renderDiffHtml } from './html.js';
import { renderDiffMarkdown } from './markdown.js';
import type { DiffReport } from './types.js';

export type DiffFormat = 'md' | 'html' | 'json';

export function renderDiff(d: DiffReport, format: DiffFormat): string {
  switch (format) {
    case 'md':
      return renderDiffMarkdown(d);
    case 'html':
      return renderDiffHtml(d);
    case 'json':
      return `${stableStringify(d)}\n`;
  }
}

export { headline as diffHeadline } from './format.js';
export { renderDiffMarkdown } from './markdown.js';
export type { DiffReport } from './types.js';
