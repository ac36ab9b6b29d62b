import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { EXIT_CHECK_FAILED, EXIT_INTERNAL, EXIT_OK } from '../util/errors.js';

/**
 * What a command's handler returns: the exit code its work earned. Commands never set
 * `process.exitCode` themselves; cli/main.ts, the one place exit codes are decided, reads this
 * (a handler that returns nothing succeeded). Errors still travel as thrown FaultlineErrors.
 */
export interface Outcome {
  exitCode: number;
}

export const OK: Outcome = { exitCode: EXIT_OK };

/**
 * The outcome of a batch of variants: a variant that could not be computed is an internal
 * failure (exit 3) and outranks a failed check (exit 1, only when checks may fail the run).
 */
export function batchOutcome(anyFailedVariant: boolean, anyFailedCheck: boolean, checksFailRun: boolean): Outcome {
  if (anyFailedVariant) return { exitCode: EXIT_INTERNAL };
  if (checksFailRun && anyFailedCheck) return { exitCode: EXIT_CHECK_FAILED };
  return OK;
}

/** Exit 1 when `failed` (a regression, no passing value) and the user did not ask to report only. */
export function checkOutcome(failed: boolean, exitOnFailure = true): Outcome {
  return failed && exitOnFailure ? { exitCode: EXIT_CHECK_FAILED } : OK;
}

/** A yargs command module whose handler returns its Outcome instead of setting an exit code. */
export type FaultlineCommand<A> = Omit<CommandModule<object, A>, 'handler'> & {
  // Method syntax: handler parameters are bivariant, so the list in commands/index.ts can hold every command.
  handler(argv: ArgumentsCamelCase<A>): Outcome | Promise<Outcome>;
};
