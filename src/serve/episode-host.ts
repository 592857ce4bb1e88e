import { ActionRefused, DEFAULT_LIMITS, EpisodeOver } from '../episode/episode.js';
import type { ActionResult, EpisodePort } from '../episode/port.js';
import type { EpisodeAction, EpisodeSettings } from '../spec/episode-api.js';
import { UserError } from '../util/errors.js';
import { HttpFailure } from './failure.js';
import { EpisodeLost, type EpisodeSource } from './source.js';
import { LeaseTable, type EndReason, type Lease } from './table.js';

/** An episode held by the server for a client (the step API, OpenEnv, MCP clients on its URL). */
export interface EpisodeLease extends Lease {
  port: EpisodePort;
  domain: string;
}

const ENDED: Record<EndReason, string> = {
  deleted: 'was deleted',
  closed: 'was closed',
  idle: 'expired (idle longer than --episode-ttl)',
  shutdown: 'ended when the server stopped',
  stopped: "ended with its domain's process (a tool call ran past the call timeout, or the process failed)",
};

/** Episode settings as the opener takes them. */
export function openRequest(settings: EpisodeSettings) {
  const shaping = settings.shaping === true ? {} : settings.shaping || undefined;
  const limits = settings.max_turns || settings.max_errors ? { maxTurns: settings.max_turns ?? DEFAULT_LIMITS.maxTurns, maxErrors: settings.max_errors ?? DEFAULT_LIMITS.maxErrors } : undefined;
  return { task: settings.task, user: settings.user, seed: settings.seed, shaping, limits };
}

/**
 * The episodes of a server: opened from a domain and settings, found by id, ended on DELETE, on
 * expiry (idle for the TTL) or at shutdown, at most `max` at once. The id (128 random bits) is the
 * only way to an episode: there is no listing.
 */
export class EpisodeHost {
  readonly table: LeaseTable<EpisodeLease>;
  private opening = 0;
  private readonly onEnd: Array<(lease: EpisodeLease, reason: EndReason) => void> = [];

  constructor(
    readonly source: EpisodeSource,
    max: number,
    ttlMs: number,
  ) {
    this.table = new LeaseTable<EpisodeLease>(max, ttlMs, (lease, reason) => {
      try {
        for (const hook of this.onEnd) hook(lease, reason);
      } finally {
        lease.port.close();
      }
    });
  }

  /** Also run `hook` when an episode ends (before its state is freed). */
  whenEnded(hook: (lease: EpisodeLease, reason: EndReason) => void): void {
    this.onEnd.push(hook);
  }

  /** The domain's name if the server has it, or a 404 naming the ones it has. */
  domain(name: string): string {
    if (!this.source.has(name)) throw new HttpFailure(404, `No domain ${name} here; this server has ${this.source.names().join(', ')}.`);
    return name;
  }

  /** Open an episode without holding it (for one request); a bad task or user is a 400. */
  async openLoose(domain: string, settings: EpisodeSettings = {}): Promise<EpisodePort> {
    try {
      return await this.source.open(this.domain(domain), openRequest(settings));
    } catch (err) {
      if (err instanceof UserError) throw new HttpFailure(400, err.message);
      throw err;
    }
  }

  /** Open an episode and hold it; a full server answers 503, a bad task or user 400. */
  async create(domain: string, settings: EpisodeSettings): Promise<EpisodeLease> {
    if (this.table.size + this.opening >= this.table.max) {
      throw new HttpFailure(503, `Too many episodes: this server holds at most ${this.table.max}; delete finished ones (DELETE /v1/episodes/<id>) or restart it with a larger --max-episodes.`);
    }
    this.opening++;
    let port: EpisodePort;
    try {
      port = await this.openLoose(domain, settings);
    } finally {
      this.opening--;
    }
    const lease: EpisodeLease = { id: port.id, port, domain, lastSeen: Date.now(), active: 0 };
    this.table.add(lease);
    return lease;
  }

  /** The live episode with this id, or a 404 that says what became of it. */
  find(id: string): EpisodeLease {
    const lease = this.table.get(id);
    if (lease) return lease;
    const why = this.table.endedBecause(id);
    throw new HttpFailure(404, why ? `Episode ${id} ${ENDED[why]}; create a new one with POST /v1/episodes.` : `No episode ${id} here; create one with POST /v1/episodes.`, -32001);
  }

  delete(lease: EpisodeLease): void {
    this.table.end(lease.id, 'deleted');
  }

  /** Take an action on a held episode. A tool error is an outcome; an ended episode is a 409, an action it cannot take a 400. */
  act(lease: EpisodeLease, action: EpisodeAction): Promise<ActionResult> {
    return this.table.use(lease, () => perform(lease.port, action));
  }

  close(): void {
    this.table.endAll();
  }
}

/** Take an action on an episode, its refusals as HTTP failures. */
export async function perform(port: EpisodePort, action: EpisodeAction): Promise<ActionResult> {
  try {
    return await port.perform(action);
  } catch (err) {
    if (err instanceof EpisodeOver) throw new HttpFailure(409, err.message);
    if (err instanceof ActionRefused) throw new HttpFailure(400, err.message);
    if (err instanceof EpisodeLost) throw new HttpFailure(503, err.message);
    throw err;
  }
}
