import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { listen } from '../util/listen.js';
import { isLoopbackHost } from '../util/loopback.js';
import { createUiApp, type UiOptions } from './app.js';

export const UI_DEFAULTS = { host: '127.0.0.1', port: 8809, path: '/ui' } as const;

/**
 * A Node request handler serving the viewer under `path` (for a plain node:http server such as
 * `serve --http`'s). The app is built once; aborting `signal` releases it.
 */
export function uiRequestHandler(options: UiOptions, path: string = UI_DEFAULTS.path): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const app = new Hono().route(path, createUiApp(options));
  // Leave the process's global Request/Response alone: the MCP SDK and the model client use them too.
  return getRequestListener(app.fetch, { overrideGlobalObjects: false });
}

export interface UiServer {
  /** The page's address, with the token when there is one (what to open in a browser). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `envscale ui`: the viewer on its own server, at /ui/ (the root redirects there). */
export async function startUiServer(options: UiOptions & { host?: string; port?: number }): Promise<UiServer> {
  const host = options.host ?? UI_DEFAULTS.host;
  const stop = new AbortController();
  const handler = uiRequestHandler({ ...options, loopbackOnly: options.loopbackOnly ?? isLoopbackHost(host), signal: stop.signal });
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(302, { location: `${UI_DEFAULTS.path}/${req.url.slice(1)}` });
      res.end();
      return;
    }
    void handler(req, res);
  });
  const { port, url } = await listen(server, host, options.port ?? UI_DEFAULTS.port);
  // A page left open polls and reconnects at its own pace: keep idle connections longer than Node's 5 s.
  server.keepAliveTimeout = 65_000;
  return {
    url: `${url}${UI_DEFAULTS.path}/${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        stop.abort();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
