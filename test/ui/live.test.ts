import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrajectoryStore } from '../../src/record/store.js';
import type { LiveChange } from '../../src/ui/live.js';
import { StorePoller } from '../../src/ui/live.js';
import { startUiServer } from '../../src/ui/server.js';
import { StoreReader } from '../../src/ui/store-reader.js';
import { CLI, connectHttp, waitFor } from '../helpers/mcp.js';
import { PROJECTS_DIR } from '../helpers/viewer-store.js';

const work = mkdtempSync(join(tmpdir(), 'envscale-ui-live-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A store with one run, open for writing (as a recorder holds it). */
function writableStore(name: string): { path: string; store: TrajectoryStore; run: number } {
  const path = join(work, name);
  const store = TrajectoryStore.open(path);
  const run = store.openRun({ key: null, kind: 'serve', domain: 'projects', settings: {} }).id;
  return { path, store, run };
}

/** Server-sent events of a URL, collected as they arrive. */
function sse(url: string, headers: Record<string, string> = {}) {
  const events: Array<{ event: string; data: string }> = [];
  const abort = new AbortController();
  const done = (async () => {
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    if (res.status !== 200) throw new Error(`SSE answered ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
        if (data) events.push({ event, data });
      }
    }
  })().catch((err: Error) => {
    if (err.name !== 'AbortError') throw err;
  });
  const changes = () => events.filter((e) => e.event === 'change').map((e) => JSON.parse(e.data) as LiveChange);
  return { events, changes, close: () => (abort.abort(), done) };
}

describe('live updates', () => {
  it('reports new runs, and episodes as they start, grow and end (one pragma per idle poll)', () => {
    const { path, store, run } = writableStore('poll.db');
    const reader = new StoreReader(path);
    const poller = new StorePoller(reader, 3_600_000);
    const seen: LiveChange[] = [];
    const unsubscribe = poller.subscribe((c) => seen.push(c));
    try {
      poller.poll();
      expect(seen).toHaveLength(0);
      const writer = store.beginEpisode({ runId: run, domain: 'projects', taskId: null, trial: 1 });
      writer.append({ kind: 'message', role: 'user', content: 'hi' });
      poller.poll();
      expect(seen.at(-1)!.episodes).toEqual([{ id: writer.id, run_id: run, status: 'running', reward: null, events: 1 }]);
      poller.poll();
      expect(seen).toHaveLength(1);
      writer.append({ kind: 'message', role: 'assistant', content: 'hello' });
      poller.poll();
      expect(seen.at(-1)!.episodes[0]).toMatchObject({ id: writer.id, status: 'running', events: 2 });
      writer.finish({ status: 'done', reward: 1 });
      const next = store.openRun({ key: null, kind: 'serve', domain: 'projects', settings: {} }).id;
      poller.poll();
      expect(seen.at(-1)).toEqual({ runs: [next], episodes: [{ id: writer.id, run_id: run, status: 'done', reward: 1, events: 2 }] });
      poller.poll();
      expect(seen).toHaveLength(3);
    } finally {
      unsubscribe();
      reader.close();
      store.close();
    }
  });

  it('streams changes to a browser over server-sent events', async () => {
    const { path, store, run } = writableStore('sse.db');
    const viewer = await startUiServer({ store: path, port: 0 });
    const stream = sse(`${viewer.url}api/live`);
    try {
      await waitFor(() => stream.events.some((e) => e.event === 'hello'), 15_000, 'hello');
      const writer = store.beginEpisode({ runId: run, domain: 'projects', taskId: null, trial: 1 });
      writer.append({ kind: 'message', role: 'user', content: 'hi' });
      const change = await waitFor(() => stream.changes().find((c) => c.episodes.some((e) => e.id === writer.id)), 15_000, 'the new episode');
      expect(change!.episodes[0]).toMatchObject({ status: 'running', events: 1 });
    } finally {
      await stream.close();
      await viewer.close();
      store.close();
    }
  });
});

describe('the viewer under envscale serve --http', () => {
  let serve: ChildProcess | undefined;
  afterAll(async () => {
    if (serve && serve.exitCode === null) {
      const exited = new Promise((r) => serve!.once('exit', r));
      serve.kill('SIGTERM');
      await exited;
    }
  });

  it('is mounted at /ui with the same token, and shows a recorded MCP session live', async () => {
    const storePath = join(work, 'serve.db');
    serve = spawn(process.execPath, [CLI, 'serve', PROJECTS_DIR, '--http', '--port', '0', '--store', storePath, '--token', 'tok'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    serve.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    // The viewer's line follows the address in a later write: wait for both (a loaded machine may deliver them apart).
    const base = (await waitFor(() => (/viewer at /.test(err) ? /serving projects at (http:\/\/[^/]+)\/mcp\/projects/.exec(err)?.[1] : undefined), 30_000, `serve's address (stderr: ${err})`))!;
    expect(err).toMatch(/viewer at http:\/\/.*\/ui\//);
    const auth = { authorization: 'Bearer tok' };

    expect((await fetch(`${base}/ui/api/runs`)).status).toBe(401);
    expect((await fetch(`${base}/ui/?token=nope`)).status).toBe(401);
    const page = await fetch(`${base}/ui/?token=tok`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    const cookie = page.headers.get('set-cookie')!.split(';')[0];
    const html = await fetch(`${base}/ui/`, { headers: { cookie } });
    expect(html.status).toBe(200);
    expect(await html.text()).toMatch(/<div id="app">/);
    expect(await (await fetch(`${base}/ui/api/domains`, { headers: auth })).json()).toMatchObject({ domains: expect.arrayContaining([expect.objectContaining({ name: 'projects' })]) });

    const stream = sse(`${base}/ui/api/live`, { cookie });
    const mcp = await connectHttp(base, 'projects', { token: 'tok' });
    try {
      await waitFor(() => stream.events.some((e) => e.event === 'hello'), 15_000, 'hello');
      await mcp.client.callTool({ name: 'get_task', arguments: { task_id: 'T-1006' } });
      const change = await waitFor(() => stream.changes().find((c) => c.episodes.some((e) => e.events >= 3)), 30_000, 'the recorded call');
      const id = change!.episodes[0].id;
      const episode = (await (await fetch(`${base}/ui/api/episodes/${id}`, { headers: auth })).json()) as { episode: { status: string }; events: Array<{ kind: string; tool?: string }> };
      expect(episode.episode.status).toBe('running');
      expect(episode.events.find((e) => e.kind === 'tool_result')?.tool).toBe('get_task');
    } finally {
      await mcp.close();
      await stream.close();
    }
  });
});
