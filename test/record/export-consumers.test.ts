import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { episodeOpener } from '../../src/episode/opener.js';
import { makeUser } from '../../src/episode/users.js';
import { agentSystemPrompt } from '../../src/episode/prompts.js';
import { exportCommand, exportMetaPath, type ExportCommandOptions } from '../../src/record/commands.js';
import { readEpisode, type StoredEpisode } from '../../src/record/conversation.js';
import { exportEpisodes, exportRow, FORMATS, llamaFactoryEntry, type ExportFormat } from '../../src/record/export.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { makeAgent } from '../../src/rollout/agents.js';
import { runRollout } from '../../src/rollout/run.js';
import { GREETING } from '../../src/spec/chat.js';
import { ExportMeta, TrajectoryEvent as EventSchema, type TrajectoryEventInput } from '../../src/spec/trajectory.js';
import { UserError } from '../../src/util/errors.js';
import { chatTemplateProblems, llamaFactoryRead, loadJsonDataset, openAiProblems } from '../helpers/consumers.js';
import { REPO_ROOT } from '../helpers/mcp.js';

const domain = loadDomain(resolve(REPO_ROOT, 'domains', 'projects'));
const tasks = readTasks(domain.dir!);
const dir = mkdtempSync(join(tmpdir(), 'envscale-consumers-'));
const storePath = join(dir, 'runs.db');
let store: TrajectoryStore;
let episodes: StoredEpisode[];
let servedRun: number;

/** What a consumer says of one row of a format ([] when it takes the row as it is). */
const problemsOf: Record<ExportFormat, (row: unknown) => string[]> = {
  openai: openAiProblems,
  messages: chatTemplateProblems,
  sharegpt: (row) => {
    const read = llamaFactoryRead(row, llamaFactoryEntry('data.jsonl'));
    return 'broken' in read ? [read.broken] : [];
  },
};

/**
 * A store with what a newcomer's store holds after some use: oracle rollouts of every task, a
 * served MCP session bound to a task (its client talked to the simulated user), a served session
 * with tool calls and no task, an episode that never finished and one that failed mid-call.
 */
beforeAll(async () => {
  store = TrajectoryStore.open(storePath);
  await runRollout({ domain, tasks, agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 1, concurrency: 4, store });

  const open = episodeOpener({ store, defaultUser: 'scripted' });
  const task = tasks[0];
  const bound = await open(domain, { task: task.id });
  await bound.say('Could you tell me your email address?');
  for (const a of task.gold.actions) bound.callTool(a.tool, a.args);
  await bound.say('Done: you have 3 open tasks; Analytics event taxonomy is due first.');
  bound.close();
  servedRun = store.episodes().at(-1)!.run_id;
  const plain = await open(domain, {});
  plain.callTool('get_project', { project_id: 'P-101' });
  plain.close();

  const run = store.openRun({ key: null, kind: 'rollout', domain: 'projects', agent: { spec: 'openai:m' }, user: { spec: 'scripted' }, settings: {} });
  const write = (events: TrajectoryEventInput[], end?: 'failed') => {
    const w = store.beginEpisode({ runId: run.id, domain: 'projects', taskId: null, trial: 1, toolset: store.putTools([...domain.tools.values()].map((t) => ({ name: t.spec.name, description: t.spec.description, parameters: t.spec.parameters }))) });
    events.forEach((e, i) => store.appendEvent(w.id, i, EventSchema.parse(e)));
    if (end) store.finishEpisode(w.id, { status: 'failed', error: 'agent: the endpoint went away' });
  };
  const sys = { kind: 'message', role: 'system', content: 'policy' } as const;
  const hi = { kind: 'message', role: 'assistant', content: GREETING, generated: false } as const;
  const user = { kind: 'message', role: 'user', content: 'How many tasks are open on P-101?' } as const;
  // Never finished: the agent had not answered yet.
  write([sys, hi, user]);
  // Failed after a call whose result never came, and after a first complete exchange.
  write(
    [
      sys,
      hi,
      user,
      { kind: 'message', role: 'assistant', content: '', tool_calls: [{ id: 'a', name: 'get_project', arguments: '{"project_id":"P-101"}' }] },
      { kind: 'tool_result', call_id: 'a', tool: 'get_project', args: { project_id: 'P-101' }, ok: true, content: '{"id":"P-101"}', ms: 1 },
      { kind: 'message', role: 'assistant', content: 'P-101 is Navigation revamp. Anything else?' },
      { kind: 'message', role: 'user', content: 'Its open tasks, please.' },
      { kind: 'message', role: 'assistant', content: '', tool_calls: [{ id: 'b', name: 'list_tasks', arguments: '{"project_id":"P-101"}' }] },
      { kind: 'message', role: 'user', content: 'Hello?' },
    ],
    'failed',
  );
  episodes = store.episodes().map((e) => readEpisode(store, e));
}, 120_000);

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (format: ExportFormat) => exportEpisodes(episodes, format);
const lines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l));

