#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DiagnosticsError, EXIT_INPUT, EXIT_INTERNAL, environmentError, FaultlineError } from '../util/errors.js';
import { loadCommands } from './commands/index.js';
import { type FaultlineCommand, OK, type Outcome } from './outcome.js';
import { helpFor, withSuggestions } from './usage.js';

/** The one place where errors become exit codes (architecture.md, "Exit codes"). */
async function main(argv: string[]): Promise<void> {
  commands = await loadCommands(argv);
  const cli = yargs(argv)
    .scriptName('faultline')
    .usage('$0 <command> [options]')
    .demandCommand(1, 'Name a command; see faultline --help.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 80))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageFailure(withSuggestions(msg, argv, commands));
    })
    // A flag given twice arrives as a list, which no single-valued option expects: refuse it.
    .middleware((args) => {
      // getOptions() is yargs' own (not in its type definitions): the options declared as lists.
      const lists = new Set((cli as unknown as { getOptions(): { array: string[] } }).getOptions().array);
      for (const [k, v] of Object.entries(args))
        if (k !== '_' && !/[A-Z]/.test(k) && Array.isArray(v) && !lists.has(k))
          throw new UsageFailure(`--${k} given more than once`);
    });
  let outcome: Outcome = OK;
  for (const c of commands) {
    cli.command({
      ...c,
      handler: async (argv) => {
        outcome = await c.handler(argv);
      },
    });
  }
  await cli.parseAsync();
  process.exitCode = outcome.exitCode;
}

class UsageFailure extends Error {}

/** The commands loaded for this command line (commands/index.ts), for help and suggestions. */
let commands: FaultlineCommand<unknown>[] = [];

const args = hideBin(process.argv);
main(args).catch((err: unknown) => {
  const env = environmentError(err);
  if (env) {
    process.stderr.write(`faultline: ${env.message}\n`);
    process.exitCode = env.exitCode;
  } else if (err instanceof DiagnosticsError) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = err.exitCode;
  } else if (err instanceof FaultlineError) {
    // A flag value of the wrong form (`--shard: expected K/N …`) is a usage error too: point to the command's help.
    const hint = /^--[a-z-]+: expected /.test(err.message) ? `Run '${helpFor(args, commands)}' for usage.\n` : '';
    process.stderr.write(`faultline: ${err.message}\n${hint}`);
    process.exitCode = err.exitCode;
  } else if (err instanceof UsageFailure) {
    process.stderr.write(`faultline: ${err.message}\nRun '${helpFor(args, commands)}' for usage.\n`);
    process.exitCode = EXIT_INPUT;
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`faultline: internal error: ${e.stack ?? e.message}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
});
