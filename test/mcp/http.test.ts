import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SdkHttpError } from '@modelcontextprotocol/client';
import { Domain } from '../../src/env/domain.js';
import { loadDomain } from '../../src/env/load.js';
import { startHttpHost, type HttpHost, type HttpHostOptions } from '../../src/serve/host.js';
import type { EndReason } from '../../src/serve/table.js';
import { connectHttp, initializeBody, local, MCP_POST_HEADERS, PROTOCOL_VERSION, rawRequest, textOf, TINY_DIR, waitFor, type HttpClient } from '../helpers/mcp.js';

const domain = loadDomain(TINY_DIR);
/** A second domain with the same tables and tools under another name. */
const twin = new Domain({ ...domain.spec, name: 'twin' });

/** Hosts and clients a test opened; closed after it whatever happens. */
let hosts: HttpHost[] = [];
let clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all(hosts.map((h) => h.close()));
  hosts = [];
  clients = [];
});

async function host(options: Partial<HttpHostOptions> = {}): Promise<HttpHost> {
  const h = await startHttpHost({ domains: [domain], port: 0, ...options });
  hosts.push(h);
  return h;
}

async function client(h: HttpHost, options: { token?: string } = {}): Promise<HttpClient> {
  const c = await connectHttp(h.url, 'tiny', options);
  clients.push(c);
  return c;
}

async function notesOf(c: HttpClient, authorId = 'A1'): Promise<Array<{ id: string; body: string }>> {
  const result = await c.client.callTool({ name: 'list_notes', arguments: { author_id: authorId } });
  expect(result.isError).toBeFalsy();
  return JSON.parse(textOf(result));
}

