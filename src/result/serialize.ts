/**
 * Reading and writing result files. Keys are sorted at every level so the same run gives
 * the same bytes (diffable, hashable); reading always goes through the upgrade step.
 */

import { stableStringify } from '../util/stable-json.js';
import { parseJson, upgradeManifest, upgradeResult } from './compat.js';
import type { RunResult, RunSetManifest } from './types.js';

export function serializeResult(result: RunResult): string {
  return `${stableStringify(result)}\n`;
}

export function serializeManifest(manifest: RunSetManifest): string {
  return `${stableStringify(manifest)}\n`;
}

export function parseResult(text: string, source = 'result.json'): RunResult {
  return upgradeResult(parseJson(text, source), source);
}

export function parseManifest(text: string, source = 'manifest.json'): RunSetManifest {
  return upgradeManifest(parseJson(text, source), source);
}
