/** fit.json is a versioned contract (src/result/fit.ts): files from before the version field are upgraded on read. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIT_SCHEMA_VERSION, upgradeFit } from '../../src/result/fit.js';

// Written by faultline fit before fit schema 2 (no schemaVersion): the old worked example.
const V1 = new URL('../../docs/examples/postmortem-fit/fit.json', import.meta.url).pathname;

describe('upgradeFit', () => {
  it('brings a version 1 fit.json to the current version', () => {
    const old = JSON.parse(readFileSync(V1, 'utf8'));
    expect(old.schemaVersion).toBeUndefined();
    const r = upgradeFit(old, V1);
    expect(r.schemaVersion).toBe(FIT_SCHEMA_VERSION);
    expect(r.objective.terms).toEqual(old.objective.metrics);
    expect(r.best.terms.map((t) => [t.name, t.normalisedError])).toEqual(
      old.best.errors.map((e: { metric: string; normalisedError: number }) => [e.metric, e.normalisedError]),
    );
    expect(r.parameters.map((p) => [p.path, p.startFrom, p.profile])).toEqual(
      old.parameters.map((p: { path: string }) => [p.path, 'scenario', null]),
    );
    expect(r.identifiability).toEqual({
      tolerancePct: 10,
      tradeOffs: [],
      note: 'not computed: written by faultline before fit schema 2',
    });
    // The input is not changed.
    expect(old.best.errors).toBeDefined();
  });

  it('reads a version 2 fit.json with every parameter searched on a linear scale', () => {
    const v2 = {
      schemaVersion: 2,
      kind: 'fit',
      objective: { definition: '', terms: [] },
      best: { objective: 0.1, terms: [] },
      parameters: [{ path: 'processes.app.touchesPerSec', low: 1000, high: 50000, unit: '', value: 8000 }],
      iterations: [],
    };
    const r = upgradeFit(v2, 'v2.json');
    expect([r.schemaVersion, r.parameters.map((p) => p.scale)]).toEqual([3, ['linear']]);
    expect(v2.parameters[0]).not.toHaveProperty('scale');
    // A v1 file goes through both steps.
    const old = upgradeFit(JSON.parse(readFileSync(V1, 'utf8')), V1);
    expect(new Set(old.parameters.map((p) => p.scale))).toEqual(new Set(['linear']));
  });

  it('refuses what is not a fit result, or is newer than this faultline', () => {
    expect(() => upgradeFit({ kind: 'run' }, 'x.json')).toThrow(
      'x.json: not a faultline fit result (kind is not "fit")',
    );
    expect(() => upgradeFit({ kind: 'fit', schemaVersion: FIT_SCHEMA_VERSION + 1 }, 'x.json')).toThrow(
      `x.json: written with fit schema ${FIT_SCHEMA_VERSION + 1}, this faultline reads up to ${FIT_SCHEMA_VERSION}`,
    );
    expect(() => upgradeFit({ kind: 'fit', parameters: [], iterations: [] }, 'x.json')).toThrow(
      'x.json: field "best" or "objective" is missing',
    );
  });
});
