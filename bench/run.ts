import { foundationBench } from './foundation.js';
import { rolloutBench } from './rollout.js';
import { distributedBench } from './distributed.js';
import { tasksBench } from './tasks.js';
import { tau2Bench } from './tau2.js';
import { synthesisBench } from './synthesis.js';
import { episodesBench } from './episodes.js';
import { domainsBench } from './domains.js';
import { viewerBench } from './viewer.js';

/** `npm run bench`: every benchmark, each printing a markdown table; `npm run bench -- <key>` runs one. */
const benches: Array<[string, string, () => Promise<string>]> = [
  ['foundation', 'Foundation: sessions, hashing, calls, memory (10 MB domain)', foundationBench],
  ['rollout', 'Rollouts: orchestrator overhead, episodes/s, recorder', rolloutBench],
  ['distributed', 'Distributed rollouts: in-process vs queue workers (BullMQ on Redis)', distributedBench],
  ['tasks', 'Tasks: sampling, checking and evaluating 1,000 tasks', tasksBench],
  ['tau2', 'tau2-bench retail: environment, hashing, replay and scoring of 112 tasks over MCP', tau2Bench],
  ['synthesis', 'Synthesis: synthesize and verify every domain of the 30,000-tool plan offline', synthesisBench],
  ['episodes', 'Episodes: the step API, MCP on episodes and memory under 1,000 concurrent episodes', episodesBench],
  ['domains', 'Many domains: serving the synthesized domains of the 30,000-tool plan, each loaded on first use', domainsBench],
  ['viewer', 'Viewer: listing a store of 100,000 episodes and drawing a 30,000-tool plan over HTTP', viewerBench],
];

const only = process.argv[2]?.toLowerCase();
const byKey = benches.some(([key]) => key === only);
for (const [key, title, run] of benches) {
  if (only && (byKey ? key !== only : !title.toLowerCase().includes(only))) continue;
  console.log(`\n## ${title}\n`);
  console.log(await run());
}
console.log(`\nnode ${process.version}, ${(await import('node:os')).cpus().length} cores`);
