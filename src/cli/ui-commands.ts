import type { Command } from 'commander';
import { collect, port } from './options.js';


/** The viewer: runs, episodes, domains and partitions in the browser. */
export function registerUiCommands(program: Command): void {
  program
    .command('ui')
    .description('serve the viewer: runs, episodes, domains and the partition in a browser (read-only)')
    .option('--store <file>', 'trajectory store to show (default: runs.db when present); opened read-only')
    .option('--domains <dir>', 'a domain folder or a folder of domain folders (repeatable; default: the domain search path)', collect)
    .option('--plan <file>', "plan.json of envscale partition (graph.json and corpus.json beside it are read too)")
    .option('--graph <file>', 'the tool graph written by partition -g graph.json, when not beside the plan')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', port, 8809)
    .option('--token <token>', 'require this token (default $ENVSCALE_TOKEN); the printed address carries it')
    .action(async (opts) => {
      const { uiCommand } = await import('../ui/commands.js');
      await uiCommand(opts);
    });
}
