import { Domain } from '../env/domain.js';
import { ActionRefused, EpisodeOver } from '../episode/episode.js';
import type { OpenRequest } from '../episode/opener.js';
import { domainInfo, type ActionResult, type DomainInfo, type EpisodePort, type EpisodeStatus, type StartObservation, startObservation } from '../episode/port.js';
import type { EpisodeAction } from '../spec/episode-api.js';
import type { DomainSpec } from '../spec/domain.js';
import { UserError } from '../util/errors.js';
import { compiledEntry, forkWatched, type WatchedChild, type WatchHandlers } from '../util/watched-process.js';
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
  /**
   * Most processes of one domain: its episodes are spread over them (each stays in the process it
   * opened in), so a domain with many busy episodes uses more than one core for its SQL.
   */
  processesPerDomain?: number;
}

export const WORKER_DEFAULTS: Required<WorkerOptions> = { opener: { defaultUser: 'scripted' }, callTimeoutMs: 10_000, idleMs: 10 * 60_000, maxProcesses: 64, processesPerDomain: 1 };

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
  | { type: 'opened'; key: number; id: string; taskId?: string; hasUser: boolean; opening?: string }
  | { type: 'refused'; key: number; message: string; userError: boolean }
  | { type: 'reply'; req: number; value?: unknown; error?: { kind: 'over' | 'refused' | 'error'; message: string } };

