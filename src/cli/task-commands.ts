import type { Command } from 'commander';
import { nonNegativeInt, positiveInt, withModelOptions } from './options.js';
import type { SampleCommandOptions } from '../tasks/commands.js';

/** Verbs for tasks: sample them, lint them, score a session against one. */
export function registerTaskCommands(program: Command): void {
  const tasks = program
    .command('tasks')
    .description('sample tasks with gold actions and gold state by walking the tool dependency graph')
    .argument('<domain>', 'domain name or folder')
    .option('-n, --count <n>', 'how many tasks', positiveInt('--count'), 200)
    .option('--seed <n>', 'random seed', nonNegativeInt('--seed'), 7)
    .option('--max-steps <n>', 'longest tool sequence', positiveInt('--max-steps'), 5)
    .option('-o, --out <file>', 'where to write the tasks (default: print them)');
  withModelOptions(tasks, 'have a model write the instructions (OpenAI-compatible endpoint)')
    .action(async (ref: string, opts: SampleCommandOptions) => {
      const { sampleCommand } = await import('../tasks/commands.js');
      await sampleCommand(ref, opts);
    });
  tasks
    .command('list')
    .description("list a domain's tasks: ids, kind, gold actions and what the user asks")
    .argument('<domain>', 'domain name or folder')
    .option('--tasks <file>', "task file (default: the domain's tasks.json)")
    .action(async (ref: string, opts: { tasks?: string }) => {
      const { listTasksCommand } = await import('../tasks/commands.js');
      listTasksCommand(ref, opts.tasks);
    });

  program
    .command('check-tasks')
    .description("lint a domain's tasks: gold actions replay, gold hashes reproduce, needed identifiers are findable")
    .argument('<domain>', 'domain name or folder')
    .option('--tasks <file>', "task file (default: the domain's tasks.json)")
    .action(async (ref: string, opts: { tasks?: string }) => {
      const { checkCommand } = await import('../tasks/commands.js');
      checkCommand(ref, opts.tasks);
    });

  program
    .command('evaluate')
    .description("score a finished session against its task: reward, and how the final state differs from gold")
    .argument('<domain>', 'domain name or folder')
    .requiredOption('--task <id>', 'task id')
    .requiredOption('--session <file>', 'JSON file with the session: {"actions": [{"tool", "args"}], "messages": [{"role", "content"}]}')
    .option('--tasks <file>', "task file (default: the domain's tasks.json)")
    .option('--json', 'print the verdict as JSON')
    .action(async (ref: string, opts: { task: string; session: string; tasks?: string; json?: boolean }) => {
      const { evaluateCommand } = await import('../tasks/commands.js');
      evaluateCommand(ref, opts);
    });
}
