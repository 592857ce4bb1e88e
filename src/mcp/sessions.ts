import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Domain } from '../env/domain.js';
import type { Session } from '../env/session.js';
import type { Episode } from '../episode/episode.js';

/** One live MCP session over HTTP: its transport, and its server and state here or in its domain's process. */
export interface HttpSession {
  id: string;
  domain: Domain;
  transport: StreamableHTTPServerTransport;
  /** The session's episode and its state, when they live in this process (not with `isolate`). */
  episode?: Episode;
  state?: Session;
  lastSeen: number;
  /** Requests in flight (an open GET stream counts): a busy session is never idle. */
  active: number;
  /** End the episode (a task-bound one is scored while its state is still open), then free the state. */
  release(): void;
}

/** `stopped`: the domain's process was stopped (a call ran too long) or failed. */
export type EndReason = 'deleted' | 'closed' | 'idle' | 'shutdown' | 'stopped';

/**
 * The live sessions of an HTTP host, with an idle sweep. Ending a session runs the host's hook,
 * releases the session (end hook, state) and closes its transport; it is safe to call more than once.
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
      try {
        s.release();
      } finally {
        void s.transport.close();
      }
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
