import { Domain } from '../env/domain.js';
import { ActionRefused, EpisodeOver } from '../episode/episode.js';
import type { OpenRequest } from '../episode/opener.js';
import { domainInfo, type ActionResult, type DomainInfo, type EpisodePort, type EpisodeStatus, type StartObservation } from '../episode/port.js';
import type { EpisodeAction } from '../spec/episode-api.js';
import type { DomainSpec } from '../spec/domain.js';
import { UserError } from '../util/errors.js';
import { compiledEntry, forkWatched, type WatchedChild } from '../util/watched-process.js';
import { DomainUnavailable, type DomainRef } from './domains.js';
import { HttpFailure } from './failure.js';
import { EpisodeLost, type EpisodeSource } from './source.js';

/**
 * Episodes in worker processes, one process per domain (util/watched-process.ts says why a
 * process). Nothing can interrupt a SQLite statement, so a spec whose SQL runs away blocks the
 * process it runs in: here that is its domain's process, which stops sending heartbeats and is
 * killed after the call timeout. Only that domain's episodes end; the server, its other domains
 * and every protocol (MCP, the step API, OpenEnv) go on. Everything crossing is plain data.
 */

/** How episodes are opened in a domain's process (recording, tasks, simulated users), as plain data. */
export interface WorkerOpener {
  /** Trajectory store file every episode is recorded in. */
  store?: string;
  tasksFile?: string;
  defaultUser: string;
  userBaseUrl?: string;
}

export interface WorkerOptions {
  /** Default: unrecorded episodes, the scripted user for tasks. */
  opener?: WorkerOpener;
  /** A domain's process busy this long without a heartbeat (a call that will not end) is killed. */
  callTimeoutMs?: number;
  /** A domain's process without an episode for this long exits (it starts again on demand). */
  idleMs?: number;
  /** Most domain processes at once; past it an idle one is stopped, or the episode is refused (503). */
  maxProcesses?: number;
}

export const WORKER_DEFAULTS: Required<WorkerOptions> = { opener: { defaultUser: 'scripted' }, callTimeoutMs: 10_000, idleMs: 10 * 60_000, maxProcesses: 64 };

/** Building a large domain's image takes seconds: no heartbeat is expected before the process is ready. */
const STARTUP_LIMIT_MS = 180_000;

/** Server to worker. */
export type ToWorker =
  | { type: 'init'; name: string; spec?: DomainSpec; dir?: string; opener: WorkerOpener }
  | { type: 'open'; key: number; request: Omit<OpenRequest, 'onClose'> }
  | { type: 'perform'; key: number; req: number; action: EpisodeAction; callId?: string }
  | { type: 'status'; key: number; req: number }
  | { type: 'close'; key: number };

/** Worker to server. */
export type FromWorker =
  | { type: 'ready'; info: DomainInfo }
  | { type: 'failed'; message: string }
  | { type: 'opened'; key: number; id: string; taskId?: string; hasUser: boolean; opening?: string; start: StartObservation }
  | { type: 'refused'; key: number; message: string; userError: boolean }
  | { type: 'reply'; req: number; value?: unknown; error?: { kind: 'over' | 'refused' | 'error'; message: string } };

/** An episode in a domain's process. */
class RemoteEpisode implements EpisodePort {
  readonly id: string;
  readonly taskId?: string;
  readonly hasUser: boolean;
  readonly opening?: string;
  readonly start: StartObservation;
  closed = false;

  constructor(
    private readonly worker: DomainWorker,
    readonly key: number,
    readonly info: DomainInfo,
    opened: Extract<FromWorker, { type: 'opened' }>,
  ) {
    this.id = opened.id;
    this.taskId = opened.taskId;
    this.hasUser = opened.hasUser;
    this.opening = opened.opening;
    this.start = opened.start;
  }

  perform(action: EpisodeAction, callId?: string): Promise<ActionResult> {
    return this.worker.request({ type: 'perform', key: this.key, action, ...(callId !== undefined ? { callId } : {}) }) as Promise<ActionResult>;
  }

  status(): Promise<EpisodeStatus> {
    return this.worker.request({ type: 'status', key: this.key }) as Promise<EpisodeStatus>;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.closeEpisode(this);
  }
}

