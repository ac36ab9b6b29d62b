import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { withPath } from './errors.js';

let counter = 0;

/**
 * Writes `data` to `path` through a temporary file in the same directory and a rename,
 * so a reader (or an interrupted run) never sees a half-written file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  makeDirs(dir);
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

/**
 * mkdir -p. Node's recursive mkdir reports ENOENT for a folder it cannot create on a read-only
 * filesystem (it walks up looking for a parent); a plain mkdir of the first missing folder says why.
 */
export function makeDirs(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // The first missing folder below an existing one: creating it alone gives the real reason.
    let first = path;
    while (dirname(first) !== first && !existsSync(dirname(first))) first = dirname(first);
    mkdirSync(first);
    mkdirSync(path, { recursive: true });
  }
}
