import type { FaultlineCommand } from '../outcome.js';
import { calibrateCommand } from './calibrate.js';
import { diffCommand } from './diff.js';
import { fitCommand } from './fit.js';
import { importCommand } from './import.js';
import { initCommand } from './init.js';
import { mergeCommand } from './merge.js';
import { mrcCommand } from './mrc.js';
import { recommendCommand } from './recommend.js';
import { replayCommand } from './replay.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';
import { validateCommand } from './validate.js';

/**
 * Every faultline command, in the order `--help` lists them. Each module is a thin
 * sequencer: parse flags, call the library, print; errors propagate to main.ts,
 * the one place they become exit codes.
 */
// biome-ignore lint/suspicious/noExplicitAny: command modules have heterogeneous argv types
export const commands: FaultlineCommand<any>[] = [
  runCommand,
  reportCommand,
  validateCommand,
  schemaCommand,
  initCommand,
  replayCommand,
  mrcCommand,
  diffCommand,
  mergeCommand,
  recommendCommand,
  importCommand,
  fitCommand,
  calibrateCommand,
];
