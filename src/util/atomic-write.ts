import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { withPath } from './errors.js';

let counter = 0;

/**
 * Writes `data` to `path` through a temporary file in the same directory and a rename,
 * so a reader (or an interrupted run) never sees a half-written file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    // A failed write() on the open file (ENOSPC) names no path: name the file being written.
    throw withPath(err, path);
  }
}
