/**
 * Error classes that carry their exit code (architecture.md, "Exit codes"):
 * 0 all checks passed · 1 an `expect:` check failed · 2 invalid input or usage · 3 internal failure.
 * Only cli/main.ts turns them into a process exit; everything else throws.
 */

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_INPUT = 2;
export const EXIT_INTERNAL = 3;

/** Where in an input file a problem sits (1-based line and column). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** One problem found in an input: what failed, where, and how to fix it. */
export interface Diagnostic {
  level: 'error' | 'warning';
  pos?: SourcePos;
  /** Dotted field path inside the document, e.g. `processes.db.memory.anon`. */
  path?: string;
  message: string;
  hint?: string;
}

export function formatPos(pos: SourcePos | undefined): string {
  return pos ? `${pos.file}:${pos.line}:${pos.col}` : '';
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = formatPos(d.pos);
  const head = [where, d.level === 'warning' ? 'warning' : 'error'].filter(Boolean).join(': ');
  const path = d.path ? `${d.path}: ` : '';
  const hint = d.hint ? ` (${d.hint})` : '';
  return `${head}: ${path}${d.message}${hint}`;
}

/** Base class: a problem the user can fix, reported without a stack trace. */
export class FaultlineError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = EXIT_INPUT) {
    super(message);
    this.name = 'FaultlineError';
    this.exitCode = exitCode;
  }
}

/** Bad command-line usage or a bad input file. */
export class InputError extends FaultlineError {
  constructor(message: string) {
    super(message, EXIT_INPUT);
    this.name = 'InputError';
  }
}

/** All problems of one input file, reported together. */
export class DiagnosticsError extends FaultlineError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'), EXIT_INPUT);
    this.name = 'DiagnosticsError';
    this.diagnostics = diagnostics;
  }
}

/** Levenshtein distance, for "did you mean" hints on misspelled keys. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** The closest candidate to `word`, if it is close enough to be a plausible typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(word.length, best.length) / 3));
  return bestD <= limit ? best : undefined;
}
