import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Domain } from '../env/domain.js';
import { UserError } from '../util/errors.js';
import { listen } from '../util/listen.js';
import { isLoopbackHost, loopbackProblem } from '../util/loopback.js';
import { Episode, type ToolCallEvent } from '../episode/episode.js';
import type { OpenRequest } from '../episode/opener.js';
import { createDomainServer } from './server.js';
import { SessionTable, type EndReason, type HttpSession } from './sessions.js';

export interface HttpHostOptions {
  domains: Domain[];
  /** Interface to bind; loopback unless asked otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  idleTimeoutMs?: number;
  maxSessions?: number;
  maxBodyBytes?: number;
  onToolCall?: (session: HttpSession, event: ToolCallEvent) => void;
  onSessionEnd?: (session: HttpSession, reason: EndReason) => void;
  /**
   * Open the episode of a new session, from the query of its URL (e.g. /mcp/<domain>?task=<id>&user=<spec>):
   * its state, task, simulated user and recording. A UserError refuses the session with 400.
   * Without it every session is a plain, unrecorded episode on the seed state.
   */
  openEpisode?: (domain: Domain, request: OpenRequest) => Promise<Episode>;
  /**
   * Other apps served under a path prefix (the viewer at /ui). Host and Origin are checked first;
   * the token is theirs to check, since a browser cannot send a bearer header when it navigates.
   */
  mounts?: Array<{ prefix: string; handler: (req: IncomingMessage, res: ServerResponse) => unknown }>;
}

export interface HttpHost {
  /** Base URL, e.g. http://127.0.0.1:8808; each domain is at `${url}/mcp/<domain>`. */
  url: string;
  port: number;
  sessions: SessionTable;
  close(): Promise<void>;
}

export const DEFAULTS = { host: '127.0.0.1', port: 8808, idleTimeoutMs: 5 * 60_000, maxSessions: 1000, maxBodyBytes: 4 * 1024 * 1024 };

/** An HTTP error with a JSON-RPC error body, the way MCP clients expect it. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = -32000,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function sendFailure(res: ServerResponse, f: HttpFailure): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: f.code, message: f.message }, id: null }));
}

/** Defence against DNS rebinding: on a loopback bind, only loopback Host and Origin are served. */
function checkHostAndOrigin(req: IncomingMessage): void {
  const problem = loopbackProblem(req.headers.host, req.headers.origin);
  if (problem) throw new HttpFailure(problem.status, problem.message);
}

function checkToken(req: IncomingMessage, token: string): void {
  const given = req.headers.authorization ?? '';
  const expected = `Bearer ${token}`;
  const ok = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
  if (!ok) throw new HttpFailure(401, 'Missing or wrong bearer token: send "Authorization: Bearer <token>" with the token the server was started with.', -32000, { 'www-authenticate': 'Bearer' });
}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpFailure(413, `Request body of ${declared} bytes is over the limit of ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpFailure(413, `Request body is over the limit of ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'Parse error: the request body is not valid JSON.', -32700);
  }
}

/**
 * Serve domains over Streamable HTTP, each at /mcp/<domain>. Every MCP session gets its own state;
 * sessions end on DELETE, transport close or idle timeout.
 */
export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const host = options.host ?? DEFAULTS.host;
  const maxBody = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const byName = new Map(options.domains.map((d) => [d.name, d]));
  const loopbackBind = isLoopbackHost(host);
  const sessions = new SessionTable(options.maxSessions ?? DEFAULTS.maxSessions, options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs, (s, reason) => options.onSessionEnd?.(s, reason));

  async function open(domain: Domain, query: URLSearchParams, onToolCall: (event: ToolCallEvent) => void): Promise<Episode> {
    const request: OpenRequest = { task: query.get('task') ?? undefined, user: query.get('user') ?? undefined, onToolCall };
    try {
      return await (options.openEpisode ? options.openEpisode(domain, request) : Episode.open({ domain, onToolCall }));
    } catch (err) {
      if (err instanceof UserError) throw new HttpFailure(400, err.message);
      throw err;
    }
  }

  async function openSession(domain: Domain, req: IncomingMessage, res: ServerResponse, body: unknown, query: URLSearchParams): Promise<void> {
    if (sessions.full) {
      throw new HttpFailure(503, `Too many sessions: this server holds at most ${sessions.maxSessions}; end idle sessions (HTTP DELETE) or restart it with a larger --max-sessions.`);
    }
    let entry: HttpSession | undefined;
    const episode = await open(domain, query, (event) => entry && options.onToolCall?.(entry, event));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        entry = { id, domain, transport, server, episode, state: episode.state, lastSeen: Date.now(), active: 0 };
        sessions.add(entry);
      },
      onsessionclosed: (id) => sessions.end(id, 'deleted'),
    });
    const server = createDomainServer(episode);
    /** A session that never got an id: its episode ends with it. */
    const endUnlisted = () => episode.close();
    transport.onclose = () => {
      if (entry) sessions.end(entry.id, 'closed');
      else endUnlisted();
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    // An initialize that failed leaves no session behind.
    if (!entry) {
      endUnlisted();
      await transport.close();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (loopbackBind) checkHostAndOrigin(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const mount = options.mounts?.find((m) => url.pathname === m.prefix || url.pathname.startsWith(`${m.prefix}/`));
    if (mount) return void (await mount.handler(req, res));
    if (options.token) checkToken(req, options.token);
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, domains: [...byName.keys()], sessions: sessions.size }));
      return;
    }
    const match = /^\/mcp\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) throw new HttpFailure(404, `Nothing at ${url.pathname}; domains are served at ${[...byName.keys()].map((d) => `/mcp/${d}`).join(', ')}.`);
    const domain = byName.get(decodeURIComponent(match[1]));
    if (!domain) throw new HttpFailure(404, `No domain ${match[1]} here; this server has ${[...byName.keys()].join(', ')}.`);
    if (req.method !== 'POST' && req.method !== 'GET' && req.method !== 'DELETE') {
      throw new HttpFailure(405, `Method ${req.method} is not allowed; use POST, GET or DELETE.`, -32000, { allow: 'GET, POST, DELETE' });
    }
    const body = req.method === 'POST' ? await readJsonBody(req, maxBody) : undefined;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const entry = sessions.get(sessionId);
      if (!entry || entry.domain !== domain) throw new HttpFailure(404, 'Session not found: it ended or expired; start a new one with initialize.', -32001);
      entry.lastSeen = Date.now();
      entry.active++;
      try {
        await entry.transport.handleRequest(req, res, body);
      } finally {
        entry.active--;
        entry.lastSeen = Date.now();
      }
      return;
    }
    if (req.method === 'POST' && isInitializeRequest(body)) return openSession(domain, req, res, body, url.searchParams);
    throw new HttpFailure(400, 'Bad request: no Mcp-Session-Id header; start a session with an initialize request first.');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      sendFailure(res, err instanceof HttpFailure ? err : new HttpFailure(500, `Internal error: ${(err as Error).message}`, -32603));
    });
  });
  const { port, url } = await listen(server, host, options.port ?? DEFAULTS.port);
  return {
    url,
    port,
    sessions,
    close: () =>
      new Promise<void>((resolve) => {
        sessions.endAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
