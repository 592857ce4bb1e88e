import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Domain } from '../env/domain.js';
import type { Session } from '../env/session.js';
import type { Episode } from '../episode/episode.js';

/** One live MCP session over HTTP: its transport, its server and its state. */
export interface HttpSession {
  id: string;
  domain: Domain;
  transport: StreamableHTTPServerTransport;
  server: Server;
  episode: Episode;
  /** The episode's state. */
  state: Session;
  lastSeen: number;
  /** Requests in flight (an open GET stream counts): a busy session is never idle. */
  active: number;
}

export type EndReason = 'deleted' | 'closed' | 'idle' | 'shutdown';

/**
 * The live sessions of an HTTP host, with an idle sweep. Ending a session runs the end hook, then
 * frees its state and closes its transport; it is safe to call more than once.
 */
export class SessionTable {
  private readonly sessions = new Map<string, HttpSession>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly maxSessions: number,
    readonly idleTimeoutMs: number,
    private readonly onEnd?: (session: HttpSession, reason: EndReason) => void,
  ) {
    const every = Math.max(50, Math.min(idleTimeoutMs / 2, 10_000));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  get full(): boolean {
    return this.sessions.size >= this.maxSessions;
  }

  get(id: string): HttpSession | undefined {
    return this.sessions.get(id);
  }

  add(session: HttpSession): void {
    this.sessions.set(session.id, session);
  }

  end(id: string, reason: EndReason): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    try {
      this.onEnd?.(s, reason);
    } finally {
      // Ending the episode scores it against its task while the state is still open, then frees the state.
      s.episode.close();
      void s.transport.close();
    }
  }

  endAll(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.sessions.keys()]) this.end(id, 'shutdown');
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleTimeoutMs;
    for (const s of [...this.sessions.values()]) if (s.active === 0 && s.lastSeen < cutoff) this.end(s.id, 'idle');
  }
}
