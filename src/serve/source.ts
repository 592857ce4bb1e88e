import type { EpisodeOpener, OpenRequest } from '../episode/opener.js';
import { domainInfo, type DomainInfo, type EpisodePort } from '../episode/port.js';
import type { DomainCatalog } from './domains.js';

/**
 * Where a server's episodes live: in this process (LocalSource), or in worker processes that a
 * runaway call can take down without the server (src/serve/workers.ts). A task that does not
 * exist, or a user that cannot open, is a UserError; so is a domain that cannot be loaded.
 */
export interface EpisodeSource {
  names(): string[];
  has(domain: string): boolean;
  open(domain: string, request: Omit<OpenRequest, 'onClose'>): Promise<EpisodePort>;
  /** What serving needs of a domain (its tools, policy, tables) without an episode. */
  info(domain: string): Promise<DomainInfo>;
  /** Run `hook` for each episode lost with the process it lived in (sources with processes). */
  whenLost?(hook: (port: EpisodePort) => void): void;
  close(): Promise<void>;
}

/** An episode that ended with the process it lived in (a call ran past the timeout, or it crashed). */
export class EpisodeLost extends Error {
  override name = 'EpisodeLost';
}

/** Episodes in this process, on domains of a catalog (held while an episode is open on them). */
export class LocalSource implements EpisodeSource {
  constructor(
    readonly catalog: DomainCatalog,
    private readonly opener: EpisodeOpener,
  ) {}

  names(): string[] {
    return this.catalog.names();
  }

  has(domain: string): boolean {
    return this.catalog.has(domain);
  }

  async open(name: string, request: Omit<OpenRequest, 'onClose'>): Promise<EpisodePort> {
    const domain = this.catalog.get(name)!;
    this.catalog.hold(domain);
    try {
      return await this.opener(domain, { ...request, onClose: () => this.catalog.release(domain) });
    } catch (err) {
      this.catalog.release(domain);
      throw err;
    }
  }

  async info(name: string): Promise<DomainInfo> {
    return domainInfo(this.catalog.get(name)!);
  }

  async close(): Promise<void> {
    this.catalog.close();
  }
}
