import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeRss } from '../src/util/proc.js';

/** Load-generation helpers for the HTTP benchmarks: a keep-alive JSON client and a server process. */

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
export const CLI = resolve(repoRoot, 'dist', 'src', 'cli.js');

/** A JSON-over-HTTP client on keep-alive connections (node:http: the cheapest client Node has). */
export class JsonClient {
  private readonly agent: Agent;

  constructor(sockets = 1000) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  send(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((ok, fail) => {
      const req = request(url, { method, agent: this.agent, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          ok({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
        });
        res.on('error', fail);
      });
      req.on('error', fail);
      req.end(payload);
    });
  }

  /** Like send, failing on a status other than `expect`. */
  async expect(status: number, method: string, url: string, body?: unknown): Promise<any> {
    const res = await this.send(method, url, body);
    if (res.status !== status) throw new Error(`${method} ${url} answered ${res.status}: ${JSON.stringify(res.json)}`);
    return res.json;
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * One keep-alive HTTP/1.1 connection on a bare socket, one request at a time: the cheapest load
 * generator (node:http's client costs about as much CPU per request as the server it measures).
 * Only what the benchmarks' servers answer is understood: bodies with a Content-Length.
 */
export class RawConnection {
  private socket?: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting?: { ok: (r: { status: number; body: Buffer }) => void; fail: (e: Error) => void };
  private readonly url: URL;

  constructor(url: string) {
    this.url = new URL(url);
  }

  /**
   * The open socket, or a new one: a server may close a keep-alive connection that sat idle (while
   * another target was measured), and a write on a closed socket would never be answered.
   */
  private open(): Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = connect(Number(this.url.port), this.url.hostname);
    socket.setNoDelay(true);
    this.buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.parse();
    });
    socket.on('error', (err) => this.settle()?.fail(err));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      this.settle()?.fail(new Error(`connection to ${this.url.host} closed`));
    });
    return (this.socket = socket);
  }

  /** The waiting request, taken: each is answered or failed once. */
  private settle() {
    const waiting = this.waiting;
    this.waiting = undefined;
    return waiting;
  }

  /** POST `body` (JSON text) to `path`; the status and raw body of the answer. */
  post(path: string, body: string): Promise<{ status: number; body: Buffer }> {
    if (this.waiting) return Promise.reject(new Error('one request at a time on a RawConnection'));
    const socket = this.open();
    return new Promise((ok, fail) => {
      this.waiting = { ok, fail };
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${this.url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private parse(): void {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buffer.toString('latin1', 0, end);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) return this.settle()!.fail(new Error(`answer without a Content-Length: ${head}`));
    const total = end + 4 + Number(length[1]);
    if (this.buffer.length < total) return;
    const body = this.buffer.subarray(end + 4, total);
    this.buffer = this.buffer.subarray(total);
    this.settle()!.ok({ status: Number(head.slice(9, 12)), body });
  }
}

/** `envscale serve ... --http --port 0` as its own process: its URL and its resident memory. */
export interface ServeChild {
  url: string;
  child: ChildProcess;
  /** Milliseconds from spawn to listening. */
  startMs: number;
  rss(): number;
  stop(): Promise<void>;
}

export async function startServeChild(args: string[]): Promise<ServeChild> {
  return startChild([CLI, 'serve', ...args, '--http', '--port', '0']);
}

/** A Node process running `argv` (a script and its arguments) that says where its episodes are on stderr, as serve does. */
export async function startChild(argv: string[]): Promise<ServeChild> {
  const started = performance.now();
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((ok, fail) => {
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/v1\/episodes/.exec(err);
      if (m) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`${argv.slice(0, 2).join(' ')} exited with ${code}: ${err}`)));
  });
  return {
    url,
    child,
    startMs: performance.now() - started,
    // The server and its domain processes.
    rss: () => treeRss(child.pid!),
    stop: () =>
      new Promise<void>((ok) => {
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}

/** The p-th percentile (0..1) of sorted samples. */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** Run `op` on `workers` concurrent loops for `ms`; calls per second and per-call latencies. */
export async function closedLoop(op: (worker: number, i: number) => Promise<unknown>, workers: number, ms: number): Promise<{ rate: number; latencies: number[] }> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  const t0 = performance.now();
  let i = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < end) {
        const s = performance.now();
        await op(w, i++);
        latencies.push(performance.now() - s);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / ((performance.now() - t0) / 1000), latencies };
}

/**
 * `workers` agents that each act, then think for `thinkMs` (an agent's model call between steps),
 * for `ms`: latencies at a load below saturation, as a trainer's episodes see them.
 */
export async function openLoop(op: (worker: number) => Promise<unknown>, workers: number, thinkMs: number, ms: number): Promise<{ rate: number; latencies: number[] }> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      // Spread the agents over the think time so they do not act in lockstep.
      await new Promise((r) => setTimeout(r, (thinkMs * w) / workers));
      while (performance.now() < end) {
        const s = performance.now();
        await op(w);
        latencies.push(performance.now() - s);
        await new Promise((r) => setTimeout(r, thinkMs));
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / ((performance.now() - t0) / 1000), latencies };
}
