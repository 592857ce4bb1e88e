import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { initializeBody, MCP_POST_HEADERS, TINY_DIR } from '../helpers/mcp.js';
import { openSocket, RawSession, resultText, send, startServe, whenClosed, type ServeProcess } from '../helpers/serve-process.js';

/**
 * Probes of `envscale serve --http` from outside, as a hostile web page, a careless client or a
 * stranger on the network would send them. Every server here is started by the test, on loopback.
 */

const init = JSON.stringify(initializeBody());
const JSON_HEADERS = { 'content-type': 'application/json' };

/** Every route of the server beyond /mcp/<domain>, as one request each, on an episode opened for the purpose. */
async function otherRoutes(url: string, headers: Record<string, string> = {}): Promise<Array<{ name: string; path: string; method: string; body?: string; headers: Record<string, string> }>> {
  const created = await send(`${url}/v1/episodes`, { headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify({ domain: 'tiny' }) });
  const id = JSON.parse(created.body).episode_id as string;
  const step = JSON.stringify({ action: { type: 'call_tool', tool_name: 'find_author', arguments: { email: 'ada@example.org' } } });
  return [
    { name: 'health', path: '/healthz', method: 'GET', headers: {} },
    { name: 'create an episode', path: '/v1/episodes', method: 'POST', body: JSON.stringify({ domain: 'tiny' }), headers: JSON_HEADERS },
    { name: "an episode's state", path: `/v1/episodes/${id}`, method: 'GET', headers: {} },
    { name: 'a step', path: `/v1/episodes/${id}/step`, method: 'POST', body: step, headers: JSON_HEADERS },
    { name: "MCP on an episode's URL", path: `/mcp/tiny/episodes/${id}`, method: 'POST', body: init, headers: MCP_POST_HEADERS },
    { name: 'OpenEnv health', path: '/openenv/tiny/health', method: 'GET', headers: {} },
    { name: 'OpenEnv reset', path: '/openenv/tiny/reset', method: 'POST', body: '{}', headers: JSON_HEADERS },
    { name: 'OpenEnv step', path: '/openenv/tiny/step', method: 'POST', body: JSON.stringify({ episode_id: id, action: { type: 'call_tool', tool_name: 'find_author', arguments: { email: 'ada@example.org' } } }), headers: JSON_HEADERS },
  ];
}