/** POST a JSON-RPC message (or raw text) to a domain with fetch. */
async function post(h: HttpHost, body: unknown, headers: Record<string, string> = {}, path = '/mcp/tiny'): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { ...MCP_POST_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Open a session with a raw initialize; returns its id. */
async function rawSession(h: HttpHost): Promise<string> {
  const res = await post(h, initializeBody());
  expect(res.status).toBe(200);
  expect(res.json.result.protocolVersion).toBe(PROTOCOL_VERSION);
  const id = res.headers.get('mcp-session-id');
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id!;
}

const toolsList = (id = 2) => ({ jsonrpc: '2.0', id, method: 'tools/list' });

describe('Streamable HTTP host: sessions', () => {
  it('keeps the state of concurrent sessions apart under conflicting writes', async () => {
    const h = await host();
    const [a, b] = await Promise.all([client(h), client(h)]);
    expect(a.transport.sessionId).toBeDefined();
    expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
    expect(h.sessions.size).toBe(2);

    // Both delete the same note: each succeeds in its own state.
    const [delA, delB] = await Promise.all([
      a.client.callTool({ name: 'delete_note', arguments: { note_id: 'N1' } }),
      b.client.callTool({ name: 'delete_note', arguments: { note_id: 'N1' } }),
    ]);
    expect([delA.isError, delB.isError]).toEqual([undefined, undefined]);
    expect(textOf(delA)).toBe('deleted N1');
    expect(textOf(delB)).toBe('deleted N1');

    // A second delete in A fails there only.
    const again = await a.client.callTool({ name: 'delete_note', arguments: { note_id: 'N1' } });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toBe('Error: note N1 not found');

    // Both add a note: both get the same id from their own sequence, with their own bodies.
    await Promise.all([
      a.client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'from A' } }),
      b.client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'from B' } }),
      b.client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'from B again' } }),
    ]);
    expect(await notesOf(a)).toEqual([{ id: 'N100', body: 'from A', tags: [] }]);
    expect((await notesOf(b)).map((n) => n.body).sort()).toEqual(['from B', 'from B again']);

    // A new session starts from the seed.
    const c = await client(h);
    expect((await notesOf(c)).map((n) => n.id)).toEqual(['N1']);
    const states = [...[a, b, c].map((x) => local(h.sessions.get(x.transport.sessionId!)!.episode).state.stateHash())];
    expect(new Set(states).size).toBe(3);
  });

  it('ends a session on DELETE; a later request with its id gets 404', async () => {
    const h = await host();
    const keep = await client(h);
    const gone = await client(h);
    const id = gone.transport.sessionId!;
    await gone.client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'soon gone' } });
    const state = local(h.sessions.get(id)!.episode).state;
    expect(h.sessions.size).toBe(2);

    await gone.transport.terminateSession();
    await waitFor(() => h.sessions.size === 1, 5000, 'the deleted session to leave the table');
    expect(h.sessions.get(id)).toBeUndefined();
    expect(state.isClosed).toBe(true);

    const res = await post(h, toolsList(), { 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL_VERSION });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe(-32001);
    expect(res.json.error.message).toMatch(/Session not found/);

    // The other session is untouched.
    expect((await notesOf(keep)).map((n) => n.id)).toEqual(['N1']);
  });

  it('ends idle sessions and answers their ids with 404', async () => {
    const h = await host({ idleTimeoutMs: 200 });
    const id = await rawSession(h);
    expect(h.sessions.size).toBe(1);
    const state = local(h.sessions.get(id)!.episode).state;

    await waitFor(() => h.sessions.size === 0, 5000, 'the idle session to be swept');
    expect(state.isClosed).toBe(true);
    const res = await post(h, toolsList(), { 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL_VERSION });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe(-32001);
  });

  it('sweeps the session of an SDK client that went away without DELETE', async () => {
    const h = await host({ idleTimeoutMs: 200 });
    const c = await client(h);
    await c.client.listTools();
    expect(h.sessions.size).toBe(1);
    await c.close();
    await waitFor(() => h.sessions.size === 0, 5000, 'the abandoned session to be swept');
  });

  it('refuses initialize with 503 once max sessions are open, and keeps serving the open ones', async () => {
    const h = await host({ maxSessions: 2 });
    const a = await client(h);
    const b = await client(h);

    const err = await connectHttp(h.url, 'tiny').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SdkHttpError);
    expect((err as SdkHttpError).status).toBe(503);
    expect((err as Error).message).toMatch(/Too many sessions: this server holds at most 2/);
    expect(h.sessions.size).toBe(2);

    const raw = await post(h, initializeBody());
    expect(raw.status).toBe(503);
    expect(raw.json.error.message).toMatch(/--max-sessions/);

    await a.client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'still here' } });
    expect((await notesOf(a)).map((n) => n.body)).toEqual(['First note', 'still here']);
    expect((await notesOf(b)).map((n) => n.body)).toEqual(['First note']);

    // Ending one makes room for another.
    await b.transport.terminateSession();
    await waitFor(() => h.sessions.size === 1, 5000, 'the deleted session to leave the table');
    const c = await client(h);
    expect((await notesOf(c)).map((n) => n.id)).toEqual(['N1']);
  });

  it('never opens more than max sessions under concurrent initializes', async () => {
    const h = await host({ maxSessions: 3 });
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => post(h, initializeBody(i)).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 503)).toHaveLength(9);
    expect(h.sessions.size).toBe(3);
  });
});

