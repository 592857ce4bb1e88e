import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Domain } from '../env/domain.js';
import { compiledEntry, forkWatched, type WatchedChild } from '../util/watched-process.js';
import type { ToolCallEvent } from '../episode/episode.js';

/**
 * Each domain's sessions in a child process of their own (see util/watched-process.ts for why a
 * process). The HTTP host keeps the network, the protocol and the session table; every domain's
 * MCP servers and episodes (states, recorder, simulated users) live in the domain's process. A
 * process that stops answering (a call that runs too long blocks its event loop, so its
 * heartbeats stop) is killed, and only its own sessions end.
 */

/** How episodes are opened (recording, tasks, simulated users), as plain data for the domain's process. */
export interface ProcessOpenerOptions {
  /** Trajectory store file every session is recorded in. */
  store?: string;
  tasksFile?: string;
  defaultUser: string;
  userBaseUrl?: string;
}

export interface IsolateOptions {
  /** A domain's process busy this long without a heartbeat (a call that will not end) is killed. */
  callTimeoutMs?: number;
  opener?: ProcessOpenerOptions;
}

export const ISOLATE_DEFAULTS = { callTimeoutMs: 10_000 };

/** A domain's process with no session for this long exits (it is started again on demand). */
const IDLE_EXIT_MS = 60_000;
/** Building a large domain's image takes seconds; no heartbeat is expected before it is ready. */
const STARTUP_LIMIT_MS = 180_000;

/** Parent to child. */
export type ToChild =
  | { type: 'init'; spec: Domain['spec']; dir?: string; opener?: ProcessOpenerOptions; reportCalls: boolean }
  | { type: 'open'; key: number; query: Record<string, string> }
  | { type: 'message'; key: number; message: JSONRPCMessage }
  | { type: 'close'; key: number };

/** Child to parent. */
export type FromChild =
  | { type: 'ready' }
  | { type: 'opened'; key: number }
  | { type: 'refused'; key: number; message: string; userError: boolean }
  | { type: 'message'; key: number; message: JSONRPCMessage; relatedRequestId?: RequestId }
  | { type: 'call'; key: number; event: ToolCallEvent };

/** Why a session could not be opened in its domain's process. */
export class OpenRefused extends Error {
  constructor(
    message: string,
    /** The request's fault (a task that does not exist): a 400 rather than a 503. */
    readonly userError: boolean,
  ) {
    super(message);
  }
}

/** One session as the host sees it: JSON-RPC messages to and from its server in the domain's process. */
export class RemoteSession {
  /** Messages from the session's server. */
  onmessage?: (message: JSONRPCMessage, relatedRequestId?: RequestId) => void;
  /** The domain's process stopped: every request in flight has been answered with an error. */
  onlost?: () => void;
  onToolCall?: (event: ToolCallEvent) => void;
  private readonly inflight = new Set<RequestId>();

  constructor(
    private readonly owner: DomainProcess,
    readonly key: number,
  ) {}

  send(message: JSONRPCMessage): void {
    if ('method' in message && 'id' in message) this.inflight.add(message.id);
    this.owner.post({ type: 'message', key: this.key, message });
  }

  close(): void {
    this.owner.closeSession(this);
  }

  /** @internal a message from the session's server */
  deliver(message: JSONRPCMessage, relatedRequestId?: RequestId): void {
    if (!('method' in message) && 'id' in message && message.id !== undefined) this.inflight.delete(message.id);
    this.onmessage?.(message, relatedRequestId);
  }

  /** @internal the process is gone: answer what is in flight, then tell the host */
  lose(why: string): void {
    for (const id of this.inflight) this.onmessage?.({ jsonrpc: '2.0', id, error: { code: -32603, message: why } });
    this.inflight.clear();
    this.onlost?.();
  }
}

/** The child process of one domain, started on demand and started again after it stops. */
class DomainProcess {
  private child?: WatchedChild;
  private ready = false;
  private startedAt = 0;
  private idleTimer?: NodeJS.Timeout;
  private nextKey = 1;
  private readonly sessions = new Map<number, RemoteSession>();
  private readonly opening = new Map<number, { resolve: (s: RemoteSession) => void; reject: (e: Error) => void; session: RemoteSession }>();
  /** Messages for a child that is not ready yet. */
  private queue: ToChild[] = [];

  constructor(
    private readonly domain: Domain,
    private readonly options: Required<Pick<IsolateOptions, 'callTimeoutMs'>> & IsolateOptions,
    private readonly reportCalls: boolean,
  ) {}

