import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Domain } from '../env/domain.js';
import { createDomainServer, type DomainServerOptions } from './server.js';

/**
 * Serve one domain on stdin/stdout: one MCP session, one state. Resolves when the client closes
 * the connection. Nothing but JSON-RPC goes to stdout; diagnostics go to stderr.
 */
export async function serveStdio(domain: Domain, options: Omit<DomainServerOptions, 'session'> = {}): Promise<void> {
  const session = domain.openSession();
  const server = createDomainServer(domain, { ...options, session });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once('end', () => void server.close());
  });
  await server.connect(transport);
  await closed;
  session.close();
}
