import { InvalidArgumentError, type Command } from 'commander';
import { collect, nonNegativeInt, positiveInt } from './options.js';

function temperature(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > 2) throw new InvalidArgumentError(`${name} must be a number from 0 to 2, not "${value}".`);
    return n;
  };
}

const STORE = ['--store <file>', 'trajectory store (SQLite)', 'runs.db'] as const;
const RECONNECT = ['--reconnect <seconds>', 'how long to keep reconnecting to a lost Redis before stopping', positiveInt('--reconnect'), 60] as const;

/** Verbs for rollouts and their data: run episodes, list runs, show one, export training data. */
export function registerRolloutCommands(program: Command): void {
  program
    .command('rollout')
    .description('run every task for k trials with an agent and a simulated user; print rewards and pass^k; reruns resume')
    .argument('<domain>', 'domain name or folder')
    .option('--tasks <file>', "task file (default: the domain's tasks.json)")
    .option('--task <id>', 'only this task (repeatable)', collect)
    .option('--agent <spec>', 'oracle or openai:<model>', 'oracle')
    .option('--user <spec>', 'scripted or openai:<model>', 'scripted')
    .option('--trials <n>', 'trials per task', positiveInt('--trials'), 4)
    .option('--concurrency <n>', 'episodes at once (with --queue, each worker sets its own)', positiveInt('--concurrency'), 8)
    .option(...STORE)
    .option('--seed <n>', 'seed (episode seed = seed + trial)', nonNegativeInt('--seed'), 0)
    .option('--max-turns <n>', 'most messages and tool steps per episode', positiveInt('--max-turns'), 40)
    .option('--max-errors <n>', 'most failed tool calls per episode', positiveInt('--max-errors'), 10)
    .option('--timeout <seconds>', 'per model request', positiveInt('--timeout'), 120)
    .option('--retries <n>', 'retries of a model request on 429, 5xx and timeouts', nonNegativeInt('--retries'), 4)
    .option('--agent-base-url <url>', 'OpenAI-compatible endpoint of the agent (default $OPENAI_BASE_URL)')
    .option('--agent-api-key <key>', 'key of the agent endpoint (default $OPENAI_API_KEY)')
    .option('--agent-temperature <t>', 'agent sampling temperature', temperature('--agent-temperature'), 0)
    .option('--user-base-url <url>', 'OpenAI-compatible endpoint of the user (default $OPENAI_BASE_URL)')
    .option('--user-api-key <key>', 'key of the user endpoint (default $OPENAI_API_KEY)')
    .option('--user-temperature <t>', 'user sampling temperature', temperature('--user-temperature'), 0)
    .option('--queue <url>', 'play the episodes on "envscale worker" processes through this Redis (redis://host:port)')
    .option(...RECONNECT)
    .action(async (ref: string, opts) => {
      if (opts.queue) {
        const { queuedRolloutCommand } = await import('../queue/commands.js');
        await queuedRolloutCommand(ref, opts);
        return;
      }
      const { rolloutCommand } = await import('../rollout/commands.js');
      await rolloutCommand(ref, opts);
    });

  program
    .command('worker')
    .description('take rollout episodes from a Redis queue and play them (start any number, on any machine); model keys come from this environment')
    .requiredOption('--queue <url>', 'the Redis the rollout was started with (redis://host:port)')
    .option('--concurrency <n>', 'episodes at once', positiveInt('--concurrency'), 8)
    .option('--cache <dir>', 'where domains received through Redis are kept (default $ENVSCALE_CACHE or ~/.cache/envscale)')
    .option('--stall-timeout <seconds>', 'a job whose worker stops renewing its lock for this long goes to another worker', positiveInt('--stall-timeout'), 30)
    .option(...RECONNECT)
    .action(async (opts) => {
      const { workerCommand } = await import('../queue/commands.js');
      await workerCommand(opts);
    });

  program
    .command('runs')
    .description('list runs and the episodes of one run with their rewards')
    .option(...STORE)
    .option('--run <id>', 'the run whose episodes to list (default: the latest)', positiveInt('--run'))
    .action(async (opts: { store: string; run?: number }) => {
      const { runsCommand } = await import('../record/commands.js');
      runsCommand(opts);
    });

  program
    .command('show')
    .description('print one episode: turns, tool calls, verdict and state diff against gold')
    .argument('<episode>', 'episode id (see "envscale runs")', positiveInt('<episode>'))
    .option(...STORE)
    .option('--json', 'print the episode and its events as JSON')
    .action(async (id: number, opts: { store: string; json?: boolean }) => {
      const { showCommand } = await import('../record/commands.js');
      showCommand(id, opts);
    });

  program
    .command('export')
    .description('write fine-tuning data from the episodes that pass the funnel; print the funnel counts')
    .requiredOption('-o, --out <file>', 'JSONL file to write')
    .option('--format <format>', 'openai, sharegpt or messages', 'openai')
    .option('--funnel <stages>', 'stages to apply: validity,state,exact (or none)', 'validity,state,exact')
    .option('--exact-all', 'apply exact match of tool calls to every task, not only read-only ones')
    .option('--domain <name>', 'only episodes of this domain (repeatable)', collect)
    .option('--run <id>', 'only episodes of this run', positiveInt('--run'))
    .option(...STORE)
    .action(async (opts) => {
      const { exportCommand } = await import('../record/commands.js');
      exportCommand(opts);
    });
}
