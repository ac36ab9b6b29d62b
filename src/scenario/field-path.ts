/**
 * A dotted path naming one field of the scenario, as `sweep:` keys and `fit:` keys do:
 * resolved against the format and the file (map entries such as `spark` must exist), with
 * a "did you mean" for the part that names nothing. One resolver for both sections.
 */
import { editDistance } from '../util/errors.js';
import type { Reporter } from './reporter.js';
import { ScenarioSpec } from './schema.js';
import { kindOf, resolveDottedPath } from './schema-walk.js';
import type { FieldPath } from './source.js';

export interface FieldAxis {
  /** As written. */
  path: string;
  /** The real keys it goes through (keys may contain dots: `vm.swappiness`). */
  segments: string[];
}

const SCALAR_KINDS = new Set(['string', 'number', 'boolean', 'literal', 'enum', 'union', 'null']);

/**
 * The field `path` names, or undefined after reporting at `where` (the key) why it names
 * none. `section` words the messages (`sweep path`, `fit path`); paths whose first key is
 * in `excluded` (the sections that drive the run itself) are refused.
 */
export function checkFieldPath(
  path: string,
  raw: Record<string, unknown>,
  where: FieldPath,
  r: Reporter,
  section: 'sweep' | 'fit',
  excluded: readonly string[],
): FieldAxis | undefined {
  const res = resolveDottedPath(ScenarioSpec, path, raw);
  if (!res.ok) {
    const under = res.at === '' ? 'the top level' : res.at;
    const rest = res.at === '' ? path : path.slice(res.at.length + 1);
    r.error(
      where,
      `${section} path "${path}" names nothing: "${rest}" matches no key under ${under}`,
      suggest(rest, res.known),
      { key: true },
    );
    return undefined;
  }
  const top = res.value.segments[0] as string;
  if (excluded.includes(top)) {
    const verb = section === 'sweep' ? 'swept' : 'fitted';
    r.error(
      where,
      `${section} path "${path}" cannot be ${verb}`,
      `${section} fields of host, cgroups, processes, events…`,
      { key: true },
    );
    return undefined;
  }
  if (!SCALAR_KINDS.has(kindOf(res.value.schema))) {
    r.error(where, `${section} path "${path}" names a section, not a single field`, 'name a field inside it', {
      key: true,
    });
    return undefined;
  }
  return { path, segments: res.value.segments };
}

/** A close key for a misspelled path: the known key nearest to the path's start. */
function suggest(rest: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const segments = k.split('.').length;
    const d = editDistance(rest.split('.').slice(0, segments).join('.'), k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3))) return `did you mean ${best}?`;
  return known.length > 0 ? `known here: ${known.slice(0, 12).join(', ')}` : undefined;
}
