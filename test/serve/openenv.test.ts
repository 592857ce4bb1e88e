import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { evaluateActions } from '../../src/record/reward.js';
import { closingLine } from '../helpers/closing.js';
import type { HttpHost } from '../../src/serve/host.js';
import { testHosts } from '../helpers/hosts.js';
import { local, REPO_ROOT, TINY_DIR } from '../helpers/mcp.js';

const projects = loadDomain(resolve(REPO_ROOT, 'domains', 'projects'));
const tiny = loadDomain(TINY_DIR);
const tasks = readTasks(projects.dir!);

const host = testHosts([projects, tiny]);

type Json = any;

/** A client that speaks OpenEnv's WebSocket protocol as EnvClient does: one JSON message, one answer. */
async function openEnvClient(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const inbox: Json[] = [];
  const waiting: Array<(m: Json) => void> = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  await new Promise<void>((ok, fail) => ws.once('open', () => ok()).once('error', fail));
  const receive = () => new Promise<Json>((ok) => (inbox.length ? ok(inbox.shift()) : waiting.push(ok)));
  return {
    ws,
    async send(message: Json): Promise<Json> {
      ws.send(typeof message === 'string' ? message : JSON.stringify(message));
      return receive();
    },
    closed: new Promise<number>((ok) => ws.once('close', (code) => ok(code))),
  };
}

const wsUrl = (h: HttpHost, domain: string) => `${h.url.replace('http://', 'ws://')}/openenv/${domain}/ws`;

