import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Domain } from '../env/domain.js';
import type { Session } from '../env/session.js';
import { UserError } from '../util/errors.js';
import { listen } from '../util/listen.js';
import { isLoopbackHost } from '../util/loopback.js';
import { Episode, type ToolCallEvent } from '../episode/episode.js';
import type { OpenRequest } from '../episode/opener.js';
import { DomainProcesses, OpenRefused, type IsolateOptions, type RemoteSession } from './domain-process.js';
import { checkHostAndOrigin, checkToken, decodeSegment, HttpFailure, readJsonBody, requestTarget, sendFailure } from './http-checks.js';
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
  /** A client must send its request headers within this time (HTTP 408 after). */
  headersTimeoutMs?: number;
  /** ...and its whole request, body included, within this time (HTTP 408 after). */
  requestTimeoutMs?: number;
  onToolCall?: (session: HttpSession, event: ToolCallEvent) => void;
  onSessionEnd?: (session: HttpSession, reason: EndReason) => void;
  /**
   * Open the episode of a new session, from the query of its URL (e.g. /mcp/<domain>?task=<id>&user=<spec>):
   * its state, task, simulated user and recording. A UserError refuses the session with 400.
   * Without it every session is a plain, unrecorded episode on the seed state.
   */
  openEpisode?: (domain: Domain, request: OpenRequest) => Promise<Episode>;
  /**
   * Run each domain's sessions in a process of its own (what `envscale serve --http` does): a
   * call that keeps it busy past `callTimeoutMs` ends that process and its sessions only, and no
   * domain's SQL can stop the host from answering. Episodes are opened from `opener` (plain data)
   * in the domain's process; `openEpisode` cannot be used with it.
   */
  isolate?: IsolateOptions;
  /**
   * Other apps served under a path prefix (the viewer at /ui). Host and Origin are checked first;
   * the token is theirs to check, since a browser cannot send a bearer header when it navigates.
   */
  mounts?: Array<{ prefix: string; handler: (req: IncomingMessage, res: ServerResponse) => unknown }>;
}

/** Where a session's MCP server and episode live: in this process or in its domain's process. */
interface Backend {
  /** The episode and its state, when they are in this process. */
  episode?: Episode;
  state?: Session;
  /** Wire the transport to the session's server, messages both ways. */
  connect(transport: StreamableHTTPServerTransport): Promise<void>;
  /** End the episode (scoring it), then free the state; safe to call more than once. */
  release(): void;
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
  const loopbackBind = isLoopbackHost(host);
  if (!loopbackBind && !options.token) {
    throw new UserError(`Serving on ${host} reaches beyond this machine, where anyone who can reach the port could use it; add a token (--token <secret> or ENVSCALE_TOKEN), or bind to 127.0.0.1.`);
  }
  const maxBody = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const byName = new Map(options.domains.map((d) => [d.name, d]));
  if (options.isolate && options.openEpisode) throw new Error('openEpisode runs in this process; with isolate, give isolate.opener instead');
  const processes = options.isolate ? new DomainProcesses(options.isolate, options.onToolCall !== undefined) : undefined;
  const sessions = new SessionTable(options.maxSessions ?? DEFAULTS.maxSessions, options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs, options.onSessionEnd);

  /** The session's server and episode in this process, opened by options.openEpisode. */
  async function localBackend(domain: Domain, query: URLSearchParams, onToolCall: (event: ToolCallEvent) => void): Promise<Backend> {
    const request: OpenRequest = { task: query.get('task') ?? undefined, user: query.get('user') ?? undefined, onToolCall };
    let episode: Episode;
    try {
      episode = await (options.openEpisode ? options.openEpisode(domain, request) : Episode.open({ domain, onToolCall }));
    } catch (err) {
      if (err instanceof UserError) throw new HttpFailure(400, err.message);
      throw err;
    }
    const server = createDomainServer(episode);
    return { episode, state: episode.state, connect: (transport) => server.connect(transport), release: () => episode.close() };
  }

  /** The session's server and state in its domain's process; `lost` when that process is stopped. */
  async function remoteBackend(domain: Domain, query: URLSearchParams, report: (event: ToolCallEvent) => void, lost: () => void): Promise<Backend> {
    let remote: RemoteSession;
    try {
      remote = await processes!.open(domain, query);
    } catch (err) {
      if (err instanceof OpenRefused) throw new HttpFailure(err.userError ? 400 : 503, err.message);
      throw err;
    }
    remote.onToolCall = report;
    return {
      connect: async (transport) => {
        transport.onmessage = (message) => remote.send(message);
        remote.onmessage = (message, relatedRequestId) => void transport.send(message, relatedRequestId === undefined ? undefined : { relatedRequestId }).catch(() => undefined);
        remote.onlost = lost;
        await transport.start();
      },
      release: () => remote.close(),
    };
  }

  async function openSession(domain: Domain, req: IncomingMessage, res: ServerResponse, body: unknown, query: URLSearchParams): Promise<void> {
    if (sessions.full) {
      throw new HttpFailure(503, `Too many sessions: this server holds at most ${sessions.maxSessions}; end idle sessions (HTTP DELETE) or restart it with a larger --max-sessions.`);
    }
    let entry: HttpSession | undefined;
    const report = (event: ToolCallEvent) => entry && options.onToolCall?.(entry, event);
    const backend = processes
      ? await remoteBackend(domain, query, report, () => (entry ? sessions.end(entry.id, 'stopped') : void transport.close()))
      : await localBackend(domain, query, report);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // Responses go as event streams, not JSON bodies: in JSON response mode SDK 1.32 keeps every
      // request of a session (parsed body and response) until the session ends
      // (modelcontextprotocol/typescript-sdk#2559), so one client could exhaust the memory.
      onsessioninitialized: (id) => {
        entry = { id, domain, transport, episode: backend.episode, state: backend.state, lastSeen: Date.now(), active: 0, release: backend.release };
        sessions.add(entry);
      },
      onsessionclosed: (id) => sessions.end(id, 'deleted'),
    });
    // A session that never got an id is released here; a listed one by the session table.
    transport.onclose = () => (entry ? sessions.end(entry.id, 'closed') : backend.release());
    await backend.connect(transport);
    await transport.handleRequest(req, res, body);
    // An initialize that failed leaves no session behind.
    if (!entry) {
      backend.release();
      await transport.close();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (loopbackBind) checkHostAndOrigin(req);
    const url = requestTarget(req);
    const mount = options.mounts?.find((m) => url.path === m.prefix || url.path.startsWith(`${m.prefix}/`));
    if (mount) return void (await mount.handler(req, res));
    if (options.token) checkToken(req, options.token);
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
      }).then(() => processes?.stopAll()),
  };
}
