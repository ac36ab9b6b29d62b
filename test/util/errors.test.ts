import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, formatDiagnostic } from '../../src/util/errors.js';

describe('didYouMean', () => {
  it('finds the intended key for common typos', () => {
    expect(didYouMean('swapiness', ['vm.swappiness', 'swappiness', 'memory.max'])).toBe('swappiness');
    expect(didYouMean('memroy.max', ['memory.max', 'memory.high', 'memory.low'])).toBe('memory.max');
    expect(didYouMean('procesess', ['processes', 'cgroups', 'host'])).toBe('processes');
  });
  it('says nothing when no candidate is plausibly meant', () => {
    expect(didYouMean('colour', ['processes', 'cgroups', 'host'])).toBeUndefined();
  });
  it('computes edit distances', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('formatDiagnostic', () => {
  it('puts position, level, path, message and hint in one line', () => {
    expect(
      formatDiagnostic({
        level: 'error',
        pos: { file: 's.yaml', line: 3, col: 5 },
        path: 'host.sysctl.vm.swapiness',
        message: 'unknown sysctl',
        hint: 'did you mean vm.swappiness?',
      }),
    ).toBe('s.yaml:3:5: error: host.sysctl.vm.swapiness: unknown sysctl (did you mean vm.swappiness?)');
  });
});