describe('OpenEnv over WebSocket', () => {
  it('runs a gold task to reward 1 with reset, step (MCP actions), state and close, recorded like any episode', async () => {
    const task = tasks.find((t) => t.id === 'projects-001-dana-workload')!;
    const h = await host();
    const env = await openEnvClient(wsUrl(h, 'projects'));

    // WSResetMessage: {type: "reset", data: {...}} -> WSObservationResponse.
    const reset = await env.send({ type: 'reset', data: { seed: 3, task: task.id } });
    expect(reset.type).toBe('observation');
    expect(Object.keys(reset.data).sort()).toEqual(['done', 'observation', 'reward']);
    expect(reset.data).toMatchObject({ reward: null, done: false });
    const obs = reset.data.observation;
    expect(obs.episode_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(obs.tools[0]).toEqual({ name: expect.any(String), description: expect.any(String), input_schema: expect.any(Object) });
    expect(obs.tools.map((t: Json) => t.name)).toContain('send_message_to_user');
    expect(obs.user_message).toBeTruthy();

    // WSStepMessage with ListToolsAction and CallToolAction as OpenEnv serializes them.
    const listed = await env.send({ type: 'step', data: { type: 'list_tools' } });
    expect(listed.data.observation.tools.map((t: Json) => t.name)).toEqual([...projects.tools.keys(), 'send_message_to_user']);
    for (const a of task.gold.actions) {
      const r = await env.send({ type: 'step', data: { type: 'call_tool', tool_name: a.tool, arguments: a.args } });
      expect(r.type).toBe('observation');
      expect(r.data).toMatchObject({ reward: null, done: false, observation: { tool_name: a.tool, error: null, result: { is_error: false, content: [{ type: 'text' }] } } });
      expect(r.data.observation.result.data).toBeDefined();
    }
    const unknown = await env.send({ type: 'step', data: { type: 'call_tool', tool_name: 'nope', arguments: {} } });
    expect(unknown.data.observation).toMatchObject({ tool_name: 'nope', result: null, error: { error_type: 'tool_not_found' } });

    // WSStateMessage -> State (episode_id, step_count) with the reward so far.
    const state = await env.send({ type: 'state' });
    expect(state).toMatchObject({ type: 'state', data: { episode_id: obs.episode_id, step_count: task.gold.actions.length + 1, done: false } });

    const last = await env.send({ type: 'step', data: { type: 'call_tool', tool_name: 'send_message_to_user', arguments: { message: closingLine(task.communicate) } } });
    expect(last.data).toMatchObject({ reward: 1, done: true });
    expect(last.data.observation.result.content[0].text).toContain('###STOP###');
    const episode = local(h.episodes.find(obs.episode_id).port);
    expect(last.data.reward).toBe(evaluateActions(projects, task, episode.recorder.actions, episode.recorder.messages).reward);

    const over = await env.send({ type: 'step', data: { type: 'list_tools' } });
    expect(over.type).toBe('observation');
    const refused = await env.send({ type: 'step', data: { type: 'call_tool', tool_name: 'get_project', arguments: { project_id: 'P-101' } } });
    expect(refused).toMatchObject({ type: 'error', data: { code: 'EXECUTION_ERROR', message: expect.stringMatching(/is over/) } });

    // WSCloseMessage ends the connection, and the episode with it.
    env.ws.send(JSON.stringify({ type: 'close' }));
    await env.closed;
    await expect.poll(() => h.episodes.table.size).toBe(0);
  });

  it('answers bad messages with WSErrorResponse codes, and reset at the cap with CAPACITY_REACHED', async () => {
    const h = await host({ maxEpisodes: 1 });
    const env = await openEnvClient(wsUrl(h, 'tiny'));
    expect(await env.send('not json')).toMatchObject({ type: 'error', data: { code: 'INVALID_JSON' } });
    expect(await env.send({ type: 'dance' })).toMatchObject({ type: 'error', data: { code: 'UNKNOWN_TYPE', message: 'Unknown message type: dance' } });
    expect(await env.send({ type: 'step', data: { type: 'call_tool' } })).toMatchObject({ type: 'error', data: { code: 'VALIDATION_ERROR' } });
    expect(await env.send({ type: 'step', data: { type: 'call_tool', tool_name: 'list_notes', arguments: {} } })).toMatchObject({ type: 'error', data: { code: 'SESSION_ERROR' } });
    // Discovery needs no reset (RFC 003).
    expect((await env.send({ type: 'step', data: { type: 'list_tools' } })).data.observation.tools).toHaveLength(4);
    expect(await env.send({ type: 'reset', data: { task: 'nope' } })).toMatchObject({ type: 'error', data: { code: 'FACTORY_ERROR' } });
    expect((await env.send({ type: 'reset', data: {} })).type).toBe('observation');
    const other = await openEnvClient(wsUrl(h, 'tiny'));
    expect(await other.send({ type: 'reset', data: {} })).toMatchObject({ type: 'error', data: { code: 'CAPACITY_REACHED', active_sessions: 1, max_sessions: 1 } });
    // MCP JSON-RPC on the connection's episode.
    const mcp = await env.send({ type: 'mcp', data: { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'add_note', arguments: { author_id: 'A1', body: 'via ws mcp' } } } });
    expect(mcp).toMatchObject({ type: 'mcp', data: { jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text' }] } } });
    // JsonRpcRequest forbids extra keys: an invalid request, answered in an mcp message.
    expect(await env.send({ type: 'mcp', data: { jsonrpc: '2.0', id: 6, method: 'tools/list', extra: 1 } })).toEqual({
      type: 'mcp',
      data: { jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringMatching(/^Invalid request: /), data: null } },
    });
    const notes = await env.send({ type: 'step', data: { type: 'call_tool', tool_name: 'list_notes', arguments: { author_id: 'A1' } } });
    expect(notes.data.observation.result.data.map((n: Json) => n.body)).toEqual(['First note', 'via ws mcp']);
    env.ws.close();
    other.ws.close();
  });

  it('refuses the upgrade without the token, like every route', async () => {
    const h = await host({ token: 'tok' });
    await expect(openEnvClient(wsUrl(h, 'tiny'))).rejects.toThrow(/401/);
    const env = await openEnvClient(wsUrl(h, 'tiny'), { authorization: 'Bearer tok' });
    expect((await env.send({ type: 'reset', data: {} })).type).toBe('observation');
    env.ws.close();
  });
});

describe('OpenEnv JSON-RPC over the /mcp WebSocket', () => {
  it('opens an episode with the connection, answers tools/list and tools/call on it, and ends it on close', async () => {
    const h = await host({ maxEpisodes: 1 });
    const mcp = await openEnvClient(`${wsUrl(h, 'tiny').replace(/\/ws$/, '/mcp')}?seed=1`);
    expect(await mcp.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { tools: tiny.spec.tools.map((t) => ({ name: t.name, description: expect.any(String), inputSchema: expect.any(Object) })) },
    });
    await expect.poll(() => h.episodes.table.size).toBe(1);
    const added = await mcp.send({ jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'add_note', arguments: { author_id: 'A1', body: 'over the mcp socket' } } });
    expect(added).toMatchObject({ jsonrpc: '2.0', id: 'a', result: { content: [{ type: 'text' }], data: { body: 'over the mcp socket' } } });
    const listed = await mcp.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_notes', arguments: { author_id: 'A1' } } });
    expect(listed.result.data.map((n: Json) => n.body)).toEqual(['First note', 'over the mcp socket']);
    // Errors as OpenEnv's JsonRpcResponse dumps them: error with data, id null when the request could not be read.
    expect(await mcp.send('{"jsonrpc": ')).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringMatching(/^Parse error: /), data: null } });
    expect(await mcp.send({ jsonrpc: '1.0', id: 3, method: 'tools/list' })).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await mcp.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'add_note', arguments: 'no' } })).toMatchObject({ id: 4, error: { code: -32602 } });
    expect(await mcp.send({ jsonrpc: '2.0', id: 5, method: 'prompts/list' })).toMatchObject({ id: 5, error: { code: -32601, message: 'Method not found: prompts/list', data: null } });
    // The server is full while the socket holds its episode: the next socket is told so, and closed.
    const second = await openEnvClient(wsUrl(h, 'tiny').replace(/\/ws$/, '/mcp'));
    const refused = await second.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(refused).toMatchObject({ id: null, error: { code: -32000, message: expect.stringMatching(/^Too many episodes/), data: { active_sessions: 1, max_sessions: 1 } } });
    await second.closed;
    mcp.ws.close();
    await mcp.closed;
    await expect.poll(() => h.episodes.table.size).toBe(0);
  });
});

