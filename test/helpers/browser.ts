import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { CLI } from './mcp.js';

/** Debian's Chromium (installed by .ci/run when missing); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium as this machine runs it: no sandbox (root), no GPU, and no background traffic to the closed network. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM.`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface RunningViewer {
  /** The address `envscale ui` printed (with its token). */
  url: string;
  /** Its origin and path without the token, e.g. http://127.0.0.1:41234/ui/. */
  base: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `envscale ui <args> --port 0` as a user starts it; resolves with the address it prints. */
export function startViewerCli(args: string[]): Promise<RunningViewer> {
  const child = spawn(process.execPath, [CLI, 'ui', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`envscale ui printed no address in 30 s:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /envscale ui at (\S+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      const url = match[1];
      const u = new URL(url);
      resolve({
        url,
        base: `${u.origin}${u.pathname}`,
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`envscale ui exited with ${code}:\n${out}`));
    });
  });
}
