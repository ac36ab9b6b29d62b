import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { stableStringify } from '../../src/util/stable-json.js';

describe('stableStringify', () => {
  it('sorts keys at every level so equal objects give equal bytes', () => {
    const a = { b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } };
    const b = { a: { c: 'x', d: [3, { y: 2, z: 1 }] }, b: 1 };
    expect(stableStringify(a)).toBe(stableStringify(b));
    expect(stableStringify(a, 0)).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });
  it('refuses non-finite numbers instead of writing null', () => {
    expect(() => stableStringify({ x: [1, Number.NaN] })).toThrow(/non-finite number NaN at \$\.x\[1\]/);
    expect(() => stableStringify({ y: Number.POSITIVE_INFINITY })).toThrow(/\$\.y/);
  });
  it('writes typed arrays as plain arrays', () => {
    expect(stableStringify({ t: new Float64Array([1.5, 2]) }, 0)).toBe('{"t":[1.5,2]}');
  });
});

describe('writeFileAtomic', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  it('creates folders, replaces the file whole and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-atomic-'));
    dirs.push(dir);
    const path = join(dir, 'a', 'b', 'out.json');
    writeFileAtomic(path, 'first');
    writeFileAtomic(path, 'second');
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['out.json']);
  });
});
