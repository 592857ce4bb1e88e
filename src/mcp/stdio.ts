import { serveStdio as serveOnStdio } from '@modelcontextprotocol/server/stdio';
import type { Domain } from '../env/domain.js';
import { Episode } from '../episode/episode.js';
import { createDomainServer } from './server.js';

/**
 * Serve one domain on stdin/stdout: one connection, one episode (a plain one on the seed state
 * unless given), for clients of either protocol era. Resolves when the client closes stdin, after
 * the episode has ended. Nothing but JSON-RPC goes to stdout; diagnostics go to stderr.
 */
export async function serveStdio(domain: Domain, options: { episode?: Episode } = {}): Promise<void> {
  const episode = options.episode ?? (await Episode.open({ domain }));
  const closed = new Promise<void>((resolve) => process.stdin.once('end', resolve).once('close', resolve));
  const handle = serveOnStdio(() => createDomainServer(episode));
  await closed;
  await handle.close();
  episode.close();
}
