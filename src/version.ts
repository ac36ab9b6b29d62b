import { readFileSync } from 'node:fs';

/** faultline's version, from package.json (recorded in every result). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
