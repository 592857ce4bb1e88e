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
import { sampleTasks } from '../../src/tasks/sample.js';
import { lastAgentText, type ChatMessage } from '../../src/spec/chat.js';
import type { Task } from '../../src/spec/task.js';
import type { SimulatedUser } from '../../src/episode/types.js';
import type { ToolResultEvent } from '../../src/spec/trajectory.js';
import { REPO_ROOT } from '../helpers/mcp.js';
import { queues, startOpenAiServer } from '../helpers/openai-server.js';

const domain = loadDomain(resolve(REPO_ROOT, 'domains', 'projects'));
const tasks = readTasks(domain.dir!);
const dir = mkdtempSync(join(tmpdir(), 'envscale-rollout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fast = { timeoutMs: 2000, maxRetries: 3, retryBaseMs: 5 };

describe('the scripted user', () => {
  const transcript = (...said: string[]): ChatMessage[] => said.map((content, i) => (i % 2 === 0 ? { role: 'assistant', content } : { role: 'user', content }));
  const task = (over: Partial<Task> = {}): Task => ({
    id: 't',
    user: { instructions: 'Hi, I\'m Dana. Please mark my task "Ship it" as done.\n\nMy email address is dana@example.com.', known: { 'my email address': 'dana@example.com', 'the task title': 'Ship it' } },
    initial: [],
    gold: { actions: [{ tool: 'update_task_status', args: { task_id: 'T-1001', status: 'done', requested_by: 'M-001' } }] },
    communicate: [],
    evaluation: {},
    tags: [],
    ...over,
  });
  const play = async (t: Task, ...agent: string[]) => {
    const session = makeUser('scripted').start({ domain, task: t, seed: 1, onRetry: () => {} });
    const replies: string[] = [];
    const said: string[] = [];
    for (const line of ['Hi! How can I help you today?', ...agent]) {
      said.push(line);
      const reply = await session.reply(transcript(...said));
      replies.push(reply);
      said.push(reply);
    }
    return replies;
  };

  it('opens with its request: instructions in its own words up to the facts, or written to it turned into the first person', () => {
    expect(openingLine('Hi, I\'m Dana. Please close my task.\n\nMy email address is dana@example.com.')).toBe("Hi, I'm Dana. Please close my task.");
    expect(openingLine('You want to close task T-1 (your task). You are in a hurry.')).toBe('I want to close task T-1 (my task). I am in a hurry.');
  });

  it('gives what it knows when asked, says when it does not know, agrees to the change it wants and stops when it is done', async () => {
    const replies = await play(task(), 'Could you give me your email address?', 'What is your date of birth?', 'I\'m about to update the task "Ship it" (T-1001), setting the status to done. Shall I go ahead?', 'Done: the task "Ship it" now has status done. Anything else I can do for you?');
    expect(replies[0]).toBe('Hi, I\'m Dana. Please mark my task "Ship it" as done.');
    expect(replies[1]).toBe('My email address is dana@example.com.');
    expect(replies[2]).toBe("Sorry, I don't know that. I've told you what I know.");
    expect(replies[3]).toBe('Yes, please go ahead.');
    expect(replies[4]).toContain('###STOP###');
  });

  it('gives every fact asked for, also when the name of one holds the name of another', async () => {
    const accounts = task({ user: { instructions: 'Please move 3.81 between my accounts.', known: { 'my account number': 'ACC-6', 'my to account number': 'ACC-2' } } });
    const [, both] = await play(accounts, 'Could you give me your account number and your to account number?');
    expect(both).toBe('My account number is ACC-6. My to account number is ACC-2.');
    const [, one] = await play(accounts, 'What is your to account number?');
    expect(one).toBe('My to account number is ACC-2.');
  });

  it('refuses a change it did not ask for, and any change when it only wants to know something', async () => {
    const [, wrong] = await play(task(), 'I\'m about to delete the project "Website" (P-101). Shall I go ahead?');
    expect(wrong).toMatch(/^No, that's not what I asked for\./);
    const question = task({ gold: { actions: [{ tool: 'get_task', args: { task_id: 'T-1001' } }] }, communicate: ['in_review'] });
    const [, asked] = await play(question, 'I\'m about to update the task T-1001. Shall I go ahead?');
    expect(asked).toBe("No, please don't change anything. I only wanted some information.");
  });

  it('does not stop before it has heard the answer it wanted', async () => {
    const question = task({ gold: { actions: [{ tool: 'get_task', args: { task_id: 'T-1001' } }] }, communicate: ['in_review'] });
    const replies = await play(question, 'Is there anything else I can help you with?', 'The status is in_review. Anything else?');
    expect(replies[1]).toBe('Before we finish: could you answer my question, please?');
    expect(replies[2]).toContain('###STOP###');
  });
});

describe('the oracle agent', () => {
  it('asks for what the user knows before using it, says what it found and will change, waits for a yes, and reports from the results', async () => {
    const task = tasks.find((t) => t.id === 'projects-003-close-navigation')!;
    const store = TrajectoryStore.open(join(dir, 'talk.db'));
    // The user's opening carries the email here; a sampled task keeps it for when the agent asks.
    const sampled = sampleTasks(domain, { n: 40, seed: 5 }).tasks.find((t) => t.gold.actions[0].tool === 'find_member_by_email' && t.tags.includes('write'))!;
    const report = await runRollout({ domain, tasks: [task, sampled], agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 1, concurrency: 1, store });
    expect(report.rows.map((r) => r.reward)).toEqual([1, 1]);
    const [curated, asked] = store.episodes({ runId: report.runId }).map((e) => store.events(e.id).filter((x) => x.kind === 'message' && x.role !== 'system'));
    const text = (events: typeof curated) => events.map((e) => (e.kind === 'message' ? `${e.role}: ${e.content}` : '')).join('\n');
    // The curated user said their email in the opening: the oracle does not ask again.
    expect(text(curated)).not.toMatch(/assistant: .*email address\?/);
    expect(text(curated)).toMatch(/assistant: I found the task "Implement responsive navigation" \(T-1006\), currently in review\. .*Shall I go ahead\?|assistant: I found the task "Implement responsive navigation" \(T-1006\), currently in review\. .*(proceed|confirm)/);
    expect(text(curated)).toMatch(/user: Yes, please go ahead\./);
    expect(text(curated)).toMatch(/assistant: (Done|All set|That's done): the task "Implement responsive navigation" \(T-1006\) now has status done/);
    // The sampled user keeps their email for when they are asked: the oracle asks, then uses it.
    const email = sampled.gold.actions[0].args.email as string;
    const lines = text(asked).split('\n');
    const question = lines.findIndex((l) => /^assistant: .*email address/.test(l));
    expect(question).toBeGreaterThan(0);
    expect(lines[question + 1]).toBe(`user: My email address is ${email}.`);
    store.close();
  });

  it('stops without changing anything when the user declines, and the run says the agent was the oracle', async () => {
    const task = tasks.find((t) => t.id === 'projects-003-close-navigation')!;
    const store = TrajectoryStore.open(join(dir, 'decline.db'));
    const declining: SimulatedUser = {
      info: { spec: 'declining' },
      start: () => ({ reply: async (t) => (t.length <= 2 ? openingLine(task.user.instructions) : /go ahead|proceed|confirm/i.test(lastAgentText(t)) ? 'No, wait. Leave it as it is.' : '###STOP###') }),
    };
    const report = await runRollout({ domain, tasks: [task], agent: makeAgent('oracle'), user: declining, trials: 1, concurrency: 1, store });
    const [episode] = store.episodes({ runId: report.runId });
    expect(episode.final_hash).toBe(domain.openSession().stateHash());
    const said = store.events(episode.id).filter((e) => e.kind === 'message' && e.role === 'assistant').map((e) => (e.kind === 'message' ? e.content : ''));
    expect(said).toContain("Understood, I won't make that change. Is there anything else I can help you with?");
    expect(store.runs().find((r) => r.id === report.runId)?.agent).toEqual({ spec: 'oracle' });
    store.close();
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
          { delayMs: 8000, then: { content: 'too late' } },
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
      const endpoint = { ...fast, baseURL: server.url, apiKey: 'test', timeoutMs: 3000 };
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