describe('OpenEnv HTTP routes', () => {
  const post = async (h: HttpHost, path: string, body: unknown) => {
    const res = await fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Json };
  };

  it('answers health, metadata and schema, and plays an episode with reset, step and state', async () => {
    const h = await host();
    expect(await (await fetch(`${h.url}/openenv/tiny/health`)).json()).toEqual({ status: 'healthy' });
    const meta = await (await fetch(`${h.url}/openenv/tiny/metadata`)).json();
    expect(meta).toMatchObject({ name: 'tiny', description: tiny.spec.description, readme_content: tiny.spec.policy });
    const schema = await (await fetch(`${h.url}/openenv/tiny/schema`)).json();
    expect(Object.keys(schema).sort()).toEqual(['action', 'observation', 'state']);
    expect(JSON.stringify(schema.action)).toContain('call_tool');

    const reset = await post(h, '/openenv/tiny/reset', {});
    expect(reset.status).toBe(200);
    expect(Object.keys(reset.json).sort()).toEqual(['done', 'observation', 'reward']);
    const id = reset.json.observation.episode_id;
    const step = await post(h, '/openenv/tiny/step', { action: { type: 'call_tool', tool_name: 'add_note', arguments: { author_id: 'A1', body: 'over http' } }, episode_id: id, timeout_s: 5 });
    expect(step.json).toMatchObject({ reward: null, done: false, observation: { tool_name: 'add_note', result: { is_error: false } } });
    const state = await (await fetch(`${h.url}/openenv/tiny/state?episode_id=${id}`)).json();
    expect(state).toMatchObject({ episode_id: id, step_count: 1 });
    // The same episode through the episodes API.
    expect((await (await fetch(`${h.url}/v1/episodes/${id}`)).json()).steps).toBe(1);

    const invalid = await post(h, '/openenv/tiny/step', { action: { type: 'call_tool' }, episode_id: id });
    expect(invalid.status).toBe(422);
    expect(invalid.json.detail[0]).toMatchObject({ loc: expect.arrayContaining(['body']) });
    const noEpisode = await post(h, '/openenv/tiny/step', { action: { type: 'list_tools' } });
    expect(noEpisode.status).toBe(422);
    // GET /state without an episode answers a fresh environment's State, as OpenEnv's handler does.
    const fresh = await fetch(`${h.url}/openenv/tiny/state`);
    expect(fresh.status).toBe(200);
    expect(await fresh.json()).toEqual({ episode_id: null, step_count: 0 });
    expect((await fetch(`${h.url}/openenv/nope/state`)).status).toBe(404);
    expect((await fetch(`${h.url}/openenv/nope/health`)).status).toBe(404);
  });

  it('serves OpenEnv JSON-RPC /mcp with session create and close (the session id is the episode id)', async () => {
    const h = await host();
    const rpc = (method: string, params: Json = {}) => post(h, '/openenv/tiny/mcp', { jsonrpc: '2.0', id: 1, method, params });
    const created = await rpc('openenv/session/create', {});
    const sid = created.json.result.session_id;
    expect(sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const listed = await rpc('tools/list', { session_id: sid });
    expect(listed.json.result.tools.map((t: Json) => t.name)).toEqual(['find_author', 'list_notes', 'add_note', 'delete_note']);
    await rpc('tools/call', { session_id: sid, name: 'delete_note', arguments: { note_id: 'N1' } });
    const again = await rpc('tools/call', { session_id: sid, name: 'delete_note', arguments: { note_id: 'N1' } });
    expect(again.json.result).toMatchObject({ isError: true });
    // Without a session: a fresh state each call, as OpenEnv's stateless /mcp.
    const fresh = await rpc('tools/call', { name: 'delete_note', arguments: { note_id: 'N1' } });
    expect(fresh.json.result.isError).toBeUndefined();
    expect((await rpc('tools/call', { session_id: sid, name: 'nope' })).json.error.code).toBe(-32602);
    expect((await rpc('resources/list')).json.error.code).toBe(-32601);
    expect((await rpc('openenv/session/close', { session_id: sid })).json.result).toEqual({ session_id: sid, closed: true });
    expect((await rpc('tools/list', { session_id: sid })).json.error).toEqual({ code: -32602, message: `Unknown session_id: ${sid}`, data: null });
    // A body that is not JSON is a JSON-RPC parse error, with status 200, as OpenEnv answers it.
    const garbled = await fetch(`${h.url}/openenv/tiny/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc"' });
    expect(garbled.status).toBe(200);
    expect(await garbled.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error', data: null } });
    expect((await post(h, '/openenv/tiny/mcp', { jsonrpc: '2.0', method: 'tools/list', params: [] })).json.error.code).toBe(-32600);
  });
});
