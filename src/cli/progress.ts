import type { RunResult } from '../result/types.js';

/**
 * Progress of a batch on stderr (stdout stays for the summary and for pipes). On an
 * interactive terminal, one bar redrawn in place: variant k/N, elapsed, ETA and the
 * last verdict. Elsewhere (pipes, CI logs, TERM=dumb) one plain line per finished
 * variant, with no escape codes. `--quiet` prints nothing.
 */
export interface Progress {
  start(total: number): void;
  done(label: string, result: RunResult): void;
  finish(): void;
}

export type ProgressStyle = 'bar' | 'plain' | 'none';

/** The sink progress writes to: stderr, or anything shaped like it. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  quiet: boolean;
  stream?: ProgressStream;
  env?: Record<string, string | undefined>;
  /** Milliseconds on a monotonic clock; injectable so that tests can fix the times shown. */
  now?: () => number;
  /** Redraw interval of the bar, so that elapsed time moves while a long variant runs. */
  tickMs?: number;
}

export function progressStyle(
  quiet: boolean,
  stream: ProgressStream,
  env: Record<string, string | undefined>,
): ProgressStyle {
  if (quiet) return 'none';
  // stack.md §3: a CI runner may give the job a pty, and a dumb terminal cannot redraw.
  return stream.isTTY === true && !env.CI && env.TERM !== 'dumb' ? 'bar' : 'plain';
}

export function createProgress(opts: ProgressOptions): Progress {
  const out = opts.stream ?? process.stderr;
  const style = progressStyle(opts.quiet, out, opts.env ?? process.env);
  const now = opts.now ?? (() => performance.now());
  if (style === 'none') return { start() {}, done() {}, finish() {} };

  let total = 0;
  let count = 0;
  let t0 = 0;
  let last = '';
  let timer: NodeJS.Timeout | undefined;

  const draw = () => {
    // A pty without a size reports 0 columns: treat it as unknown.
    const columns = out.columns || 80;
    const line = barLine({ count, total, elapsedMs: now() - t0, last, columns });
    out.write(`\r${CLEAR_LINE}${line}`);
  };

  return {
    start(n) {
      total = n;
      t0 = now();
      if (style === 'bar') {
        draw();
        timer = setInterval(draw, opts.tickMs ?? 1000);
        // The bar must never keep the process alive on its own.
        timer.unref();
      }
    },
    done(label, result) {
      count++;
      if (style === 'bar') {
        // The verdict's one word first: on a narrow terminal the label and headline get cut.
        last = `${result.verdict.status} ${label}: ${verdictText(result)}`;
        draw();
        return;
      }
      const secs = ((now() - t0) / 1000).toFixed(1);
      out.write(`[${count}/${total}] ${secs}s ${label}: ${verdictText(result)}\n`);
    },
    finish() {
      if (style !== 'bar') return;
      clearInterval(timer);
      out.write(`\r${CLEAR_LINE}`);
    },
  };
}

const CLEAR_LINE = '\x1b[2K';
const BAR_WIDTH = 20;

function verdictText(r: RunResult): string {
  return r.status === 'failed' ? `failed: ${r.error ?? r.verdict.headline}` : r.verdict.headline;
}

/** One frame of the bar, cut to the terminal width so that it never wraps (a wrapped line cannot be redrawn). */
export function barLine(s: { count: number; total: number; elapsedMs: number; last: string; columns: number }): string {
  const frac = s.total > 0 ? s.count / s.total : 0;
  const filled = Math.round(frac * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const eta = s.count > 0 ? clock((s.elapsedMs / s.count) * (s.total - s.count)) : '--:--';
  const width = String(s.total).length;
  const head = `${bar} ${String(s.count).padStart(width)}/${s.total} variants  ${clock(s.elapsedMs)} elapsed  ETA ${eta}`;
  const line = s.last === '' ? head : `${head}  last ${s.last}`;
  const max = Math.max(10, s.columns - 1);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** `m:ss`, or `h:mm:ss` from an hour. */
function clock(ms: number): string {
  const t = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
