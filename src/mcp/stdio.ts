import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Domain } from '../env/domain.js';
import { Episode } from '../episode/episode.js';
import { createDomainServer } from './server.js';

/**
 * Serve one domain on stdin/stdout: one MCP session, one episode (a plain one on the seed state
 * unless given). Resolves when the client closes the connection, after the episode has ended.
 * Nothing but JSON-RPC goes to stdout; diagnostics go to stderr.
 */
export async function serveStdio(domain: Domain, options: { episode?: Episode } = {}): Promise<void> {
  const episode = options.episode ?? (await Episode.open({ domain }));
  const server = createDomainServer(episode);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once('end', () => void server.close());
  });
  await server.connect(transport);
  await closed;
  episode.close();
}
