import type { Domain } from '../env/domain.js';
import { loadDomain } from '../env/load.js';
import { TrajectoryStore } from '../record/store.js';
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
  headersTimeout: number;
  requestTimeout: number;
  callTimeout: number;
  token?: string;
  store?: string;
  task?: string;
  user: string;
  tasks?: string;
  userBaseUrl?: string;
}

export async function serveCommand(refs: string[], opts: ServeOptions): Promise<void> {
  const domains = refs.map((r) => loadDomain(r));
  if (opts.task && opts.http) throw new UserError('--task binds the stdio session; over HTTP name the task in the URL: /mcp/<domain>?task=<id>&user=<spec>.');
  if (opts.http) return serveHttp(domains, opts);
  if (domains.length > 1) throw new UserError('stdio serves one domain; name one, or add --http to serve several.');
  // Recording and simulated users load the rollout code; a plain stdio server does without it.
  const store = opts.store ? (await import('../record/store.js')).TrajectoryStore.open(opts.store) : undefined;
  const opener =
    store || opts.task
      ? (await import('../episode/opener.js')).episodeOpener({
          store,
          tasksFile: opts.tasks,
          defaultUser: opts.user,
          userEndpoint: { baseURL: opts.userBaseUrl },
          report: (line) => process.stderr.write(`${line}\n`),
        })
      : undefined;
  const episode = await opener?.(domains[0], { task: opts.task, user: opts.task ? opts.user : undefined });
  // Started by hand in a terminal, a silent server looks stuck; an MCP client (stdin a pipe) hears nothing on stderr.
  if (process.stdin.isTTY) process.stderr.write(`envscale: serving ${domains[0].name} over MCP on stdin/stdout; an MCP client starts this command (see "Connect an MCP client" in the README), or add --http to serve it on a port. Ctrl-C stops it.\n`);
  await serveStdio(domains[0], { episode });
  store?.close();
}

/** Every domain's sessions run in a process of their own, which a call that runs too long cannot outlive. */
async function serveHttp(domains: Domain[], opts: ServeOptions): Promise<void> {
  // Opened once here so that a bad --store is refused before the server listens.
  if (opts.store) TrajectoryStore.open(opts.store).close();
  const token = opts.token ?? process.env.ENVSCALE_TOKEN;
  // The viewer at /ui: the served domains and, when recording, live episodes from the store.
  const { uiRequestHandler, UI_DEFAULTS } = await import('../ui/server.js');
  const stopUi = new AbortController();
  const ui = uiRequestHandler({ store: opts.store, domains: domains.map((d) => d.dir!), token, loopbackOnly: false, signal: stopUi.signal });
  const host = await startHttpHost({
    domains,
    host: opts.host,
    port: opts.port,
    token,
    idleTimeoutMs: opts.idleTimeout * 1000,
    maxSessions: opts.maxSessions,
    maxBodyBytes: opts.maxBody,
    headersTimeoutMs: opts.headersTimeout * 1000,
    requestTimeoutMs: opts.requestTimeout * 1000,
    isolate: {
      callTimeoutMs: opts.callTimeout * 1000,
      opener: { store: opts.store, tasksFile: opts.tasks, defaultUser: opts.user, userBaseUrl: opts.userBaseUrl },
    },
    mounts: [{ prefix: UI_DEFAULTS.path, handler: ui }],
  });
  for (const d of domains) process.stderr.write(`serving ${d.name} at ${host.url}/mcp/${d.name}\n`);
  process.stderr.write(`viewer at ${host.url}${UI_DEFAULTS.path}/${token ? '?token=<token>' : ''}\n`);
  const stop = () =>
    void host.close().then(() => {
      stopUi.abort();
      process.exit(0);
    });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
