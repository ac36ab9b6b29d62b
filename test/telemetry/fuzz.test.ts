/**
 * Issue 16: bad telemetry gets a clean refusal (InputError: exit 2, file and line), never a
 * stack trace, and a result it does return is well formed. fast-check mutates real captures
 * of every kind: dropped, repeated and swapped lines, flipped bytes, cut files, junk lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importEvents, importTelemetry } from '../../src/traces/telemetry/index.js';
import type { EventKind, TelemetryKind } from '../../src/traces/telemetry/types.js';
import { InputError } from '../../src/util/errors.js';

const TELEMETRY = join(import.meta.dirname, '..', 'fixtures', 'telemetry');
const INCIDENTS = join(import.meta.dirname, '..', 'fixtures', 'postmortem');

/** Fixture → kind, by name. */
function kindOf(name: string): TelemetryKind | EventKind | undefined {
  const rules: [RegExp, TelemetryKind | EventKind][] = [
    [/^vmstat-proc|^proc-vmstat/, 'proc-vmstat'],
    [/^vmstat/, 'vmstat'],
    [/^sadf/, 'sadf'],
    [/^sar/, 'sar'],
    [/^psi/, 'psi'],
    [/^memstat|^memory-stat/, 'memory-stat'],
    [/^pidstat/, 'pid-stat'],
    [/^ps/, 'ps'],
    [/^dmesg-(iso|T)/, 'dmesg'],
  ];
  return rules.find(([re]) => re.test(name))?.[1];
}

function corpus(): { name: string; kind: TelemetryKind | EventKind; lines: string[] }[] {
  const files = [
    ...readdirSync(TELEMETRY).map((f) => join(TELEMETRY, f)),
    ...['leak-oom', 'service-batch'].flatMap((d) => readdirSync(join(INCIDENTS, d)).map((f) => join(INCIDENTS, d, f))),
  ];
  return files.flatMap((path) => {
    const name = path.split('/').at(-1) as string;
    const kind = kindOf(name);
    if (!kind) return [];
    // The first 120 lines keep each case fast and still hold several snapshots of every kind.
    return [{ name, kind, lines: readFileSync(path, 'utf8').split('\n').slice(0, 120) }];
  });
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('flip' as const),
    at: fc.nat(),
    pos: fc.nat(),
    ch: fc.string({ minLength: 1, maxLength: 1 }),
  }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('junk' as const), at: fc.nat(), text: fc.string({ maxLength: 40 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(lines: string[], muts: Mutation[]): string {
  const out = [...lines];
  for (const m of muts) {
    if (out.length === 0) break;
    const i = m.at % out.length;
    if (m.op === 'drop') out.splice(i, 1);
    else if (m.op === 'repeat') out.splice(i, 0, out[i] as string);
    else if (m.op === 'swap' && i + 1 < out.length) [out[i], out[i + 1]] = [out[i + 1] as string, out[i] as string];
    else if (m.op === 'flip') {
      const l = out[i] as string;
      const p = l.length === 0 ? 0 : m.pos % l.length;
      out[i] = l.slice(0, p) + m.ch + l.slice(p + 1);
    } else if (m.op === 'cut') out.splice(i);
    else if (m.op === 'junk') out.splice(i, 0, m.text);
  }
  return out.join('\n');
}

function wellFormed(kind: TelemetryKind | EventKind, text: string, lenient: boolean): void {
  const opts = { file: 'fuzz.txt', lenient, bootMs: 1_796_518_650_000, startMs: 1_796_519_000_000, intervalSec: 1 };
  try {
    if (kind === 'dmesg' || kind === 'journal') {
      const r = importEvents(kind, text, opts);
      for (const e of r.events) expect(Number.isFinite(e.timeMs)).toBe(true);
      return;
    }
    const { table } = importTelemetry(kind, text, opts);
    expect(table.timeMs.length).toBeGreaterThan(0);
    for (let i = 1; i < table.timeMs.length; i++)
      expect(table.timeMs[i]).toBeGreaterThan(table.timeMs[i - 1] as number);
    for (const col of table.values) {
      expect(col).toHaveLength(table.timeMs.length);
      for (const v of col) expect(Number.isNaN(v) || Number.isFinite(v)).toBe(true);
    }
  } catch (err) {
    // The only acceptable failure: an input error that names the file.
    if (!(err instanceof InputError)) throw err;
    expect(err.message).toMatch(/fuzz\.txt/);
  }
}

describe('importers under mutated input', () => {
  const files = corpus();
  it('has a corpus of every kind', () => {
    expect(new Set(files.map((f) => f.kind))).toEqual(
      new Set(['vmstat', 'sar', 'sadf', 'psi', 'proc-vmstat', 'memory-stat', 'ps', 'pid-stat', 'dmesg']),
    );
  });
  it('refuse with an InputError naming the file, or return a well-formed table', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: files.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (f, muts, lenient) => {
          const file = files[f] as (typeof files)[number];
          wellFormed(file.kind, apply(file.lines, muts), lenient);
        },
      ),
      { numRuns: 400, seed: 15 },
    );
  });
  it('refuse every kind of file imported as every other kind the same way', () => {
    for (const file of files) {
      for (const kind of [
        'vmstat',
        'sar',
        'sadf',
        'psi',
        'proc-vmstat',
        'memory-stat',
        'ps',
        'pid-stat',
        'csv',
        'dmesg',
      ] as const) {
        wellFormed(kind, file.lines.join('\n'), false);
      }
    }
  });
});