describe('every exported row is one its consumer takes as it is, whatever the funnel', () => {
  it.each(FORMATS)('%s: rows pass the consumer\'s rules; rows that cannot be made valid are counted with a reason', (format) => {
    const out = rowsOf(format);
    expect(out.written + out.skipped.length).toBe(episodes.length);
    for (const row of lines(out.text)) expect(problemsOf[format](row)).toEqual([]);
    // Never finished, and a served session whose client called tools without any user: nothing to train.
    expect(out.skipped.map((s) => s.reason).sort()).toEqual([
      'no well-formed assistant turn to train on (the episode never finished)',
      'the agent acted before any user message (a served session without a task)',
    ]);
    expect(out.written).toBe(tasks.length + 2);
  });

  it('a dialogue cut by a call without a result ends at that call, with what came before', () => {
    const failed = episodes.find((e) => e.episode.status === 'failed')!;
    const row = exportRow(failed, 'openai') as { row: { messages: Array<{ role: string; content?: string; tool_calls?: unknown[] }> } };
    expect(row.row.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user', 'assistant', 'tool', 'assistant', 'user', 'assistant']);
    expect(row.row.messages.at(-1)!.tool_calls).toHaveLength(1);
  });

  it('the checks are not our writer\'s: they refuse what the consumers refuse', () => {
    const ok = lines(rowsOf('openai').text)[0];
    expect(openAiProblems({ ...ok, messages: [] })).toContain('messages is missing or empty');
    expect(openAiProblems({ ...ok, messages: ok.messages.slice(0, 3) })).toContain("the last message is not the assistant's");
    const orphan = ok.messages.findIndex((m: { role: string }) => m.role === 'tool');
    expect(openAiProblems({ ...ok, messages: ok.messages.filter((_: unknown, i: number) => i !== orphan) }).join()).toMatch(/has no tool message/);
    const share = lines(rowsOf('sharegpt').text)[0];
    expect(llamaFactoryRead({ ...share, conversations: share.conversations.slice(1) }, llamaFactoryEntry('d.jsonl'))).toHaveProperty('broken');
    expect(chatTemplateProblems({ messages: [{ role: 'assistant', content: 'hi' }] })).toContain('message 0: the assistant speaks before the user');
    const asText = { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: '', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }] };
    expect(chatTemplateProblems(asText)).toEqual(['message 1: arguments are not an object (a JSON string, which templates print quoted)']);
  });
});

describe('LLaMA-Factory (sharegpt)', () => {
  it('export writes the dataset_info.json entry beside the data, so the system prompt and tools are read', () => {
    const sub = mkdtempSync(join(dir, 'lf-'));
    writeFileSync(join(sub, 'dataset_info.json'), JSON.stringify({ other: { file_name: 'other.json' } }));
    const out = join(sub, 'envscale_projects.jsonl');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      exportCommand({ store: storePath, format: 'sharegpt', funnel: 'validity,state', out });
      expect(log.mock.calls.flat().join('\n')).toMatch(/LLaMA-Factory entry "envscale_projects" to .*dataset_info\.json/);
    } finally {
      log.mockRestore();
    }
    const info = JSON.parse(readFileSync(join(sub, 'dataset_info.json'), 'utf8'));
    expect(info.other).toEqual({ file_name: 'other.json' });
    const entry = info.envscale_projects;
    expect(entry).toEqual({ file_name: 'envscale_projects.jsonl', formatting: 'sharegpt', columns: { messages: 'conversations', system: 'system', tools: 'tools' } });
    for (const row of lines(readFileSync(out, 'utf8'))) {
      const seen = llamaFactoryRead(row, entry);
      expect(seen).not.toHaveProperty('broken');
      const { system, tools } = seen as unknown as { system: string; tools: Array<{ name: string }> };
      expect(system).toBe(row.system);
      expect(tools.map((t) => t.name)).toEqual([...domain.tools.keys()]);
    }
    // Without the columns LLaMA-Factory reads neither (what the entry is for).
    const bare = llamaFactoryRead(lines(readFileSync(out, 'utf8'))[0], { file_name: 'x', formatting: 'sharegpt' });
    expect(bare).toMatchObject({ system: '', tools: [] });
  });
});

