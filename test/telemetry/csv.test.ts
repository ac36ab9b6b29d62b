import { describe, expect, it } from 'vitest';
import { tableToCsv } from '../../src/traces/telemetry/csv.js';
import { InputError } from '../../src/util/errors.js';
import { load, parse } from './load.js';

/** The CSV keeps 12 significant digits (docs/import.md): rates like 1/3 come back rounded there, the rest exactly. */
function expectSameValues(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((col, c) => {
    col.forEach((v, r) => {
      const got = actual[c]?.[r] as number;
      if (Number.isNaN(v)) expect(got, `column ${c} row ${r}`).toBeNaN();
      else expect(Math.abs(got - v), `column ${c} row ${r}`).toBeLessThanOrEqual(Math.abs(v) * 1e-11);
    });
  });
}

const HEAD = 'time,t_s,free_bytes,swap_in_pages_per_sec,web_rss_bytes';

describe('importing the normalised CSV (kind csv)', () => {
  it.each([
    ['vmstat', 'vmstat-t-thrash.txt'],
    ['sar', 'sar-24h-thrash.txt'],
    ['proc-vmstat', 'proc-vmstat-6.18.txt'],
    ['psi', 'psi-iso.txt'],
  ] as const)('reads back the table %s produced, unchanged', (kind, file) => {
    const original = load(kind, file).table;
    const back = parse('csv', tableToCsv(original)).table;
    expect(back.source).toEqual({ kind: 'csv', file: 'in.txt', intervalSec: original.source.intervalSec });
    expect(back.columns).toEqual(original.columns);
    expect(back.timeMs).toEqual(original.timeMs);
    expectSameValues(back.values, original.values);
    expect(tableToCsv(back)).toBe(tableToCsv(original));
  });

  it.each([
    ['ps', 'ps-3snap.txt'],
    ['memory-stat', 'memory-stat-v1.txt'],
    ['memory-stat', 'memory-stat-v2.txt'],
  ] as const)('reads back %s columns named per process or field with their units (%s)', (kind, file) => {
    const original = load(kind, file).table;
    const back = parse('csv', tableToCsv(original)).table;
    const nameUnit = (c: { name: string; unit: string }) => [c.name, c.unit];
    // The CSV has no room for descriptions of columns outside the catalogue; names and units survive.
    expect(back.columns.map(nameUnit)).toEqual(original.columns.map(nameUnit));
    expect(back.timeMs).toEqual(original.timeMs);
    expectSameValues(back.values, original.values);
    expect(tableToCsv(back)).toBe(tableToCsv(original));
  });

  it('keeps empty cells unknown and infers units of uncatalogued columns from their names', () => {
    const { table } = parse(
      'csv',
      `${HEAD}\n2026-03-14T02:00:00.000Z,0,100,,2048\n2026-03-14T02:00:05.000Z,5,90,7,1e3\n`,
    );
    expect(table.values[1]?.[0]).toBeNaN();
    expect(table.values[2]).toEqual([2048, 1000]);
    expect(table.columns.map((c) => c.unit)).toEqual(['bytes', 'pages/s', 'bytes']);
    expect(table.source.intervalSec).toBe(5);
  });

  it('moves the rows to --start', () => {
    const { table } = parse('csv', `${HEAD}\n2026-03-14T02:00:00.000Z,0,1,2,3\n2026-03-14T02:00:05.000Z,5,1,2,3\n`, {
      startMs: Date.UTC(2026, 0, 1),
    });
    expect(table.timeMs).toEqual([Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 0, 5)]);
  });

  it('stops at a malformed line with file:line, or skips it under lenient', () => {
    const rows = [
      HEAD,
      '2026-03-14T02:00:00.000Z,0,100,1,1',
      '2026-03-14T02:00:05.000Z,5,90,0x10,1',
      '2026-03-14T02:00:10.000Z,10,80,2',
      '2026-03-14T02:00:00.000Z,10,80,2,1',
      'yesterday,15,80,2,1',
      '2026-03-14T02:00:20.000Z,20,70,3,1',
    ].join('\n');
    expect(() => parse('csv', rows)).toThrow(InputError);
    expect(() => parse('csv', rows)).toThrow(
      "in.txt:3: swap_in_pages_per_sec is not a number: '0x10': 2026-03-14T02:00:05.000Z,5,90,0x10,1",
    );
    const { table, skippedLines } = parse('csv', rows, { lenient: true });
    expect(skippedLines).toEqual([3, 4, 5, 6]);
    expect(table.values[0]).toEqual([100, 70]);
  });

  it('names the problem of a bad header', () => {
    expect(() => parse('csv', 'a,b\n1,2\n')).toThrow(/^in.txt:1: expected the header of a normalised CSV/);
    expect(() => parse('csv', 'time,t_s,Free Bytes\n')).toThrow("in.txt:1: column name 'Free Bytes'");
    expect(() => parse('csv', 'time,t_s,x,x\n')).toThrow("in.txt:1: column 'x' appears twice");
    expect(() => parse('csv', `${HEAD}\n`)).toThrow('in.txt: no rows after the header');
  });
});
