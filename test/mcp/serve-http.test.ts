import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { readTasks } from '../../src/env/load.js';
import { SEND_TOOL } from '../../src/episode/tools.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { closingLine } from '../helpers/closing.js';
import { newClient, REPO_ROOT, textOf } from '../helpers/mcp.js';
import { send, startServe, waitUntil } from '../helpers/serve-process.js';

const PROJECTS = resolve(REPO_ROOT, 'domains', 'projects');
const dir = mkdtempSync(join(tmpdir(), 'envscale-serve-http-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve --http (each domain in its own process)', () => {
  it('binds, records and scores a task-bound session in the domain process, and serves a second domain beside it', async () => {
    const storePath = join(dir, 'runs.db');
    const server = await startServe([PROJECTS, resolve(REPO_ROOT, 'fixtures', 'domains', 'tiny'), '--store', storePath]);
    try {
      const task = readTasks(PROJECTS).find((t) => t.id === 'projects-003-close-navigation')!;
      const client = newClient();
      const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp/projects?task=${task.id}&user=scripted`));
      await client.connect(transport);
      for (const a of task.gold.actions) expect((await client.callTool({ name: a.tool, arguments: a.args })).isError).toBeFalsy();
      expect(textOf(await client.callTool({ name: SEND_TOOL, arguments: { message: closingLine(task.communicate) } }))).toContain('###STOP###');

      const tiny = newClient();
      const tinyTransport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp/tiny`));
      await tiny.connect(tinyTransport);
      expect(textOf(await tiny.callTool({ name: 'find_author', arguments: { email: 'ada@example.org' } }))).toBe('A1');
      const health = await send(`${server.url}/healthz`, { method: 'GET' });
      expect(JSON.parse(health.body)).toEqual({ ok: true, domains: ['projects', 'tiny'], sessions: 2 });

      await transport.terminateSession();
      await tinyTransport.terminateSession();
      await client.close();
      await tiny.close();
      const store = TrajectoryStore.open(storePath, { readonly: true });
      try {
        const bound = await waitUntil(() => store.episodes({ status: 'done' }).find((e) => e.task_id === task.id));
        expect(bound).toMatchObject({ domain: 'projects', reward: 1, stop_reason: 'user_stop' });
        await waitUntil(() => store.episodes({ status: 'done' }).find((e) => e.domain === 'tiny'));
      } finally {
        store.close();
      }
      expect(server.stderr()).toContain(`task ${task.id} (episode `);

      const refused = await send(`${server.url}/mcp/projects?task=nope`, {
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } }),
      });
      expect(refused.status).toBe(400);
      expect(refused.messages[0].error.message).toMatch(/^No task nope in the projects tasks/);
    } finally {
      await server.stop();
    }
  }, 180_000);

  it('refuses a --store it cannot open before it listens', async () => {
    const err = await startServe([PROJECTS, '--store', join(dir, 'no', 'such', 'folder', 'runs.db')]).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/exited with 1 before serving; stderr:\nenvscale: Cannot open the trajectory store .*runs\.db/);
  }, 120_000);
});
