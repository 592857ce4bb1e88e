import type { Command } from 'commander';
import { decimal, nonNegativeInt, positiveInt, withModelOptions } from './options.js';
import type { SynthesizeCommandOptions } from '../synth/run.js';

const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);

/** `envscale synthesize` (plan -> verified domain folders) and `envscale verify` (run every tool of a domain). */
export function registerSynthCommands(program: Command): void {
  const synthesize = program
    .command('synthesize')
    .description('turn every domain of a partition plan into a verified, database-backed domain folder')
    .argument('<plan>', 'plan file written by `envscale partition`')
    .option('-o, --out <dir>', 'folder to write the domains into', 'generated')
    .option('--corpus <file>', 'the corpus the plan was built from (default: corpus.json beside the plan)')
    .option('--only <names>', 'only these domains (comma-separated)', list)
    .option('--seed <n>', 'seed of the generated rows', nonNegativeInt('--seed'), 1)
    .option('--workers <n>', 'worker threads for offline synthesis (default: one per core)', positiveInt('--workers'))
    .option('--attempts <n>', 'answers asked of the model per domain: the first plus repairs', positiveInt('--attempts'), 3)
    .option('--refine-edges', 'with --llm: have the model confirm or reject tool dependencies; kept ones are stored for task sampling');
  withModelOptions(synthesize, 'have a model write each spec (OpenAI-compatible endpoint), verified and repaired; rule-based fallback')
    .action(async (plan: string, opts: SynthesizeCommandOptions) => {
      const { runSynthesize } = await import('../synth/run.js');
      await runSynthesize(plan, opts);
    });

  program
    .command('verify')
    .description('call every tool of domain folders with grounded and invalid arguments; print a verdict per tool')
    .argument('<domains...>', 'domain folders or names')
    .option('--call-timeout <seconds>', "a tool whose calls take longer fails as timed out", decimal('--call-timeout', true), 10)
    .action(async (refs: string[], opts: { callTimeout: number }) => {
      const { runVerify } = await import('../synth/run.js');
      if (!(await runVerify(refs, opts.callTimeout * 1000))) process.exitCode = 1;
    });
}
