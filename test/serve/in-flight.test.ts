import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { episodeOpener } from '../../src/episode/opener.js';
import { SEND_TOOL } from '../../src/episode/tools.js';
import { startHttpHost } from '../../src/serve/host.js';
import { initializeBody, MCP_POST_HEADERS, PROTOCOL_VERSION, REPO_ROOT } from '../helpers/mcp.js';
import { startOpenAiServer } from '../helpers/openai-server.js';

const domain = loadDomain(resolve(REPO_ROOT, 'domains', 'projects'));
const task = readTasks(domain.dir!)[0];

/**
 * A request whose MCP session ends before its answer is ready (the client sends DELETE, or the
 * episode is deleted) gets an answer: the SDK's JSON response mode would leave it open forever.
 */
describe('requests in flight when their session ends', () => {
  it('are answered with 404 when the session is deleted or its episode ends, not left hanging', async () => {
    // The simulated user opens at once, then takes 2 s over its reply to the agent: time to end the session meanwhile.
    const llm = await startOpenAiServer((req) => (req.messages.some((m) => m.content === 'Done.') ? { delayMs: 2000, then: { content: 'Thanks. ###STOP###' } } : { content: 'Hello, I need help.' }));
    const host = await startHttpHost({ domains: [domain], port: 0, openEpisode: episodeOpener({ defaultUser: 'scripted', userEndpoint: { baseURL: llm.url, apiKey: 'test' } }) });
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${host.url}${path}`, { method: 'POST', headers: { ...MCP_POST_HEADERS, ...headers }, body: JSON.stringify(body) });
    const session = async (path: string) => {
      const res = await post(path, initializeBody());
      await res.body?.cancel();
      const headers = { 'mcp-session-id': res.headers.get('mcp-session-id')!, 'mcp-protocol-version': PROTOCOL_VERSION };
      await (await post(path, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).body?.cancel();
      return headers;
    };
    const say = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: SEND_TOOL, arguments: { message: 'Done.' } } };
    try {
      // The client deletes its own session while its message is with the user.
      const path = `/mcp/projects?task=${task.id}&user=openai:m`;
      const headers = await session(path);
      const pending = post(path, say, headers);
      await new Promise((r) => setTimeout(r, 300));
      const deleted = await fetch(`${host.url}${path}`, { method: 'DELETE', headers });
      expect(deleted.status).toBe(200);
      const answer = await pending;
      expect(answer.status).toBe(404);
      expect((await answer.json()).error.message).toMatch(/^Session ended while this request was in flight/);

      // An episode deleted through the step API while an MCP client on its URL waits.
      const created = await (await fetch(`${host.url}/v1/episodes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ domain: 'projects', task: task.id, user: 'openai:m' }) })).json();
      const onEpisode = new URL(created.mcp_url).pathname;
      const episodeHeaders = await session(onEpisode);
      const waiting = post(onEpisode, say, episodeHeaders);
      await new Promise((r) => setTimeout(r, 300));
      expect((await fetch(created.url, { method: 'DELETE' })).status).toBe(204);
      const late = await waiting;
      expect(late.status).toBe(404);
      expect((await late.json()).error.message).toMatch(/^Session ended while this request was in flight/);
      expect(host.sessions.size).toBe(0);
    } finally {
      await host.close();
      await llm.close();
    }
  });
});
