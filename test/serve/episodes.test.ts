import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { replayGold } from '../../src/env/replay.js';
import { episodeOpener } from '../../src/episode/opener.js';
import { evaluateActions } from '../../src/record/reward.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { toolActions } from '../../src/record/conversation.js';
import { closingLine } from '../helpers/closing.js';
import type { HttpHost } from '../../src/serve/host.js';
import { testHosts } from '../helpers/hosts.js';
import { local, newClient, REPO_ROOT, textOf, TINY_DIR, waitFor } from '../helpers/mcp.js';

const projects = loadDomain(resolve(REPO_ROOT, 'domains', 'projects'));
const tiny = loadDomain(TINY_DIR);
const tasks = readTasks(projects.dir!);
const task = (id: string) => tasks.find((t) => t.id === id)!;
const dir = mkdtempSync(join(tmpdir(), 'envscale-episodes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const host = testHosts([projects, tiny]);

type Json = any;
async function call(h: HttpHost, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
const create = (h: HttpHost, body: Json, headers?: Record<string, string>) => call(h, 'POST', '/v1/episodes', body, headers);
const step = (h: HttpHost, id: string, action: Json, headers?: Record<string, string>) => call(h, 'POST', `/v1/episodes/${id}/step`, { action }, headers);

describe('the episodes API', () => {
  it('plays a gold task to reward 1 with the step API, route by route, and the reward equals evaluate', async () => {
    const t = task('projects-003-close-navigation');
    const h = await host();
    const created = await create(h, { domain: 'projects', task: t.id, user: 'scripted', seed: 7 });
    expect(created.status).toBe(201);
    const id = created.json.episode_id as string;
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.json.mcp_url).toBe(`${h.url}/mcp/projects/episodes/${id}`);
    const obs = created.json.observation;
    expect(obs.tools.map((x: Json) => x.name)).toEqual([...projects.tools.keys()]);
    expect(obs.tools[0]).toHaveProperty('inputSchema');
    expect(obs.policy).toBe(projects.spec.policy);
    expect(obs.user_message).toBeTruthy();
    expect(obs.messages.map((m: Json) => m.role)).toEqual(['system', 'assistant', 'user']);
    expect(obs.messages[2].content).toBe(obs.user_message);

    for (const a of t.gold.actions) {
      const r = await step(h, id, { type: 'call_tool', tool_name: a.tool, arguments: a.args });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ observation: { type: 'tool_result', tool_name: a.tool, is_error: false }, reward: null, done: false });
    }
    const mid = await call(h, 'GET', `/v1/episodes/${id}`);
    // The state is gold already, and this task asks nothing to be said: it would score 1 if it ended now.
    expect(mid.json).toMatchObject({ episode_id: id, domain: 'projects', task: t.id, steps: t.gold.actions.length, done: false, reward: 1, diff: [] });
    expect(mid.json.reward_parts).toEqual({ counted: { state: true, communicate: false, actions: false }, held: { state: true, communicate: true, actions: true } });
    expect(mid.json.state_hash).toBe(replayGold(projects, t).stateHash);

    const last = await step(h, id, { type: 'message', content: closingLine(t.communicate) });
    expect(last.json).toMatchObject({ observation: { type: 'user_message', content: expect.stringContaining('###STOP###') }, reward: 1, done: true, info: { stop_reason: 'user_stop' } });
    const end = await call(h, 'GET', `/v1/episodes/${id}`);
    expect(end.json).toMatchObject({ done: true, reward: 1, stop_reason: 'user_stop', steps: t.gold.actions.length + 1 });

    // What a trainer reads is what evaluate computes for the same calls and messages.
    const episode = local(h.episodes.find(id).port);
    const verdict = evaluateActions(projects, t, episode.recorder.actions, episode.recorder.messages);
    expect(last.json.reward).toBe(verdict.reward);
    expect(last.json.info.reward_parts).toEqual({ counted: verdict.counted, held: verdict.held });

    const after = await step(h, id, { type: 'call_tool', tool_name: 'get_project', arguments: { project_id: 'P-101' } });
    expect(after.status).toBe(409);
    expect(after.json.error.message).toMatch(/is over \(user stop\)/);

    expect((await call(h, 'DELETE', `/v1/episodes/${id}`)).status).toBe(204);
    for (const [method, path, body] of [
      ['GET', `/v1/episodes/${id}`],
      ['POST', `/v1/episodes/${id}/step`, { action: { type: 'list_tools' } }],
      ['DELETE', `/v1/episodes/${id}`],
    ] as const) {
      const r = await call(h, method, path, body);
      expect(r.status).toBe(404);
      expect(r.json.error.message).toBe(`Episode ${id} was deleted; create a new one with POST /v1/episodes.`);
    }
    const mcp = await fetch(`${h.url}/mcp/projects/episodes/${id}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(mcp.status).toBe(404);
    await mcp.body?.cancel();
  });

  it('scores a wrong trajectory 0 with the rows that differ from gold, equal to evaluate', async () => {
    const t = task('projects-003-close-navigation');
    const h = await host();
    const { json } = await create(h, { domain: 'projects', task: t.id });
    for (const a of t.gold.actions.slice(0, -1)) await step(h, json.episode_id, { type: 'call_tool', tool_name: a.tool, arguments: a.args });
    const status = (await call(h, 'GET', `/v1/episodes/${json.episode_id}`)).json;
    expect(status).toMatchObject({ reward: 0, done: false, diff: [{ table: 'comments', added: [], removed: [expect.objectContaining({ task_id: expect.any(String) })], changed: [] }] });
    const episode = local(h.episodes.find(json.episode_id).port);
    expect(status.reward).toBe(evaluateActions(projects, t, episode.recorder.actions, episode.recorder.messages).reward);
  });

  it('answers tool errors as observations, and bad requests, unknown ids and wrong routes with HTTP errors', async () => {
    const h = await host({ maxBodyBytes: 2048 });
    const { json } = await create(h, { domain: 'projects', task: 'projects-001-dana-workload' });
    const id = json.episode_id;
    const unknown = await step(h, id, { type: 'call_tool', tool_name: 'drop_tables', arguments: {} });
    expect(unknown.status).toBe(200);
    expect(unknown.json.observation).toMatchObject({ type: 'tool_result', is_error: true, error: 'unknown_tool', content: expect.stringMatching(/^Unknown tool: drop_tables\./) });
    const refused = await step(h, id, { type: 'call_tool', tool_name: 'find_member_by_email', arguments: { email: 42 } });
    expect(refused.json.observation).toMatchObject({ is_error: true, error: 'domain', content: expect.stringMatching(/^Invalid arguments for find_member_by_email/) });
    expect(refused.json.info.steps).toBe(2);

    const cases: Array<[Json, number, RegExp]> = [
      [{ action: { type: 'dance' } }, 400, /^Bad step: at action.type: /],
      [{ action: { type: 'call_tool' } }, 400, /^Bad step: at action.tool_name: /],
      [{ action: { type: 'message', content: '  ' } }, 400, /a message needs some text/],
      [{ act: {} }, 400, /^Bad step: /],
    ];
    for (const [body, status, message] of cases) {
      const r = await call(h, 'POST', `/v1/episodes/${id}/step`, body);
      expect(r.status).toBe(status);
      expect(r.json.error.message).toMatch(message);
    }
    const bad = await call(h, 'POST', `/v1/episodes/${id}/step`, '{"action": ');
    expect(bad.status).toBe(400);
    expect(bad.json.error).toEqual({ code: 'bad_request', message: 'Parse error: the request body is not valid JSON.' });
    const big = await call(h, 'POST', `/v1/episodes/${id}/step`, { action: { type: 'message', content: 'x'.repeat(4096) } });
    expect(big.status).toBe(413);

    expect((await call(h, 'GET', '/v1/episodes/AAAAAAAAAAAAAAAAAAAAAA')).json.error).toEqual({ code: 'not_found', message: 'No episode AAAAAAAAAAAAAAAAAAAAAA here; create one with POST /v1/episodes.' });
    expect((await call(h, 'GET', '/v1/episodes/%zz')).status).toBe(400);
    expect((await call(h, 'GET', '/v1/episodes')).status).toBe(405);
    const noDomain = await create(h, { domain: 'nope' });
    expect(noDomain).toMatchObject({ status: 404, json: { error: { message: 'No domain nope here; this server has projects, tiny.' } } });
    const noTask = await create(h, { domain: 'projects', task: 'nope' });
    expect(noTask.status).toBe(400);
    expect(noTask.json.error.message).toMatch(/^No task nope in the projects tasks/);
    expect((await create(h, { domain: 'projects', user: 'scripted' })).json.error.message).toMatch(/needs a task/);
    expect((await create(h, { domain: 'projects', extra: 1 })).status).toBe(400);

    // An episode without a task has nobody to talk to, and no reward.
    const plain = (await create(h, { domain: 'tiny' })).json;
    expect(plain.observation).not.toHaveProperty('user_message');
    const talk = await step(h, plain.episode_id, { type: 'message', content: 'hello?' });
    expect(talk.status).toBe(400);
    expect(talk.json.error.message).toMatch(/no simulated user/);
    const write = await step(h, plain.episode_id, { type: 'call_tool', tool_name: 'add_note', arguments: { author_id: 'A1', body: 'x' } });
    expect(write.json).toMatchObject({ reward: null, done: false, info: { steps: 1 } });
    expect((await call(h, 'GET', `/v1/episodes/${plain.episode_id}`)).json).toMatchObject({ task: null, reward: null, reward_parts: null, diff: null, steps: 1 });
    // An episode is reached through its own domain only.
    const cross = await fetch(`${h.url}/mcp/projects/episodes/${plain.episode_id}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(cross.status).toBe(404);
    await cross.body?.cancel();
  });

  it('ends an episode at the step limit it was opened with, task or not', async () => {
    const h = await host();
    const list = { type: 'call_tool', tool_name: 'list_notes', arguments: { author_id: 'A1' } };
    const plain = (await create(h, { domain: 'tiny', max_turns: 2 })).json.episode_id;
    expect((await step(h, plain, list)).json).toMatchObject({ done: false, info: { steps: 1 } });
    expect((await step(h, plain, list)).json).toMatchObject({ done: true, reward: null, info: { steps: 2, stop_reason: 'max_turns' } });
    expect((await step(h, plain, list)).status).toBe(409);
    // Without limits an episode without a task goes on.
    const open = (await create(h, { domain: 'tiny' })).json.episode_id;
    for (let i = 0; i < 3; i++) expect((await step(h, open, list)).json.done).toBe(false);
    // A task-bound episode ends at its error limit with its reward (0: nothing was done).
    const t = task('projects-003-close-navigation');
    const bound = (await create(h, { domain: 'projects', task: t.id, max_errors: 2 })).json.episode_id;
    const bad = { type: 'call_tool', tool_name: 'get_project', arguments: { project_id: 42 } };
    expect((await step(h, bound, bad)).json.done).toBe(false);
    expect((await step(h, bound, bad)).json).toMatchObject({ done: true, reward: 0, info: { stop_reason: 'max_errors' } });
  });

  it('keeps two episodes with conflicting writes apart', async () => {
    const h = await host();
    const [a, b] = await Promise.all([create(h, { domain: 'tiny' }), create(h, { domain: 'tiny' })]);
    const del = { type: 'call_tool', tool_name: 'delete_note', arguments: { note_id: 'N1' } };
    const [da, db] = await Promise.all([step(h, a.json.episode_id, del), step(h, b.json.episode_id, del)]);
    expect([da.json.observation.content, db.json.observation.content]).toEqual(['deleted N1', 'deleted N1']);
    expect((await step(h, a.json.episode_id, del)).json.observation).toMatchObject({ is_error: true, content: 'Error: note N1 not found' });
    await step(h, b.json.episode_id, { type: 'call_tool', tool_name: 'add_note', arguments: { author_id: 'A1', body: 'only in b' } });
    const list = { type: 'call_tool', tool_name: 'list_notes', arguments: { author_id: 'A1' } };
    expect(JSON.parse((await step(h, a.json.episode_id, list)).json.observation.content)).toEqual([]);
    expect(JSON.parse((await step(h, b.json.episode_id, list)).json.observation.content).map((n: Json) => n.body)).toEqual(['only in b']);
    const hashes = await Promise.all([a, b].map(async (x) => (await call(h, 'GET', `/v1/episodes/${x.json.episode_id}`)).json.state_hash));
    expect(hashes[0]).not.toBe(hashes[1]);
  });

  it('caps open episodes with 503, expires idle ones, and wants the token on every route', async () => {
    const TOKEN = 'tok-123';
    const auth = { authorization: `Bearer ${TOKEN}` };
    const h = await host({ maxEpisodes: 2, episodeTtlMs: 2000, token: TOKEN });
    const a = await create(h, { domain: 'tiny' }, auth);
    const b = await create(h, { domain: 'tiny' }, auth);
    expect([a.status, b.status]).toEqual([201, 201]);
    const full = await create(h, { domain: 'tiny' }, auth);
    expect(full.status).toBe(503);
    expect(full.json.error.message).toMatch(/^Too many episodes: this server holds at most 2; .*--max-episodes/);

    const id = a.json.episode_id;
    for (const [method, path, body] of [
      ['POST', '/v1/episodes', { domain: 'tiny' }],
      ['GET', `/v1/episodes/${id}`],
      ['POST', `/v1/episodes/${id}/step`, { action: { type: 'list_tools' } }],
      ['DELETE', `/v1/episodes/${id}`],
      ['POST', `/mcp/tiny/episodes/${id}`, {}],
      ['GET', '/openenv/tiny/health'],
      ['POST', '/openenv/tiny/reset', {}],
    ] as const) {
      const none = await call(h, method, path, body);
      expect(none.status, `${method} ${path}`).toBe(401);
      expect((await call(h, method, path, body, { authorization: 'Bearer wrong' })).status).toBe(401);
    }
    expect(h.episodes.table.size).toBe(2);

    // Idle episodes expire; their ids then say so.
    await waitFor(() => h.episodes.table.size === 0, 15_000, 'the idle episodes to expire');
    const gone = await call(h, 'GET', `/v1/episodes/${id}`, undefined, auth);
    expect(gone.status).toBe(404);
    expect(gone.json.error.message).toMatch(/expired \(idle longer than --episode-ttl\)/);
    expect((await create(h, { domain: 'tiny' }, auth)).status).toBe(201);
  });
});

describe('MCP on an episode', () => {
  it('interleaves an MCP client on mcp_url with the step API on one state, recorded once and in order', async () => {
    const store = TrajectoryStore.open(join(dir, 'interleave.db'));
    const t = task('projects-003-close-navigation');
    const h = await host({ openEpisode: episodeOpener({ store, defaultUser: 'scripted' }) });
    try {
      const { json } = await create(h, { domain: 'projects', task: t.id });
      const client = newClient();
      const transport = new StreamableHTTPClientTransport(new URL(json.mcp_url));
      await client.connect(transport);
      expect(transport.sessionId).toBeDefined();
      // The sidecar user is there for MCP clients too.
      expect((await client.listTools()).tools.map((x) => x.name)).toContain('send_message_to_user');
      const [first, second, ...rest] = t.gold.actions;
      expect((await client.callTool({ name: first.tool, arguments: first.args })).isError).toBeFalsy();
      await step(h, json.episode_id, { type: 'call_tool', tool_name: second.tool, arguments: second.args });
      for (const a of rest) await client.callTool({ name: a.tool, arguments: a.args });
      const reply = textOf(await client.callTool({ name: 'send_message_to_user', arguments: { message: closingLine(t.communicate) } }));
      expect(reply).toContain('###STOP###');
      const status = (await call(h, 'GET', `/v1/episodes/${json.episode_id}`)).json;
      expect(status).toMatchObject({ done: true, reward: 1, steps: t.gold.actions.length + 1 });
      await client.close();

      const [episode] = store.episodes();
      expect(episode).toMatchObject({ task_id: t.id, status: 'done', reward: 1, stop_reason: 'user_stop' });
      const events = store.events(episode.id);
      expect(toolActions(events)).toEqual(t.gold.actions);
      expect(events.filter((e) => e.kind === 'message').map((e) => (e.kind === 'message' ? e.role : ''))).toEqual(['system', 'assistant', 'user', ...t.gold.actions.map(() => 'assistant'), 'assistant', 'user']);
      // Deleting the episode ends its MCP sessions too.
      expect(h.sessions.size).toBe(1);
      await call(h, 'DELETE', `/v1/episodes/${json.episode_id}`);
      expect(h.sessions.size).toBe(0);
    } finally {
      store.close();
    }
  });

  it('answers a 2026-07-28 request with no initialize and no session header on mcp_url, on the episode', async () => {
    const h = await host();
    const { json } = await create(h, { domain: 'tiny' });
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' } };
    const rpc = (id: number, method: string, params: Json, name?: string) =>
      fetch(json.mcp_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } }),
      });
    const discover = await rpc(1, 'server/discover', {});
    expect(discover.status).toBe(200);
    expect(discover.headers.get('mcp-session-id')).toBeNull();
    const found = await discover.json();
    expect(found.result.supportedVersions).toContain('2026-07-28');
    const added = await rpc(2, 'tools/call', { name: 'add_note', arguments: { author_id: 'A1', body: 'session-less' } }, 'add_note');
    expect(added.status).toBe(200);
    const result = (await added.json()).result;
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(result.content[0].text)).toMatchObject({ body: 'session-less' });
    // The same state: the step API sees the note, and counts the call.
    const listed = await step(h, json.episode_id, { type: 'call_tool', tool_name: 'list_notes', arguments: { author_id: 'A1' } });
    expect(JSON.parse(listed.json.observation.content).map((n: Json) => n.body)).toEqual(['First note', 'session-less']);
    expect(listed.json.info.steps).toBe(2);
    // A request whose Mcp-Name header disagrees with its body (SEP-2243) is refused before it reaches the episode.
    const forged = await rpc(3, 'tools/call', { name: 'delete_note', arguments: { note_id: 'N1' } }, 'list_notes');
    expect(forged.status).toBe(400);
    expect((await forged.json()).error.message).toMatch(/Mcp-Name/i);
    expect((await call(h, 'GET', `/v1/episodes/${json.episode_id}`)).json.steps).toBe(2);

    // The SDK's own 2026-07-28 client works against it as well.
    const modern = newClient('modern', true);
    await modern.connect(new StreamableHTTPClientTransport(new URL(json.mcp_url)));
    expect(modern.getProtocolEra()).toBe('modern');
    const notes = JSON.parse(textOf(await modern.callTool({ name: 'list_notes', arguments: { author_id: 'A1' } })));
    expect(notes).toHaveLength(2);
    await modern.close();
  });

  it('serves 2026-07-28 clients on /mcp/<domain> from the seed state, refusing writes that would be lost', async () => {
    const h = await host();
    const modern = newClient('modern', true);
    await modern.connect(new StreamableHTTPClientTransport(new URL(`${h.url}/mcp/tiny`)));
    expect(modern.getProtocolEra()).toBe('modern');
    expect(JSON.parse(textOf(await modern.callTool({ name: 'list_notes', arguments: { author_id: 'A1' } })))).toHaveLength(1);
    const write = await modern.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'lost?' } });
    expect(write.isError).toBe(true);
    expect(textOf(write)).toMatch(/POST \/v1\/episodes/);
    await modern.close();
    // A 2025 client on the same path still gets a session of its own, as before.
    const legacy = newClient();
    const transport = new StreamableHTTPClientTransport(new URL(`${h.url}/mcp/tiny`));
    await legacy.connect(transport);
    expect(legacy.getProtocolEra()).toBe('legacy');
    expect((await legacy.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'kept' } })).isError).toBeFalsy();
    expect(JSON.parse(textOf(await legacy.callTool({ name: 'list_notes', arguments: { author_id: 'A1' } })))).toHaveLength(2);
    await transport.terminateSession();
    await legacy.close();
  });
});
