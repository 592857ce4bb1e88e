import { foundationBench } from './foundation.js';
import { rolloutBench } from './rollout.js';
import { distributedBench } from './distributed.js';
import { tasksBench } from './tasks.js';
import { tau2Bench } from './tau2.js';
import { synthesisBench } from './synthesis.js';
import { viewerBench } from './viewer.js';

/** `npm run bench`: every benchmark, each printing a markdown table. */
const benches: Array<[string, () => Promise<string>]> = [
  ['Foundation: sessions, hashing, calls, memory (10 MB domain)', foundationBench],
  ['Rollouts: orchestrator overhead, episodes/s, recorder', rolloutBench],
  ['Distributed rollouts: in-process vs queue workers (BullMQ on Redis)', distributedBench],
  ['Tasks: sampling, checking and evaluating 1,000 tasks', tasksBench],
  ['tau2-bench retail: environment, hashing, replay and scoring of 112 tasks over MCP', tau2Bench],
  ['Synthesis: synthesize and verify every domain of the 30,000-tool plan offline', synthesisBench],
  ['Viewer: listing a store of 100,000 episodes and drawing a 30,000-tool plan over HTTP', viewerBench],
];

const only = process.argv[2];
for (const [title, run] of benches) {
  if (only && !title.toLowerCase().includes(only.toLowerCase())) continue;
  console.log(`\n## ${title}\n`);
  console.log(await run());
}
console.log(`\nnode ${process.version}, ${(await import('node:os')).cpus().length} cores`);
