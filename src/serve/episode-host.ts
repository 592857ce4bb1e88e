import type { Tool } from '@modelcontextprotocol/server';
import type { Domain } from '../env/domain.js';
import { ActionRefused, EpisodeOver, type Episode, type MessageStep, type ToolStep } from '../episode/episode.js';
import type { EpisodeOpener } from '../episode/opener.js';
import { listTools } from '../episode/tools.js';
import type { EpisodeAction, EpisodeSettings } from '../spec/episode-api.js';
import { UserError } from '../util/errors.js';
import type { DomainCatalog } from './domains.js';
import { HttpFailure } from './failure.js';
import { LeaseTable, type EndReason, type Lease } from './table.js';

/** An episode held by the server for a client (the step API, OpenEnv, MCP clients on its URL). */
export interface EpisodeLease extends Lease {
  episode: Episode;
  domain: Domain;
}

/** What an action brought back, before a protocol shapes it. */
export type ActionOutcome = { kind: 'tool'; step: ToolStep } | { kind: 'message'; step: MessageStep } | { kind: 'tools'; tools: Tool[] };

const ENDED: Record<EndReason, string> = {
  deleted: 'was deleted',
  closed: 'was closed',
  idle: 'expired (idle longer than --episode-ttl)',
  shutdown: 'ended when the server stopped',
};

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
    private readonly catalog: DomainCatalog,
    private readonly open: EpisodeOpener,
    max: number,
    ttlMs: number,
  ) {
    this.table = new LeaseTable<EpisodeLease>(max, ttlMs, (lease, reason) => {
      try {
        for (const hook of this.onEnd) hook(lease, reason);
      } finally {
        lease.episode.close();
        this.catalog.release(lease.domain);
      }
    });
  }

  /** Also run `hook` when an episode ends (before its state is freed). */
  whenEnded(hook: (lease: EpisodeLease, reason: EndReason) => void): void {
    this.onEnd.push(hook);
  }

  /** A domain by name, or a 404 naming the ones served. */
  domain(name: string): Domain {
    let domain: Domain | undefined;
    try {
      domain = this.catalog.get(name);
    } catch (err) {
      if (err instanceof UserError) throw new HttpFailure(500, err.message);
      throw err;
    }
    if (!domain) throw new HttpFailure(404, `No domain ${name} here; this server has ${this.catalog.names().join(', ')}.`);
    return domain;
  }

  /** Open an episode; a full server answers 503, a bad task or user 400. */
  async create(domain: Domain, settings: EpisodeSettings): Promise<EpisodeLease> {
    if (this.table.size + this.opening >= this.table.max) {
      throw new HttpFailure(503, `Too many episodes: this server holds at most ${this.table.max}; delete finished ones (DELETE /v1/episodes/<id>) or restart it with a larger --max-episodes.`);
    }
    this.opening++;
    let episode: Episode;
    try {
      const shaping = settings.shaping === true ? {} : settings.shaping || undefined;
      const limits = settings.max_turns || settings.max_errors ? { maxTurns: settings.max_turns ?? 40, maxErrors: settings.max_errors ?? 10 } : undefined;
      episode = await this.open(domain, { task: settings.task, user: settings.user, seed: settings.seed, shaping, limits });
    } catch (err) {
      if (err instanceof UserError) throw new HttpFailure(400, err.message);
      throw err;
    } finally {
      this.opening--;
    }
    const lease: EpisodeLease = { id: episode.id, episode, domain, lastSeen: Date.now(), active: 0 };
    this.catalog.hold(domain);
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

  /**
   * Take an action on an episode (after those in flight). A tool error is an outcome; an ended
   * episode is a 409, an action it cannot take (a message with no user) a 400.
   */
  act(lease: EpisodeLease, action: EpisodeAction): Promise<ActionOutcome> {
    const { episode } = lease;
    return this.table.use(lease, () =>
      episode.act(async (): Promise<ActionOutcome> => {
        try {
          if (action.type === 'list_tools') return { kind: 'tools', tools: listTools(episode.domain) };
          if (action.type === 'message') return { kind: 'message', step: await episode.say(action.content) };
          return { kind: 'tool', step: episode.callTool(action.tool_name, action.arguments) };
        } catch (err) {
          if (err instanceof EpisodeOver) throw new HttpFailure(409, err.message);
          if (err instanceof ActionRefused) throw new HttpFailure(400, err.message);
          throw err;
        }
      }),
    );
  }

  close(): void {
    this.table.endAll();
  }
}
