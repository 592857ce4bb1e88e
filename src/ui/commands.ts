import { existsSync, statSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import { isLoopbackHost } from '../util/loopback.js';
import { startUiServer } from './server.js';

export interface UiCommandOptions {
  store?: string;
  domains?: string[];
  plan?: string;
  graph?: string;
  host: string;
  port: number;
  token?: string;
}

const DEFAULT_STORE = 'runs.db';

/** `envscale ui`: serve the viewer until interrupted; print its address. */
export async function uiCommand(opts: UiCommandOptions): Promise<void> {
  for (const dir of opts.domains ?? []) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--domains ${dir} is not a folder; pass a domain folder or a folder of domain folders.`);
  }
  for (const [flag, file] of [['--plan', opts.plan], ['--graph', opts.graph]] as const) {
    if (file !== undefined && !existsSync(file)) throw new UserError(`${flag} ${file} does not exist; write it with "envscale partition corpus.json -o plan.json -g graph.json".`);
  }
  const store = opts.store ?? (existsSync(DEFAULT_STORE) ? DEFAULT_STORE : undefined);
  const token = opts.token ?? process.env.ENVSCALE_TOKEN;
  const server = await startUiServer({ store, domains: opts.domains, plan: opts.plan, graph: opts.graph, token, host: opts.host, port: opts.port });
  console.log(`envscale ui at ${server.url}`);
  if (!store) console.log(`no trajectory store (${DEFAULT_STORE} is not here): pass --store to see runs`);
  else if (!existsSync(store)) console.log(`no store at ${store} yet: its runs appear once it is written`);
  if (!isLoopbackHost(opts.host) && !token) console.log('warning: listening beyond this machine without --token; anyone who can reach the port can read the store');
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
