/** The report layer's public surface: HTML renderers, exporters and the writers that use them. */
export { timeseriesCsv } from './exporters/csv.js';
export { junitXml } from './exporters/junit.js';
export { summaryMarkdown } from './exporters/markdown.js';
export {
  type HtmlOptions,
  type RunReportOptions,
  renderIndex,
  renderRunReport,
  renderSweepReport,
  type SweepReportOptions,
} from './html.js';
export { type RerenderSummary, rerenderReports } from './rerender.js';
export type { IndexedRunSet } from './view-model-index.js';
export {
  findRunSets,
  runOutputs,
  variantBackLinks,
  type WriteOptions,
  writeIndex,
  writeRunOutputs,
  writeRunSet,
} from './write.js';
