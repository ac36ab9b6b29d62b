import { existsSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { starterScenario } from '../../scenario/starter.js';
import { InputError } from '../../util/errors.js';
import { type FaultlineCommand, OK } from '../outcome.js';

interface InitArgs {
  name: string;
}

/** docs/ of this installation: three levels up from src/cli/commands and dist/cli/commands alike. */
const SCHEMA_FILE = fileURLToPath(new URL('../../../docs/scenario.schema.json', import.meta.url));

export const initCommand: FaultlineCommand<InitArgs> = {
  command: 'init [name]',
  describe: 'Write a commented starter scenario, <name>.yaml, that validates and runs',
  builder: (y) =>
    y.positional('name', {
      type: 'string',
      default: 'my-scenario',
      describe: 'Scenario name: lower-case letters, digits, ".", "_", "-"',
    }) as unknown as Argv<InitArgs>,
  handler: (argv) => {
    const name = argv.name.replace(/\.ya?ml$/, '');
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
      throw new InputError(`init: "${argv.name}" is not a scenario name (lower-case letters, digits, ".", "_", "-")`);
    }
    const file = resolve(`${name}.yaml`);
    if (existsSync(file)) throw new InputError(`init: ${name}.yaml already exists; not overwriting it`);
    const schema = relative(dirname(file), SCHEMA_FILE).split('\\').join('/');
    try {
      // `wx` fails if the file appeared since the check: never overwrite.
      writeFileSync(file, starterScenario(name, schema), { flag: 'wx' });
    } catch (err) {
      throw new InputError(`init: cannot write ${name}.yaml: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    process.stdout.write(`wrote ${name}.yaml; check it with: faultline validate ${name}.yaml\n`);
    return OK;
  },
};
