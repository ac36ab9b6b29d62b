/**
 * The real-kernel matrix without root: the committed fixtures (test/fixtures/kernel/, measured by
 * `npm run validate-kernel -- --write` on Linux 6.18, docs/validation.md) against the model as it
 * is now. Cells and regime checks that agree today are listed below (the ratchet): a change that
 * moves one of them out of its tolerance fails here. Move a cell in when a mechanism fix makes it
 * agree; a cell leaves only with its reason in the commit (matrix-ratchet.ts says which).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FamilyFixture, parseFixture, spreadOf } from '../../src/probe/fixture.js';
import {
  cellKey,
  compareFamily,
  type FamilyTable,
  killCheck,
  metricKind,
  orderCheck,
  verdictOf,
} from '../../src/probe/matrix.js';
import { AGREE_TODAY, REGIMES_TODAY } from './matrix-ratchet.js';

const DIR = join(import.meta.dirname, '../fixtures/kernel');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const fixtures: FamilyFixture[] = files.map((f) => parseFixture(readFileSync(join(DIR, f), 'utf8'), f));

describe('kernel fixtures', () => {
  it('are all four families, small, with the machine and at least three repeats per case', () => {
    expect(fixtures.map((f) => f.family).sort()).toEqual(['a', 'b', 'c', 'd']);
    const bytes = files.reduce((s, f) => s + statSync(join(DIR, f)).size, 0);
    expect(bytes).toBeLessThan(1024 * 1024);
    for (const f of fixtures) {
      expect(f.machine.kernel).toMatch(/^\d+\.\d+/);
      expect(f.machine.swap.sizeBytes).toBeGreaterThan(0);
      expect(f.calibration.swapReadUs).toBeGreaterThan(0);
      for (const c of f.cases) expect(c.repeats.length, `${f.family}/${c.id}`).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('kinds of cell', () => {
  it('tell counts, rates, times and stall shares apart by the unit in the name', () => {
    expect(
      ['steadyMajorPerTouch', 'anonSwapMiBAtEnd', 'faultBackPages', 'victimIsLeak', 'swapInsPerMajor'].map(metricKind),
    ).toEqual(['count', 'count', 'count', 'count', 'count']);
    expect(['loop.majorPerSec', 'readerPagesPerSec'].map(metricKind)).toEqual(['rate', 'rate']);
    expect(['steadyUsPerTouch', 'loop.p99Ms', 'oomAfterLeakStartSec', 'anonSwap16MiBSec'].map(metricKind)).toEqual([
      'time',
      'time',
      'time',
      'time',
    ]);
    expect(['psiSomePctLoop', 'psiFullPctLeak'].map(metricKind)).toEqual(['stall', 'stall']);
  });
});

describe('verdicts', () => {
  const k = { median: 100, min: 90, max: 140, n: 3 };
  it('agree within ±25 % of the median, or within the kernel’s own min–max where that is wider', () => {
    expect(verdictOf('steadyMajorPerTouch', k, 125)).toBe('agree');
    expect(verdictOf('steadyMajorPerTouch', k, 74)).toBe('disagree');
    expect(verdictOf('steadyMajorPerTouch', k, 139)).toBe('agree');
    expect(verdictOf('steadyMajorPerTouch', k, 141)).toBe('disagree');
    expect(verdictOf('steadyMajorPerTouch', k, null)).toBe('disagree');
  });
  it('treat differences below the unit’s noise floor as agreement (0 vs 0.004 faults per touch)', () => {
    const zero = { median: 0, min: 0, max: 0, n: 3 };
    expect(verdictOf('steadyMajorPerTouch', zero, 0.004)).toBe('agree');
    expect(verdictOf('steadyMajorPerTouch', zero, 0.006)).toBe('disagree');
  });
  it('spreads: median of an even count is the mean of the middle two; nulls are ignored', () => {
    expect(spreadOf([3, null, 1, 4, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(spreadOf([null])).toBeUndefined();
  });
  it('order: a pair the kernel separates must keep its order; pairs within the spread are free', () => {
    const s = (lo: number, hi: number) => ({ median: (lo + hi) / 2, min: lo, max: hi, n: 3 });
    const ok = orderCheck('x', [
      { id: 'p', kernel: s(1, 2), model: 10 },
      { id: 'q', kernel: s(1.5, 3), model: 5 },
      { id: 'r', kernel: s(5, 6), model: 20 },
    ]);
    expect(ok.holds).toBe(true);
    const bad = orderCheck('x', [
      { id: 'p', kernel: s(1, 2), model: 30 },
      { id: 'r', kernel: s(5, 6), model: 20 },
    ]);
    expect(bad.holds).toBe(false);
    expect(bad.model).toContain('reversed: p < r');
  });
  it('kills: the model must kill where every repeat was killed, must not where none was, either where some were', () => {
    const at = (ratio: number, killed: number, modelKilled: boolean) => ({ ratio, killed, of: 3, modelKilled });
    const both = killCheck('seq', [at(0.9, 1, false), at(1, 3, true), at(1.1, 0, false)]);
    expect(both).toMatchObject({ holds: true, kernel: '0.9 (1 of 3), 1 (3 of 3)', model: '1' });
    expect(killCheck('seq', [at(0.9, 1, true), at(1, 3, true)]).holds).toBe(true);
    expect(killCheck('seq', [at(1, 3, false)])).toMatchObject({ holds: false, model: 'none' });
    expect(killCheck('seq', [at(1.1, 0, true)])).toMatchObject({ holds: false, kernel: 'none', model: '1.1' });
  });
});

describe('the model against the committed kernel matrix', () => {
  const tables = new Map<string, FamilyTable>();
  const table = (family: string) => {
    let t = tables.get(family);
    if (!t) {
      t = compareFamily(fixtures.find((f) => f.family === family) as FamilyFixture);
      tables.set(family, t);
    }
    return t;
  };
  for (const family of ['a', 'b', 'c', 'd']) {
    it(`family ${family}: the cells that agree today stay within their tolerance`, () => {
      const t = table(family);
      const byKey = new Map(t.cells.map((c) => [cellKey(family, c), c]));
      const expected = AGREE_TODAY.filter((k) => k.startsWith(`${family}/`));
      expect(expected.length).toBeGreaterThan(0);
      const moved = expected
        .map((k) => ({ k, c: byKey.get(k) }))
        .filter(({ c }) => c?.verdict !== 'agree')
        .map(
          ({ k, c }) => `${k}: kernel ${c?.kernel?.median} (${c?.kernel?.min}–${c?.kernel?.max}), model ${c?.model}`,
        );
      expect(moved).toEqual([]);
    });
    it(`family ${family}: regime checks that hold today still hold`, () => {
      const t = table(family);
      const holding = new Set(t.regimes.filter((r) => r.holds).map((r) => r.check));
      const lost = REGIMES_TODAY.filter((r) => r.startsWith(`${family}:`))
        .map((r) => r.slice(3))
        .filter((r) => !holding.has(r));
      expect(lost).toEqual([]);
    });
    it(`family ${family}: cells the language cannot express have no model figure`, () => {
      for (const c of table(family).cells.filter((x) => x.verdict.startsWith('not expressible'))) {
        expect(c.model).toBeNull();
        expect(c.verdict).toMatch(/^not expressible yet: needs \S/);
      }
    });
  }
});
