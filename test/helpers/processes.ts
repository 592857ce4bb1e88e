import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import Database from 'better-sqlite3';
import { CLI, REPO_ROOT } from './mcp.js';

/** An `envscale worker` process and what it printed. */
export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** host:pid, as BullMQ records it on the jobs the worker takes. */
  name: () => string | undefined;
}

export function spawnWorker(queue: string, env: NodeJS.ProcessEnv, args: string[] = [], cwd = REPO_ROOT): WorkerProcess {
  const child = spawn(process.execPath, [CLI, 'worker', '--queue', queue, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited, name: () => /^worker (\S+) takes/m.exec(out)?.[1] };
}

/** Stop a worker if it still runs (SIGKILL: nothing is left behind by a failing test). */
export async function reap(w: WorkerProcess): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await w.exited;
}

/** Run node with these arguments (the CLI and its own) without blocking this process (which may serve the model the child talks to). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd, env });
  const [stdout, stderr, status] = await Promise.all([text(child.stdout), text(child.stderr), new Promise<number | null>((r) => child.once('exit', r))]);
  return { status, stdout, stderr };
}

/** Finished episodes in a store file another process writes (0 while it does not exist). */
export function doneCount(path: string): number {
  if (!existsSync(path)) return 0;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM episodes WHERE status = 'done'").get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}
