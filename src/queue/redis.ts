import { Redis, type RedisOptions } from 'ioredis';
import { UserError, messageOf } from '../util/errors.js';

/** A Redis server named by a redis:// (or rediss://) URL, as --queue gives it. */
export interface RedisTarget {
  /** The URL without its password: what messages and the run record show. */
  shown: string;
  options: RedisOptions;
}

/** How to get a Redis running, for the messages that cannot reach one. */
export const START_REDIS = 'start one with "redis-server --port 6379" (Debian: apt-get install redis-server), or pass --queue the URL of a running one';

export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--queue ${url} is not a URL; use redis://host:port, for example redis://127.0.0.1:6379.`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UserError(`--queue ${url} is not a Redis URL; use redis://host:port, for example redis://127.0.0.1:6379.`);
  const db = u.pathname.replace(/^\//, '');
  if (db && !/^\d+$/.test(db)) throw new UserError(`--queue ${url} names database "${db}"; a Redis database is a number (redis://host:port/0).`);
  const shownUrl = new URL(u.href);
  if (shownUrl.password) shownUrl.password = '***';
  return {
    shown: shownUrl.href.replace(/\/$/, ''),
    options: {
      host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
      port: u.port ? Number(u.port) : 6379,
      ...(db ? { db: Number(db) } : {}),
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  };
}

/**
 * Connect once, fail fast: the one-sentence error when Redis cannot be reached at start, before
 * BullMQ (which waits for Redis forever) is involved.
 */
export async function checkRedis(target: RedisTarget, timeoutMs = 3000): Promise<void> {
  const client = new Redis({ ...target.options, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // The socket's own error (ECONNREFUSED...) says more than the "Connection is closed" that follows it.
  let cause: string | undefined;
  client.on('error', (err) => (cause ??= messageOf(err)));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new UserError(`Cannot reach Redis at ${target.shown} (${cause ?? messageOf(err)}); ${START_REDIS}.`);
  } finally {
    client.disconnect();
  }
}

/** ioredis options whose retry strategy is a function (the shape both ioredis and BullMQ take). */
export type ConnectionOptions = Omit<RedisOptions, 'retryStrategy'> & { retryStrategy: (times: number) => number | null };

/** Longest wait between two reconnection attempts. */
const MAX_DELAY_MS = 2000;
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connection options for BullMQ's clients: commands wait while Redis is away
 * (maxRetriesPerRequest null, as BullMQ requires for workers), reconnecting with a backoff from
 * 100 ms to 2 s; once Redis has been away for `patienceMs`, every client stops reconnecting,
 * their pending commands fail, and `onGiveUp` is called once.
 *
 * One strategy is shared by all the clients BullMQ opens (it duplicates connections), so the
 * outage is timed from the first failed attempt; a pause in the attempts longer than any backoff
 * means the connection came back in between, and a later outage is timed afresh.
 */
export function connectionOptions(target: RedisTarget, patienceMs: number, onGiveUp: () => void): ConnectionOptions {
  let downSince = 0;
  let lastAttempt = 0;
  let gaveUp = false;
  return {
    ...target.options,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => {
      const now = Date.now();
      if (gaveUp) return null;
      if (now - lastAttempt > MAX_DELAY_MS + CONNECT_TIMEOUT_MS + 1000) downSince = now;
      lastAttempt = now;
      if (now - downSince >= patienceMs) {
        gaveUp = true;
        onGiveUp();
        return null;
      }
      return Math.min(100 * 2 ** (times - 1), MAX_DELAY_MS);
    },
  };
}
