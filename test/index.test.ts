import { resolve } from 'node:path';
import { expect, test } from 'vitest';

test('the package entry point serves the pipeline from code', async () => {
  // Through the package's own name, as a user's code would import it (the built entry).
  const envscale = await import('envscale');
  const domain = envscale.loadDomain(resolve(import.meta.dirname, '../domains/projects'));
  const { tasks } = envscale.sampleTasks(domain, { n: 3, seed: 1 });
  expect(envscale.checkTasks(domain, tasks).every((c) => c.problems.length === 0)).toBe(true);
  const verdict = envscale.evaluateActions(domain, tasks[0], tasks[0].gold.actions, [{ role: 'assistant', content: tasks[0].communicate.join(' ') }]);
  expect(verdict.reward).toBe(1);
  for (const name of ['createDomainServer', 'startHttpHost', 'ingest', 'partitionTools', 'synthesizeOffline', 'runRollout', 'exportEpisodes', 'importTau2']) {
    expect(typeof (envscale as Record<string, unknown>)[name], name).toBe('function');
  }
});
