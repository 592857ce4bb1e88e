import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { createMcpHandler, isInitializeRequest, isLegacyRequest, WebStandardStreamableHTTPServerTransport, type Server } from '@modelcontextprotocol/server';
import type { ToolCallEvent } from '../episode/episode.js';
import type { EpisodePort } from '../episode/port.js';
import { createDomainServer } from '../mcp/server.js';
import type { EpisodeHost } from './episode-host.js';
import { HttpFailure } from './failure.js';
import { readJson } from './guard.js';
import type { LeaseTable } from './table.js';

/** One MCP session of a 2025-era client: its transport, its server and the episode it acts on. */
export interface HttpSession {
  id: string;
  domain: string;
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  episode: EpisodePort;
  /** A session on /mcp/<domain> owns its episode (it ends with the session); one on an episode's URL does not. */
  ownsEpisode: boolean;
  /** Requests waiting for their answer, told when the session's transport closes. */
  waiting: Set<() => void>;
  lastSeen: number;
  active: number;
}

export interface McpRouting {
  sessions: LeaseTable<HttpSession>;
  episodes: EpisodeHost;
  maxBodyBytes: number;
  onToolCall?: (session: HttpSession, event: ToolCallEvent) => void;
}

/** What a 2026-07-28 request is served on: the episode, and whether writes would be lost. */
interface ModernTarget {
  episode: EpisodePort;
  readOnly?: string;
}

const STATELESS_WRITE =
  'This endpoint keeps no state between requests for clients of the 2026-07-28 protocol, so the write would be lost. Create an episode (POST /v1/episodes) and use its mcp_url, where state lives as long as the episode.';

/**
 * MCP over Streamable HTTP, for clients of both protocol eras, at /mcp/<domain> (a new episode per
 * MCP session) and at an episode's own URL. 2025-era clients (initialize, Mcp-Session-Id) get
 * sessions as before; 2026-07-28 clients (no initialize, `_meta` on every request) are served per
 * request by the SDK's handler: on an episode's URL they act on the episode, on /mcp/<domain>
 * they read the seed state and their writes are refused with directions to the episodes API.
 */
export function mcpRouting(routing: McpRouting) {
  const { sessions, episodes } = routing;
  const targets = new WeakMap<Request, ModernTarget>();
  const modern = createMcpHandler(
    ({ requestInfo }) => {
      const target = requestInfo && targets.get(requestInfo);
      if (!target) throw new Error('MCP request without a target episode');
      return createDomainServer(target.episode, { readOnly: target.readOnly });
    },
    // 'auto' answers with one JSON body: these handlers send nothing before their result.
    { legacy: 'reject', maxRequestBodySize: routing.maxBodyBytes },
  );
  let opening = 0;

  async function openSession(c: Context, domain: string, body: unknown, onEpisode?: EpisodePort): Promise<Response> {
    if (sessions.size + opening >= sessions.max) {
      throw new HttpFailure(503, `Too many sessions: this server holds at most ${sessions.max}; end idle sessions (HTTP DELETE) or restart it with a larger --max-sessions.`);
    }
    opening++;
    let entry: HttpSession | undefined;
    let episode: EpisodePort | undefined;
    try {
      // No such task, a user that cannot open: the session is refused (400), and nothing was recorded.
      const query = new URL(c.req.url).searchParams;
      episode = onEpisode ?? (await episodes.openLoose(domain, { task: query.get('task') ?? undefined, user: query.get('user') ?? undefined }));
      const own = episode;
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => {
          entry = { id, domain, transport, server, episode: own, ownsEpisode: !onEpisode, waiting: new Set(), lastSeen: Date.now(), active: 0 };
          sessions.add(entry);
        },
        onsessionclosed: (id) => sessions.end(id, 'deleted'),
      });
      const server = createDomainServer(episode, { onToolCall: (event) => entry && routing.onToolCall?.(entry, event) });
      transport.onclose = () => {
        if (!entry) return;
        for (const tell of entry.waiting) tell();
        sessions.end(entry.id, 'closed');
      };
      await server.connect(transport);
      return await transport.handleRequest(c.req.raw, { parsedBody: body });
    } finally {
      opening--;
      // An initialize that failed leaves no session (and, on /mcp/<domain>, no episode) behind.
      if (!entry && episode && !onEpisode) episode.close();
    }
  }

  async function legacy(c: Context, domain: string, body: unknown, episode?: EpisodePort): Promise<Response> {
    const sessionId = c.req.header('mcp-session-id');
    if (sessionId !== undefined) {
      const entry = sessions.get(sessionId);
      if (!entry || entry.domain !== domain || (episode && entry.episode !== episode)) {
        throw new HttpFailure(404, 'Session not found: it ended or expired; start a new one with initialize.', -32001);
      }
      return sessions.use(entry, () => {
        const handled = entry.transport.handleRequest(c.req.raw, { parsedBody: body });
        if (c.req.method !== 'POST') return handled;
        // In JSON response mode the SDK (2.4) never settles a request whose session closes before
        // its response is out (modelcontextprotocol/typescript-sdk#2559, #2600): answer it here.
        return new Promise<Response>((resolve, reject) => {
          const ended = () => reject(new HttpFailure(404, 'Session ended while this request was in flight (deleted, expired, or its episode ended); start a new one with initialize.', -32001));
          entry.waiting.add(ended);
          handled.then(resolve, reject).finally(() => entry.waiting.delete(ended));
        });
      });
    }
    if (c.req.method === 'POST' && isInitializeRequest(body)) return openSession(c, domain, body, episode);
    throw new HttpFailure(400, 'Bad request: no Mcp-Session-Id header; start a session with an initialize request first.');
  }

  async function modernRequest(c: Context, domain: string, body: unknown, episode?: EpisodePort): Promise<Response> {
    // On /mcp/<domain>: a plain episode on the seed state for this one request.
    const target: ModernTarget = episode ? { episode } : { episode: await episodes.openLoose(domain), readOnly: STATELESS_WRITE };
    try {
      targets.set(c.req.raw, target);
      return await modern.fetch(c.req.raw, { parsedBody: body });
    } finally {
      if (!episode) target.episode.close();
    }
  }

  return {
    /** Serve one MCP request for `domain`, on `episode` when the request came to its URL. */
    async serve(c: Context, domain: string, episode?: EpisodePort): Promise<Response> {
      const method = c.req.method;
      if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
        throw new HttpFailure(405, `Method ${method} is not allowed; use POST, GET or DELETE.`, -32000, { allow: 'GET, POST, DELETE' });
      }
      const body = method === 'POST' ? await readJson(c.req.raw, routing.maxBodyBytes) : undefined;
      const era = await isLegacyRequest(c.req.raw, method === 'POST' ? body : undefined, { maxRequestBodySize: routing.maxBodyBytes });
      return era ? legacy(c, domain, body, episode) : modernRequest(c, domain, body, episode);
    },
    close: () => modern.close(),
  };
}

export type McpRoutes = ReturnType<typeof mcpRouting>;