/** The HTTP status a WebSocket upgrade gets (101 when it is accepted). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', (err) => reject(err));
  });
}

describe('DNS rebinding: Host and Origin on a loopback bind', () => {
  let server: ServeProcess;
  beforeAll(async () => {
    server = await startServe([TINY_DIR]);
  }, 120_000);
  afterAll(() => server?.stop(), 30_000);

  const port = () => server.port;
  const hosts = {
    loopback: () => [`127.0.0.1:${port()}`, `localhost:${port()}`, `LOCALHOST:${port()}`, `127.9.8.7:${port()}`, `[::1]:${port()}`, `127.1:${port()}`],
    foreign: () => [`evil.example:${port()}`, `192.168.1.20:${port()}`, `[fe80::1]:${port()}`],
    lookalike: () => ['127.attacker.example', `127.attacker.example:${port()}`, `localhost.attacker.example:${port()}`, `127.0.0.1.nip.io:${port()}`, `localhost@evil.example:${port()}`],
  };
  const origins = {
    absent: [undefined],
    loopback: ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080', 'https://127.0.0.2'],
    foreign: ['https://evil.example', 'null', 'file://', 'http://10.0.0.1'],
    lookalike: ['http://127.attacker.example', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example:80', 'http://localhost@evil.example'],
  };

  for (const [hostKind, hostList] of Object.entries(hosts)) {
    for (const [originKind, originList] of Object.entries(origins)) {
      const served = hostKind === 'loopback' && (originKind === 'absent' || originKind === 'loopback');
      it(`${served ? 'serves' : 'refuses'} Host ${hostKind} with Origin ${originKind}`, async () => {
        for (const host of hostList()) {
          for (const origin of originList) {
            const headers: Record<string, string> = { ...MCP_POST_HEADERS, host };
            if (origin !== undefined) headers.origin = origin;
            const reply = await send(`${server.url}/mcp/tiny`, { headers, body: init });
            // A Host that is no host name (user@host) is refused by the HTTP adapter before any route.
            const refusal = host.includes('@') ? 400 : 403;
            expect({ host, origin, status: reply.status }).toEqual({ host, origin, status: served ? 200 : refusal });
            if (served) await send(`${server.url}/mcp/tiny`, { method: 'DELETE', headers: { host, 'mcp-session-id': String(reply.headers['mcp-session-id']) } });
            else if (refusal === 403) expect(reply.messages[0].error.message).toMatch(/is not allowed/);
          }
        }
      });
    }
  }

  it('guards every route alike: the episodes API, MCP on an episode, OpenEnv over HTTP and its WebSocket', async () => {
    const wsUrl = `${server.url.replace('http:', 'ws:')}/openenv/tiny/ws`;
    for (const route of await otherRoutes(server.url)) {
      const request = (extra: Record<string, string>) => send(`${server.url}${route.path}`, { method: route.method, headers: { ...route.headers, ...extra }, body: route.body });
      expect({ route: route.name, status: (await request({})).status }).toEqual({ route: route.name, status: route.name.startsWith('create') ? 201 : 200 });
      const refused: Array<Record<string, string>> = [{ host: `127.attacker.example:${server.port}` }, { origin: 'https://evil.example' }, { origin: 'http://localhost.evil.example' }];
      for (const extra of refused) {
        const reply = await request(extra);
        expect({ route: route.name, extra, status: reply.status }).toEqual({ route: route.name, extra, status: 403 });
        expect(reply.body).toMatch(/is not allowed/);
      }
    }
    // Browsers open WebSockets to any site (no CORS): the Origin check is what stops a page elsewhere.
    expect(await upgradeStatus(wsUrl, {})).toBe(101);
    expect(await upgradeStatus(wsUrl, { origin: 'http://localhost:5173' })).toBe(101);
    expect(await upgradeStatus(wsUrl, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(wsUrl, { origin: 'http://127.attacker.example' })).toBe(403);
    expect(await upgradeStatus(wsUrl, { host: `127.attacker.example:${server.port}` })).toBe(403);
  });

  it('refuses a write on an open session when it comes with a lookalike Host, and the state is unchanged', async () => {
    const session = await RawSession.open(`${server.url}/mcp/tiny`);
    const evil = await session.post(
      { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'delete_note', arguments: { note_id: 'N1' } } },
      { host: `127.attacker.example:${server.port}`, origin: 'http://127.attacker.example' },
    );
    expect(evil.status).toBe(403);
    expect(JSON.parse(resultText(await session.call('list_notes', { author_id: 'A1' })))).toHaveLength(1);
    await session.close();
  });
});

describe('default time limits', () => {
  it('drops a client that sends its headers too slowly within seconds, not minutes', async () => {
    const server = await startServe([TINY_DIR]);
    try {
      const socket = await openSocket(server.port);
      const closed = whenClosed(socket);
      socket.write('POST /mcp/tiny HTTP/1.1\r\n');
      const timer = setInterval(() => !socket.destroyed && socket.write('X-Slow: 1\r\n'), 500);
      const { ms, data } = await closed;
      clearInterval(timer);
      expect(data).toMatch(/^HTTP\/1\.1 408/);
      // The documented default is 10 s; Node's own is 60 s for headers and 300 s for a request.
      expect(ms).toBeLessThan(30_000);
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe('bearer tokens', () => {
  const TOKEN = 'probe-token-0123456789';
  let server: ServeProcess;
  beforeAll(async () => {
    server = await startServe([TINY_DIR, '--token', TOKEN]);
  }, 120_000);
  afterAll(() => server?.stop(), 30_000);

  const status = async (authorization: string | undefined, path = '/mcp/tiny') => {
    const headers: Record<string, string> = { ...MCP_POST_HEADERS };
    if (authorization !== undefined) headers.authorization = authorization;
    return (await send(`${server.url}${path}`, { headers, body: init })).status;
  };

  it('serves the right token, with the scheme in any case', async () => {
    expect(await status(`Bearer ${TOKEN}`)).toBe(200);
    expect(await status(`bearer ${TOKEN}`)).toBe(200);
    expect(await status(`BEARER ${TOKEN}`)).toBe(200);
  });

  it('answers every other Authorization header with 401, never 500', async () => {
    const wrong = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Bearer ${TOKEN} ${TOKEN}`,
      `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`,
      TOKEN,
      `Token ${TOKEN}`,
      // Same length in characters, more bytes in UTF-8 (latin1 on the wire).
      `Bearer ${'é'.repeat(TOKEN.length)}`,
      `Bearer ${'\u00ff'.repeat(TOKEN.length + 3)}`,
    ];
    for (const header of wrong) expect({ header, status: await status(header) }).toEqual({ header, status: 401 });
    expect(await status(undefined, `/mcp/tiny?token=${TOKEN}`)).toBe(401);
    expect(await status(undefined, `/mcp/tiny?access_token=${TOKEN}`)).toBe(401);
    expect((await send(`${server.url}/healthz`, { method: 'GET' })).status).toBe(401);
  });

  it('asks for the token on every route: the episodes API, MCP on an episode, OpenEnv over HTTP and its WebSocket', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const route of await otherRoutes(server.url, auth)) {
      const request = (extra: Record<string, string>) => send(`${server.url}${route.path}`, { method: route.method, headers: { ...route.headers, ...extra }, body: route.body });
      expect({ route: route.name, status: (await request(auth)).status }).toEqual({ route: route.name, status: route.name.startsWith('create') ? 201 : 200 });
      const wrong: Array<Record<string, string>> = [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }];
      for (const extra of wrong) {
        expect({ route: route.name, extra, status: (await request(extra)).status }).toEqual({ route: route.name, extra, status: 401 });
      }
    }
    const wsUrl = `${server.url.replace('http:', 'ws:')}/openenv/tiny/ws`;
    expect(await upgradeStatus(wsUrl, auth)).toBe(101);
    expect(await upgradeStatus(wsUrl, {})).toBe(401);
    expect(await upgradeStatus(`${wsUrl}?token=${TOKEN}`, {})).toBe(401);
  });
});

describe('binding beyond loopback', () => {
  it('refuses --host 0.0.0.0 without a token, with a sentence that names the fix', async () => {
    const err = await startServe([TINY_DIR, '--host', '0.0.0.0']).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/exited with 1 before serving/);
    expect((err as Error).message).toMatch(/Serving on 0\.0\.0\.0 reaches beyond this machine.*add a token/);
  }, 120_000);

  it('serves any Host on 0.0.0.0 with a token (the token is the protection there)', async () => {
    const server = await startServe([TINY_DIR, '--host', '0.0.0.0', '--token', 'tok']);
    try {
      const url = `http://127.0.0.1:${server.port}/mcp/tiny`;
      expect((await send(url, { headers: { ...MCP_POST_HEADERS, host: 'envscale.lan' }, body: init })).status).toBe(401);
      expect((await send(url, { headers: { ...MCP_POST_HEADERS, host: 'envscale.lan', authorization: 'Bearer tok' }, body: init })).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe('request targets and bodies', () => {
  let server: ServeProcess;
  beforeAll(async () => {
    server = await startServe([TINY_DIR, '--max-body', '2048']);
  }, 120_000);
  afterAll(() => server?.stop(), 30_000);

  it('answers a malformed percent-encoded path with 400', async () => {
    for (const path of ['/mcp/%E0%A4%A', '/mcp/%ZZ', '/mcp/tiny%']) {
      for (const method of ['POST', 'GET', 'DELETE']) {
        const reply = await send(`${server.url}${path}`, { method, headers: MCP_POST_HEADERS, body: method === 'POST' ? init : undefined });
        expect({ path, method, status: reply.status }).toEqual({ path, method, status: 400 });
        expect(reply.messages[0].error.message).toMatch(/percent-encoding/);
      }
    }
    for (const path of ['/v1/episodes/%E0%A4%A', '/v1/episodes/%ZZ/step', '/openenv/%E0%A4%A/health', '/openenv/tiny/%ZZ', '/mcp/tiny/episodes/%E0%A4%A', '/ui/%ZZ', '/%']) {
      const reply = await send(`${server.url}${path}`, { method: 'GET' });
      expect({ path, status: reply.status }).toEqual({ path, status: 400 });
      expect(reply.body).toMatch(/percent-encoding/);
    }
    // A well-formed encoding of the domain's name is still the domain.
    expect((await send(`${server.url}/mcp/%74iny`, { headers: MCP_POST_HEADERS, body: init })).status).toBe(200);
  });

  it('answers bodies over --max-body with 413, declared or streamed, and serves one at the limit', async () => {
    /** An initialize request of exactly n bytes (the client's name padded). */
    const padded = (n: number) => {
      const body = (name: string) => {
        const b = initializeBody() as { params: { clientInfo: { name: string } } };
        b.params.clientInfo.name = name;
        return JSON.stringify(b);
      };
      return body('x'.repeat(n - Buffer.byteLength(body(''))));
    };
    expect((await send(`${server.url}/mcp/tiny`, { headers: MCP_POST_HEADERS, body: padded(2048) })).status).toBe(200);
    expect((await send(`${server.url}/mcp/tiny`, { headers: MCP_POST_HEADERS, body: padded(2049) })).status).toBe(413);
    const chunked = await send(`${server.url}/mcp/tiny`, { headers: { ...MCP_POST_HEADERS, 'transfer-encoding': 'chunked' }, body: padded(5000) });
    expect(chunked.status).toBe(413);
    expect(chunked.messages[0].error.message).toMatch(/over the limit of 2048 bytes/);
  });

  it('answers bodies that are not JSON or not JSON-RPC with 4xx and keeps serving', async () => {
    for (const body of ['{', '\u0000\u0001', '[]', '{"jsonrpc":"2.0"}', 'null', '"text"', '[1,2,3]']) {
      const reply = await send(`${server.url}/mcp/tiny`, { headers: MCP_POST_HEADERS, body });
      expect({ body, status: reply.status >= 400 && reply.status < 500 }).toEqual({ body, status: true });
    }
    const session = await RawSession.open(`${server.url}/mcp/tiny`);
    expect(resultText(await session.call('find_author', { email: 'ada@example.org' }))).toBe('A1');
  });
});

