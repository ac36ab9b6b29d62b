import { describe, expect, it } from 'vitest';
import { barLine, createProgress, type ProgressStream, progressStyle } from '../../src/cli/progress.js';
import type { RunResult } from '../../src/result/types.js';

class Capture implements ProgressStream {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 200,
  ) {}
  write(s: string) {
    this.text += s;
    return true;
  }
}

function result(status: 'ok' | 'failed', headline: string, error?: string): RunResult {
  return {
    status,
    verdict: { status: status === 'failed' ? 'failed' : 'thrashing', headline },
    ...(error ? { error } : {}),
  } as RunResult;
}

describe('progress', () => {
  it('draws a bar only on an interactive terminal outside CI', () => {
    expect(progressStyle(false, { write() {}, isTTY: true }, { TERM: 'xterm' })).toBe('bar');
    expect(progressStyle(false, { write() {}, isTTY: true }, { TERM: 'xterm', CI: 'true' })).toBe('plain');
    expect(progressStyle(false, { write() {}, isTTY: true }, { TERM: 'dumb' })).toBe('plain');
    expect(progressStyle(false, { write() {}, isTTY: false }, {})).toBe('plain');
    expect(progressStyle(true, { write() {}, isTTY: true }, {})).toBe('none');
  });

  it('prints one plain line per variant, without escape codes, when not a terminal', () => {
    const out = new Capture(false);
    let t = 0;
    const p = createProgress({ quiet: false, stream: out, env: {}, now: () => t });
    p.start(2);
    t = 1500;
    p.done('incident/base', result('ok', 'healthy'));
    t = 4000;
    p.done('incident/swap-10', result('failed', 'run failed', 'timed out after 5 s'));
    p.finish();
    expect(out.text).toBe(
      '[1/2] 1.5s incident/base: healthy\n[2/2] 4.0s incident/swap-10: failed: timed out after 5 s\n',
    );
  });

  it('redraws the bar in place with count, elapsed, ETA and the last verdict, and clears it at the end', () => {
    const out = new Capture(true);
    let t = 0;
    const p = createProgress({ quiet: false, stream: out, env: { TERM: 'xterm' }, now: () => t });
    p.start(4);
    t = 30_000;
    p.done('incident/base', result('ok', 'thrashing from 00:05:12'));
    p.finish();
    const frames = out.text.split('\r').filter(Boolean);
    expect(frames).toHaveLength(3);
    expect(frames[0]).toBe(`\x1b[2K${'░'.repeat(20)} 0/4 variants  0:00 elapsed  ETA --:--`);
    expect(frames[1]).toBe(
      `\x1b[2K${'█'.repeat(5)}${'░'.repeat(15)} 1/4 variants  0:30 elapsed  ETA 1:30  last thrashing incident/base: thrashing from 00:05:12`,
    );
    expect(frames[2]).toBe('\x1b[2K');
    expect(out.text).not.toContain('\n');
  });

  it('cuts the bar to the terminal width', () => {
    const line = barLine({ count: 3, total: 48, elapsedMs: 3_725_000, last: 'x'.repeat(300), columns: 80 });
    expect(line).toHaveLength(79);
    expect(line.endsWith('…')).toBe(true);
    expect(line).toContain('1:02:05 elapsed');
  });

  it('prints nothing with --quiet', () => {
    const out = new Capture(true);
    const p = createProgress({ quiet: true, stream: out, env: {} });
    p.start(1);
    p.done('a/b', result('ok', 'healthy'));
    p.finish();
    expect(out.text).toBe('');
  });
});
