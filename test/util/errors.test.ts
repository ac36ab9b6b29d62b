import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, environmentError, formatDiagnostic } from '../../src/util/errors.js';

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

describe('environmentError', () => {
  it('turns an operating-system refusal into one line naming the path, exit 2', () => {
    const err = Object.assign(new Error("ENOSPC: no space left on device, write '/mnt/x/result.json'"), {
      code: 'ENOSPC',
      syscall: 'write',
      path: '/mnt/x/result.json',
    });
    const e = environmentError(err);
    expect(e?.exitCode).toBe(2);
    expect(e?.message).toBe('cannot write /mnt/x/result.json: no space left on the device (ENOSPC)');
  });
  it('names both paths of a rename, and says what a failing mkdir was doing', () => {
    const rename = Object.assign(new Error('x'), { code: 'EACCES', syscall: 'rename', path: '/a', dest: '/b' });
    expect(environmentError(rename)?.message).toBe('cannot rename /a → /b: permission denied (EACCES)');
    const mkdir = Object.assign(new Error('x'), { code: 'ENOTDIR', syscall: 'mkdir', path: '/f/sub' });
    expect(environmentError(mkdir)?.message).toBe(
      'cannot create /f/sub: a part of the path is a file, not a folder (ENOTDIR)',
    );
  });
  it('leaves bugs alone: errors without a system error code stay internal', () => {
    expect(environmentError(new TypeError('x is undefined'))).toBeUndefined();
    expect(environmentError(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBeUndefined();
    expect(environmentError('a string')).toBeUndefined();
  });
});
