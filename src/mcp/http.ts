import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Domain } from '../env/domain.js';
import { UserError } from '../util/errors.js';
import { checkHostAndOrigin, checkToken, decodeSegment, HttpFailure, isLoopbackBind, readJsonBody, requestTarget, sendFailure } from './http-checks.js';
import { createDomainServer, type SessionBinding, type ToolCallEvent } from './server.js';
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
  /** A client must send its request headers within this time (HTTP 408 after). */
  headersTimeoutMs?: number;
  /** ...and its whole request, body included, within this time (HTTP 408 after). */
  requestTimeoutMs?: number;
  onToolCall?: (session: HttpSession, event: ToolCallEvent) => void;
  onSessionEnd?: (session: HttpSession, reason: EndReason) => void;
  /**
   * Attach a state, extra tools and recording hooks to a new session, from the query of its
   * URL (e.g. /mcp/<domain>?task=<id>&user=<spec>). A UserError refuses the session with 400.
   */
  bindSession?: (domain: Domain, query: URLSearchParams) => Promise<SessionBinding | undefined>;
}

export interface HttpHost {
  /** Base URL, e.g. http://127.0.0.1:8808; each domain is at `${url}/mcp/<domain>`. */
  url: string;
  port: number;
  sessions: SessionTable;
  close(): Promise<void>;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8808,
  idleTimeoutMs: 5 * 60_000,
  maxSessions: 1000,
  maxBodyBytes: 4 * 1024 * 1024,
  // MCP requests are small JSON bodies sent at once: seconds, not Node's default 300 s, so slow
  // or stalled clients cannot hold connections open. Responses (event streams) are not limited.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/**
 * Serve domains over Streamable HTTP, each at /mcp/<domain>. Every MCP session gets its own state;
 * sessions end on DELETE, transport close or idle timeout.
 */
export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const host = options.host ?? DEFAULTS.host;
  const loopbackBind = isLoopbackBind(host);
  if (!loopbackBind && !options.token) {
    throw new UserError(`Serving on ${host} reaches beyond this machine, where anyone who can reach the port could use it; add a token (--token <secret> or ENVSCALE_TOKEN), or bind to 127.0.0.1.`);
  }
  const maxBody = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const byName = new Map(options.domains.map((d) => [d.name, d]));
  const bindings = new Map<string, SessionBinding>();
  const sessions = new SessionTable(options.maxSessions ?? DEFAULTS.maxSessions, options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs, (s, reason) => {
    bindings.get(s.id)?.onEnd?.();
    bindings.delete(s.id);
    options.onSessionEnd?.(s, reason);
  });

  async function bind(domain: Domain, query: URLSearchParams): Promise<SessionBinding | undefined> {
    try {
      return await options.bindSession?.(domain, query);
    } catch (err) {
      if (err instanceof UserError) throw new HttpFailure(400, err.message);
      throw err;
    }
  }

  async function openSession(domain: Domain, req: IncomingMessage, res: ServerResponse, body: unknown, query: URLSearchParams): Promise<void> {
    if (sessions.full) {
      throw new HttpFailure(503, `Too many sessions: this server holds at most ${sessions.maxSessions}; end idle sessions (HTTP DELETE) or restart it with a larger --max-sessions.`);
    }
    const binding = await bind(domain, query);
    const state = binding?.session ?? domain.openSession();
    let entry: HttpSession | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // Responses go as event streams, not JSON bodies: in JSON response mode SDK 1.32 keeps every
      // request of a session (parsed body and response) until the session ends
      // (modelcontextprotocol/typescript-sdk#2559), so one client could exhaust the memory.
      onsessioninitialized: (id) => {
        entry = { id, domain, transport, server, state, lastSeen: Date.now(), active: 0 };
        if (binding) bindings.set(id, binding);
        sessions.add(entry);
      },
      onsessionclosed: (id) => sessions.end(id, 'deleted'),
    });
    const server = createDomainServer(domain, {
      session: state,
      extension: binding?.extension,
      onToolCall: (event) => {
        binding?.onToolCall?.(event);
        if (entry) options.onToolCall?.(entry, event);
      },
    });
    /** A session that never got an id: end hook first (it reads the state), then free the state. */
    const endUnlisted = () => {
      try {
        binding?.onEnd?.();
      } finally {
        state.close();
      }
    };
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
    if (options.token) checkToken(req, options.token);
    const url = requestTarget(req);
    if (url.path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, domains: [...byName.keys()], sessions: sessions.size }));
      return;
    }
    const match = /^\/mcp\/([^/]+)\/?$/.exec(url.path);
    if (!match) throw new HttpFailure(404, `Nothing at ${url.path}; domains are served at ${[...byName.keys()].map((d) => `/mcp/${d}`).join(', ')}.`);
    const domain = byName.get(decodeSegment(match[1]));
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
    if (req.method === 'POST' && isInitializeRequest(body)) return openSession(domain, req, res, body, url.query);
    throw new HttpFailure(400, 'Bad request: no Mcp-Session-Id header; start a session with an initialize request first.');
  }

  const headersTimeout = options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs;
  const requestTimeout = Math.max(headersTimeout, options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs);
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout / 2) }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      sendFailure(res, err instanceof HttpFailure ? err : new HttpFailure(500, `Internal error: ${(err as Error).message}`, -32603));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new UserError(err.code === 'EADDRINUSE' ? `Port ${options.port} on ${host} is in use; pick another with --port.` : `Cannot listen on ${host}:${options.port}: ${err.message}.`)),
    );
    server.listen(options.port ?? DEFAULTS.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
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
