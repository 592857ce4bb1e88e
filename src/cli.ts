#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { UserError, messageOf } from './util/errors.js';
import { registerCommands } from './cli/commands.js';

/** The `envscale` command: a thin shell over functions that tests call directly. */
export function buildProgram(): Command {
  const program = new Command('envscale')
    .description('Turn tool collections into simulated, stateful MCP environments and training data.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof UserError) {
      process.stderr.write(`envscale: ${err.message}\n`);
    } else {
      process.stderr.write(`envscale: internal error: ${messageOf(err)}\n`);
      if (process.env.ENVSCALE_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
      else process.stderr.write('(this is a bug in envscale; rerun with ENVSCALE_DEBUG=1 to see where it happened)\n');
    }
    process.exitCode = 1;
  }
}

await main(process.argv);
