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

/**
 * What the operating system refuses for reasons outside faultline: a full disk, a path too long
 * for the filesystem, a file where a folder is expected, no permission, a read-only mount. Each is
 * a problem the user fixes (exit 2), told in one line naming the path, never as a stack trace.
 */
const ENVIRONMENT_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the filesystem',
  ENAMETOOLONG: 'name too long for the filesystem',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'already exists',
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only filesystem',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on the system',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EXDEV: 'crosses filesystems',
  ENOTEMPTY: 'folder not empty',
  EBUSY: 'busy',
};

const VERBS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create',
  rename: 'rename',
  unlink: 'remove',
  rmdir: 'remove',
  rm: 'remove',
  scandir: 'list',
  opendir: 'list',
  stat: 'read',
  lstat: 'read',
  link: 'create',
  symlink: 'create',
  copyfile: 'copy',
  access: 'access',
  realpath: 'resolve',
};

/**
 * The FaultlineError for an operating-system failure such as ENOSPC (a Node system error with
 * `code`, `syscall` and `path`), or undefined when `err` is anything else (a bug).
 */
export function environmentError(err: unknown): FaultlineError | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as NodeJS.ErrnoException & { dest?: string };
  const what = e.code === undefined ? undefined : ENVIRONMENT_ERRORS[e.code];
  if (what === undefined) return undefined;
  const verb = (e.syscall && VERBS[e.syscall]) ?? 'use';
  const path = e.path === undefined ? '' : ` ${e.path}${e.dest === undefined ? '' : ` → ${e.dest}`}`;
  return new FaultlineError(`cannot ${verb}${path}: ${what} (${e.code})`, EXIT_INPUT);
}

/** Names `path` on a system error that names none (a failed write() on an open file), and returns it. */
export function withPath(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof Error && e.code !== undefined && e.path === undefined) e.path = path;
  return err;
}
