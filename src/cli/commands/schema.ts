import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { updateDocs } from '../../scenario/field-docs.js';
import { scenarioJsonSchema } from '../../scenario/json-schema.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { InputError } from '../../util/errors.js';
import { type FaultlineCommand, OK } from '../outcome.js';

interface SchemaArgs {
  out?: string;
  docs?: string;
}

/** The text of docs/scenario.schema.json (a test keeps the committed file equal to it). */
export function schemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

export const schemaCommand: FaultlineCommand<SchemaArgs> = {
  command: 'schema',
  describe: 'Print the JSON Schema of scenario files (draft-7, for editors)',
  builder: (y) =>
    y
      .option('out', { type: 'string', describe: 'Write the schema to this file instead of printing it' })
      .option('docs', {
        type: 'string',
        describe: 'Regenerate the field reference inside this markdown file (docs/scenario.md)',
      }) as unknown as Argv<SchemaArgs>,
  handler: (argv) => {
    if (argv.docs !== undefined) {
      let doc: string;
      try {
        doc = readFileSync(argv.docs, 'utf8');
      } catch {
        throw new InputError(`--docs: cannot read ${argv.docs}`);
      }
      try {
        writeFileAtomic(argv.docs, updateDocs(doc));
      } catch (err) {
        throw new InputError(`--docs ${argv.docs}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (argv.out !== undefined) writeFileAtomic(argv.out, schemaText());
    if (argv.out === undefined && argv.docs === undefined) process.stdout.write(schemaText());
    return OK;
  },
};
