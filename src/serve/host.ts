import type { AddressInfo } from 'node:net';
import { createServer, type RequestListener, type Server as NodeServer, type ServerOptions } from 'node:http';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { WebSocketServer } from 'ws';
import type { ToolCallEvent } from '../episode/episode.js';
import { episodeOpener, type EpisodeOpener } from '../episode/opener.js';
import { UserError } from '../util/errors.js';
import { DomainCatalog, DomainUnavailable, type DomainRef } from './domains.js';
import { EpisodeHost } from './episode-host.js';
import { episodesApi } from './episodes-api.js';
import { failureResponse, HttpFailure } from './failure.js';
import { isLoopbackHost } from '../util/loopback.js';
import { checkHostAndOrigin, checkPath, checkToken } from './guard.js';
import type { HttpSession, McpRoutes } from './mcp-routes.js';
import { LocalSource, type EpisodeSource } from './source.js';
import { openEnvRoutes } from './openenv.js';
import { stepRoute } from './step-route.js';
import { LeaseTable, type EndReason } from './table.js';
import { WorkerSource, type WorkerOptions } from './workers.js';

export interface HttpHostOptions {
  /** Domains loaded already, or folders loaded on their first episode (and unloaded when idle). */
  domains: DomainRef[];
  /** Interface to bind; loopback unless asked otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** MCP sessions idle this long end. */
  idleTimeoutMs?: number;
  maxSessions?: number;
  maxBodyBytes?: number;
  /** Episodes idle this long expire. */
  episodeTtlMs?: number;
  maxEpisodes?: number;
  /** Domains loaded on demand are unloaded after this long without use (with `isolate`: their processes exit). */
  domainIdleMs?: number;
  /** A client must send its request headers within this time (HTTP 408 after). */
  headersTimeoutMs?: number;
  /** ...and its whole request, body included, within this time (HTTP 408 after). */
  requestTimeoutMs?: number;
  /**
   * Run each domain's episodes in a process of its own (what `envscale serve --http` does): a call
   * that keeps it busy past `callTimeoutMs` ends that process and that domain's episodes only,
   * and no domain's SQL can stop the server from answering. Episodes are then opened from
   * `isolate.opener` (plain data) in the domain's process; `openEpisode` cannot be used with it.
   */
  isolate?: WorkerOptions;
  /**
   * Opens every episode: of an MCP session on /mcp/<domain> (from its URL's query, e.g.
   * ?task=<id>&user=<spec>), of POST /v1/episodes and of OpenEnv's reset. A UserError refuses it
   * with 400. Default: unrecorded episodes, the scripted user for tasks.
   */
  openEpisode?: EpisodeOpener;
  onToolCall?: (session: HttpSession, event: ToolCallEvent) => void;
  onSessionEnd?: (session: HttpSession, reason: EndReason) => void;
  /**
   * Other apps served under a path prefix (the viewer at /ui). Host and Origin are checked first;
   * the token is theirs to check, since a browser cannot send a bearer header when it navigates.
   */
  mounts?: Array<{ prefix: string; app: Hono }>;
}

export interface HttpHost {
  /** Base URL, e.g. http://127.0.0.1:8808; each domain is at `${url}/mcp/<domain>`. */
  url: string;
  port: number;
  sessions: LeaseTable<HttpSession>;
  episodes: EpisodeHost;
  catalog: DomainCatalog;
  close(): Promise<void>;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8808,
  idleTimeoutMs: 5 * 60_000,
  maxSessions: 1000,
  maxBodyBytes: 4 * 1024 * 1024,
  episodeTtlMs: 15 * 60_000,
  maxEpisodes: 10_000,
  domainIdleMs: 10 * 60_000,
  // Requests are small JSON bodies sent at once: seconds, not Node's default 300 s, so slow or
  // stalled clients cannot hold connections open. Responses (event streams, WebSockets) are not limited.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/**
 * Serve domains over HTTP: MCP at /mcp/<domain> and at each episode's URL, the episodes API at
 * /v1/episodes, OpenEnv at /openenv/<domain>/..., on one Hono app. Every route passes the same
 * guards (loopback Host and Origin on a loopback bind, the bearer token, well-formed paths).
 */
export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const host = options.host ?? DEFAULTS.host;
  const loopback = isLoopbackHost(host);
  if (!loopback && !options.token) {
    throw new UserError(`Serving on ${host} reaches beyond this machine, where anyone who can reach the port could use it; add a token (--token <secret> or ENVSCALE_TOKEN), or bind to 127.0.0.1.`);
  }
  if (options.isolate && options.openEpisode) throw new Error('openEpisode runs in this process; with isolate, give isolate.opener instead');
  const maxBody = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const domainIdleMs = options.domainIdleMs ?? DEFAULTS.domainIdleMs;
  const catalog = new DomainCatalog(options.domains, domainIdleMs);
  const source: EpisodeSource = options.isolate
    ? new WorkerSource(options.domains, { idleMs: domainIdleMs, ...options.isolate })
    : new LocalSource(catalog, options.openEpisode ?? episodeOpener({ defaultUser: 'scripted' }));
  const sessions = new LeaseTable<HttpSession>(options.maxSessions ?? DEFAULTS.maxSessions, options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs, (s, reason) => {
    try {
      options.onSessionEnd?.(s, reason);
    } finally {
      try {
        if (s.ownsEpisode) s.episode.close();
      } finally {
        void s.transport.close();
      }
    }
  });
  const episodes = new EpisodeHost(source, options.maxEpisodes ?? DEFAULTS.maxEpisodes, options.episodeTtlMs ?? DEFAULTS.episodeTtlMs);
  // The MCP SDK is loaded with the first MCP request: a server that only serves episodes starts sooner.
  let mcp: Promise<McpRoutes> | undefined;
  const mcpRoutes = () => (mcp ??= import('./mcp-routes.js').then((m) => m.mcpRouting({ sessions, episodes, maxBodyBytes: maxBody, onToolCall: options.onToolCall })));
  // Every route of a deleted or expired episode answers 404: its MCP sessions end with it.
  episodes.whenEnded((lease, reason) => {
    for (const s of [...sessions.values()]) if (s.episode === lease.port && !s.ownsEpisode) sessions.end(s.id, reason);
  });
  // An episode lost with its domain's process ends what held it: its lease, its MCP sessions.
  source.whenLost?.((port) => {
    const lease = episodes.table.get(port.id);
    if (lease?.port === port) episodes.table.end(lease.id, 'stopped');
    for (const s of [...sessions.values()]) if (s.episode === port) sessions.end(s.id, 'stopped');
  });

