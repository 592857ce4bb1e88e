import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import type { Domain } from '../env/domain.js';
import { DOMAIN_FILES, loadDomain, resolveDomainDir } from '../env/load.js';
import { messageOf } from '../util/errors.js';

/**
 * A domain's folder as it travels to queue workers: its files, named by the hash of their
 * content. The coordinator puts it in Redis once per version; a worker uses a folder of the same
 * name on its own search path when the content is the same, else its local cache, else Redis.
 */
export interface DomainBundle {
  name: string;
  hash: string;
  files: Record<string, string>;
}

export function bundleHash(files: Record<string, string>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(files).sort()) h.update(`${name}\0${Buffer.byteLength(files[name])}\0`).update(files[name]);
  return h.digest('hex');
}

export function readBundle(name: string, dir: string): DomainBundle {
  const files: Record<string, string> = {};
  for (const file of DOMAIN_FILES) if (existsSync(join(dir, file))) files[file] = readFileSync(join(dir, file), 'utf8');
  return { name, hash: bundleHash(files), files };
}

const key = (hash: string) => `envscale:domain:${hash}`;
/** What coordinators publish expires a week after the last coordinator that needed it published it. */
const TTL_SECONDS = 7 * 24 * 3600;

/** Put a value, gzipped JSON, under a key named by its content's hash, unless it is there (then only its expiry is renewed). */
export async function publishOnce(redis: Redis, redisKey: string, value: unknown): Promise<void> {
  if ((await redis.expire(redisKey, TTL_SECONDS)) === 1) return;
  await redis.set(redisKey, gzipSync(JSON.stringify(value)), 'EX', TTL_SECONDS);
}

/** A value put by publishOnce, or undefined when it is not (or no longer) there. */
export async function readPublished(redis: Redis, redisKey: string): Promise<unknown> {
  const packed = await redis.getBuffer(redisKey);
  return packed ? JSON.parse(gunzipSync(packed).toString('utf8')) : undefined;
}

/** Put the bundle in Redis unless it is there (then only its expiry is renewed). */
export async function publishBundle(redis: Redis, bundle: DomainBundle): Promise<void> {
  await publishOnce(redis, key(bundle.hash), bundle.files);
}

/** Where a worker keeps the domains it received: $ENVSCALE_CACHE, else the user's cache folder. */
export function defaultCacheDir(): string {
  return process.env.ENVSCALE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'envscale');
}

/** A worker's way to a job's domain, each version loaded once per process. */
export class DomainSource {
  private readonly loading = new Map<string, Promise<Domain>>();

  constructor(
    private readonly redis: Redis,
    private readonly cacheDir: string,
  ) {}

  get(ref: { name: string; hash: string }): Promise<Domain> {
    let p = this.loading.get(ref.hash);
    if (!p) {
      p = this.find(ref);
      this.loading.set(ref.hash, p);
      // A failure is not remembered: the next job asks again (the bundle may have been published since).
      p.catch(() => this.loading.delete(ref.hash));
    }
    return p;
  }

  private async find({ name, hash }: { name: string; hash: string }): Promise<Domain> {
    const local = this.onSearchPath(name);
    if (local && readBundle(name, local).hash === hash) return loadDomain(local);
    const cached = join(this.cacheDir, 'domains', hash);
    if (existsSync(join(cached, 'domain.json'))) return loadDomain(cached);
    const files = (await readPublished(this.redis, key(hash))) as Record<string, string> | undefined;
    if (!files) throw new Error(`the domain ${name} (${hash.slice(0, 12)}) is neither on this worker's search path nor in Redis; rerun the rollout command to publish it`);
    if (bundleHash(files) !== hash) throw new Error(`the domain ${name} in Redis does not match its hash ${hash.slice(0, 12)}; rerun the rollout command to publish it again`);
    writeFolder(cached, files);
    return loadDomain(cached);
  }

  private onSearchPath(name: string): string | undefined {
    try {
      return resolveDomainDir(name);
    } catch {
      return undefined;
    }
  }
}

/** Write a domain folder whole or not at all (a temp folder renamed into place). */
function writeFolder(dir: string, files: Record<string, string>): void {
  const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(tmp, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      if (!(DOMAIN_FILES as readonly string[]).includes(name)) throw new Error(`unexpected file ${name} in a domain bundle`);
      writeFileSync(join(tmp, name), text);
    }
    if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
    else renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, 'domain.json'))) throw new Error(`cannot cache the domain in ${dir}: ${messageOf(err)}`);
  }
}
