import type { CommandModule } from 'yargs';

/**
 * Every faultline command, in the order `--help` lists them. Each module is a thin
 * sequencer: parse flags, call the library, print; errors propagate to main.ts,
 * the one place they become exit codes.
 */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules have heterogeneous argv types
export const commands: CommandModule<any, any>[] = [];
