import type { Command } from 'commander';
import { DEFAULT_OUT } from '../importers/tau2/names.js';

/**
 * Verbs for domains imported from elsewhere: `import tau2`, and two that work on any domain but
 * matter most for imported ones: export a state in the original data's layout, replay gold over MCP.
 */
export function registerTau2Commands(program: Command): void {
  // `import` may gain other sources; attach to it if another module declared it first.
  const importCmd = program.commands.find((c) => c.name() === 'import') ?? program.command('import').description('import a domain from another benchmark');
  importCmd
    .command('tau2')
    .description("import tau2-bench's retail domain (db.json, tools.json, tasks.json, policy.md) as the domain tau2-retail")
    .argument('<folder>', "tau2-bench's data/tau2/domains/retail folder")
    .option('--out <dir>', 'where to write the domain', DEFAULT_OUT)
    .option('--tools <file>', "tools.json with tau2's tool list (default: <folder>/tools.json)")
    .action(async (folder: string, opts: { out: string; tools?: string }) => {
      const { importCommand } = await import('../importers/tau2/commands.js');
      importCommand(folder, opts);
    });

  program
    .command('export-state')
    .description("write a state in the layout of the domain's original data (db.json for tau2-retail): the seed, a task's gold end state, or the state after given actions")
    .argument('<domain>', 'domain name or folder')
    .option('--actions <file>', 'JSON array of {"tool", "args"} to run on a fresh state first')
    .option('--task <id>', "run this task's gold actions from its initial state first")
    .requiredOption('-o, --out <file>', 'file to write')
    .action(async (ref: string, opts: { actions?: string; task?: string; out: string }) => {
      const { exportStateCommand } = await import('../importers/tau2/commands.js');
      exportStateCommand(ref, opts);
    });

  program
    .command('replay')
    .description('replay gold actions through the MCP server, one fresh session per task; write <out>/<task id>.json with every output and the final state hash')
    .argument('<domain>', 'domain name or folder')
    .option('--task <id>', 'only this task')
    .option('--states', "also write each task's final state in the domain's original layout (the whole database per task)")
    .requiredOption('--out <dir>', 'folder to write')
    .action(async (ref: string, opts: { task?: string; out: string; states?: boolean }) => {
      const { replayCommand } = await import('../importers/tau2/commands.js');
      await replayCommand(ref, opts);
    });
}
