import type { Argv } from 'yargs';
import { loadScenarioFile } from '../../scenario/load.js';
import { type Diagnostic, DiagnosticsError, formatDiagnostic } from '../../util/errors.js';
import { type FaultlineCommand, OK } from '../outcome.js';

interface ValidateArgs {
  files: string[];
}

export const validateCommand: FaultlineCommand<ValidateArgs> = {
  command: 'validate <files...>',
  describe: 'Check scenario files without running them: every problem, with file:line:col',
  builder: (y) =>
    y.positional('files', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Scenario YAML files',
    }) as unknown as Argv<ValidateArgs>,
  handler: (argv) => {
    // Every file is checked before failing, so one run shows all problems of all files.
    const problems: Diagnostic[] = [];
    for (const file of argv.files) {
      try {
        const loaded = loadScenarioFile(file);
        for (const w of loaded.warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
        const n = loaded.variants.length;
        process.stdout.write(`ok ${file} (${n} ${n === 1 ? 'variant' : 'variants'})\n`);
      } catch (err) {
        if (!(err instanceof DiagnosticsError)) throw err;
        problems.push(...err.diagnostics);
      }
    }
    if (problems.length > 0) throw new DiagnosticsError(problems);
    return OK;
  },
};
