import type { Domain } from '../env/domain.js';
import { loadDomain } from '../env/load.js';
import { UserError } from '../util/errors.js';
import { domainFolders, isFolderOfDomains, type DomainRef } from '../serve/domains.js';

export interface ServeOptions {
  http?: boolean;
  host: string;
  port: number;
  idleTimeout: number;
  maxSessions: number;
  maxBody: number;
  episodeTtl: number;
  maxEpisodes: number;
  domainIdle: number;
  headersTimeout: number;
  requestTimeout: number;
  callTimeout: number;
  maxDomainProcesses: number;
  domainProcesses: number;
  token?: string;
  store?: string;
  task?: string;
  user: string;
  tasks?: string;
  userBaseUrl?: string;
}

/** A folder of domain folders is offered lazily (over HTTP); any other argument is a domain, loaded now. */
function domainRefs(refs: string[], http: boolean): DomainRef[] {
  return refs.flatMap((ref): DomainRef[] => {
    if (!isFolderOfDomains(ref)) return [loadDomain(ref)];
    if (!http) throw new UserError(`${ref} is a folder of domains; stdio serves one domain: name one of its folders, or add --http.`);
    return domainFolders(ref);
  });
}

/** The folders the viewer reads: each argument's folder (a folder of domains stays one folder). */
function uiFolders(refs: string[], domains: DomainRef[]): string[] {
  const folders = refs.filter((r) => isFolderOfDomains(r));
  for (const d of domains) if ('spec' in d && d.dir) folders.push(d.dir);
  return folders;
}

export async function serveCommand(refs: string[], opts: ServeOptions): Promise<void> {
  const domains = domainRefs(refs, opts.http === true);
  if (opts.task && opts.http) throw new UserError('--task binds the stdio session; over HTTP name the task in the URL: /mcp/<domain>?task=<id>&user=<spec>, or POST /v1/episodes.');
  if (!opts.http) {
    if (domains.length > 1) throw new UserError('stdio serves one domain; name one, or add --http to serve several.');
    const domain = domains[0] as Domain;
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
    const episode = await opener?.(domain, { task: opts.task, user: opts.task ? opts.user : undefined });
    // Started by hand in a terminal, a silent server looks stuck; an MCP client (stdin a pipe) hears nothing on stderr.
    if (process.stdin.isTTY) process.stderr.write(`envscale: serving ${domain.name} over MCP on stdin/stdout; an MCP client starts this command (see "Connect an MCP client" in the README), or add --http to serve it on a port. Ctrl-C stops it.\n`);
    const { serveStdio } = await import('../mcp/stdio.js');
    await serveStdio(domain, { episode });
    store?.close();
    return;
  }
  // Every domain's episodes run in a process of their own, which records them: a bad --store is
  // refused here, before the server listens.
  if (opts.store) (await import('../record/store.js')).TrajectoryStore.open(opts.store).close();
  const token = opts.token ?? process.env.ENVSCALE_TOKEN;
  const { startHttpHost } = await import('../serve/host.js');
  // The viewer at /ui: the served domains and, when recording, live episodes from the store.
  const [{ createUiApp }, { UI_DEFAULTS }] = await Promise.all([import('../ui/app.js'), import('../ui/server.js')]);
  const stopUi = new AbortController();
  const ui = createUiApp({ store: opts.store, domains: uiFolders(refs, domains), token, loopbackOnly: false, signal: stopUi.signal });
  const host = await startHttpHost({
    domains,
    host: opts.host,
    port: opts.port,
    token,
    idleTimeoutMs: opts.idleTimeout * 1000,
    maxSessions: opts.maxSessions,
    maxBodyBytes: opts.maxBody,
    episodeTtlMs: opts.episodeTtl * 1000,
    maxEpisodes: opts.maxEpisodes,
    domainIdleMs: opts.domainIdle * 1000,
    headersTimeoutMs: opts.headersTimeout * 1000,
    requestTimeoutMs: opts.requestTimeout * 1000,
    isolate: {
      callTimeoutMs: opts.callTimeout * 1000,
      maxProcesses: opts.maxDomainProcesses,
      processesPerDomain: opts.domainProcesses,
      opener: { store: opts.store, tasksFile: opts.tasks, defaultUser: opts.user, userBaseUrl: opts.userBaseUrl },
    },
    mounts: [{ prefix: UI_DEFAULTS.path, app: ui }],
  });
  const names = host.catalog.names();
  if (names.length <= 20) for (const d of names) process.stderr.write(`serving ${d} at ${host.url}/mcp/${d}\n`);
  else process.stderr.write(`serving ${names.length} domains at ${host.url}/mcp/<domain> (each loaded on its first use)\n`);
  process.stderr.write(`episodes at ${host.url}/v1/episodes, OpenEnv at ${host.url}/openenv/<domain>\n`);
  process.stderr.write(`viewer at ${host.url}${UI_DEFAULTS.path}/${token ? '?token=<token>' : ''}\n`);
  const stop = () =>
    void host.close().then(() => {
      stopUi.abort();
      process.exit(0);
    });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
