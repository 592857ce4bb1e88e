import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { replayGold } from '../../src/env/replay.js';
import { Episode, EpisodeOver, ActionRefused } from '../../src/episode/episode.js';
import { makeUser } from '../../src/episode/users.js';
import { evaluateActions } from '../../src/record/reward.js';
import { closingLine } from '../helpers/closing.js';
import { REPO_ROOT, TINY_DIR } from '../helpers/mcp.js';

const domain = loadDomain(resolve(REPO_ROOT, 'domains', 'projects'));
const tasks = readTasks(domain.dir!);
const taskById = (id: string) => tasks.find((t) => t.id === id)!;

const open = (id: string, extra: Partial<Parameters<typeof Episode.open>[0]> = {}) => Episode.open({ domain, task: taskById(id), user: makeUser('scripted'), ...extra });

describe('an episode bound to a task with the scripted user', () => {
  it('opens on the task state with the user request, plays the gold actions to reward 1, and scores like evaluate', async () => {
    const task = taskById('projects-003-close-navigation');
    const episode = await open(task.id);
    expect(episode.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(episode.opening).toBeTruthy();
    expect(episode.transcript.map((m) => m.role)).toEqual(['system', 'assistant', 'user']);
    for (const a of task.gold.actions) expect(episode.callTool(a.tool, a.args)).toMatchObject({ ok: true });
    expect(episode.steps).toBe(task.gold.actions.length);
    expect(episode.done).toBe(false);
    const { reply } = await episode.say(closingLine(task.communicate));
    expect(reply).toContain('###STOP###');
    expect(episode).toMatchObject({ done: true, stopReason: 'user_stop', steps: task.gold.actions.length + 1 });
    const outcome = episode.result!;
    expect(outcome.verdict?.reward).toBe(1);
    // The reward a trainer reads is what evaluate computes for the same calls and messages.
    const replayed = evaluateActions(domain, task, episode.recorder.actions, episode.recorder.messages);
    expect({ ...outcome.verdict, diff: undefined }).toEqual({ ...replayed, diff: undefined });
    expect(() => episode.callTool('get_project', { project_id: 'P-101' })).toThrow(EpisodeOver);
    await expect(episode.say('hello?')).rejects.toThrow(/is over \(user stop\)/);
    episode.close();
    expect(episode.state.isClosed).toBe(true);
  });

  it('scores a wrong trajectory 0 with the row diff, equal to evaluate, and can be scored before it ends', async () => {
    const task = taskById('projects-003-close-navigation');
    const episode = await open(task.id);
    for (const a of task.gold.actions.slice(0, -1)) episode.callTool(a.tool, a.args);
    const now = episode.score()!;
    expect(now.reward).toBe(0);
    expect(now.diff?.map((d) => d.table)).toEqual(['comments']);
    expect(episode.done).toBe(false);
    const outcome = episode.finish();
    expect(outcome).toMatchObject({ status: 'done', stopReason: 'session_end' });
    const replayed = evaluateActions(domain, task, episode.recorder.actions, episode.recorder.messages);
    expect(outcome.verdict?.reward).toBe(replayed.reward);
    expect(outcome.verdict?.held).toEqual(replayed.held);
    expect(outcome.verdict?.finalHash).toBe(replayed.finalHash);
    episode.close();
  });

  it('records calls from any route as one trajectory, in order, unknown tools included', async () => {
    const episode = await open('projects-001-dana-workload');
    const unknown = episode.callTool('drop_tables', {});
    expect(unknown).toMatchObject({ ok: false, error: 'unknown_tool', text: expect.stringMatching(/^Unknown tool: drop_tables\./) });
    const refused = episode.callTool('find_member_by_email', { email: 'nobody@nowhere.example' });
    expect(refused).toMatchObject({ ok: false, error: 'domain' });
    expect(episode.recorder.counts).toMatchObject({ tool_calls: 2, tool_errors: 2, malformed_calls: 1 });
    const roles = episode.transcript.map((m) => m.role);
    expect(roles).toEqual(['system', 'assistant', 'user', 'assistant', 'tool', 'assistant', 'tool']);
    episode.close();
  });

  it('ends at the error limit and the turn limit of a task-bound episode', async () => {
    const errors = await open('projects-001-dana-workload', { limits: { maxTurns: 100, maxErrors: 2 } });
    errors.callTool('get_task', { task_id: 'T-0' });
    expect(errors.done).toBe(false);
    errors.callTool('get_task', { task_id: 'T-0' });
    expect(errors).toMatchObject({ done: true, stopReason: 'max_errors' });
    expect(errors.result?.verdict?.reward).toBe(0);
    errors.close();

    // Opening: greeting and request are turns 1 and 2; each call without a turn of its own adds one.
    const turns = await open('projects-001-dana-workload', { limits: { maxTurns: 4, maxErrors: 100 } });
    turns.callTool('get_project', { project_id: 'P-101' });
    expect(turns.done).toBe(false);
    turns.callTool('get_project', { project_id: 'P-101' });
    expect(turns).toMatchObject({ done: true, stopReason: 'max_turns' });
    turns.close();
  });

  it('ends on a transfer to a human', async () => {
    const tau = await Episode.open({ domain, task: taskById('projects-001-dana-workload') });
    tau.callTool('transfer_to_human_agents', { summary: 'x' });
    expect(tau).toMatchObject({ done: true, stopReason: 'transfer' });
    tau.close();
  });

  it('refuses messages in an episode without a user, and keeps no transcript without a task', async () => {
    const plain = await Episode.open({ domain: loadDomain(TINY_DIR) });
    await expect(plain.say('hi')).rejects.toThrow(ActionRefused);
    expect(plain.callTool('add_note', { author_id: 'A1', body: 'x' }).ok).toBe(true);
    expect(plain.transcript).toEqual([]);
    expect(plain.recorder.counts.tool_calls).toBe(1);
    expect(plain.score()).toBeUndefined();
    plain.close();
  });
});

describe('what episodes share', () => {
  it('gives every episode of a domain the same tools, policy and system prompt, not copies of them', async () => {
    const [a, b] = await Promise.all([open('projects-003-close-navigation'), Episode.open({ domain })]);
    expect(a.start.tools).toBe(b.start.tools);
    expect(a.start.messages[0].content).toBe(b.start.messages[0].content);
    expect(a.transcript[0].content).toBe(a.start.messages[0].content);
    expect(a.start.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user']);
    expect(a.start.user_message).toBe(a.opening);
    expect(b.start.messages.map((m) => m.role)).toEqual(['system']);
    a.close();
    b.close();
  });
});

describe('dense reward shaping', () => {
  it('rewards the share of gold row changes each step achieves, penalizes refused calls, and sums to the final progress', async () => {
    const task = taskById('projects-003-close-navigation');
    const episode = await open(task.id, { shaping: { progress: 1, refusal: 0.25 } });
    const shaped: number[] = [];
    shaped.push(episode.callTool('get_task', { task_id: 'T-0' }).shaped!);
    for (const a of task.gold.actions) shaped.push(episode.callTool(a.tool, a.args).shaped!);
    expect(shaped[0]).toBe(-0.25);
    // Reads change nothing; the status update and the comment each hold part of the gold changes.
    const writes = task.gold.actions.map((a, i) => [a.tool, shaped[i + 1]] as const);
    for (const [tool, r] of writes) {
      if (domain.tools.get(tool)!.spec.kind === 'read') expect(r).toBe(0);
      else expect(r).toBeGreaterThan(0);
    }
    expect(shaped.reduce((a, b) => a + b, 0)).toBeCloseTo(1 - 0.25, 10);
    const end = await episode.say(closingLine(task.communicate));
    expect(end.shaped).toBe(0);
    expect(episode.result?.verdict?.reward).toBe(1);
    expect(episode.state.stateHash()).toBe(replayGold(domain, task).stateHash);
    episode.close();
  });
});
