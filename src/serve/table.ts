/** Something a server holds for a client until it is ended or sits idle too long. */
export interface Lease {
  id: string;
  lastSeen: number;
  /** Requests in flight (an open stream counts): a busy lease is never idle. */
  active: number;
}

export type EndReason = 'deleted' | 'closed' | 'idle' | 'shutdown' | 'stopped';

/** How many ended ids are remembered, to tell a client why its id no longer answers. */
const REMEMBERED = 10_000;

/**
 * The live leases of a server (MCP sessions, episodes), at most `max` at once, with an idle sweep.
 * Ending one runs `onEnd` (which frees what it holds) once; the reason is remembered for a while.
 */
export class LeaseTable<T extends Lease> {
  private readonly live = new Map<string, T>();
  private readonly ended = new Map<string, EndReason>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly max: number,
    readonly idleMs: number,
    private readonly onEnd: (lease: T, reason: EndReason) => void,
  ) {
    const every = Math.max(50, Math.min(idleMs / 2, 10_000));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  get size(): number {
    return this.live.size;
  }

  get full(): boolean {
    return this.live.size >= this.max;
  }

  get(id: string): T | undefined {
    return this.live.get(id);
  }

  values(): IterableIterator<T> {
    return this.live.values();
  }

  /** Why an id that is not live stopped being live, if it was seen recently. */
  endedBecause(id: string): EndReason | undefined {
    return this.ended.get(id);
  }

  add(lease: T): void {
    this.live.set(lease.id, lease);
  }

  /** Run `body` as a request of the lease: it is busy meanwhile, and seen at both ends. */
  async use<R>(lease: T, body: () => Promise<R>): Promise<R> {
    lease.lastSeen = Date.now();
    lease.active++;
    try {
      return await body();
    } finally {
      lease.active--;
      lease.lastSeen = Date.now();
    }
  }

  end(id: string, reason: EndReason): void {
    const lease = this.live.get(id);
    if (!lease) return;
    this.live.delete(id);
    this.ended.set(id, reason);
    if (this.ended.size > REMEMBERED) this.ended.delete(this.ended.keys().next().value!);
    this.onEnd(lease, reason);
  }

  endAll(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.live.keys()]) this.end(id, 'shutdown');
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const lease of [...this.live.values()]) if (lease.active === 0 && lease.lastSeen < cutoff) this.end(lease.id, 'idle');
  }
}
