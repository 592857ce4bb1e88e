import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { treeRss } from '../../src/util/proc.js';
import { CLI, initializeBody, MCP_POST_HEADERS, PROTOCOL_VERSION, REPO_ROOT } from './mcp.js';

/**
 * `envscale serve --http` as a child process, the way a user starts it: the security probes talk
 * to it through real HTTP only, so they hold for any implementation of the HTTP surface.
 */
export interface ServeProcess {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Resident memory of the server and every process it started, bytes (Linux /proc). */
  rssBytes(): number;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Start `envscale serve <args> --http --port 0` and wait until it prints where it serves. */
export async function startServe(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args, '--http', '--port', '0'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within ${options.timeoutMs ?? 90_000} ms; stderr:\n${err}`)), options.timeoutMs ?? 90_000);
    const look = () => {
      const m = /serving \S+ at (http:\/\/[^\s/]+)\/mcp\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stderr!.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before serving; stderr:\n${err}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stderr: () => err,
    rssBytes: () => treeRss(child.pid!),
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The JSON-RPC messages of the body, whether sent as JSON or as an event stream. */
  messages: any[];
}

/** The JSON-RPC messages in a response body (application/json or text/event-stream). */
export function messagesOf(contentType: string | undefined, body: string): any[] {
  if (!body) return [];
  if (contentType?.includes('text/event-stream')) {
    return body
      .split(/\r?\n\r?\n/)
      .map((event) => event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n'))
      .filter((data) => data.length > 0)
      .map((data) => JSON.parse(data));
  }
  const parsed = JSON.parse(body);
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** One HTTP request through node:http (any Host header, any bytes), with the reply read whole. */
export function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'POST', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let messages: any[] = [];
        try {
          messages = messagesOf(res.headers['content-type'], body);
        } catch {
          // Not JSON-RPC: the test looks at the body.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, messages });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    // As a Buffer: a string body would make node:http send the header block in UTF-8, not latin1.
    req.end(typeof options.body === 'string' ? Buffer.from(options.body) : options.body);
  });
}

/** A raw MCP session over HTTP: initialize, then JSON-RPC posts with the session's headers. */
export class RawSession {
  private nextId = 1;
  constructor(
    readonly endpoint: string,
    readonly id: string,
    readonly headers: Record<string, string>,
  ) {}

  static async open(endpoint: string, headers: Record<string, string> = {}): Promise<RawSession> {
    const reply = await send(endpoint, { headers: { ...MCP_POST_HEADERS, ...headers }, body: JSON.stringify(initializeBody()) });
    if (reply.status !== 200) throw new Error(`initialize answered ${reply.status}: ${reply.body}`);
    const id = String(reply.headers['mcp-session-id']);
    const session = new RawSession(endpoint, id, { ...MCP_POST_HEADERS, ...headers, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL_VERSION });
    await session.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return session;
  }

  post(message: unknown, extra: Record<string, string> = {}): Promise<Reply> {
    return send(this.endpoint, { headers: { ...this.headers, ...extra }, body: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  /** Call a tool; the JSON-RPC response (result or error). */
  async call(name: string, args: unknown): Promise<any> {
    const id = this.nextId++;
    const reply = await this.post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
    const response = reply.messages.find((m) => m.id === id);
    if (!response) throw new Error(`no response to tools/call ${name} (HTTP ${reply.status}): ${reply.body.slice(0, 300)}`);
    return response;
  }

  close(): Promise<Reply> {
    return send(this.endpoint, { method: 'DELETE', headers: this.headers });
  }
}

/** The text of a tools/call result (or the error message of a JSON-RPC error). */
export function resultText(response: any): string {
  return response.error ? response.error.message : response.result.content[0].text;
}

/** A TCP connection to the server for writing requests byte by byte (slow and idle clients). */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with what the server wrote and when the connection ended (ms after `since`). */
export function whenClosed(socket: Socket, since = Date.now()): Promise<{ ms: number; data: string }> {
  return new Promise((resolve) => {
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString()));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve({ ms: Date.now() - since, data }));
  });
}

/** Poll `read` until it gives a value (the server records in another process, asynchronously). */
export async function waitUntil<T>(read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
