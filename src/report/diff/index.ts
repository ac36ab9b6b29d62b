import { type DiffReport, serializeDiffReport } from '../../result/diff.js';
import { renderDiffHtml } from './html.js';
import { renderDiffMarkdown } from './markdown.js';

export type DiffFormat = 'md' | 'html' | 'json';

export function renderDiff(d: DiffReport, format: DiffFormat): string {
  switch (format) {
    case 'md':
      return renderDiffMarkdown(d);
    case 'html':
      return renderDiffHtml(d);
    case 'json':
      return serializeDiffReport(d);
  }
}

export type { DiffReport } from '../../result/diff.js';
export { headline as diffHeadline } from './format.js';
export { renderDiffMarkdown } from './markdown.js';
