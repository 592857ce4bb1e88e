#!/usr/bin/env node
import { CommanderError } from 'commander';
import { UserError, fileSystemError, messageOf } from './util/errors.js';
import { buildProgram } from './cli/program.js';

async function main(argv: string[]): Promise<void> {
  try {
    const program = buildProgram();
    // Bare `envscale` shows what there is to do, and that is not an error.
    if (argv.length <= 2) return void program.outputHelp();
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof UserError) {
      process.stderr.write(`envscale: ${err.message}\n`);
    } else if (fileSystemError(err)) {
      // A path the user gave that cannot be read or written: their input, not a bug.
      process.stderr.write(`envscale: ${fileSystemError(err)}\n`);
    } else {
      process.stderr.write(`envscale: internal error: ${messageOf(err)}\n`);
      if (process.env.ENVSCALE_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
      else process.stderr.write('(this is a bug in envscale; rerun with ENVSCALE_DEBUG=1 to see where it happened)\n');
    }
    process.exitCode = 1;
  }
}

await main(process.argv);