  const app = new Hono<{ Bindings: HttpBindings }>();
  app.onError((err, c) => {
    if (err instanceof HttpFailure) return failureResponse(c, err);
    // A domain folder that cannot be loaded is the server's problem, not the request's.
    if (err instanceof DomainUnavailable) return failureResponse(c, new HttpFailure(503, err.message));
    return failureResponse(c, new HttpFailure(500, `Internal error: ${(err as Error).message}`, -32603));
  });
  const mounted = (path: string) => options.mounts?.some((m) => path === m.prefix || path.startsWith(`${m.prefix}/`));
  const guard = (path: string, host: string | undefined, origin: string | undefined, authorization: string | undefined) => {
    checkPath(path);
    if (loopback) checkHostAndOrigin(host, origin);
    if (options.token && !mounted(path)) checkToken(authorization, options.token);
  };
  app.use(async (c, next) => {
    guard(c.req.path, c.req.header('host'), c.req.header('origin'), c.req.header('authorization'));
    await next();
  });
  app.get('/healthz', (c) => c.json({ ok: true, domains: source.names(), sessions: sessions.size }));
  app.all('/mcp/:domain', async (c) => (await mcpRoutes()).serve(c, episodes.domain(c.req.param('domain'))));
  app.all('/mcp/:domain/episodes/:id', (c) => {
    const lease = episodes.find(c.req.param('id'));
    if (lease.domain !== c.req.param('domain')) throw new HttpFailure(404, `Episode ${lease.id} is not an episode of ${c.req.param('domain')}; its MCP endpoint is /mcp/${lease.domain}/episodes/${lease.id}.`, -32001);
    return episodes.table.use(lease, async () => (await mcpRoutes()).serve(c, lease.domain, lease.port));
  });
  episodesApi(app, episodes, maxBody);
  const ws = new WebSocketServer({ noServer: true, maxPayload: maxBody });
  openEnvRoutes(app, episodes, maxBody);
  for (const m of options.mounts ?? []) app.route(m.prefix, m.app);
  app.notFound((c) => failureResponse(c, new HttpFailure(404, `Nothing at ${c.req.path}; domains are served at ${catalog.names().map((d) => `/mcp/${d}`).join(', ')}, episodes at /v1/episodes.`)));

  const headersTimeout = options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs;
  const requestTimeout = Math.max(headersTimeout, options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs);
  // The step API's step is served on node:http directly (step-route.ts says why); the rest by Hono.
  const step = stepRoute({ episodes, maxBodyBytes: maxBody, guard });
  const withStep = (serverOptions: ServerOptions, hono: RequestListener) => createServer(serverOptions, (req, res) => void (step(req, res) || hono(req, res)));
  const server = createAdaptorServer({
    fetch: app.fetch,
    websocket: { server: ws },
    createServer: withStep as typeof createServer,
    serverOptions: { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout / 2) },
  }) as NodeServer;
  // Trainers keep connections between steps while their model thinks: longer than Node's 5 s, so a
  // client does not race the server closing the connection it is about to reuse.
  server.keepAliveTimeout = 65_000;
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
    episodes,
    catalog,
    close: async () => {
      sessions.endAll();
      episodes.close();
      if (mcp) await (await mcp).close();
      for (const client of ws.clients) client.terminate();
      ws.close();
      await source.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