/** The process of one domain: started on demand, stopped when idle, killed when it stops answering. */
class DomainWorker {
  private child?: WatchedChild;
  private ready?: Promise<DomainInfo>;
  private readyNow = false;
  private failure?: string;
  private nextKey = 1;
  private nextReq = 1;
  private idleTimer?: NodeJS.Timeout;
  private readonly episodes = new Map<number, RemoteEpisode>();
  private readonly opening = new Map<number, { resolve: (m: Extract<FromWorker, { type: 'opened' }>) => void; reject: (e: Error) => void }>();
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private onReady?: { resolve: (info: DomainInfo) => void; reject: (e: Error) => void };
  lastUsed = Date.now();

  constructor(
    readonly name: string,
    readonly ref: DomainRef,
    private readonly options: Required<WorkerOptions>,
    private readonly lostHook: (port: EpisodePort) => void,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Nothing open or opening: the process may be stopped without ending anything. */
  get idle(): boolean {
    return this.episodes.size === 0 && this.opening.size === 0 && this.pending.size === 0;
  }

  /** The domain's tools, policy and tables, once its process has loaded it. */
  info(): Promise<DomainInfo> {
    if (this.failure) return Promise.reject(new DomainUnavailable(this.failure));
    this.lastUsed = Date.now();
    if (!this.ready) this.start();
    return this.ready!;
  }

  async open(request: Omit<OpenRequest, 'onClose'>): Promise<EpisodePort> {
    const info = await this.info();
    clearTimeout(this.idleTimer);
    const key = this.nextKey++;
    const opened = await new Promise<Extract<FromWorker, { type: 'opened' }>>((resolve, reject) => {
      this.opening.set(key, { resolve, reject });
      this.post({ type: 'open', key, request });
    });
    const port = new RemoteEpisode(this, key, info, opened);
    this.episodes.set(key, port);
    return port;
  }

  request(message: { type: 'perform'; key: number; action: EpisodeAction; callId?: string } | { type: 'status'; key: number }): Promise<unknown> {
    if (!this.episodes.has(message.key)) return Promise.reject(new EpisodeOver('This episode has ended.'));
    this.lastUsed = Date.now();
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { resolve, reject });
      this.post({ ...message, req });
    });
  }

  closeEpisode(port: RemoteEpisode): void {
    if (!this.episodes.delete(port.key)) return;
    this.post({ type: 'close', key: port.key });
    this.idleLater();
  }

  /** Close the channel: the process ends its episodes (recording them as ended) and exits. */
  async stop(): Promise<void> {
    const child = this.child;
    this.reset();
    await child?.stop();
  }

  private post(message: ToWorker): void {
    this.child?.send(message);
  }

  private idleLater(): void {
    if (!this.idle) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.idle && void this.stop(), this.options.idleMs);
    this.idleTimer.unref();
  }

  private start(): void {
    this.ready = new Promise<DomainInfo>((resolve, reject) => (this.onReady = { resolve, reject }));
    // Whoever waits for it hears of a failure; nobody waiting is not an unhandled rejection.
    this.ready.catch(() => undefined);
    const watched = forkWatched<FromWorker>(compiledEntry(import.meta.url, 'serve/episode-worker'), {
      limitMs: () => (this.readyNow ? this.options.callTimeoutMs : STARTUP_LIMIT_MS),
      onMessage: (m) => this.receive(m),
      onExit: (stalled, cause) => this.lost(watched, stalled ? 'time' : cause),
      batched: true,
    });
    this.child = watched;
    const init: ToWorker = this.ref instanceof Domain ? { type: 'init', name: this.name, spec: this.ref.spec, dir: this.ref.dir, opener: this.options.opener } : { type: 'init', name: this.name, dir: this.ref.dir, opener: this.options.opener };
    watched.send(init);
    this.idleLater();
  }

  private receive(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        this.readyNow = true;
        this.onReady?.resolve(m.info);
        return;
      case 'failed':
        // A broken folder stays broken until the server restarts: it is not read again per request.
        this.failure = m.message;
        this.onReady?.reject(new DomainUnavailable(m.message));
        void this.stop();
        return;
      case 'opened':
        this.opening.get(m.key)?.resolve(m);
        this.opening.delete(m.key);
        return;
      case 'refused':
        this.opening.get(m.key)?.reject(m.userError ? new UserError(m.message) : new Error(m.message));
        this.opening.delete(m.key);
        this.idleLater();
        return;
      case 'reply': {
        const waiting = this.pending.get(m.req);
        this.pending.delete(m.req);
        if (!m.error) waiting?.resolve(m.value);
        else waiting?.reject(m.error.kind === 'over' ? new EpisodeOver(m.error.message) : m.error.kind === 'refused' ? new ActionRefused(m.error.message) : new Error(m.error.message));
        return;
      }
    }
  }

  private reset(): void {
    clearTimeout(this.idleTimer);
    this.child = undefined;
    this.ready = undefined;
    this.readyNow = false;
    this.onReady = undefined;
  }

  /** The process ended: what waits on it fails, and every episode in it is lost. */
  private lost(child: WatchedChild, cause: string): void {
    const current = this.child === child;
    const onReady = this.onReady;
    if (current) this.reset();
    const seconds = this.options.callTimeoutMs / 1000;
    const why =
      cause === 'time'
        ? `The ${this.name} domain stopped answering for ${seconds} s (a tool call that runs too long); its process was stopped and its episodes ended. Start a new one.`
        : `The ${this.name} domain's process stopped (${cause}); its episodes ended. Start a new one.`;
    if (cause === 'time') process.stderr.write(`envscale: ${this.name}: a call ran longer than ${seconds} s; the domain's process was killed and its ${this.episodes.size} episode(s) ended\n`);
    if (current) onReady?.reject(new DomainUnavailable(why));
    for (const { reject } of this.opening.values()) reject(new EpisodeLost(why));
    this.opening.clear();
    for (const { reject } of this.pending.values()) reject(new EpisodeLost(why));
    this.pending.clear();
    const lost = [...this.episodes.values()];
    this.episodes.clear();
    for (const port of lost) port.closed = true;
    // After the failed requests have been answered (they settle in microtasks), end what held the episodes.
    setImmediate(() => {
      for (const port of lost) this.lostHook(port);
    });
  }
}

