import type { FaultlineCommand } from '../outcome.js';

// biome-ignore lint/suspicious/noExplicitAny: command modules have heterogeneous argv types
type AnyCommand = FaultlineCommand<any>;

/**
 * Every faultline command, in the order `--help` lists them, each loaded when needed: a
 * command's module pulls in its whole part of the library (the scenario engine and its
 * schemas, report rendering, the importers), and loading all of them cost every run about
 * 0.2 s of start-up, more than a trace replay's own reading.
 */
const LOADERS: [name: string, load: () => Promise<AnyCommand>][] = [
  ['run', async () => (await import('./run.js')).runCommand],
  ['report', async () => (await import('./report.js')).reportCommand],
  ['validate', async () => (await import('./validate.js')).validateCommand],
  ['schema', async () => (await import('./schema.js')).schemaCommand],
  ['init', async () => (await import('./init.js')).initCommand],
  ['replay', async () => (await import('./replay.js')).replayCommand],
  ['mrc', async () => (await import('./mrc.js')).mrcCommand],
  ['diff', async () => (await import('./diff.js')).diffCommand],
  ['merge', async () => (await import('./merge.js')).mergeCommand],
  ['recommend', async () => (await import('./recommend.js')).recommendCommand],
  ['import', async () => (await import('./import.js')).importCommand],
  ['fit', async () => (await import('./fit.js')).fitCommand],
  ['calibrate', async () => (await import('./calibrate.js')).calibrateCommand],
];

/**
 * The commands a command line needs: only the one its first word names, or every command
 * (for `--help`, and for a misspelled command, whose suggestions need every name). Each
 * module is a thin sequencer: parse flags, call the library, print; errors propagate to
 * main.ts, the one place they become exit codes.
 */
export async function loadCommands(argv: readonly string[]): Promise<AnyCommand[]> {
  const word = argv.find((a) => !a.startsWith('-'));
  const named = LOADERS.find(([name]) => name === word);
  return Promise.all((named ? [named] : LOADERS).map(([, load]) => load()));
}
