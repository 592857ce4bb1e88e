import type { Command } from 'commander';
import { registerDomainCommands } from './domain-commands.js';
import { registerCorpusCommands } from './corpus-commands.js';
import { registerTaskCommands } from './task-commands.js';
import { registerSynthCommands } from './synth-commands.js';
import { registerRolloutCommands } from './rollout-commands.js';
import { registerTau2Commands } from './tau2-commands.js';
import { registerUiCommands } from './ui-commands.js';

/**
 * Every verb is registered here from its module under src/cli/. Modules declare options only and
 * import their implementation inside the action, so `envscale serve` starts without loading
 * what other verbs need.
 */
export function registerCommands(program: Command): void {
  registerDomainCommands(program);
  registerCorpusCommands(program);
  registerTaskCommands(program);
  registerSynthCommands(program);
  registerRolloutCommands(program);
  registerTau2Commands(program);
  registerUiCommands(program);
}
