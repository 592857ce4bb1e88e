import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { replayGold } from '../../src/env/replay.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { runRollout } from '../../src/rollout/run.js';
import { openingLine } from '../../src/episode/scripted-user.js';
import { makeAgent } from '../../src/rollout/agents.js';
import { makeUser } from '../../src/episode/users.js';
import { ASK_TO_BE_TOLD, PLAY_GUIDANCE } from '../../src/tasks/instructions.js';
import type { ToolResultEvent } from '../../src/spec/trajectory.js';
import { REPO_ROOT } from '../helpers/mcp.js';
import { queues, startOpenAiServer } from '../helpers/openai-server.js';

const domain = loadDomain(resolve(REPO_ROOT, 'domains', 'projects'));
const tasks = readTasks(domain.dir!);
const dir = mkdtempSync(join(tmpdir(), 'envscale-rollout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fast = { timeoutMs: 2000, maxRetries: 3, retryBaseMs: 5 };

describe('the scripted user', () => {
  it('opens in the first person with the goal, without the guidance meant for whoever plays the user', () => {
    const instructions = `You want to close task T-1 (your task). ${ASK_TO_BE_TOLD}new status. ${PLAY_GUIDANCE}`;
    expect(openingLine(instructions)).toBe('I want to close task T-1 (my task). Please tell me the new status.');
  });
});

describe('rollouts with the oracle agent and the scripted user', () => {
  it('reach reward 1 on every projects task, recorded in the store', async () => {
    const store = TrajectoryStore.open(join(dir, 'oracle.db'));
    const report = await runRollout({ domain, tasks, agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 1, concurrency: 4, store });
    expect(report.rows).toHaveLength(tasks.length);
    expect(report.rows.filter((r) => r.reward !== 1)).toEqual([]);
    const episodes = store.episodes({ runId: report.runId });
    expect(episodes.every((e) => e.status === 'done' && e.stop_reason === 'user_stop' && e.verdict?.reward === 1)).toBe(true);
    const events = store.events(episodes[0].id);
    expect(events.map((e) => (e.kind === 'message' ? e.role : e.kind)).slice(0, 3)).toEqual(['system', 'assistant', 'user']);
    expect(events.at(-1)).toMatchObject({ kind: 'message', role: 'user', content: expect.stringContaining('###STOP###') });
    expect(events.some((e) => e.kind === 'message' && e.role === 'user' && e.content.includes(PLAY_GUIDANCE))).toBe(false);

    // Rerunning the same rollout resumes it: nothing left to run.
    const again = await runRollout({ domain, tasks, agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 1, concurrency: 4, store });
    expect(again.runId).toBe(report.runId);
    expect(again.rows.every((r) => r.resumed && r.reward === 1)).toBe(true);
    store.close();
  });

  it('runs concurrent episodes of one write task on states of their own', async () => {
    const task = tasks.find((t) => t.id === 'projects-006-campaign-copy')!;
    const store = TrajectoryStore.open(join(dir, 'isolation.db'));
    const report = await runRollout({ domain, tasks: [task], agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 8, concurrency: 8, store });
    expect(report.rows.map((r) => r.reward)).toEqual(Array(8).fill(1));
    const gold = replayGold(domain, task);
    const results = store.episodes({ runId: report.runId }).map((e) => store.events(e.id).filter((x): x is ToolResultEvent => x.kind === 'tool_result').map((x) => x.content));
    // Shared state would hand out different new ids (or fail on duplicates) across episodes.
    for (const r of results) expect(r).toEqual(gold.results.map((g) => g.result.text));
    expect(new Set(store.episodes({ runId: report.runId }).map((e) => e.final_hash))).toEqual(new Set([gold.stateHash]));
    store.close();
  });
});

describe('rollouts with models behind a local OpenAI-compatible server', () => {
  it('handles malformed calls, unknown tools, bad JSON, failing, slow and empty replies: recorded, counted, no crash', async () => {
    const task = tasks.find((t) => t.id === 'projects-001-dana-workload')!;
    const server = await startOpenAiServer(
      queues({
        agent: [
          { toolCalls: [{ arguments: '{}' }] },
          { toolCalls: [{ name: 'no_such_tool', arguments: {} }] },
          { toolCalls: [{ name: 'find_member_by_email', arguments: '{"email": ' }] },
          { status: 500 },
          { delayMs: 2500, then: { content: 'too late' } },
          { raw: 'this is not json' },
          { toolCalls: [{ name: 'find_member_by_email', arguments: { email: 'dana.ortiz@brightforge.io' } }] },
          { status: 429 },
          { toolCalls: [{ name: 'get_member_workload', arguments: { member_id: 'M-001' } }] },
          { content: '' },
          { content: 'You have 3 open tasks; the first one due is Analytics event taxonomy.' },
        ],
        user: [{ content: 'Hi, how many open tasks do I have? My email is dana.ortiz@brightforge.io.' }, { content: '###STOP###' }],
      }),
    );
    try {
      const store = TrajectoryStore.open(join(dir, 'messy.db'));
      // The time-out must be far below the slow reply's delay and far above a loaded machine's normal reply.
      const endpoint = { ...fast, baseURL: server.url, apiKey: 'test', timeoutMs: 1000 };
      const report = await runRollout({
        domain,
        tasks: [task],
        agent: makeAgent('openai:agent', endpoint),
        user: makeUser('openai:user', { ...endpoint, temperature: 0.7 }),
        trials: 1,
        concurrency: 1,
        store,
      });
      expect(report.fatal).toBeUndefined();
      expect(report.rows[0]).toMatchObject({ reward: 1, stopReason: 'user_stop' });
      const [episode] = store.episodes({ runId: report.runId });
      expect(episode.counts).toEqual({ turns: 10, tool_calls: 5, tool_errors: 3, malformed_calls: 3, model_retries: 4, empty_replies: 1 });
      const events = store.events(episode.id);
      const errors = events.filter((e): e is ToolResultEvent => e.kind === 'tool_result' && !e.ok).map((e) => e.error);
      expect(errors).toEqual(['malformed', 'unknown_tool', 'invalid_json']);
      expect(events.filter((e) => e.kind === 'error').map((e) => (e.kind === 'error' ? e.retry : undefined))).toEqual([1, 2, 3, 1, undefined]);

      const run = store.run(report.runId!)!;
      expect(run.agent).toMatchObject({ spec: 'openai:agent', model: 'agent', temperature: 0, base_url: server.url });
      expect(run.user).toMatchObject({ spec: 'openai:user', model: 'user', temperature: 0.7 });

      // The agent got the MCP tool list; the user model got its instructions and saw the agent as "user".
      const agentReq = server.requests.find((r) => r.model === 'agent')!;
      expect(agentReq.tools?.map((t) => t.function.name)).toEqual([...domain.tools.keys()]);
      const userReq = server.requests.find((r) => r.model === 'user')!;
      expect(userReq.messages[0].content).toContain(task.user.instructions);
      expect(userReq.messages[0].content).toContain('dana.ortiz@brightforge.io');
      expect(userReq.messages.slice(1)).toEqual([{ role: 'user', content: 'Hi! How can I help you today?' }]);
      expect(userReq.temperature).toBe(0.7);
      store.close();
    } finally {
      await server.close();
    }
  });

  it('stops the run with one clear message when the agent endpoint is dead, and keeps the failed episode', async () => {
    const gone = await startOpenAiServer(() => ({ content: 'x' }));
    const url = gone.url;
    await gone.close();
    const store = TrajectoryStore.open(join(dir, 'dead.db'));
    const report = await runRollout({
      domain,
      tasks: tasks.slice(0, 3),
      agent: makeAgent('openai:agent', { ...fast, baseURL: url, apiKey: 'test', maxRetries: 1 }),
      user: makeUser('scripted'),
      trials: 2,
      concurrency: 1,
      store,
    });
    expect(report.fatal).toMatch(/^Request to the agent model agent at http:\/\/127\.0\.0\.1:\d+\/v1 failed: connection refused \(is the server running\?\); check --agent-base-url/);
    expect(report.notStarted).toBe(5);
    const [episode] = store.episodes({ runId: report.runId });
    expect(episode).toMatchObject({ status: 'failed', stop_reason: 'agent_error' });
    store.close();
  });

  it('ends an episode at the error limit and at the turn limit', async () => {
    const task = tasks[0];
    const server = await startOpenAiServer(queues({ agent: [{ toolCalls: [{ name: 'get_task', arguments: { task_id: 'T-0' } }] }] }));
    try {
      const agent = makeAgent('openai:agent', { ...fast, baseURL: server.url, apiKey: 'test' });
      const errors = await runRollout({ domain, tasks: [task], agent, user: makeUser('scripted'), trials: 1, concurrency: 1, limits: { maxTurns: 100, maxErrors: 3 } });
      expect(errors.rows[0]).toMatchObject({ reward: 0, stopReason: 'max_errors' });
      const turns = await runRollout({ domain, tasks: [task], agent, user: makeUser('scripted'), trials: 1, concurrency: 1, limits: { maxTurns: 5, maxErrors: 100 } });
      expect(turns.rows[0]).toMatchObject({ reward: 0, stopReason: 'max_turns' });
    } finally {
      await server.close();
    }
  });
});
