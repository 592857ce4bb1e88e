import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from './package-root.js';

/**
 * Child processes that run spec SQL, watched by their parent. Nothing can interrupt a SQLite
 * statement from JavaScript (better-sqlite3 has neither sqlite3_interrupt nor a progress
 * handler), and a worker thread stuck in one can neither be terminated nor waited for at exit; a
 * process can be killed. The child sends a heartbeat from its event loop; a statement that runs
 * too long blocks that loop, the heartbeats stop, and the parent kills the child.
 */

/** How often a watched child says its event loop turns. */
export const HEARTBEAT_MS = 200;

export interface Heartbeat {
  type: 'beat';
}

/** In the child: send heartbeats while the channel to the parent is open (they keep nothing alive). */
export function startHeartbeat(): void {
  const timer = setInterval(() => process.connected && process.send?.({ type: 'beat' } satisfies Heartbeat), HEARTBEAT_MS);
  timer.unref();
  process.once('disconnect', () => clearInterval(timer));
}

/**
 * The compiled module `src/<path>.js`, next to the calling module in dist/ or, under a TypeScript
 * runner (tests), in the package's dist/ folder.
 */
export function compiledEntry(callerUrl: string, path: string): string {
  const here = fileURLToPath(new URL(`./${path.split('/').pop()}.js`, callerUrl));
  return existsSync(here) && here.endsWith('.js') ? here : join(packageRoot(), 'dist', 'src', `${path}.js`);
}

/**
 * A sender that puts every message of one turn of the event loop into one array, sent after the
 * turn's I/O callbacks (setImmediate). Under load many requests arrive per turn, and each message
 * on the IPC channel costs a serialization and a write to the pipe: one per turn costs a fraction
 * (about a quarter of the CPU per round trip at 100 messages in flight). The receiver unpacks
 * arrays (forkWatched does, and so does the child's onBatch).
 */
export function batchedSender<M>(send: (batch: M[]) => void): (message: M) => void {
  let queue: M[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    send(batch);
  };
  return (message) => {
    if (queue.push(message) === 1) setImmediate(flush);
  };
}

/** In the child: the parent's messages, batches unpacked, one by one. */
export function onParentMessage<M>(handle: (message: M) => void): void {
  process.on('message', (m: M | M[]) => {
    if (Array.isArray(m)) for (const one of m) handle(one);
    else handle(m);
  });
}

export interface WatchedChild {
  child: ChildProcess;
  /** Send a message, if the channel is still open. */
  send(message: unknown): void;
  /** Close the channel (the child is expected to exit), and kill it if it has not after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** What a watched child's parent does with it; the fields are read at each use, so they may be replaced later. */
export interface WatchHandlers<M> {
  limitMs: () => number;
  onMessage: (m: M) => void;
  onExit: (stalled: boolean, cause: string) => void;
}

/**
 * Fork `entry` with an IPC channel (structured clone) and watch it: when no message has come for
 * `limitMs()` milliseconds it is killed with SIGKILL. `onExit` learns whether that is why it ended.
 * With `batched`, messages sent in one turn go as one array (see batchedSender); arrays the child
 * sends are unpacked either way.
 */
export function forkWatched<M>(entry: string, options: WatchHandlers<M> & { batched?: boolean }): WatchedChild {
  const child = fork(entry, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let last = Date.now();
  let stalled = false;
  const receive = (m: M | Heartbeat) => {
    if ((m as Heartbeat).type !== 'beat') options.onMessage(m as M);
  };
  child.on('message', (m: M | Heartbeat | Array<M | Heartbeat>) => {
    last = Date.now();
    if (Array.isArray(m)) m.forEach(receive);
    else receive(m);
  });
  child.on('error', () => undefined);
  const timer = setInterval(() => {
    if (Date.now() - last <= options.limitMs()) return;
    stalled = true;
    child.kill('SIGKILL');
  }, 250);
  timer.unref();
  child.once('exit', (code, signal) => {
    clearInterval(timer);
    options.onExit(stalled, code !== null ? `exit code ${code}` : `signal ${signal}`);
  });
  const direct = (message: unknown) => {
    if (child.connected) child.send(message as never);
  };
  return {
    child,
    send: options.batched ? batchedSender(direct) : direct,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.disconnect();
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(kill);
    },
  };
}
