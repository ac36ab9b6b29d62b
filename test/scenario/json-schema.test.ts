import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaText } from '../../src/cli/commands/schema.js';
import { fieldRows, updateDocs } from '../../src/scenario/field-docs.js';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.js';
import { starterScenario } from '../../src/scenario/starter.js';

const INVALID = 'test/fixtures/scenarios/invalid';
const bundled = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join('scenarios', f));
/** Fixtures named schema-*.yaml hold mistakes the JSON Schema alone can see (types, keys, ranges, patterns). */
const schemaDetectable = readdirSync(INVALID)
  .filter((f) => f.startsWith('schema-') && f.endsWith('.yaml'))
  .map((f) => join(INVALID, f));

describe('generated artefacts are up to date', () => {
  it('docs/scenario.schema.json (regenerate: faultline schema --out docs/scenario.schema.json)', () => {
    expect(readFileSync('docs/scenario.schema.json', 'utf8')).toBe(schemaText());
  });

  it('the field reference in docs/scenario.md (regenerate: faultline schema --docs docs/scenario.md)', () => {
    const doc = readFileSync('docs/scenario.md', 'utf8');
    expect(doc).toBe(updateDocs(doc));
  });

  it('documents every field: meaning, and for values also unit and example', () => {
    const rows = fieldRows();
    expect(rows.length).toBeGreaterThan(100);
    const containers = new Set(['object', 'map', 'list']);
    const missing = rows.flatMap((r) => {
      const gaps = [];
      if (r.description === '') gaps.push('meaning');
      if (!containers.has(r.type) && r.unit === '') gaps.push('unit');
      if (!containers.has(r.type) && r.example === '') gaps.push('example');
      return gaps.length > 0 ? [`${r.path}: ${gaps.join(', ')}`] : [];
    });
    expect(missing).toEqual([]);
  });
});

describe('the JSON Schema', () => {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  const validate = ajv.compile(scenarioJsonSchema());

  it('is draft-7', () => {
    expect(scenarioJsonSchema().$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('accepts every bundled scenario and the starter', () => {
    expect(bundled.length).toBeGreaterThanOrEqual(5);
    for (const file of bundled) {
      const ok = validate(parse(readFileSync(file, 'utf8')));
      expect({ file, errors: validate.errors ?? null, ok }).toEqual({ file, errors: null, ok: true });
    }
    expect(validate(parse(starterScenario('starter', 'x.json')))).toBe(true);
  });

  it('rejects the schema-detectable invalid scenarios', () => {
    expect(schemaDetectable.length).toBeGreaterThan(8);
    for (const file of schemaDetectable) {
      expect({ file, ok: validate(parse(readFileSync(file, 'utf8'))) }).toEqual({ file, ok: false });
    }
  });
});
