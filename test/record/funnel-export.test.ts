import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { readEpisode, type StoredEpisode } from '../../src/record/conversation.js';
import { exportCommand } from '../../src/record/commands.js';
import { exportRow, FORMATS } from '../../src/record/export.js';
import { funnelFailure, runFunnel, validityProblem, DEFAULT_FUNNEL } from '../../src/record/funnel.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { runRollout } from '../../src/rollout/run.js';
import { makeAgent } from '../../src/rollout/agents.js';
import { makeUser } from '../../src/episode/users.js';
import type { Action } from '../../src/spec/task.js';
import type { TrajectoryEventInput, TrajectoryEvent } from '../../src/spec/trajectory.js';
import { TrajectoryEvent as EventSchema } from '../../src/spec/trajectory.js';
import { REPO_ROOT } from '../helpers/mcp.js';
import { queues, startOpenAiServer } from '../helpers/openai-server.js';

const domain = loadDomain(resolve(REPO_ROOT, 'domains', 'projects'));
const tasks = readTasks(domain.dir!);
const dir = mkdtempSync(join(tmpdir(), 'envscale-export-'));
let store: TrajectoryStore;
let episodes: StoredEpisode[];

/** Oracle episodes of every task, plus one read-only episode whose intermediate call failed. */
beforeAll(async () => {
  store = TrajectoryStore.open(join(dir, 'runs.db'));
  await runRollout({ domain, tasks, agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 1, concurrency: 4, store });
  const server = await startOpenAiServer(
    queues({
      agent: [
        { toolCalls: [{ name: 'find_member_by_email', arguments: { email: 'nobody@brightforge.io' } }] },
        { toolCalls: [{ name: 'find_member_by_email', arguments: { email: 'dana.ortiz@brightforge.io' } }, { name: 'get_member_workload', arguments: { member_id: 'M-001' } }] },
        { content: 'Done: you have 3 open tasks; Analytics event taxonomy is due first.' },
      ],
    }),
  );
  try {
    const agent = makeAgent('openai:agent', { baseURL: server.url, apiKey: 'test', maxRetries: 0 });
    await runRollout({ domain, tasks: [tasks[0]], agent, user: makeUser('scripted'), trials: 1, concurrency: 1, store });
  } finally {
    await server.close();
  }
  episodes = store.episodes().map((e) => readEpisode(store, e));
}, 120_000);
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The episode with other gold actions. */
const withGold = (ep: StoredEpisode, actions: Action[]): StoredEpisode => ({ ...ep, task: { ...ep.task!, task: { ...ep.task!.task, gold: { ...ep.task!.task.gold, actions } } } });
const ev = (events: TrajectoryEventInput[]): TrajectoryEvent[] => events.map((e) => EventSchema.parse(e));
const sys = { kind: 'message', role: 'system', content: 'policy' } as const;
const hi = { kind: 'message', role: 'assistant', content: 'Hi!', generated: false } as const;
const user = (content: string) => ({ kind: 'message', role: 'user', content }) as const;
const say = (content: string) => ({ kind: 'message', role: 'assistant', content }) as const;
const call = (id: string, name = 'get_task', args = '{"task_id":"T-1"}'): TrajectoryEventInput => ({ kind: 'message', role: 'assistant', content: '', tool_calls: [{ id, name, arguments: args }] });
const result = (id: string, error?: 'domain' | 'invalid_json') => ({ kind: 'tool_result', call_id: id, tool: 'get_task', args: {}, ok: !error, content: 'r', ms: 1, ...(error ? { error } : {}) }) as const;