describe('Hugging Face datasets / TRL (messages)', () => {
  it('a row survives load_dataset("json") unchanged: messages whose keys vary come back as JSON values, tools as a JSON string', () => {
    const rows = lines(rowsOf('messages').text);
    expect(loadJsonDataset(rows)).toEqual(rows);
    for (const row of rows) expect(JSON.parse(row.tools).map((t: { function: { name: string } }) => t.function.name)).toEqual([...domain.tools.keys()]);
  });

  it('call arguments are the objects the agent sent, as chat templates take them', () => {
    type Call = { id: string; function: { name: string; arguments: unknown } };
    const callsOf = (row: { messages: Array<{ tool_calls?: Call[] }> }) => row.messages.flatMap((m) => m.tool_calls ?? []);
    const sent = lines(rowsOf('openai').text).map((r) => callsOf(r).map((c) => ({ ...c.function, arguments: JSON.parse(c.function.arguments as string) })));
    const written = lines(rowsOf('messages').text).map((r) => callsOf(r).map((c) => c.function));
    expect(written).toEqual(sent);
    expect(written.flat().length).toBeGreaterThan(10);
    expect(written.flat().some((c) => Object.keys(c.arguments as object).length > 0)).toBe(true);
  });

  it('before datasets 4.7 the same file comes back padded: every call carries the arguments of every other tool as null', () => {
    const rows = lines(rowsOf('messages').text);
    const old = loadJsonDataset(rows, { jsonValues: false }) as typeof rows;
    const args = old.flatMap((r) => r.messages.flatMap((m: { tool_calls?: Array<{ function: { arguments: Record<string, unknown> } }> | null }) => m.tool_calls ?? [])).map((c: { function: { arguments: Record<string, unknown> } }) => c.function.arguments);
    expect(args.some((a: Record<string, unknown>) => Object.values(a).includes(null))).toBe(true);
    expect(() => loadJsonDataset([{ tools: 'text' }, { tools: [{}] }], { jsonValues: false })).toThrow(/Column\(tools\) changed from string to list/);
    expect(loadJsonDataset([{ tools: 'text' }, { tools: [{}] }])).toEqual([{ tools: 'text' }, { tools: [{}] }]);
  });

  it('the fixed greeting is not in the messages format; the OpenAI format keeps it untrained', () => {
    for (const row of lines(rowsOf('messages').text)) expect(row.messages.some((m: { content: string }) => m.content === GREETING)).toBe(false);
    const openai = lines(rowsOf('openai').text).filter((r) => r.messages[0].role === 'system');
    expect(openai.length).toBeGreaterThan(0);
    for (const row of openai) expect(row.messages[1]).toEqual({ role: 'assistant', content: GREETING, weight: 0 });
  });
});

describe('served sessions are exported as the client saw them', () => {
  it('no envscale system prompt and no greeting: the opening user message first, then the client\'s own calls', () => {
    const served = episodes.filter((e) => e.episode.run_id === servedRun && e.task);
    expect(served).toHaveLength(1);
    for (const format of FORMATS) {
      const out = exportRow(served[0], format);
      expect(out).toHaveProperty('row');
      const text = JSON.stringify((out as { row: object }).row);
      expect(text).not.toContain(GREETING);
      expect(text).not.toContain(JSON.stringify(agentSystemPrompt(domain).slice(0, 60)).slice(1, -1));
    }
    const openai = (exportRow(served[0], 'openai') as { row: { messages: Array<{ role: string; content?: string }> } }).row;
    expect(openai.messages[0].role).toBe('user');
    expect(openai.messages[0].content).toContain('dana.ortiz@brightforge.io');
    expect((exportRow(served[0], 'sharegpt') as { row: { system: string } }).row.system).toBe('');
  });
});

