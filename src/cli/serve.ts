import { loadDomain } from '../env/load.js';
import { UserError } from '../util/errors.js';
import { serveStdio } from '../mcp/stdio.js';
import { startHttpHost } from '../mcp/http.js';

export interface ServeOptions {
  http?: boolean;
  host: string;
  port: number;
  idleTimeout: number;
  maxSessions: number;
  maxBody: number;
  token?: string;
}

export async function serveCommand(refs: string[], opts: ServeOptions): Promise<void> {
  const domains = refs.map((r) => loadDomain(r));
  if (!opts.http) {
    if (domains.length > 1) throw new UserError('stdio serves one domain; name one, or add --http to serve several.');
    await serveStdio(domains[0]);
    return;
  }
  const token = opts.token ?? process.env.ENVSCALE_TOKEN;
  const host = await startHttpHost({
    domains,
    host: opts.host,
    port: opts.port,
    token,
    idleTimeoutMs: opts.idleTimeout * 1000,
    maxSessions: opts.maxSessions,
    maxBodyBytes: opts.maxBody,
  });
  for (const d of domains) process.stderr.write(`serving ${d.name} at ${host.url}/mcp/${d.name}\n`);
  if (!/^(127\.|localhost$|::1$)/.test(opts.host) && !token) {
    process.stderr.write('warning: listening beyond this machine without --token; anyone who can reach the port can use it\n');
  }
  const stop = () => void host.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