describe('Streamable HTTP host: several domains and hooks', () => {
  it('serves each domain at its own path and keeps session ids to their domain', async () => {
    const h = await host({ domains: [domain, twin] });
    const a = await client(h);
    const t = await connectHttp(h.url, 'twin');
    clients.push(t);
    expect(t.client.getServerVersion()?.name).toBe('envscale-twin');
    await t.client.callTool({ name: 'delete_note', arguments: { note_id: 'N1' } });
    expect(await notesOf(t)).toEqual([]);
    expect((await notesOf(a)).map((n) => n.id)).toEqual(['N1']);

    // A tiny session id sent to twin's path is not found there.
    const cross = await post(h, toolsList(), { 'mcp-session-id': a.transport.sessionId!, 'mcp-protocol-version': PROTOCOL_VERSION }, '/mcp/twin');
    expect(cross.status).toBe(404);
    expect(cross.json.error.code).toBe(-32001);

    const unknown = await post(h, initializeBody(), {}, '/mcp/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toBe('No domain nope here; this server has tiny, twin.');
    const health = await fetch(`${h.url}/healthz`);
    expect(await health.json()).toEqual({ ok: true, domains: ['tiny', 'twin'], sessions: 2 });
  });

  it('reports tool calls with their session, and why each session ended', async () => {
    const calls: Array<[string, string, string | undefined]> = [];
    const ended: Array<[string, EndReason]> = [];
    const h = await host({
      idleTimeoutMs: 200,
      onToolCall: (s, e) => calls.push([s.id, e.tool, e.stateHash]),
      onSessionEnd: (s, reason) => ended.push([s.id, reason]),
    });
    const deleted = await client(h);
    const deletedId = deleted.transport.sessionId!;
    await deleted.client.callTool({ name: 'find_author', arguments: { email: 'ada@example.org' } });
    await deleted.client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'x' } });
    expect(calls).toEqual([
      [deletedId, 'find_author', undefined],
      [deletedId, 'add_note', expect.stringMatching(/^[0-9a-f]+$/)],
    ]);
    await deleted.transport.terminateSession();
    await waitFor(() => ended.length === 1, 5000, 'the DELETE to end the session');
    expect(ended).toEqual([[deletedId, 'deleted']]);

    const idleId = await rawSession(h);
    await waitFor(() => ended.length === 2, 5000, 'the idle sweep');
    expect(ended[1]).toEqual([idleId, 'idle']);

    const open = await client(h);
    const openId = open.transport.sessionId!;
    await h.close();
    hosts = hosts.filter((x) => x !== h);
    expect(ended[2]).toEqual([openId, 'shutdown']);
    expect(h.sessions.size).toBe(0);
  });
});

