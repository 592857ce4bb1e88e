import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ingest } from '../../src/corpus/ingest.js';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { toGraphologyJson } from '../../src/graph/export.js';
import { DEFAULT_SETTINGS, partitionTools } from '../../src/graph/partition.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { runRollout } from '../../src/rollout/run.js';
import { makeAgent } from '../../src/rollout/agents.js';
import { makeUser } from '../../src/episode/users.js';
import type { PartitionPlan } from '../../src/spec/plan.js';
import { REPO_ROOT } from './mcp.js';
import { queues, startOpenAiServer } from './openai-server.js';

export const PROJECTS_DIR = resolve(REPO_ROOT, 'domains', 'projects');
/** The task the failing episode gets wrong: its gold closes T-1006 (done) and comments on it. */
export const FAILING_TASK = 'projects-003-close-navigation';

export interface ViewerStore {
  /** The oracle run (every task, two trials) and the run with the wrong action. */
  oracleRun: number;
  failingRun: number;
  /** The episode that moves T-1006 to in_progress instead of done and never comments. */
  failing: number;
  episodes: number;
}

/**
 * Record into `path`: the curated projects tasks with the oracle agent (two trials each), then one
 * episode of an agent (a local scripted model server) that makes a wrong write.
 */
export async function writeViewerStore(path: string, options: { trials?: number } = {}): Promise<ViewerStore> {
  const domain = loadDomain(PROJECTS_DIR);
  const tasks = readTasks(domain.dir!);
  const store = TrajectoryStore.open(path);
  const server = await startOpenAiServer(
    queues({
      agent: [
        { toolCalls: [{ name: 'find_member_by_email', arguments: { email: 'aisha.bello@brightforge.io' } }] },
        { toolCalls: [{ name: 'update_task_status', arguments: { task_id: 'T-1006', status: 'in_progress', requested_by: 'M-008' } }] },
        { content: 'Done: the navigation task is completed.' },
      ],
    }),
  );
  try {
    const oracle = await runRollout({ domain, tasks, agent: makeAgent('oracle'), user: makeUser('scripted'), trials: options.trials ?? 2, concurrency: 4, store });
    const agent = makeAgent('openai:agent', { baseURL: server.url, apiKey: 'test', maxRetries: 0 });
    const wrong = await runRollout({ domain, tasks: tasks.filter((t) => t.id === FAILING_TASK), agent, user: makeUser('scripted'), trials: 1, concurrency: 1, store });
    const failing = store.episodes({ runId: wrong.runId! })[0];
    return { oracleRun: oracle.runId!, failingRun: wrong.runId!, failing: failing.id, episodes: store.episodes().length };
  } finally {
    await server.close();
    store.close();
  }
}

/** plan.json, graph.json and corpus.json of the bundled demo corpus, as `ingest` and `partition -g` write them. */
export function writeDemoPlan(dir: string): { plan: PartitionPlan; tools: number } {
  const { tools, report } = ingest([resolve(REPO_ROOT, 'fixtures', 'demo', 'corpus')]);
  const { plan, edges } = partitionTools(tools, DEFAULT_SETTINGS);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'corpus.json'), JSON.stringify({ format: 'envscale-corpus', version: 1, tools, report }));
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  writeFileSync(join(dir, 'graph.json'), toGraphologyJson(tools, edges, plan));
  return { plan, tools: tools.length };
}

/**
 * A plan of `tools` invented tools in domains of 40 (valid for the PartitionPlan schema), with a
 * tool graph: each tool linked to two of its domain and every tenth to a tool of the next domain.
 */
export function writeLargePlan(dir: string, tools = 30_000): PartitionPlan {
  const size = 40;
  const names = Array.from({ length: tools }, (_, i) => `tool_${i}`);
  const domains = Array.from({ length: Math.ceil(tools / size) }, (_, d) => ({
    name: `domain_${d}`,
    terms: [`term${d}`, `word${d % 7}`],
    community: d,
    tools: names.slice(d * size, (d + 1) * size),
    variants: [],
  }));
  const edges: Array<{ source: string; target: string; attributes: { weight: number } }> = [];
  names.forEach((_n, i) => {
    const d = Math.floor(i / size);
    const inDomain = (k: number) => d * size + ((i - d * size + k) % Math.min(size, tools - d * size));
    for (const k of [1, 2]) if (inDomain(k) !== i) edges.push({ source: String(i), target: String(inDomain(k)), attributes: { weight: 0.5 } });
    if (i % 10 === 0 && (d + 1) * size < tools) edges.push({ source: String(i), target: String((d + 1) * size + (i % size)), attributes: { weight: 0.25 } });
  });
  const plan: PartitionPlan = {
    format: 'envscale-plan',
    version: 1,
    corpusHash: '0'.repeat(64),
    settings: { similarity: 'lexical', ...DEFAULT_SETTINGS },
    stats: { tools, edges: edges.length, communities: domains.length, domains: domains.length, modularity: 0.9, oversizeSplit: 0, attached: 0, regrouped: 0, moved: 0, variants: 0, sizeHistogram: [[21, 40, domains.length]] },
    singletonRule: 'none',
    domains,
    isolated: [],
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  writeFileSync(join(dir, 'graph.json'), JSON.stringify({ options: { type: 'undirected' }, attributes: {}, nodes: names.map((n, i) => ({ key: String(i), attributes: { label: n } })), edges }));
  return plan;
}
