import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Domain } from '../env/domain.js';
import { createDomainServer, type DomainServerOptions, type SessionBinding } from './server.js';

/**
 * Serve one domain on stdin/stdout: one MCP session, one state. Resolves when the client closes
 * the connection. Nothing but JSON-RPC goes to stdout; diagnostics go to stderr.
 */
export async function serveStdio(domain: Domain, options: Omit<DomainServerOptions, 'session'> & { binding?: SessionBinding } = {}): Promise<void> {
  const { binding, ...rest } = options;
  const session = binding?.session ?? domain.openSession();
  const onToolCall = binding?.onToolCall ?? rest.onToolCall;
  const server = createDomainServer(domain, { ...rest, session, extension: binding?.extension ?? rest.extension, onToolCall });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once('end', () => void server.close());
  });
  await server.connect(transport);
  await closed;
  binding?.onEnd?.();
  session.close();
}
