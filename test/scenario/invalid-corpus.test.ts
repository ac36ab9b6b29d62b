import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { DiagnosticsError } from '../../src/util/errors.js';

/**
 * Each invalid scenario has its expected diagnostics in a golden `.txt` beside it.
 * `UPDATE_GOLDEN=1 npx vitest run test/scenario/invalid-corpus.test.ts` rewrites them;
 * review every change by eye: each line must name the place and the fix.
 */
const DIR = 'test/fixtures/scenarios/invalid';
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function diagnosticsOf(file: string): string {
  try {
    loadScenarioFile(file);
  } catch (err) {
    if (err instanceof DiagnosticsError) return `${err.message}\n`;
    throw err;
  }
  throw new Error(`${file} loaded without errors`);
}

describe('invalid scenario corpus', () => {
  it('has fixtures', () => {
    expect(files.length).toBeGreaterThan(20);
  });
  for (const f of files) {
    it(f, () => {
      const path = join(DIR, f);
      const actual = diagnosticsOf(path);
      const golden = path.replace(/\.yaml$/, '.txt');
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, actual);
      expect(actual).toBe(readFileSync(golden, 'utf8'));
      for (const line of actual.trim().split('\n')) {
        expect(line).toMatch(new RegExp(`^${path.replace(/[.]/g, '\\.')}:\\d+:\\d+: (error|warning): `));
      }
    });
  }
});
