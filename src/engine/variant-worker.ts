import type { RunResult } from '../result/types.js';
import type { Variant } from '../scenario/types.js';
import { serveTasks } from './pool.js';
import { type RunOptions, runVariant } from './run-variant.js';

/** Worker side of the pool: runs one variant per message and replies with its result. */
export interface VariantTask {
  variant: Variant;
  options: RunOptions;
}

serveTasks<VariantTask, RunResult>((task) => runVariant(task.variant, task.options));
