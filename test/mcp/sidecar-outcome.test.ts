import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { episodeOpener } from '../../src/episode/opener.js';
import { SEND_TOOL } from '../../src/episode/tools.js';
import { startHttpHost, type HttpHost } from '../../src/serve/host.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { oracleReport } from '../../src/rollout/oracle.js';
import { newClient, PROTOCOL_VERSION, REPO_ROOT, textOf } from '../helpers/mcp.js';

const domain = loadDomain(resolve(REPO_ROOT, 'domains', 'projects'));
const task = readTasks(domain.dir!).find((t) => t.id === 'projects-003-close-navigation')!;
const dir = mkdtempSync(join(tmpdir(), 'envscale-outcome-'));
let store: TrajectoryStore;
let host: HttpHost;

beforeAll(async () => {
  store = TrajectoryStore.open(join(dir, 'runs.db'));
  host = await startHttpHost({ domains: [domain], port: 0, openEpisode: episodeOpener({ store, defaultUser: 'scripted' }) });
});
afterAll(async () => {
  await host.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A task-bound session over HTTP: `play` does the agent's part, then the final report goes to the user. */
async function session(play: (call: (name: string, args: Record<string, unknown>) => Promise<unknown>) => Promise<void>): Promise<string> {
  const client = newClient();
  const transport = new StreamableHTTPClientTransport(new URL(`${host.url}/mcp/projects?task=${task.id}&user=scripted`));
  await client.connect(transport);
  try {
    await play((name, args) => client.callTool({ name, arguments: args }));
    return textOf(await client.callTool({ name: SEND_TOOL, arguments: { message: oracleReport(task.communicate) } }));
  } finally {
    await transport.terminateSession();
    await client.close();
  }
}

describe('a task-bound MCP session', () => {
  it('returns the reward to the client in the reply that ends the conversation', async () => {
    const won = await session(async (call) => {
      for (const a of task.gold.actions) await call(a.tool, a.args);
    });
    expect(won).toMatch(new RegExp(`###STOP###\\n\\(The user has ended the conversation\\. Task ${task.id}: reward 1\\.\\)$`));
    const lost = await session(async () => undefined);
    expect(lost).toMatch(new RegExp(`\\(The user has ended the conversation\\. Task ${task.id}: reward 0: the final state differs from the gold state \\(gold -> final\\)\\.\\)$`));
  });

  it('refused (an unknown simulated user) leaves nothing in the store', async () => {
    const before = { runs: store.runs().length, episodes: store.episodes().length };
    const res = await fetch(`${host.url}/mcp/projects?task=${task.id}&user=bogus`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 't', version: '0' } } }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/bogus/);
    expect({ runs: store.runs().length, episodes: store.episodes().length }).toEqual(before);
    expect(store.episodes({ status: 'running' })).toEqual([]);
  });
});