describe('Streamable HTTP host: bad requests', () => {
  const TOKEN = 's3cret-token';
  let h: HttpHost;
  let good: HttpClient;

  beforeAll(async () => {
    h = await startHttpHost({ domains: [domain], port: 0, token: TOKEN, maxBodyBytes: 1024 });
    good = await connectHttp(h.url, 'tiny', { token: TOKEN });
    await good.client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'good session' } });
  });
  afterAll(async () => {
    await good.close();
    await h.close();
  });

  const auth = { authorization: `Bearer ${TOKEN}` };
  /** The good session still answers, with its own state. */
  async function stillServes(): Promise<void> {
    expect((await notesOf(good)).map((n) => n.body)).toEqual(['First note', 'good session']);
  }

  it('answers malformed JSON with 400 and a JSON-RPC parse error', async () => {
    const res = await post(h, '{"jsonrpc": "2.0", "id": 1, "method": ', auth);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    await stillServes();
  });

  it('answers an unknown session id with 404 and -32001', async () => {
    const res = await post(h, toolsList(), { ...auth, 'mcp-session-id': '00000000-0000-4000-8000-000000000000', 'mcp-protocol-version': PROTOCOL_VERSION });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe(-32001);
    const get = await fetch(`${h.url}/mcp/tiny`, { headers: { ...auth, accept: 'text/event-stream', 'mcp-session-id': 'nope' } });
    expect(get.status).toBe(404);
    await get.body?.cancel();
    await stillServes();
  });

  it('answers a request without a session id that is not initialize with 400', async () => {
    const res = await post(h, toolsList(), auth);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/initialize/);
    await stillServes();
  });

  it('answers an oversize body with 413', async () => {
    const declared = await post(h, { ...initializeBody(), pad: 'x'.repeat(4096) }, auth);
    expect(declared.status).toBe(413);
    expect(declared.json.error.message).toMatch(/over the limit of 1024 bytes/);

    // Without Content-Length (chunked), the limit holds while reading.
    const chunked = await fetch(`${h.url}/mcp/tiny`, {
      method: 'POST',
      headers: { ...MCP_POST_HEADERS, ...auth },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(512)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { message: string } }).error.message).toMatch(/over the limit of 1024 bytes/);
    await stillServes();
  });

  it('answers a missing or wrong token with 401, and serves a good one', async () => {
    const none = await post(h, initializeBody());
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.json.error.message).toMatch(/bearer token/);

    const wrong = await post(h, initializeBody(), { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    const wrongLength = await post(h, initializeBody(), { authorization: `Bearer ${TOKEN}x` });
    expect(wrongLength.status).toBe(401);
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(401);
    await health.body?.cancel();

    const sdkWithout = await connectHttp(h.url, 'tiny').catch((e: unknown) => e);
    expect(sdkWithout).toBeInstanceOf(SdkHttpError);
    expect((sdkWithout as SdkHttpError).status).toBe(401);
    expect((sdkWithout as Error).message).toMatch(/Missing or wrong bearer token/);

    const fresh = await connectHttp(h.url, 'tiny', { token: TOKEN });
    try {
      expect((await notesOf(fresh)).map((n) => n.id)).toEqual(['N1']);
    } finally {
      await fresh.transport.terminateSession();
      await fresh.close();
    }
    await stillServes();
  });

  it('answers a foreign Host header with 403 (DNS rebinding)', async () => {
    const url = `${h.url}/mcp/tiny`;
    const evil = await rawRequest(url, { method: 'POST', headers: { ...MCP_POST_HEADERS, ...auth, host: `evil.example:${h.port}` }, body: JSON.stringify(initializeBody()) });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error.message).toMatch(/Host "evil.example:\d+" is not allowed/);

    // A name that merely starts like a loopback one is foreign too.
    const tricky = await rawRequest(url, { method: 'POST', headers: { ...MCP_POST_HEADERS, ...auth, host: 'localhost.evil.example' }, body: JSON.stringify(initializeBody()) });
    expect(tricky.status).toBe(403);

    const local = await rawRequest(`${h.url}/healthz`, { headers: { ...auth, host: `localhost:${h.port}` } });
    expect(local.status).toBe(200);
    await stillServes();
  });

  it('answers a foreign Origin with 403 and accepts a loopback one', async () => {
    const url = `${h.url}/mcp/tiny`;
    const evil = await rawRequest(url, { method: 'POST', headers: { ...MCP_POST_HEADERS, ...auth, origin: 'https://evil.example' }, body: JSON.stringify(initializeBody()) });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error.message).toMatch(/Origin "https:\/\/evil.example" is not allowed/);

    const garbage = await rawRequest(url, { method: 'POST', headers: { ...MCP_POST_HEADERS, ...auth, origin: 'null' }, body: JSON.stringify(initializeBody()) });
    expect(garbage.status).toBe(403);

    const local = await rawRequest(`${h.url}/healthz`, { headers: { ...auth, origin: 'http://localhost:5173' } });
    expect(local.status).toBe(200);
    await stillServes();
  });

  it('answers an unknown domain or path with 404 naming the domains served', async () => {
    const res = await post(h, initializeBody(), auth, '/mcp/nope');
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe('No domain nope here; this server has tiny.');

    const other = await fetch(`${h.url}/elsewhere`, { headers: auth });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { message: string } }).error.message).toContain('/mcp/tiny');
    await stillServes();
  });

  it('answers other methods with 405', async () => {
    const res = await fetch(`${h.url}/mcp/tiny`, { method: 'PUT', headers: auth, body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST, DELETE');
    await res.body?.cancel();
    await stillServes();
  });

  it('reports health with the domains and the number of sessions', async () => {
    const res = await fetch(`${h.url}/healthz`, { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, domains: ['tiny'], sessions: h.sessions.size });
    expect(h.sessions.size).toBeGreaterThanOrEqual(1);
  });
});
