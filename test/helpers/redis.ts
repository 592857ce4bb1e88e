import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export interface RedisServer {
  port: number;
  pid: number;
  url: string;
  /** A client for looking into the server (closed by stop()). */
  client: Redis;
  /** Kill the server at once (SIGKILL): its data is gone (no persistence). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real redis-server of its own for a test: a free port, a temp folder, no persistence. A
 * missing redis-server is a setup failure, never a skip: CI installs it (.ci/run).
 */
export async function startRedis(port?: number): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed; the queue tests need a real Redis: apt-get install -y redis-server (.ci/run does this).');
  }
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'envscale-redis-'));
  const child: ChildProcess = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server on port ${p} did not start within 10 s:\n${output}`)), 10_000);
    const check = () => {
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  const client = new Redis({ port: p, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  const end = async (signal: NodeJS.Signals) => {
    client.disconnect();
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return { port: p, pid: child.pid!, url: `redis://127.0.0.1:${p}`, client, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
