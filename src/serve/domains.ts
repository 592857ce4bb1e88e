import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Domain, DomainError } from '../env/domain.js';
import { readDomainSpec } from '../env/load.js';
import { forgetGolds } from '../record/reward.js';
import { UserError } from '../util/errors.js';

/** A domain folder the server offers that cannot be loaded: the server's fault, not the request's. */
export class DomainUnavailable extends Error {
  override name = 'DomainUnavailable';
}

/** A domain a server offers: loaded already, or a folder loaded on first use. */
export type DomainRef = Domain | { name: string; dir: string };

interface Slot {
  name: string;
  dir?: string;
  domain?: Domain;
  /** Loaded on demand (and so unloaded when idle); a domain given loaded stays. */
  lazy: boolean;
  /** Episodes and sessions open on it. */
  users: number;
  lastUsed: number;
  failure?: string;
}

/** Domain folders inside `dir` (each with a domain.json), named by folder: nothing is read. */
export function domainFolders(dir: string): Array<{ name: string; dir: string }> {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'domain.json')))
    .map((e) => ({ name: e.name, dir: join(dir, e.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The domains of a server. A folder is loaded (read, validated, compiled) on its first episode,
 * and unloaded again once nothing has used it for `idleMs`, so a server can offer thousands of
 * domains and start at once. A folder that fails to load answers every request with its error.
 */
export class DomainCatalog {
  private readonly slots = new Map<string, Slot>();
  private readonly sweeper?: NodeJS.Timeout;

  constructor(
    refs: DomainRef[],
    readonly idleMs = 10 * 60_000,
  ) {
    for (const ref of refs) {
      const slot: Slot = ref instanceof Domain ? { name: ref.name, domain: ref, lazy: false, users: 0, lastUsed: 0 } : { name: ref.name, dir: ref.dir, lazy: true, users: 0, lastUsed: 0 };
      if (this.slots.has(slot.name)) throw new UserError(`Two domains are named ${slot.name}; serve one of them.`);
      this.slots.set(slot.name, slot);
    }
    if ([...this.slots.values()].some((s) => s.lazy)) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(idleMs / 2, 30_000)));
      this.sweeper.unref();
    }
  }

  names(): string[] {
    return [...this.slots.keys()];
  }

  has(name: string): boolean {
    return this.slots.has(name);
  }

  /** How many domains are loaded now. */
  get loaded(): number {
    return [...this.slots.values()].filter((s) => s.domain).length;
  }

  /**
   * The domain, loaded if it was not; undefined when there is no such domain. Throws a
   * DomainUnavailable naming the folder and the problem when it cannot be loaded.
   */
  get(name: string): Domain | undefined {
    const slot = this.slots.get(name);
    if (!slot) return undefined;
    slot.lastUsed = Date.now();
    if (slot.domain) return slot.domain;
    if (slot.failure) throw new DomainUnavailable(slot.failure);
    try {
      const spec = readDomainSpec(slot.dir!);
      if (spec.name !== name) throw new UserError(`The folder ${slot.dir} holds domain ${spec.name}, not ${name}; name the folder after its domain.`);
      slot.domain = new Domain(spec, slot.dir);
      return slot.domain;
    } catch (err) {
      if (!(err instanceof UserError || err instanceof DomainError)) throw err;
      // A broken folder stays broken until the server restarts: do not read it again per request.
      slot.failure = `Domain ${name} cannot be served: ${err.message}`;
      throw new DomainUnavailable(slot.failure);
    }
  }

  /** An episode or session opened on the domain (it is not unloaded while any is open). */
  hold(domain: Domain): void {
    const slot = this.slots.get(domain.name);
    if (slot) slot.users++;
  }

  release(domain: Domain): void {
    const slot = this.slots.get(domain.name);
    if (!slot) return;
    slot.users = Math.max(0, slot.users - 1);
    slot.lastUsed = Date.now();
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const slot of this.slots.values()) if (slot.lazy && slot.domain) this.unload(slot);
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const slot of this.slots.values()) if (slot.lazy && slot.domain && slot.users === 0 && slot.lastUsed < cutoff) this.unload(slot);
  }

  private unload(slot: Slot): void {
    forgetGolds(slot.domain!);
    slot.domain!.close();
    slot.domain = undefined;
  }
}

/** A folder argument of `serve`: a domain folder, or a folder of domain folders (by folder name). */
export function isFolderOfDomains(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory() && !existsSync(join(dir, 'domain.json')) && domainFolders(dir).length > 0;
}