describe('the funnel', () => {
  it('validity: alternation, empty turns, calls without results, malformed calls, repetition', () => {
    expect(validityProblem(ev([sys, hi, user('help'), call('a'), result('a'), say('done'), user('###STOP###')]))).toBeUndefined();
    expect(validityProblem(ev([sys, hi, user('help'), call('a'), result('a', 'domain'), say('done')]))).toBeUndefined();
    expect(validityProblem(ev([sys, hi, user('help'), user('again'), say('done')]))).toBe('two user turns in a row');
    expect(validityProblem(ev([sys, hi, user('help'), say('a'), say('b')]))).toBe('two assistant messages in a row without the user');
    expect(validityProblem(ev([sys, hi, user(' '), say('done')]))).toBe('an empty user turn');
    expect(validityProblem(ev([sys, hi, user('help'), say(''), say('done')]))).toBe('an empty assistant turn');
    expect(validityProblem(ev([sys, hi, user('help'), call('a'), say('done')]))).toBe('tool call a has no result');
    expect(validityProblem(ev([sys, hi, user('help'), call('a'), result('b')]))).toBe('a tool result answers no pending call (b)');
    expect(validityProblem(ev([sys, hi, user('help'), call('a', 'get_task', '{'), result('a', 'invalid_json'), say('done')]))).toMatch(/^a malformed tool call/);
    expect(validityProblem(ev([sys, hi, user('help'), say('sorry '.repeat(30))]))).toMatch(/repeats itself/);
    expect(validityProblem(ev([sys, hi, user('help'), call('a'), result('a'), call('b'), result('b'), call('c'), result('c'), say('done')]))).toBe('the same assistant turn three times');
    expect(validityProblem(ev([sys, hi, user('help')]))).toBe('no exchange between user and assistant');
    // Handing the user to a human answers them; any other call alone does not.
    expect(validityProblem(ev([sys, hi, user('help'), call('a', 'transfer_to_human_agents', '{}'), result('a')]))).toBeUndefined();
    expect(validityProblem(ev([sys, hi, user('help'), call('a'), result('a')]))).toBe('no exchange between user and assistant');
  });

  it('keeps a read-only episode whose intermediate call failed, and drops it under state or exact when it misses', () => {
    const messy = episodes.at(-1)!;
    expect(messy.events.some((e) => e.kind === 'tool_result' && !e.ok)).toBe(true);
    expect(messy.task?.readOnly).toBe(true);
    expect(funnelFailure(messy)).toBeUndefined();
    const wrongCalls: StoredEpisode = { ...messy, events: messy.events.filter((e) => !(e.kind === 'tool_result' && e.tool === 'get_member_workload')) };
    expect(funnelFailure(wrongCalls, { stages: ['exact'] })).toEqual({ stage: 'exact', reason: 'the tool calls differ from the gold calls' });
    const wrongState: StoredEpisode = { ...messy, episode: { ...messy.episode, verdict: { ...messy.episode.verdict!, held: { ...messy.episode.verdict!.held, state: false } } } };
    expect(funnelFailure(wrongState)).toEqual({ stage: 'state', reason: 'the final state differs from the gold state' });
  });

  it('keeps an episode that repeats a gold call meant to fail (tau2\'s wrong guesses)', () => {
    const messy = episodes.at(-1)!;
    const reached = messy.events.flatMap((e) => (e.kind === 'tool_result' ? [{ tool: e.tool, args: e.args! }] : []));
    expect(reached).toHaveLength(3);
    expect(funnelFailure(withGold(messy, reached), { stages: ['exact'] })).toBeUndefined();
    const otherFailure = withGold(messy, [{ ...reached[0], args: { email: 'x@y.z' } }, ...reached.slice(1)]);
    expect(funnelFailure(otherFailure, { stages: ['exact'] })?.stage).toBe('exact');
  });

  it('applies exact match to write tasks only when asked', () => {
    const write = episodes.find((e) => e.task && !e.task.readOnly)!;
    const reordered = withGold(write, [...write.task!.task.gold.actions].reverse());
    expect(funnelFailure(reordered)).toBeUndefined();
    expect(funnelFailure(reordered, { ...DEFAULT_FUNNEL, exactAll: true })?.stage).toBe('exact');
  });

  it('counts what survives each stage', () => {
    const report = runFunnel(episodes);
    expect(report.total).toBe(tasks.length + 1);
    expect(report.after.map((a) => a.stage)).toEqual(['validity', 'state', 'exact']);
    expect(report.after.at(-1)!.kept).toBe(tasks.length + 1);
  });
});

describe('exports', () => {
  it('openai: weights on assistant turns only; sharegpt: parallel calls answered by one observation listing the results', () => {
    for (const ep of episodes) {
      const { row } = exportRow(ep, 'openai') as { row: { messages: any[] } };
      for (const m of row.messages) {
        if (m.role === 'assistant') expect([0, 1]).toContain(m.weight);
        else expect(m).not.toHaveProperty('weight');
      }
    }
    const { row } = exportRow(episodes.at(-1)!, 'sharegpt') as { row: { conversations: Array<{ from: string; value: string }> } };
    const i = row.conversations.findIndex((t) => t.from === 'function_call' && t.value.startsWith('['));
    expect(JSON.parse(row.conversations[i].value)).toEqual([
      { name: 'find_member_by_email', arguments: { email: 'dana.ortiz@brightforge.io' } },
      { name: 'get_member_workload', arguments: { member_id: 'M-001' } },
    ]);
    expect(JSON.parse(row.conversations[i + 1].value)).toHaveLength(2);
  });

  it('a malformed call ends the row before it, in every format', () => {
    const malformed = { ...episodes[0], events: ev([sys, hi, user('help'), call('a'), result('a'), say('one moment'), user('ok'), call('b', 'get_task', '{'), result('b', 'invalid_json'), say('all finished now')]) };
    for (const format of FORMATS) {
      const text = JSON.stringify((exportRow(malformed, format) as { row: object }).row);
      expect(text).toContain('one moment');
      expect(text).not.toContain('all finished now');
    }
  });

  it('export writes the file whole, and refuses bad input before writing anything', () => {
    const out = join(dir, 'data.jsonl');
    exportCommand({ store: store.path, format: 'sharegpt', funnel: 'validity,state', domain: ['projects'], out });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(tasks.length + 1);
    lines.forEach((l) => expect(JSON.parse(l)).toHaveProperty('conversations'));
    expect(() => exportCommand({ store: store.path, format: 'alpaca', funnel: 'validity', out: join(dir, 'x.jsonl') })).toThrow(/^Unknown export format "alpaca"; use openai, sharegpt, messages\.$/);
    expect(() => exportCommand({ store: store.path, format: 'openai', funnel: 'validity,vibes', out: join(dir, 'x.jsonl') })).toThrow(/^Unknown funnel stage "vibes"/);
    expect(() => exportCommand({ store: join(dir, 'missing.db'), format: 'openai', funnel: 'validity', out: join(dir, 'x.jsonl') })).toThrow(/^No trajectory store at/);
  });
});
