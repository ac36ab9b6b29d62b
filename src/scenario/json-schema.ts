/**
 * The JSON Schema of the scenario format (draft-7, for editors via yaml-language-server),
 * generated from the zod schemas. `io: 'input'` describes what a person writes: fields with
 * defaults are optional and strict maps forbid unknown keys.
 */
import { z } from 'zod';
import { ScenarioSpec } from './schema.js';

/** Keys of our field metadata that are not JSON Schema keywords (kept for the field reference). */
const DOC_ONLY_KEYS = ['unit', 'defaultText'];
const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf'];
const SUBSCHEMA_MAPS = ['properties', 'definitions', '$defs'];

export type JsonSchema = { [key: string]: unknown };

/** With the documentation-only keys, for generating docs/scenario.md. */
export function annotatedJsonSchema(): JsonSchema {
  return z.toJSONSchema(ScenarioSpec, { target: 'draft-7', io: 'input' }) as JsonSchema;
}

/** The published schema (docs/scenario.schema.json). */
export function scenarioJsonSchema(): JsonSchema {
  const schema = strip(annotatedJsonSchema());
  return {
    $schema: schema.$schema,
    title: 'faultline scenario',
    description:
      'A faultline scenario: one host, its cgroups and processes, events, sweeps and expectations. See docs/scenario.md.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

function strip(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) {
    if (DOC_ONLY_KEYS.includes(k)) continue;
    if (SUBSCHEMA_MAPS.includes(k) && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as JsonSchema).map(([name, s]) => [name, strip(s as JsonSchema)]));
    } else if (SUBSCHEMA_LISTS.includes(k) && Array.isArray(v)) {
      out[k] = v.map((s) => strip(s as JsonSchema));
    } else if ((k === 'items' || k === 'additionalProperties' || k === 'propertyNames') && v && typeof v === 'object') {
      out[k] = strip(v as JsonSchema);
    } else {
      out[k] = v;
    }
  }
  return out;
}
