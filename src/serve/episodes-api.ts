import type { HttpBindings } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { CreateEpisodeRequest } from '../spec/episode-api.js';
import type { EpisodeHost } from './episode-host.js';
import { HttpFailure } from './failure.js';
import { readJson } from './guard.js';

/** A request body checked against its format; a mismatch is a 400 naming the field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? issue.path.map(String).join('.') : 'the top level';
  throw new HttpFailure(400, `Bad ${what}: at ${where}: ${issue.message}.`);
}

/** Where an episode is reached over MCP, on the server the request came to. */
export const mcpUrl = (c: Context, domain: string, id: string) => `${new URL(c.req.url).origin}/mcp/${encodeURIComponent(domain)}/episodes/${id}`;

/**
 * The episodes API, for trainers: POST /v1/episodes opens one, POST .../step acts on it (a tool
 * call, or a message to the simulated user; served by step-route.ts), GET reads its state and
 * reward, DELETE ends it.
 */
export function episodesApi(app: Hono<{ Bindings: HttpBindings }>, host: EpisodeHost, maxBodyBytes: number): void {
  app.post('/v1/episodes', async (c) => {
    const request = parseBody(CreateEpisodeRequest, await readJson(c.req.raw, maxBodyBytes), 'episode request');
    const { domain: name, ...settings } = request;
    const { port } = await host.create(name, settings);
    const base = new URL(c.req.url).origin;
    return c.json({ episode_id: port.id, url: `${base}/v1/episodes/${port.id}`, mcp_url: mcpUrl(c, name, port.id), observation: port.start }, 201);
  });
  app.get('/v1/episodes', () => {
    throw new HttpFailure(405, 'Episodes are not listed: each is reached by the id POST /v1/episodes returned.', -32000, { allow: 'POST' });
  });
  app.get('/v1/episodes/:id', async (c) => {
    const lease = host.find(c.req.param('id'));
    return c.json(await host.table.use(lease, () => lease.port.status()));
  });
  app.delete('/v1/episodes/:id', (c) => {
    host.delete(host.find(c.req.param('id')));
    return c.body(null, 204);
  });
}
