import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from './errors.js';

/** Listen on host:port (0 picks a free port); a port in use is one sentence. Returns the port and the base URL. */
export async function listen(server: Server, host: string, port: number): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new UserError(err.code === 'EADDRINUSE' ? `Port ${port} on ${host} is in use; pick another with --port.` : `Cannot listen on ${host}:${port}: ${err.message}.`)),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}
