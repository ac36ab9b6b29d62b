import type { RunResult } from '../result/types.js';

/**
 * Progress of a batch on stderr. Plain, one line per finished variant (what CI logs and
 * pipes want); `--quiet` prints nothing.
 */
export interface Progress {
  start(total: number): void;
  done(label: string, result: RunResult): void;
  finish(): void;
}

export function createProgress(opts: { quiet: boolean; stream?: NodeJS.WriteStream }): Progress {
  const out = opts.stream ?? process.stderr;
  if (opts.quiet) return { start() {}, done() {}, finish() {} };
  let total = 0;
  let count = 0;
  let t0 = 0;
  return {
    start(n) {
      total = n;
      t0 = performance.now();
    },
    done(label, result) {
      count++;
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      out.write(`[${count}/${total}] ${secs}s ${label}: ${result.verdict.headline}\n`);
    },
    finish() {},
  };
}