describe('every exported row says who played it', () => {
  it('the .meta.jsonl beside the rows labels oracle, model and client episodes, line for line', () => {
    const out = join(mkdtempSync(join(dir, 'meta-')), 'train.jsonl');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let printed: string;
    try {
      exportCommand({ store: storePath, format: 'openai', funnel: 'none', out });
      printed = log.mock.calls.flat().join('\n');
    } finally {
      log.mockRestore();
    }
    expect(exportMetaPath(out)).toBe(out.replace(/\.jsonl$/, '.meta.jsonl'));
    const rows = lines(readFileSync(out, 'utf8'));
    const meta = lines(readFileSync(exportMetaPath(out), 'utf8')).map((m) => ExportMeta.parse(m));
    expect(meta).toHaveLength(rows.length);
    const byEpisode = new Map(episodes.map((e) => [e.episode.id, e]));
    for (const [i, m] of meta.entries()) {
      const ep = byEpisode.get(m.episode)!;
      expect(m.run).toBe(ep.episode.run_id);
      expect(m.played_by).toBe(ep.run!.kind === 'serve' ? 'client' : ep.run!.agent!.spec === 'oracle' ? 'oracle' : 'model');
      // Line i of the meta is row i: the oracle's rows open with envscale's system prompt, a client's do not.
      expect(rows[i].messages[0].role === 'system').toBe(m.played_by !== 'client');
    }
    const oracle = meta.filter((m) => m.played_by === 'oracle');
    expect(oracle.length).toBe(tasks.length);
    expect(oracle.every((m) => m.agent === 'oracle' && m.user === 'scripted' && m.reward === 1)).toBe(true);
    expect(meta.filter((m) => m.played_by === 'model').map((m) => m.agent)).toEqual(['openai:m']);
    expect(meta.filter((m) => m.played_by === 'client').every((m) => m.agent === null)).toBe(true);
    expect(printed!).toMatch(new RegExp(`played by: ${tasks.length} oracle \\(envscale's oracle agent, which replays the gold actions`));
  });
});

describe('export refuses empty results with the reason, and writes nothing', () => {
  const attempt = (opts: Partial<ExportCommandOptions>) => {
    const out = join(dir, `empty-${Math.random().toString(36).slice(2)}.jsonl`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      exportCommand({ store: storePath, format: 'openai', funnel: 'validity,state,exact', out, ...opts });
      return { out, error: undefined };
    } catch (err) {
      return { out, error: err as Error };
    } finally {
      log.mockRestore();
    }
  };

  it.each<[Partial<ExportCommandOptions>, RegExp]>([
    [{ domain: ['nope'] }, /has no episodes of nope; its episodes are of projects\.$/],
    [{ run: 99 }, /^No run 99 in .*runs\.db; "envscale runs --store .*" lists the runs\.$/],
    [{ run: 999, store: join(dir, 'fresh.db') }, /No run 999/],
  ])('%o', (opts, message) => {
    if (opts.store) TrajectoryStore.open(opts.store).close();
    const { out, error } = attempt(opts);
    expect(error).toBeInstanceOf(UserError);
    expect(error!.message).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(exportMetaPath(out))).toBe(false);
  });

  it('a run whose episodes all fail the funnel is an error naming the count', () => {
    const failedRun = episodes.find((e) => e.episode.status === 'failed')!.episode.run_id;
    const { out, error } = attempt({ run: failedRun });
    expect(error).toBeInstanceOf(UserError);
    expect(error!.message).toMatch(/^None of the 2 episodes of run \d+ of .* made a openai row \(the reasons are above\), so nothing was written to /);
    expect(existsSync(out)).toBe(false);
  });

  it('an empty store says how to fill it', () => {
    const empty = join(dir, 'empty.db');
    TrajectoryStore.open(empty).close();
    expect(attempt({ store: empty }).error?.message).toMatch(/empty\.db has no episodes; record some with "envscale rollout" or "envscale serve --store"\.$/);
  });
});
