import { request as httpRequest } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import { Episode } from '../../src/episode/episode.js';
import type { EpisodePort } from '../../src/episode/port.js';

/** The repository root (test/helpers/ is two levels down). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The small fixture domain: find_author, list_notes (reads), add_note, delete_note (writes). */
export const TINY_DIR = resolve(REPO_ROOT, 'fixtures', 'domains', 'tiny');
/** The built CLI that the spawn tests run (`npm run build` first). */
export const CLI = resolve(REPO_ROOT, 'dist', 'src', 'cli.js');

/** MCP protocol version the raw-request tests speak. */
export const PROTOCOL_VERSION = '2025-06-18';

/** A client of the 2025 revisions (initialize, sessions) unless `modern`: then 2026-07-28 (session-less). */
export function newClient(name = 'envscale-test', modern = false): Client {
  return new Client({ name, version: '0.0.0' }, modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
}

export interface HttpClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
  close(): Promise<void>;
}

/** An SDK client connected over Streamable HTTP to `${baseUrl}/mcp/<domain>`. */
export async function connectHttp(baseUrl: string, domain: string, options: { token?: string } = {}): Promise<HttpClient> {
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp/${domain}`), {
    requestInit: options.token ? { headers: { authorization: `Bearer ${options.token}` } } : undefined,
  });
  const client = newClient();
  await client.connect(transport);
  return { client, transport, close: () => client.close() };
}

/** The Episode behind a port of a server in this process (the library's default). */
export const local = (port: EpisodePort): Episode => {
  if (!(port instanceof Episode)) throw new Error('expected an episode in this process');
  return port;
};

/** The text of the first content item of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  const first = content[0];
  if (!first || first.type !== 'text') throw new Error(`expected text content, got ${JSON.stringify(content)}`);
  return first.text;
}

/** Wait until `condition()` is truthy, polling; throw with `what` if `timeoutMs` passes first. */
export async function waitFor<T>(condition: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A JSON-RPC initialize request body. */
export function initializeBody(id: number | string = 1): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw-test', version: '0.0.0' } },
  };
}

/** Headers a Streamable HTTP POST needs. */
export const MCP_POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request through node:http, which (unlike fetch) lets a test set any Host header.
 */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
