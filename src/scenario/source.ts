/**
 * The YAML side of loading: parse with positions, refuse what YAML allows but a scenario
 * must not hold (alias bombs, prototype keys, non-finite numbers, non-scalar keys), and
 * map a field path back to a line and column.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  visit,
  type Document as YamlDocument,
} from 'yaml';
import type { Diagnostic, SourcePos } from '../util/errors.js';

/** YAML's own limit is 100 (billion-laughs guard); a scenario needs far fewer than that. */
export const MAX_ALIASES = 50;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type FieldPath = readonly (string | number)[];

export function pathText(path: FieldPath): string {
  return path.length === 0 ? '(root)' : path.join('.');
}

export class Source {
  readonly file: string;
  readonly doc: YamlDocument.Parsed;
  private readonly lines: LineCounter;

  constructor(text: string, file: string) {
    this.file = file;
    this.lines = new LineCounter();
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      prettyErrors: true,
      uniqueKeys: true,
      strict: true,
      // The yaml 1.2 core schema: `2026-03-01` stays a string and `<<` is an ordinary key.
      version: '1.2',
    });
  }

  pos(offset: number): SourcePos {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }

  /**
   * Syntax errors (and yaml's warnings, such as unknown tags), each at its position.
   * `fatal` unless every one is a duplicate key, which leaves the tree sound.
   */
  syntaxDiagnostics(): { diagnostics: Diagnostic[]; fatal: boolean } {
    const all = [...this.doc.errors, ...this.doc.warnings];
    const diagnostics = all.map((e) => {
      const where = e.linePos?.[0];
      // yaml repeats the position and quotes the source after it; the position is already in front.
      const message = (e.message.split(/ at line \d+, column \d+/)[0] ?? e.message).trim();
      return {
        level: 'error',
        pos: where ? { file: this.file, line: where.line, col: where.col } : this.pos(e.pos[0]),
        message: e.code === 'DUPLICATE_KEY' ? `${message}; each key may appear once in a map` : message,
      } satisfies Diagnostic;
    });
    return { diagnostics, fatal: all.some((e) => e.code !== 'DUPLICATE_KEY') };
  }

  /** Structural checks on the tree, before it becomes a JS object. Returns the (dotted) paths found bad. */
  structureDiagnostics(): { diagnostics: Diagnostic[]; badPaths: string[] } {
    const diagnostics: Diagnostic[] = [];
    const badPaths: string[] = [];
    let aliases = 0;
    const visit = (node: unknown, path: (string | number)[]): void => {
      if (isAlias(node)) {
        aliases++;
        if (aliases === MAX_ALIASES + 1) {
          diagnostics.push({
            level: 'error',
            pos: this.pos(node.range?.[0] ?? 0),
            path: pathText(path),
            message: `more than ${MAX_ALIASES} aliases (*name) in one file`,
            hint: 'write the values out; many aliases is how a YAML alias bomb starts',
          });
          badPaths.push(path.join('.'));
        }
        return;
      }
      if (isMap(node)) {
        const rejected = new Set<unknown>();
        for (const pair of node.items) {
          const key = pair.key;
          if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
            diagnostics.push({
              level: 'error',
              pos: this.pos(nodeStart(key) ?? nodeStart(node) ?? 0),
              path: pathText(path),
              message: 'expected a plain key (a name), found a list, map or empty key',
            });
            rejected.add(pair);
            continue;
          }
          const name = String(key.value);
          const child = [...path, name];
          if (FORBIDDEN_KEYS.has(name)) {
            diagnostics.push({
              level: 'error',
              pos: this.pos(key.range?.[0] ?? 0),
              path: pathText(child),
              message: `the key "${name}" is not allowed`,
              hint: 'it could alter object prototypes; rename it',
            });
            rejected.add(pair);
            continue;
          }
          visit(pair.value, child);
        }
        // Reported once here; left in, they would come back as unknown keys.
        node.items = node.items.filter((p) => !rejected.has(p));
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => {
          visit(item, [...path, i]);
        });
      } else if (isScalar(node) && typeof node.value === 'number' && !Number.isFinite(node.value)) {
        diagnostics.push({
          level: 'error',
          pos: this.pos(node.range?.[0] ?? 0),
          path: pathText(path),
          message: `expected a finite number, found ${String(node.source ?? node.value)}`,
          hint: 'write "max", "none" or "never" where a field allows unlimited',
        });
        badPaths.push(path.join('.'));
      }
    };
    visit(this.doc.contents, []);
    return { diagnostics, badPaths };
  }

  /** The document as plain data; undefined (with a diagnostic) if it cannot be expanded safely. */
  toData(diagnostics: Diagnostic[]): { ok: true; data: unknown } | { ok: false } {
    try {
      return { ok: true, data: this.doc.toJS({ maxAliasCount: MAX_ALIASES }) };
    } catch (err) {
      let firstAlias: number | undefined;
      visit(this.doc, {
        Alias: (_, node) => {
          firstAlias ??= node.range?.[0];
          return visit.BREAK;
        },
      });
      diagnostics.push({
        level: 'error',
        pos: this.pos(firstAlias ?? 0),
        message: `cannot expand the document: ${err instanceof Error ? err.message : String(err)}`,
        hint: 'write the values out instead of nesting aliases',
      });
      return { ok: false };
    }
  }

  /**
   * The node at `path`, or its nearest existing ancestor. With `key`, the key of the last
   * pair rather than its value (where an unknown key should be reported).
   */
  locate(path: FieldPath, key = false): SourcePos {
    let node: unknown = this.doc.contents;
    let best: number | undefined = nodeStart(node);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      let next: unknown;
      let pair: Pair | undefined;
      if (isMap(node)) {
        pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        next = pair?.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      }
      if (next === undefined && pair === undefined) break;
      const last = i === path.length - 1;
      const keyStart = pair ? nodeStart(pair.key) : undefined;
      const valueStart = nodeStart(next);
      best = (last && key ? keyStart : (valueStart ?? keyStart)) ?? best;
      node = next;
    }
    return this.pos(best ?? 0);
  }
}

function nodeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const r = (node as Node).range;
    return r ? r[0] : undefined;
  }
  return undefined;
}