  open(query: URLSearchParams): Promise<RemoteSession> {
    this.ensureChild();
    clearTimeout(this.idleTimer);
    const session = new RemoteSession(this, this.nextKey++);
    return new Promise<RemoteSession>((resolve, reject) => {
      this.opening.set(session.key, { resolve, reject, session });
      this.post({ type: 'open', key: session.key, query: Object.fromEntries(query) });
    });
  }

  post(message: ToChild): void {
    if (!this.child) return;
    if (!this.ready) this.queue.push(message);
    else this.child.send(message);
  }

  closeSession(session: RemoteSession): void {
    if (!this.sessions.delete(session.key)) return;
    this.post({ type: 'close', key: session.key });
    if (this.sessions.size === 0 && this.opening.size === 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.sessions.size === 0 && this.opening.size === 0 && void this.stop(), IDLE_EXIT_MS);
      this.idleTimer.unref();
    }
  }

  /** Let the child finish its sessions and exit (killed if it does not within a few seconds); a later open starts a new one. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.ready = false;
    await child?.stop();
  }

  private ensureChild(): void {
    if (this.child) return;
    this.ready = false;
    this.startedAt = Date.now();
    const watched = forkWatched<FromChild>(compiledEntry(import.meta.url, 'mcp/domain-process-child'), {
      // Building a large domain's image takes seconds: no heartbeat is expected before it is ready.
      limitMs: () => (this.ready ? this.options.callTimeoutMs : STARTUP_LIMIT_MS),
      onMessage: (m) => this.receive(m),
      onExit: (stalled, cause) => this.lost(watched, stalled ? 'time' : cause),
    });
    this.child = watched;
    watched.child.send({ type: 'init', spec: this.domain.spec, dir: this.domain.dir, opener: this.options.opener, reportCalls: this.reportCalls } satisfies ToChild);
  }

  private receive(m: FromChild): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        for (const q of this.queue.splice(0)) this.child?.send(q);
        return;
      case 'opened': {
        const pending = this.opening.get(m.key);
        if (!pending) return;
        this.opening.delete(m.key);
        this.sessions.set(m.key, pending.session);
        pending.resolve(pending.session);
        return;
      }
      case 'refused': {
        const pending = this.opening.get(m.key);
        this.opening.delete(m.key);
        pending?.reject(new OpenRefused(m.message, m.userError));
        return;
      }
      case 'message':
        this.sessions.get(m.key)?.deliver(m.message, m.relatedRequestId);
        return;
      case 'call':
        this.sessions.get(m.key)?.onToolCall?.(m.event);
        return;
    }
  }

  private lost(child: WatchedChild, cause: string): void {
    if (this.child !== child) return;
    clearTimeout(this.idleTimer);
    this.child = undefined;
    this.ready = false;
    this.queue = [];
    const seconds = this.options.callTimeoutMs / 1000;
    const why =
      cause === 'time'
        ? `The ${this.domain.name} domain stopped answering for ${seconds} s (a tool call that runs too long); its process was restarted and this session ended. Start a new session.`
        : `The ${this.domain.name} domain's process stopped (${cause}); this session ended. Start a new session.`;
    if (cause === 'time') process.stderr.write(`envscale: ${this.domain.name}: a call ran longer than ${seconds} s; the domain's process was killed and its ${this.sessions.size} session(s) ended\n`);
    for (const { reject } of this.opening.values()) reject(new OpenRefused(why, false));
    this.opening.clear();
    const lost = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of lost) s.lose(why);
  }
}

/** The domain processes of one host: one per domain, started with its first session. */
export class DomainProcesses {
  private readonly byDomain = new Map<Domain, DomainProcess>();
  private readonly options: Required<Pick<IsolateOptions, 'callTimeoutMs'>> & IsolateOptions;

  constructor(
    options: IsolateOptions,
    /** Forward every tool call event to the host (its onToolCall hook). */
    private readonly reportCalls: boolean,
  ) {
    this.options = { ...options, callTimeoutMs: options.callTimeoutMs ?? ISOLATE_DEFAULTS.callTimeoutMs };
  }

  /** A new session in `domain`'s process, bound from the request's query; OpenRefused when it cannot be. */
  open(domain: Domain, query: URLSearchParams): Promise<RemoteSession> {
    let p = this.byDomain.get(domain);
    if (!p) this.byDomain.set(domain, (p = new DomainProcess(domain, this.options, this.reportCalls)));
    return p.open(query);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.byDomain.values()].map((p) => p.stop()));
  }
}
