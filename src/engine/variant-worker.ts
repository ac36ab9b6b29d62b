import { parentPort } from 'node:worker_threads';
import type { RunResult } from '../result/types.js';
import type { Variant } from '../scenario/types.js';
import type { ReplyMessage, TaskMessage } from './pool.js';
import { type RunOptions, runVariant } from './run-variant.js';

/** Worker side of the pool: runs one variant per message and replies with its result. */
export interface VariantTask {
  variant: Variant;
  options: RunOptions;
}

const port = parentPort;
if (!port) throw new Error('variant-worker must run in a worker thread');
port.on('message', (msg: TaskMessage<VariantTask>) => {
  const reply: ReplyMessage<RunResult> = {
    index: msg.index,
    outcome: { ok: true, value: runVariant(msg.task.variant, msg.task.options) },
  };
  port.postMessage(reply);
});