/** Episodes of the given domains, each domain in a watched process of its own. */
export class WorkerSource implements EpisodeSource {
  private readonly workers = new Map<string, DomainWorker>();
  private readonly options: Required<WorkerOptions>;
  private readonly lostHooks: Array<(port: EpisodePort) => void> = [];

  constructor(domains: DomainRef[], options: WorkerOptions) {
    this.options = { ...WORKER_DEFAULTS, ...options };
    for (const ref of domains) this.workers.set(ref.name, new DomainWorker(ref.name, ref, this.options, (port) => this.lostHooks.forEach((hook) => hook(port))));
  }

  names(): string[] {
    return [...this.workers.keys()];
  }

  has(domain: string): boolean {
    return this.workers.has(domain);
  }

  /** How many domain processes run now. */
  get running(): number {
    return [...this.workers.values()].filter((w) => w.running).length;
  }

  whenLost(hook: (port: EpisodePort) => void): void {
    this.lostHooks.push(hook);
  }

  open(domain: string, request: Omit<OpenRequest, 'onClose'>): Promise<EpisodePort> {
    return this.worker(domain).open(request);
  }

  async info(domain: string): Promise<DomainInfo> {
    const ref = this.workers.get(domain)?.ref;
    // A domain loaded in this process already (serve loads the domains it is given one by one) needs no process to describe it.
    if (ref instanceof Domain) return domainInfo(ref);
    return this.worker(domain).info();
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }

  /** The domain's worker, with room made for its process if it is not running. */
  private worker(domain: string): DomainWorker {
    const worker = this.workers.get(domain)!;
    if (worker.running) return worker;
    const running = [...this.workers.values()].filter((w) => w.running);
    if (running.length >= this.options.maxProcesses) {
      const idle = running.filter((w) => w.idle).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!idle) {
        throw new HttpFailure(503, `Too many domains in use at once: this server runs at most ${this.options.maxProcesses} domain processes and each has open episodes; end some (DELETE /v1/episodes/<id>) or restart it with a larger --max-domain-processes.`);
      }
      void idle.stop();
    }
    return worker;
  }
}
