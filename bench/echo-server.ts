import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { createMcpHandler, isInitializeRequest, isLegacyRequest, Server, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';

/** The transport floor: a bare SDK server whose only tool echoes its input. */
export function echoServer(): Server {
  const server = new Server({ name: 'echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => ({
    tools: [{ name: 'echo', description: 'Echo the input.', inputSchema: { type: 'object' } }],
  }));
  server.setRequestHandler('tools/call', (req) => ({ content: [{ type: 'text', text: JSON.stringify(req.params.arguments ?? {}) }] }));
  return server;
}

export interface Floor {
  url: string;
  close: () => Promise<void>;
}

/**
 * The echo server over Streamable HTTP with the SDK and the same framework as envscale's host
 * (Hono on node:http): 2025-era sessions with JSON responses, and 2026-07-28 requests served per
 * request by the SDK's handler. What remains is the floor any MCP server on this stack pays.
 */
export async function startEchoHttp(): Promise<Floor> {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const modern = createMcpHandler(() => echoServer(), { legacy: 'reject' });
  const app = new Hono();
  app.all('/mcp', async (c) => {
    const body = c.req.method === 'POST' ? await c.req.json() : undefined;
    if (!(await isLegacyRequest(c.req.raw, body))) return modern.fetch(c.req.raw, { parsedBody: body });
    const id = c.req.header('mcp-session-id');
    let transport = id ? transports.get(id) : undefined;
    if (!transport && isInitializeRequest(body)) {
      const t = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (sid) => void transports.set(sid, t),
      });
      await echoServer().connect(t);
      transport = t;
    }
    if (!transport) return c.body(null, 404);
    return transport.handleRequest(c.req.raw, { parsedBody: body });
  });
  const http = createAdaptorServer({ fetch: app.fetch }) as ReturnType<typeof createServer>;
  return listen(http, '/mcp', async () => {
    for (const t of transports.values()) await t.close();
    await modern.close();
  });
}

/** The HTTP floor: node:http answering each JSON POST with a small JSON body, nothing else. */
export async function startJsonEcho(): Promise<Floor> {
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      const out = JSON.stringify({ observation: { echo: body }, reward: null, done: false });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  return listen(http, '', async () => undefined);
}

async function listen(http: ReturnType<typeof createServer>, path: string, before: () => Promise<void>): Promise<Floor> {
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}${path}`,
    close: async () => {
      await before();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
