import yargs from 'yargs';
import type { FaultlineCommand } from './outcome.js';

/** The first word of a command module's `command` (`run <scenario...>` → `run`). */
function nameOf(c: FaultlineCommand<unknown>): string {
  return String(c.command).split(' ')[0] as string;
}

/** The command the arguments name, if any (its first word that is a command's name). */
export function commandOf(
  argv: readonly string[],
  commands: readonly FaultlineCommand<unknown>[],
): FaultlineCommand<unknown> | undefined {
  const names = new Map(commands.map((c) => [nameOf(c), c]));
  const word = argv.find((a) => !a.startsWith('-'));
  return word === undefined ? undefined : names.get(word);
}

/** `faultline run --help` when the arguments name a command, else `faultline --help`. */
export function helpFor(argv: readonly string[], commands: readonly FaultlineCommand<unknown>[]): string {
  const c = commandOf(argv, commands);
  return c ? `faultline ${nameOf(c)} --help` : 'faultline --help';
}

/** The long option names a command accepts, from its own yargs builder. */
export function optionNames(c: FaultlineCommand<unknown>): string[] {
  const builder = c.builder as ((y: unknown) => { getOptions(): { key: Record<string, unknown> } }) | undefined;
  const keys = builder ? Object.keys(builder(yargs([])).getOptions().key) : [];
  return [...new Set([...keys, 'help', 'version'])].filter((k) => k.length > 1 && !/[A-Z]/.test(k));
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0] as number;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j] as number;
      d[j] = Math.min((d[j] as number) + 1, (d[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length] as number;
}

/**
 * yargs' failure message with the likely intent: "Unknown argument: shrad" gets `did you
 * mean --shard?`, chosen among the options of the command the arguments name (yargs
 * suggests commands itself, with recommendCommands, but not flags).
 */
export function withSuggestions(
  msg: string,
  argv: readonly string[],
  commands: readonly FaultlineCommand<unknown>[],
): string {
  // recommendCommands says only "Did you mean run?": name what was typed first.
  const typed = argv.find((a) => !a.startsWith('-'));
  if (msg.startsWith('Did you mean') && typed !== undefined) return `unknown command "${typed}". ${msg}`;
  const m = /^Unknown arguments?: (.+)$/.exec(msg);
  const c = commandOf(argv, commands);
  if (!m || !c) return msg;
  const known = optionNames(c);
  const hints = (m[1] as string).split(', ').flatMap((unknown) => {
    const word = unknown.replace(/^-+/, '');
    // A known flag that begins with the word (`--shards` for `--shards-rate`) is the likely one.
    const best = known
      .map((k) => ({ k, d: k.startsWith(`${word}-`) ? 1 : distance(word, k) }))
      .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))[0];
    return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? [`--${word}: did you mean --${best.k}?`] : [];
  });
  return hints.length ? `${msg} (${hints.join('; ')})` : msg;
}
