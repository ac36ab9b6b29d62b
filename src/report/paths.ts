/** File names inside an output folder, shared by the writers, the index and the links between reports. */
import { posix } from 'node:path';

export const RESULT_FILE = 'result.json';
export const RUN_REPORT_FILE = 'report.html';
export const MANIFEST_FILE = 'manifest.json';
export const INDEX_FILE = 'index.html';

/** A file-name-safe form of a user-supplied name (scenario names may hold anything). */
export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'scenario';
}

export function sweepFileName(scenario: string): string {
  return `sweep-${slug(scenario)}.html`;
}

/** The sweep table's exports, beside its page: `sweep-<scenario>.csv`, `.md` and `.json`. */
export function sweepExportNames(scenario: string): { csv: string; md: string; json: string } {
  const base = `sweep-${slug(scenario)}`;
  return { csv: `${base}.csv`, md: `${base}.md`, json: `${base}.json` };
}

/** Link from a file in folder `fromDir` to `target`, both relative to the same root, with `/` separators. */
export function relativeHref(fromDir: string, target: string): string {
  const rel = posix.relative(posix.normalize(fromDir || '.'), posix.normalize(target));
  // Every segment is percent-encoded (a `:` would otherwise make `javascript:` a scheme);
  // `=` and `,`, common in variant ids, are safe in a path and stay readable.
  return rel
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%3D/g, '=').replace(/%2C/g, ','))
    .join('/');
}
