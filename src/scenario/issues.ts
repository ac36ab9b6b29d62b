/**
 * zod issues → diagnostics in the project's voice: `<field path>: expected …, found …
 * (did you mean …?)`, positioned at the offending value (or key, for unknown keys).
 */
import type { z } from 'zod';
import { didYouMean } from '../util/errors.js';
import type { Reporter } from './reporter.js';
import { describeFound, UNMODELLED_CGROUP_FILES, UNMODELLED_SYSCTLS } from './schema.js';
import { discriminatorValues, knownKeys } from './schema-walk.js';
import type { FieldPath } from './source.js';

type Issue = z.core.$ZodIssue;

/** Reports `issues` (from parsing data at `base` with `schema`), skipping any under `skip` paths. */
export function reportIssues(
  issues: readonly Issue[],
  schema: z.ZodType,
  r: Reporter,
  base: FieldPath = [],
  skip: readonly string[] = [],
): void {
  const under = (path: FieldPath) => {
    const text = path.join('.');
    return skip.some((s) => text === s || (s !== '' && text.startsWith(`${s}.`)));
  };
  for (const iss of issues) {
    const local = iss.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const path = [...base, ...local];
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) {
        const keyPath = [...path, key];
        if (under(keyPath)) continue;
        const { message, hint } = unknownKey(key, knownKeys(schema, local, iss.input), local);
        r.error(keyPath, message, hint, { key: true });
      }
      continue;
    }
    if (under(path)) continue;
    if (iss.code === 'invalid_union' && iss.discriminator) {
      const tag = iss.discriminator;
      const values = discriminatorValues(schema, local.slice(0, -1)).map(String);
      const found = (iss.input as Record<string, unknown> | undefined)?.[tag];
      const guess = typeof found === 'string' ? suggest(found, values) : undefined;
      r.error(
        path,
        `expected ${tag} ${values.map((v) => JSON.stringify(v)).join(' | ')}, found ${describeFound(found)}`,
        guess ? `did you mean ${guess}?` : undefined,
      );
      continue;
    }
    const { message, hint } = describeIssue(iss);
    r.error(path, message, hint);
  }
}

export function unknownKey(
  key: string,
  known: readonly string[],
  where: FieldPath,
): { message: string; hint?: string } {
  const parent = where[where.length - 1];
  if (parent === 'sysctl' && UNMODELLED_SYSCTLS.includes(key)) {
    return {
      message: `${key} is a real sysctl, but faultline does not model it`,
      hint: `remove it; modelled sysctls: ${known.join(', ')}`,
    };
  }
  if (UNMODELLED_CGROUP_FILES.includes(key) && known.includes('memory.max')) {
    return {
      message: `${key} is a real cgroup file, but faultline does not model it`,
      hint: 'remove it; see docs/scenario.md for the modelled files',
    };
  }
  const guess = suggest(key, known);
  return {
    message: `unknown key "${key}"`,
    hint: guess ? `did you mean ${guess}?` : known.length > 0 ? `expected one of: ${known.join(', ')}` : undefined,
  };
}

export function describeIssue(iss: Issue): { message: string; hint?: string } {
  const input = (iss as { input?: unknown }).input;
  // Messages we wrote ourselves (units) carry their hint after a newline.
  const [head, hint] = iss.message.split('\n');
  if (iss.message.includes('\n') || iss.message.startsWith('expected ') || iss.message.startsWith('missing; ')) {
    return { message: head ?? iss.message, hint };
  }
  switch (iss.code) {
    case 'invalid_type':
      if (input === undefined) return { message: `missing; expected ${typeName(iss.expected)}` };
      return { message: `expected ${typeName(iss.expected)}, found ${describeFound(input)}` };
    case 'invalid_value': {
      const values = iss.values.map((v) => JSON.stringify(v));
      const guess = typeof input === 'string' ? suggest(input, iss.values.map(String)) : undefined;
      return {
        message: `expected ${values.length === 1 ? values[0] : `one of ${values.join(' | ')}`}, found ${describeFound(input)}`,
        hint: guess ? `did you mean ${guess}?` : undefined,
      };
    }
    case 'too_small':
    case 'too_big': {
      const bound = iss.code === 'too_small' ? iss.minimum : iss.maximum;
      const rel =
        iss.code === 'too_small' ? (iss.inclusive === false ? '>' : '≥') : iss.inclusive === false ? '<' : '≤';
      if (iss.origin === 'array') {
        return { message: `expected a list with ${rel} ${String(bound)} entries, found ${countOf(input)}` };
      }
      if (iss.origin === 'string') return { message: `expected text with ${rel} ${String(bound)} characters` };
      return { message: `expected a number ${rel} ${String(bound)}, found ${describeFound(input)}` };
    }
    case 'invalid_format':
      return { message: `expected ${formatName(iss)}, found ${describeFound(input)}` };
    case 'not_multiple_of':
      return { message: `expected a multiple of ${String(iss.divisor)}, found ${describeFound(input)}` };
    case 'invalid_union':
      return { message: `expected ${unionName(iss)}, found ${describeFound(input)}` };
    default:
      return { message: iss.message };
  }
}

function typeName(t: string): string {
  switch (t) {
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'string':
      return 'text';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a map';
    case 'array':
      return 'a list';
    case 'record':
      return 'a map';
    default:
      return t;
  }
}

function countOf(input: unknown): string {
  return Array.isArray(input) ? String(input.length) : describeFound(input);
}

function formatName(iss: Extract<Issue, { code: 'invalid_format' }>): string {
  if (iss.format === 'regex' && 'pattern' in iss && typeof iss.pattern === 'string') {
    if (iss.pattern.startsWith('/^[a-z0-9]')) return 'lower-case letters, digits, ".", "_" or "-"';
    return `text matching ${iss.pattern}`;
  }
  return `a ${iss.format}`;
}

function unionName(iss: Extract<Issue, { code: 'invalid_union' }>): string {
  const expected = new Set<string>();
  for (const branch of iss.errors) {
    for (const sub of branch) {
      if (sub.path.length > 0) continue;
      if (sub.code === 'invalid_type') expected.add(typeName(sub.expected));
      else if (sub.code === 'invalid_value') for (const v of sub.values) expected.add(JSON.stringify(v));
    }
  }
  return expected.size > 0 ? [...expected].join(' or ') : 'a value of another shape';
}

/** didYouMean, preferring among equally close candidates one that starts like the word. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const first = word.charAt(0).toLowerCase();
  const list = [...candidates];
  const ordered = [
    ...list.filter((c) => c.charAt(0).toLowerCase() === first),
    ...list.filter((c) => c.charAt(0).toLowerCase() !== first),
  ];
  return didYouMean(word, ordered);
}
