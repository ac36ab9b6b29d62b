import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueEntries } from '../../src/traces/telemetry/columns.js';
import { load } from './load.js';

const DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'import.md'), 'utf8');

describe('docs/import.md', () => {
  it('documents every catalogued column', () => {
    const missing = catalogueEntries()
      .map((c) => c.name)
      .filter((n) => !DOC.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });

  it('documents every memory.stat counter column the fixtures produce', () => {
    const names = load('memory-stat', 'memory-stat-v2.txt').table.columns.map((c) => c.name);
    const undocumented = names.filter(
      (n) => !n.endsWith('_bytes') && !DOC.includes(n.replace(/^(activate|restore)_(anon|file)_/, '$1_*_')),
    );
    expect(undocumented).toEqual([]);
  });
});
