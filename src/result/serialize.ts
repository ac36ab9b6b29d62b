/**
 * Reading and writing result files. Keys are sorted at every level so the same run gives
 * the same bytes (diffable, hashable); reading always goes through the upgrade step.
 */

import { InputError } from '../util/errors.js';
import { stableStringify } from '../util/stable-json.js';
import { upgradeManifest, upgradeResult } from './compat.js';
import type { RunResult, RunSetManifest } from './types.js';

export function serializeResult(result: RunResult): string {
  return `${stableStringify(result)}\n`;
}

export function serializeManifest(manifest: RunSetManifest): string {
  return `${stableStringify(manifest)}\n`;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${source}: not valid JSON (${(err as Error).message})`);
  }
}

export function parseResult(text: string, source = 'result.json'): RunResult {
  return upgradeResult(parseJson(text, source), source);
}

export function parseManifest(text: string, source = 'manifest.json'): RunSetManifest {
  return upgradeManifest(parseJson(text, source), source);
}