/** An episode in a domain's process. */
class RemoteEpisode implements EpisodePort {
  readonly id: string;
  readonly taskId?: string;
  readonly hasUser: boolean;
  readonly opening?: string;
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
  }

  get start(): StartObservation {
    return startObservation(this.info, this.opening);
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
  /** Episodes asked of this process and not yet opened or refused (counted before its process is ready). */
  private asked = 0;
  lastUsed = Date.now();

  constructor(
    readonly name: string,
    readonly ref: DomainRef,
    private readonly options: Required<WorkerOptions>,
    private readonly lostHook: (port: EpisodePort) => void,
    private readonly spawn: (handlers: WatchHandlers<FromWorker>) => WatchedChild,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.child.pid;
  }

  /** Nothing open or opening: the process may be stopped without ending anything. */
  get idle(): boolean {
    return this.episodes.size === 0 && this.asked === 0 && this.pending.size === 0;
  }

  /** Episodes open in this process or on their way to it. */
  get load(): number {
    return this.episodes.size + this.asked;
  }

  /** Why this domain cannot be served, once its process said so. */
  get failed(): string | undefined {
    return this.failure;
  }

  /** The domain's tools, policy and tables, once its process has loaded it. */
  info(): Promise<DomainInfo> {
    if (this.failure) return Promise.reject(new DomainUnavailable(this.failure));
    this.lastUsed = Date.now();
    if (!this.ready) this.start();
    return this.ready!;
  }

  async open(request: Omit<OpenRequest, 'onClose'>): Promise<EpisodePort> {
    this.asked++;
    try {
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
    } finally {
      this.asked--;
      // A refused or lost episode may leave the process with nothing to do.
      this.idleLater();
    }
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
    const watched: WatchedChild = this.spawn({
      limitMs: () => (this.readyNow ? this.options.callTimeoutMs : STARTUP_LIMIT_MS),
      onMessage: (m) => this.receive(m),
      onExit: (stalled, cause) => this.lost(watched, stalled ? 'time' : cause),
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

/**
 * The processes of one domain, up to `size`: an episode opens in the least loaded one, or in a new
 * one while every running process has episodes, and stays there (its port holds its process, and
 * the server finds the port by the episode's id).
 */
class DomainPool {
  private readonly slots: DomainWorker[] = [];

  constructor(
    readonly ref: DomainRef,
    private readonly size: number,
    private readonly make: () => DomainWorker,
  ) {}

  get workers(): readonly DomainWorker[] {
    return this.slots;
  }

  /** Why the domain cannot be served, if one of its processes found out. */
  get failure(): string | undefined {
    return this.slots.find((w) => w.failed)?.failed;
  }

  /** Where the next episode goes: the least loaded running process, unless it is busy and a process can be added. */
  choose(): DomainWorker {
    const running = this.slots.filter((w) => w.running).sort((a, b) => a.load - b.load);
    if (running[0] && (running[0].load === 0 || running.length >= this.size)) return running[0];
    const spare = this.slots.find((w) => !w.running);
    if (spare) return spare;
    if (this.slots.length < this.size) this.slots.push(this.make());
    return this.slots[this.slots.length - 1];
  }
}

/**
 * A domain process started before it is needed: Node booted and the worker's modules loaded,
 * waiting for the domain it will serve. Taking it leaves only loading the domain to a domain's
 * first episode; another is started at once for the next.
 */
class Spare {
  private ready?: { child: WatchedChild; handlers: WatchHandlers<FromWorker> };
  private closed = false;

  constructor() {
    this.fill();
  }

  /** A process for `handlers`: the spare, if it is alive, or a new one. */
  take(handlers: WatchHandlers<FromWorker>): WatchedChild {
    const spare = this.ready;
    this.ready = undefined;
    if (!spare || spare.child.child.exitCode !== null || !spare.child.child.connected) return this.fork(handlers).child;
    Object.assign(spare.handlers, handlers);
    setImmediate(() => this.fill());
    return spare.child;
  }

  async close(): Promise<void> {
    this.closed = true;
    const spare = this.ready;
    this.ready = undefined;
    await spare?.child.stop();
  }

  private fill(): void {
    if (this.closed || this.ready) return;
    const spare = this.fork({
      limitMs: () => STARTUP_LIMIT_MS,
      onMessage: () => undefined,
      // A spare that died is replaced when it is next needed.
      onExit: () => this.ready === spare && (this.ready = undefined),
    });
    this.ready = spare;
  }

  private fork(handlers: WatchHandlers<FromWorker>) {
    // The handlers object is the child's: replacing its fields hands the process to its domain.
    const own = { ...handlers };
    return { child: forkWatched<FromWorker>(compiledEntry(import.meta.url, 'serve/episode-worker'), Object.assign(own, { batched: true })), handlers: own };
  }
}

/** Episodes of the given domains, in watched processes: one per domain, or up to `processesPerDomain`. */
export class WorkerSource implements EpisodeSource {
  private readonly pools = new Map<string, DomainPool>();
  private readonly options: Required<WorkerOptions>;
  private readonly lostHooks: Array<(port: EpisodePort) => void> = [];
  private readonly spare = new Spare();

  constructor(domains: DomainRef[], options: WorkerOptions) {
    this.options = { ...WORKER_DEFAULTS, ...options };
    const lost = (port: EpisodePort) => this.lostHooks.forEach((hook) => hook(port));
    const spawn = (handlers: WatchHandlers<FromWorker>) => this.spare.take(handlers);
    for (const ref of domains) this.pools.set(ref.name, new DomainPool(ref, this.options.processesPerDomain, () => new DomainWorker(ref.name, ref, this.options, lost, spawn)));
  }

  names(): string[] {
    return [...this.pools.keys()];
  }

  has(domain: string): boolean {
    return this.pools.has(domain);
  }

  /** How many domain processes run now. */
  get running(): number {
    return this.all().filter((w) => w.running).length;
  }

  /** The process ids of a domain's running processes (for operators, and for tests that end one). */
  processIds(domain: string): number[] {
    return (this.pools.get(domain)?.workers ?? []).flatMap((w) => (w.pid !== undefined ? [w.pid] : []));
  }

  whenLost(hook: (port: EpisodePort) => void): void {
    this.lostHooks.push(hook);
  }

  open(domain: string, request: Omit<OpenRequest, 'onClose'>): Promise<EpisodePort> {
    return this.worker(domain).open(request);
  }

  async info(domain: string): Promise<DomainInfo> {
    const pool = this.pools.get(domain)!;
    // A domain loaded in this process already (serve loads the domains it is given one by one) needs no process to describe it.
    if (pool.ref instanceof Domain) return domainInfo(pool.ref);
    return (pool.workers.find((w) => w.running) ?? this.worker(domain)).info();
  }

  async close(): Promise<void> {
    await Promise.all([...this.all().map((w) => w.stop()), this.spare.close()]);
  }

  private all(): DomainWorker[] {
    return [...this.pools.values()].flatMap((p) => p.workers);
  }

  /** The process the domain's next episode goes to, with room made for it if it must start. */
  private worker(domain: string): DomainWorker {
    const pool = this.pools.get(domain)!;
    const failure = pool.failure;
    if (failure) throw new DomainUnavailable(failure);
    const worker = pool.choose();
    if (worker.running) return worker;
    const running = this.all().filter((w) => w.running);
    if (running.length >= this.options.maxProcesses) {
      const idle = running.filter((w) => w.idle).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!idle) {
        // No room for another process: the domain's running ones take the episode, if it has any.
        const busy = pool.workers.filter((w) => w.running).sort((a, b) => a.load - b.load)[0];
        if (busy) return busy;
        throw new HttpFailure(503, `Too many domains in use at once: this server runs at most ${this.options.maxProcesses} domain processes and each has open episodes; end some (DELETE /v1/episodes/<id>) or restart it with a larger --max-domain-processes.`);
      }
      void idle.stop();
    }
    return worker;
  }
}