describe('slow and idle clients', () => {
  let server: ServeProcess;
  beforeAll(async () => {
    server = await startServe([TINY_DIR, '--headers-timeout', '1', '--request-timeout', '2']);
  }, 120_000);
  afterAll(() => server?.stop(), 30_000);

  const drip = async (port: number, text: string, everyMs: number) => {
    const socket = await openSocket(port);
    const closed = whenClosed(socket);
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || i >= text.length) return clearInterval(timer);
      socket.write(text[i++]);
    }, everyMs);
    const result = await closed;
    clearInterval(timer);
    return result;
  };

  it('closes a connection that sends nothing', async () => {
    const socket = await openSocket(server.port);
    const { ms } = await whenClosed(socket);
    // Node's default would wait 300 s (requests) or forever (an idle socket before its first byte).
    expect(ms).toBeLessThan(10_000);
  });

  it('answers headers sent too slowly with 408 and closes the connection', async () => {
    const head = `POST /mcp/tiny HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nX-Pad: ${'a'.repeat(200)}\r\n\r\n`;
    const { ms, data } = await drip(server.port, head, 20);
    expect(data).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(10_000);
  });

  it('cuts off a body sent too slowly, and answers other clients meanwhile', async () => {
    const body = init;
    const head = `POST /mcp/tiny HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\n\r\n`;
    const socket = await openSocket(server.port);
    const closed = whenClosed(socket);
    socket.write(head);
    let i = 0;
    const timer = setInterval(() => !socket.destroyed && i < body.length && socket.write(body[i++]), 100);
    const other = await RawSession.open(`${server.url}/mcp/tiny`);
    expect(resultText(await other.call('find_author', { email: 'ada@example.org' }))).toBe('A1');
    const { ms } = await closed;
    clearInterval(timer);
    expect(i).toBeLessThan(body.length);
    expect(ms).toBeLessThan(10_000);
  });

  it('keeps answering while hundreds of connections sit idle, and drops them all', async () => {
    const sockets = await Promise.all(Array.from({ length: 200 }, () => openSocket(server.port)));
    const closed = Promise.all(sockets.map((s) => whenClosed(s)));
    const health = await send(`${server.url}/healthz`, { method: 'GET' });
    expect(health.status).toBe(200);
    const times = await closed;
    expect(Math.max(...times.map((t) => t.ms))).toBeLessThan(15_000);
  });
});
