import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import { loadDomain, readTasks } from '../src/env/load.js';
import { TrajectoryStore } from '../src/record/store.js';
import { runRollout, type RolloutOptions } from '../src/rollout/run.js';
import { makeAgent } from '../src/rollout/agents.js';
import { makeUser } from '../src/episode/users.js';
import { markdownTable } from '../src/util/table.js';
import { startOpenAiServer } from '../test/helpers/openai-server.js';
import { instantAgent } from './instant-model.js';
import { fmt, time } from './measure.js';

/**
 * Rollout figures with a local OpenAI-compatible server that answers at once: the orchestrator's
 * own time per turn, episodes per second at several concurrencies, and what recording costs.
 */
export async function rolloutBench(): Promise<string> {
  const domain = loadDomain(resolve('domains', 'projects'));
  const task = readTasks(domain.dir!)[0];
  const dir = mkdtempSync(join(tmpdir(), 'envscale-bench-'));
  const server = await startOpenAiServer(instantAgent);
  const endpoint = { baseURL: server.url, apiKey: 'bench', maxRetries: 0 };
  const rows: Array<Array<string | number>> = [];
  try {
    const episodes = async (opts: Partial<RolloutOptions> & { agent: RolloutOptions['agent'] }, n: number, concurrency: number) => {
      const t0 = performance.now();
      const report = await runRollout({ domain, tasks: [task], user: makeUser('scripted'), trials: n, concurrency, ...opts });
      return { ms: performance.now() - t0, report };
    };
    const model = makeAgent('openai:instant', endpoint);
    const oracle = makeAgent('oracle');

    // Baseline: one bare chat completion against the same server (HTTP + JSON, no orchestration).
    const client = new OpenAI({ ...endpoint, maxRetries: 0 });
    const bare = await time(() => client.chat.completions.create({ model: 'instant', messages: [{ role: 'user', content: 'hi' }] }), 200);

    // Turns per episode of each agent (messages of agent and user, tool steps included).
    const store0 = TrajectoryStore.open(join(dir, 'turns.db'));
    const before = server.requests.length;
    const probe = await runRollout({ domain, tasks: [task], agent: model, user: makeUser('scripted'), trials: 1, concurrency: 1, store: store0 });
    const modelTurns = store0.episode(probe.rows[0].episodeId!)!.counts!.turns;
    const modelCalls = server.requests.length - before;
    const oracleProbe = await runRollout({ domain, tasks: [task], agent: oracle, user: makeUser('scripted'), trials: 1, concurrency: 1, store: store0 });
    const oracleTurns = store0.episode(oracleProbe.rows[0].episodeId!)!.counts!.turns;
    const events = store0.events(probe.rows[0].episodeId!).length;
    store0.close();

    const n = 200;
    await episodes({ agent: model }, 20, 1); // warm-up
    const m1 = await episodes({ agent: model }, n, 1);
    const perTurn = m1.ms / n / modelTurns;
    const overhead = (m1.ms / n - modelCalls * bare.medianMs) / modelTurns;
    rows.push(['time per turn, instant local model (concurrency 1)', fmt.ms(perTurn)]);
    rows.push(['  of which bare chat completion round trips (baseline)', `${modelCalls} x ${fmt.ms(bare.medianMs)} per episode`]);
    rows.push(['  orchestrator overhead per turn (MCP, engine, bookkeeping)', fmt.ms(overhead)]);
    const o1 = await episodes({ agent: oracle }, n, 1);
    rows.push(['time per turn, oracle agent + scripted user (no model)', fmt.ms(o1.ms / n / oracleTurns)]);

    for (const c of [1, 16, 64]) {
      const count = Math.max(200, c * 8);
      const m = await episodes({ agent: model }, count, c);
      const o = await episodes({ agent: oracle }, count, c);
      rows.push([`episodes/s at concurrency ${c}: instant model / oracle`, `${(count / (m.ms / 1000)).toFixed(0)} / ${(count / (o.ms / 1000)).toFixed(0)}`]);
    }

    // Recorder: the same oracle episodes with and without a store, and raw appends.
    const k = 400;
    const without = await episodes({ agent: oracle }, k, 1);
    const store = TrajectoryStore.open(join(dir, 'record.db'));
    const withStore = await episodes({ agent: oracle, store }, k, 1);
    const oracleEvents = store.events(store.episodes()[0].id).length;
    rows.push([`recorder overhead per event (oracle episodes with a store vs without, ${oracleEvents} events each)`, fmt.ms((withStore.ms - without.ms) / k / oracleEvents)]);
    const writer = store.beginEpisode({ runId: withStore.report.runId!, domain: domain.name, taskId: 'bench', trial: 1 });
    const event = { kind: 'tool_result' as const, call_id: 'c', tool: 'get_project', args: { project_id: 'P-101' }, ok: true, content: 'x'.repeat(400), ms: 1 };
    const append = await time(() => writer.append(event), 5000);
    rows.push(['one event append (SQLite WAL, autocommit)', fmt.ms(append.medianMs)]);
    rows.push(['events per episode with the instant model', events]);
    store.close();
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return markdownTable(['measure', 'value'], rows);
}
