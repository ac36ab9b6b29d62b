import { describe, expect, it } from 'vitest';
import { DenseIdBuilder } from '../../src/traces/id-map.js';

describe('DenseIdBuilder', () => {
  it('keeps an id hashed before the direct table grew over it', () => {
    const b = new DenseIdBuilder();
    b.addNumber(1_000_000); // beyond the direct table's reach while few ids are known: hashed
    for (let i = 0; i < 100_000; i++) b.addNumber(i);
    b.addNumber(700_000); // now within reach: the table grows over 1,000,000
    b.addNumber(1_000_000);
    b.addHiLo(0, 1_000_000);
    const s = b.finish();
    expect(s[0]).toBe(0);
    expect(s[100_001]).toBe(100_001);
    expect(s[100_002]).toBe(0);
    expect(s[100_003]).toBe(0);
    expect(b.distinct).toBe(100_002);
  });

  it('gives sparse, huge and string ids their own dense ids', () => {
    const b = new DenseIdBuilder();
    const keys: [number, number][] = [];
    for (let i = 0; i < 50_000; i++) keys.push([(i * 2654435761) >>> 0, i * 7919]);
    for (const [hi, lo] of keys) b.addHiLo(hi, lo);
    for (const [hi, lo] of keys) b.addHiLo(hi, lo);
    b.addString('x');
    b.addString('x');
    const s = b.finish();
    expect(b.distinct).toBe(50_001);
    for (let i = 0; i < 50_000; i++) expect(s[50_000 + i]).toBe(s[i]);
    expect(s[100_000]).toBe(50_000);
    expect(s[100_001]).toBe(50_000);
  });
});
