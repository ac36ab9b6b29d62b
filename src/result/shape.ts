/**
 * The shape of the current result.json and manifest.json (types.ts), checked on read after the
 * upgrade steps: a file edited by hand, cut short or written by something else fails here with the
 * field that is wrong (exit 2), not later inside a renderer as a TypeError (exit 3). Extra fields
 * pass; series are checked element by element without building anything per value.
 */
import { z } from 'zod';
import { InputError } from '../util/errors.js';

const num = z.number();
const text = z.string();
const obj = z.looseObject;

/** A series: numbers or null, one per step. A loop rather than a schema per element (results hold millions). */
const series = z.custom<(number | null)[]>(
  (v) => Array.isArray(v) && v.every((x) => x === null || typeof x === 'number'),
  { error: 'expected a list of numbers (or null)' },
);
const seriesMap = z.record(text, series);
const params = z.record(text, z.union([text, num, z.boolean(), z.null()]));

const healthState = z.enum(['healthy', 'degraded', 'thrashing']);
const verdict = obj({
  status: z.enum(['pass', 'warn', 'fail', 'unchecked', 'failed']),
  headline: text,
  host: obj({ state: healthState, oomKills: num }).optional(),
  processes: z.array(obj({ process: text, state: z.union([healthState, z.literal('oom-killed')]), stallPct: num })),
});
const check = obj({
  source: text,
  metric: text,
  aggregation: text,
  op: z.enum(['<', '<=', '>', '>=', '==', '!=']),
  threshold: num,
  level: z.enum(['warn', 'error']),
  observed: num.nullable(),
  passed: z.boolean(),
  unit: text,
});
const latency = obj({ count: num, meanMs: num, p50Ms: num, p95Ms: num, p99Ms: num, maxMs: num });
const processSummary = obj({
  minorFaults: num,
  majorFaults: num,
  swapInPages: num,
  oomKilled: z.boolean(),
  allocFailures: num,
  peakRssBytes: num,
  stallPct: num,
  touches: num.optional(),
  faultsPerTouch: num.optional(),
  majorFaultsPerTouch: num.optional(),
  latencyMs: latency.optional(),
  latencyHistogram: obj({ baseMs: num, ratio: num, counts: z.record(text, num) }).optional(),
});
const hostSummary = obj({
  faultCpuPctMax: num,
  faultCpuPctAvg: num,
  majorFaultsPerSecMax: num,
  majorFaults: num,
  minorFaults: num,
  oomKills: num,
  allocFailures: num,
  swapInPages: num,
  swapOutPages: num,
  psiSomeAvg10PctMax: num,
  psiFullAvg10PctMax: num,
});

export const RunResultShape = obj({
  schemaVersion: num,
  kind: z.literal('run'),
  tool: obj({ name: text, version: text }),
  scenario: obj({
    name: text,
    title: text,
    description: text,
    file: text,
    variantId: text,
    params,
    seed: num,
    durationMs: num,
    stepMs: num,
    host: obj({
      ramBytes: num,
      cpus: num,
      pageSizeBytes: num,
      swapBytes: num,
      swapDevice: text,
      policy: text,
      sysctl: z.record(text, num),
    }),
    cgroups: z.array(obj({ path: text, limits: z.record(text, z.union([num, z.literal('max')])) })),
    processes: z.array(
      obj({
        name: text,
        cgroup: text,
        anonBytes: num,
        fileBytes: num,
        startMs: num.nullable(),
        hasRequests: z.boolean(),
      }),
    ),
  }),
  fidelity: obj({ mode: z.enum(['exact', 'sampled']), sampleRate: num, simulatedFrames: num, note: text }),
  status: z.enum(['ok', 'failed']),
  error: text.optional(),
  timeMs: series,
  host: seriesMap,
  processes: z.record(text, seriesMap),
  cgroups: z.record(text, seriesMap),
  events: z.array(obj({ timeMs: num, kind: text, message: text })),
  summary: obj({
    host: hostSummary,
    processes: z.record(text, processSummary),
    phases: z.array(
      obj({
        name: text,
        startMs: num,
        endMs: num,
        host: obj({}),
        processes: z.record(text, obj({ majorFaults: num, minorFaults: num, latencyMs: latency.optional() })),
      }),
    ),
    cgroups: z.record(text, obj({})).optional(),
  }),
  checks: z.array(check),
  verdict,
  warnings: z.array(obj({ code: text, message: text, where: text.optional() })),
  metrics: z.record(text, obj({ unit: text, description: text })),
  observed: obj({}).optional(),
});

export const RunSetManifestShape = obj({
  schemaVersion: num,
  kind: z.literal('run-set'),
  tool: obj({ name: text, version: text }),
  generatedAt: text,
  entries: z.array(
    obj({
      scenario: text,
      order: num,
      variantId: text,
      params,
      dir: text.min(1),
      status: z.enum(['ok', 'failed']),
      verdict,
      checks: z.array(check),
      summary: obj({ host: hostSummary, processes: z.record(text, processSummary) }).optional(),
      error: text.optional(),
    }),
  ),
});

/** Throws an InputError naming the first field of `value` that `shape` refuses. */
export function checkShape(shape: z.ZodType, value: unknown, source: string, what: string): void {
  const r = shape.safeParse(value);
  if (r.success) return;
  const issue = r.error.issues[0];
  const path = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
  throw new InputError(`${source}: not a valid ${what}: ${path.replace(/^\./, '') || '(top)'}: ${issue?.message}`);
}
