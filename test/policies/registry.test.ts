import { describe, expect, it } from 'vitest';
import { createPolicy, POLICIES, parsePolicySpec } from '../../src/policies/registry.js';
import { InputError } from '../../src/util/errors.js';

const ctx = { maxPageId: 10, seed: 0, stream: new Int32Array(0) };

function errorOf(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('policy registry', () => {
  it('registers the thirteen policies, each with a canonical spec naming all its parameters', () => {
    expect(POLICIES.map((f) => f.id)).toEqual([
      'fifo',
      'lru',
      'clock',
      'opt',
      'random',
      'lfu',
      'mru',
      '2q',
      'arc',
      'lirs',
      'sieve',
      's3fifo',
      'linux',
    ]);
    for (const f of POLICIES) {
      const spec = parsePolicySpec(f.id).spec;
      expect(spec.split(':').slice(1)).toEqual(f.params.map((d) => `${d.key}=${d.default}`));
      // A canonical spec parses to itself.
      expect(parsePolicySpec(spec).spec).toBe(spec);
      expect(createPolicy(spec, 4, ctx).spec).toBe(spec);
    }
  });

  it('resolves aliases and case, and orders parameters canonically', () => {
    expect(parsePolicySpec('Second-Chance:load=1:bits=3').spec).toBe('clock:bits=3:load=1');
    expect(parsePolicySpec('belady').spec).toBe('opt');
    expect(parsePolicySpec('s3fifo:round=real:small=0.2').spec).toBe(
      's3fifo:small=0.2:ghost=0.9:threshold=2:promote=reset:round=real:minsmall=0',
    );
  });

  it('suggests the closest name for an unknown policy', () => {
    const e = errorOf(() => parsePolicySpec('lur'));
    expect(e.message).toContain('unknown policy "lur"');
    expect(e.message).toContain('did you mean "lru"?');
    expect(e.message).toContain('known policies: fifo, lru, clock');
    expect(errorOf(() => parsePolicySpec('zzzzzz')).message).not.toContain('did you mean');
  });

  it('lists the valid keys for an unknown key', () => {
    expect(errorOf(() => parsePolicySpec('clock:bitz=2')).message).toBe(
      'policy clock has no parameter "bitz"; valid keys: bits, load (defaults bits=1:load=0)',
    );
    expect(errorOf(() => parsePolicySpec('lru:x=1')).message).toContain('it takes no parameters');
  });

  it('rejects bad values with the accepted range or choices', () => {
    expect(errorOf(() => parsePolicySpec('clock:bits=0')).message).toBe('policy clock: bits=0 is outside 1..7');
    expect(errorOf(() => parsePolicySpec('clock:bits=1.5')).message).toContain('is not an integer in 1..7');
    expect(errorOf(() => parsePolicySpec('s3fifo:small=abc')).message).toContain('is not a number in 0..1');
    expect(errorOf(() => parsePolicySpec('arc:p=float')).message).toBe('policy arc: p=float is not one of real, int');
    expect(errorOf(() => parsePolicySpec('clock:bits')).message).toContain('is not key=value');
    expect(errorOf(() => parsePolicySpec('clock:bits=2:bits=3')).message).toContain('given twice');
  });

  it('rejects a capacity that is not a positive whole number', () => {
    expect(errorOf(() => createPolicy('lru', 0, ctx)).message).toContain('capacity must be a whole number');
    expect(errorOf(() => createPolicy('lru', 2.5, ctx)).message).toContain('capacity must be a whole number');
  });

  it('needs the stream for OPT', () => {
    expect(errorOf(() => createPolicy('opt', 2, { maxPageId: 4, seed: 0 })).message).toContain(
      'whole reference stream',
    );
  });
});
