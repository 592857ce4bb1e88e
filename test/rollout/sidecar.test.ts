import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Client } from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { startHttpHost } from '../../src/serve/host.js';
import { REQUEST_PROMPT } from '../../src/mcp/server.js';
import { SEND_TOOL } from '../../src/episode/tools.js';
import { episodeOpener } from '../../src/episode/opener.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { oracleReport } from '../../src/rollout/oracle.js';
import type { Task } from '../../src/spec/task.js';
import { CLI, newClient, REPO_ROOT, textOf, waitFor } from '../helpers/mcp.js';

const domain = loadDomain(resolve(REPO_ROOT, 'domains', 'projects'));
const tasks = readTasks(domain.dir!);
const dir = mkdtempSync(join(tmpdir(), 'envscale-sidecar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Play the agent from any MCP client: read the request, do the gold calls, report to the user. */
async function playOracle(client: Client, task: Task): Promise<string> {
  const { tools } = await client.listTools();
  const send = tools.find((t) => t.name === SEND_TOOL)!;
  const prompt = await client.getPrompt({ name: REQUEST_PROMPT });
  const opening = (prompt.messages[0].content as { text: string }).text;
  expect(send.description).toContain(opening);
  for (const a of task.gold.actions) expect((await client.callTool({ name: a.tool, arguments: a.args })).isError).toBeFalsy();
  return textOf(await client.callTool({ name: SEND_TOOL, arguments: { message: oracleReport(task.communicate) } }));
}

describe('the sidecar simulated user', () => {
  it('serves a task-bound HTTP session: opening request, dialogue through the tool, scored and recorded at the end', async () => {
    const store = TrajectoryStore.open(join(dir, 'http.db'));
    const lines: string[] = [];
    const host = await startHttpHost({ domains: [domain], port: 0, openEpisode: episodeOpener({ store, defaultUser: 'scripted', report: (l) => lines.push(l) }) });
    try {
      const task = tasks.find((t) => t.id === 'projects-003-close-navigation')!;
      const client = newClient();
      const boundTransport = new StreamableHTTPClientTransport(new URL(`${host.url}/mcp/projects?task=${task.id}&user=scripted`));
      await client.connect(boundTransport);
      expect(await playOracle(client, task)).toContain('###STOP###');
      // A plain session on the same server is recorded too, without a task.
      const plain = newClient();
      const plainTransport = new StreamableHTTPClientTransport(new URL(`${host.url}/mcp/projects`));
      await plain.connect(plainTransport);
      expect((await plain.listTools()).tools.some((t) => t.name === SEND_TOOL)).toBe(false);
      await plain.callTool({ name: 'get_project', arguments: { project_id: 'P-101' } });
      // DELETE ends each session; that is when it is scored and closed in the store.
      await boundTransport.terminateSession();
      await plainTransport.terminateSession();
      await client.close();
      await plain.close();
      await waitFor(() => store.episodes({ status: 'done' }).length === 2, 5000, 'both sessions recorded');
      const [bound, free] = store.episodes();
      expect(bound).toMatchObject({ task_id: task.id, reward: 1, stop_reason: 'user_stop' });
      expect(free).toMatchObject({ task_id: null, reward: null, stop_reason: 'session_end', counts: expect.objectContaining({ tool_calls: 1 }) });
      expect(lines).toEqual([`task ${task.id} (episode ${bound.id}): reward 1`]);
      const roles = store.events(bound.id).flatMap((e) => (e.kind === 'message' ? [e.role] : []));
      expect(roles).toEqual(['system', 'assistant', 'user', ...task.gold.actions.map(() => 'assistant'), 'assistant', 'user']);

      const refused = await fetch(`${host.url}/mcp/projects?task=nope`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } }),
      });
      expect(refused.status).toBe(400);
      expect((await refused.json()).error.message).toMatch(/^No task nope in the projects tasks/);
    } finally {
      await host.close();
      store.close();
    }
  });

  it('records a call to an unknown tool (the client still gets the protocol error) and stores the row diff of a wrong session', async () => {
    const store = TrajectoryStore.open(join(dir, 'wrong.db'));
    const lines: string[] = [];
    const host = await startHttpHost({ domains: [domain], port: 0, openEpisode: episodeOpener({ store, defaultUser: 'scripted', report: (l) => lines.push(l) }) });
    try {
      const task = tasks.find((t) => t.id === 'projects-003-close-navigation')!;
      const client = newClient();
      const transport = new StreamableHTTPClientTransport(new URL(`${host.url}/mcp/projects?task=${task.id}`));
      await client.connect(transport);
      const refused = await client.callTool({ name: 'close_all_tasks', arguments: { project_id: 'P-101' } }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ProtocolError);
      expect((refused as ProtocolError).code).toBe(ProtocolErrorCode.InvalidParams);
      // Every gold call but the final comment: the state ends one row short of gold.
      for (const a of task.gold.actions.slice(0, -1)) expect((await client.callTool({ name: a.tool, arguments: a.args })).isError).toBeFalsy();
      await client.callTool({ name: SEND_TOOL, arguments: { message: oracleReport(task.communicate) } });
      await transport.terminateSession();
      await client.close();
      await waitFor(() => store.episodes({ status: 'done' }).length === 1, 5000, 'the session to be recorded');

      const [episode] = store.episodes();
      expect(episode).toMatchObject({ task_id: task.id, reward: 0, counts: expect.objectContaining({ tool_calls: task.gold.actions.length, tool_errors: 1, malformed_calls: 1 }) });
      expect(store.events(episode.id).find((e) => e.kind === 'tool_result')).toMatchObject({
        tool: 'close_all_tasks',
        args: { project_id: 'P-101' },
        ok: false,
        error: 'unknown_tool',
        content: expect.stringMatching(/^Unknown tool: close_all_tasks\. The projects domain has: /),
      });
      // Scored while the state was still open: the explanation carries the rows, not just the hash.
      expect(episode.verdict?.explanation).toMatch(/^the final state differs from the gold state \(gold -> final\):\ncomments: 0 added, 1 removed, 0 changed\n {2}- .*Approved by QA, merging\./);
      expect(lines).toEqual([`task ${task.id} (episode ${episode.id}): reward 0: the final state differs from the gold state (gold -> final):`]);
    } finally {
      await host.close();
      store.close();
    }
  });

  it('serves a task-bound stdio session (serve --task --store) and records it when the client leaves', async () => {
    const task = tasks.find((t) => t.id === 'projects-001-dana-workload')!;
    const path = join(dir, 'stdio.db');
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'serve', 'projects', '--task', task.id, '--store', path], cwd: REPO_ROOT, stderr: 'pipe' });
    const stderr: string[] = [];
    transport.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
    const client = newClient();
    await client.connect(transport);
    expect(await playOracle(client, task)).toContain('###STOP###');
    const pid = transport.pid!;
    await client.close();
    await waitFor(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, 5000, 'the server to exit');
    const store = TrajectoryStore.open(path);
    expect(store.episodes()).toMatchObject([{ task_id: task.id, status: 'done', reward: 1 }]);
    store.close();
    expect(stderr.join('')).toContain(`task ${task.id} (episode 1): reward 1`);
  });
});
