import { describe, expect, it } from 'vitest';
import { loadDomain } from '../../src/env/load.js';
import type { HttpHost } from '../../src/serve/host.js';
import type { WorkerSource } from '../../src/serve/workers.js';
import { testHosts } from '../helpers/hosts.js';
import { TINY_DIR, waitFor } from '../helpers/mcp.js';

/** Several processes of one domain (serve --http --domain-processes n): episodes spread over them, each pinned to its own. */

const host = testHosts([loadDomain(TINY_DIR)]);
type Json = any;

async function call(h: HttpHost, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${h.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
const step = (h: HttpHost, id: string, tool_name: string, args: Json) => call(h, 'POST', `/v1/episodes/${id}/step`, { action: { type: 'call_tool', tool_name, arguments: args } });
const notes = async (h: HttpHost, id: string) => JSON.parse((await step(h, id, 'list_notes', { author_id: 'A1' })).json.observation.content) as Array<{ body: string }>;

describe('a domain in several processes', () => {
  it('spreads episodes over its processes, keeps each on its own state, and loses only the episodes of a process that dies', async () => {
    const h = await host({ isolate: { processesPerDomain: 2 } });
    const source = h.episodes.source as WorkerSource;
    const ids: string[] = (await Promise.all(Array.from({ length: 4 }, () => call(h, 'POST', '/v1/episodes', { domain: 'tiny' })))).map((r) => {
      expect(r.status).toBe(201);
      return r.json.episode_id;
    });
    expect(source.processIds('tiny')).toHaveLength(2);

    // Each episode writes its own note and sees only its own, whichever process holds it.
    for (const id of ids) expect((await step(h, id, 'add_note', { author_id: 'A1', body: `from ${id}` })).json.observation.is_error).toBe(false);
    for (const id of ids) expect((await notes(h, id)).map((n) => n.body)).toEqual(['First note', `from ${id}`]);
    for (const id of ids) expect((await call(h, 'GET', `/v1/episodes/${id}`)).json.steps).toBe(2);

    // A process that dies ends its own episodes only.
    const [victim] = source.processIds('tiny');
    process.kill(victim, 'SIGKILL');
    await waitFor(() => source.processIds('tiny').length === 1 && h.episodes.table.size === 2, 30_000, 'the killed process and its episodes to be gone');
    const after = await Promise.all(ids.map((id) => step(h, id, 'list_notes', { author_id: 'A1' })));
    expect(after.map((r) => r.status).sort()).toEqual([200, 200, 404, 404]);
    for (const [i, r] of after.entries()) if (r.status === 200) expect(JSON.parse(r.json.observation.content).map((n: Json) => n.body)).toEqual(['First note', `from ${ids[i]}`]);

    // New episodes start a process again beside the one left.
    const again = await call(h, 'POST', '/v1/episodes', { domain: 'tiny' });
    expect(again.status).toBe(201);
    expect((await notes(h, again.json.episode_id)).map((n) => n.body)).toEqual(['First note']);
    expect(source.processIds('tiny')).toHaveLength(2);
    expect(source.processIds('tiny')).not.toContain(victim);
  });

  it('keeps one process per domain by default, and its episodes share the tools and prompt the server holds once', async () => {
    const h = await host({ isolate: {} });
    const created = await Promise.all(Array.from({ length: 3 }, () => call(h, 'POST', '/v1/episodes', { domain: 'tiny' })));
    expect((h.episodes.source as WorkerSource).processIds('tiny')).toHaveLength(1);
    const [a, b] = created.map((r) => h.episodes.find(r.json.episode_id).port);
    expect(a.start.tools).toBe(b.start.tools);
    expect(a.start.messages[0].content).toBe(b.start.messages[0].content);
    expect(created[0].json.observation.tools.map((t: Json) => t.name)).toContain('add_note');
  });
});
