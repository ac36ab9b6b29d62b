import { FaultlineError } from '../util/errors.js';

/** Exit codes of a run stopped by a signal: 128 + the signal number, as a shell reports it. */
const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * An AbortController that a first SIGINT or SIGTERM aborts with an InterruptedError, so that a
 * long command stops its workers, leaves what it finished in order and releases its output
 * folder's lock before exiting. A second signal ends the process at once (the default action).
 */
export function abortOnSignals(): { controller: AbortController; dispose(): void } {
  const controller = new AbortController();
  const handlers = Object.entries(SIGNALS).map(([sig, code]) => {
    const handler = () => controller.abort(new FaultlineError(`interrupted by ${sig}`, code));
    process.once(sig as NodeJS.Signals, handler);
    return [sig, handler] as const;
  });
  return {
    controller,
    dispose: () => {
      for (const [sig, handler] of handlers) process.removeListener(sig as NodeJS.Signals, handler);
    },
  };
}
