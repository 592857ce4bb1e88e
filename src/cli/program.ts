import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { packageRoot } from '../util/package-root.js';
import { registerCommands } from './commands.js';
import { EXAMPLES } from './examples.js';

/** The `envscale` command: a thin shell over functions that tests call directly. */
export function buildProgram(): Command {
  const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const program = new Command('envscale')
    .description('Turn tool collections into simulated, stateful MCP environments and training data.')
    .version(version, '-V, --version', 'print the envscale version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(`envscale: ${text.replace(/^error: /, '')}`) })
    .exitOverride();
  registerCommands(program);
  withExamples(program);
  return program;
}

/** Every command's --help ends with an example (src/cli/examples.ts, keyed by the command's path). */
function withExamples(command: Command, path = ''): void {
  for (const sub of command.commands) {
    const key = `${path}${sub.name()}`;
    const lines = EXAMPLES[key];
    if (lines) sub.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
    withExamples(sub, `${key} `);
  }
}
