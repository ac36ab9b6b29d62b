import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { InputError } from '../util/errors.js';

/** Checks that `dir` is (or can be made) a writable folder, before any work starts. */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new InputError(`cannot create output folder ${dir}: ${(err as Error).message}`);
  }
  if (!statSync(dir).isDirectory()) throw new InputError(`output path ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new InputError(`output folder ${dir} is not writable`);
  }
}
