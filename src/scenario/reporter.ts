/**
 * Collects every problem of one file (errors and warnings) with its position, so that a
 * user sees all of them in one pass rather than fixing one per run.
 */
import { type Diagnostic, formatPos, type SourcePos } from '../util/errors.js';
import { type FieldPath, pathText, type Source } from './source.js';

export interface ScenarioWarning {
  code: string;
  message: string;
  where?: string;
}

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  readonly warnings: ScenarioWarning[] = [];
  private readonly seen = new Set<string>();
  private muted: readonly string[] = [];

  /**
   * `overrides` map a field path (dotted) to the position that stands for it: a sweep
   * variant's swept fields are reported at their value in `sweep:`, not at the base value.
   */
  constructor(
    readonly source: Source,
    private readonly overrides: ReadonlyMap<string, SourcePos> = new Map(),
  ) {}

  posOf(path: FieldPath, key = false): SourcePos {
    const text = path.join('.');
    for (const [prefix, pos] of this.overrides) {
      if (text === prefix || text.startsWith(`${prefix}.`)) return pos;
    }
    return this.source.locate(path, key);
  }

  /**
   * After repairs: the given paths were replaced by stand-ins, so any finding under them
   * is about the stand-in, and warnings (which weigh whole sections) are held back.
   */
  mute(paths: readonly string[]): void {
    this.muted = paths;
  }

  private isMuted(path: FieldPath): boolean {
    const text = path.join('.');
    return this.muted.some((m) => text === m || text.startsWith(`${m}.`));
  }

  error(path: FieldPath, message: string, hint?: string, opts: { key?: boolean } = {}): void {
    if (this.isMuted(path)) return;
    this.push({ level: 'error', pos: this.posOf(path, opts.key), path: pathText(path), message, hint });
  }

  warning(code: string, path: FieldPath, message: string, hint?: string): void {
    if (this.muted.length > 0) return;
    const d: Diagnostic = { level: 'warning', pos: this.posOf(path), path: pathText(path), message, hint };
    if (this.push(d)) {
      this.warnings.push({ code, message: hint ? `${message} (${hint})` : message, where: formatPos(d.pos) });
    }
  }

  /** Adds a diagnostic unless the same one (same place, same words) is already there. */
  push(d: Diagnostic): boolean {
    const key = `${d.level}|${formatPos(d.pos)}|${d.path}|${d.message}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.diagnostics.push(d);
    return true;
  }

  get errorCount(): number {
    return this.diagnostics.filter((d) => d.level === 'error').length;
  }
}
