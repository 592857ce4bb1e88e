import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrajectoryStore } from '../../src/record/store.js';
import { CLI, REPO_ROOT, waitFor } from '../helpers/mcp.js';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.js';
import { doneCount, runCli } from '../helpers/processes.js';

let server: OpenAiServer;
const dir = mkdtempSync(join(tmpdir(), 'envscale-kill-'));
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does).`);
  // A slow agent that reports at once: episodes take a while, so the kill lands mid-run.
  server = await startOpenAiServer(() => ({ delayMs: 60, then: { content: 'All done.' } }));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a rollout killed with SIGKILL', () => {
  it('leaves a store that opens with every finished episode intact, and a rerun completes the rest', async () => {
    const store = join(dir, 'runs.db');
    const args = [CLI, 'rollout', 'projects', '--agent', 'openai:slow', '--user', 'scripted', '--trials', '2', '--concurrency', '2', '--retries', '0', '--store', store];
    const env = { ...process.env, OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' };
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await waitFor(() => doneCount(store) >= 4, 60_000, 'four finished episodes');
    } finally {
      // Killed here whatever happened, so a failing wait never leaves a rollout running.
      child.kill('SIGKILL');
      await exited;
    }

    const after = TrajectoryStore.open(store);
    expect(after.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const finished = after.episodes({ status: 'done' });
    expect(finished.length).toBeGreaterThanOrEqual(4);
    expect(finished.length).toBeLessThan(28);
    const snapshot = finished.map((e) => ({ id: e.id, verdict: e.verdict, events: after.events(e.id) }));
    for (const s of snapshot) {
      expect(s.verdict).not.toBeNull();
      expect(s.events.at(-1)).toMatchObject({ kind: 'message', role: 'user', content: expect.stringContaining('###STOP###') });
    }
    after.close();

    const rerun = await runCli(args, env);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(new RegExp(`${28 - finished.length} episodes run now, ${finished.length} finished earlier, 0 failed`));

    const final = TrajectoryStore.open(store);
    expect(final.episodes().map((e) => e.status)).toEqual(Array(28).fill('done'));
    expect(final.runs()).toHaveLength(1);
    for (const s of snapshot) expect({ id: s.id, verdict: final.episode(s.id)!.verdict, events: final.events(s.id) }).toEqual(s);
    final.close();
  }, 120_000);

  it('reports a dead endpoint (refused, unknown host) at once in one sentence, and prints nothing else', async () => {
    const gone = await startOpenAiServer(() => ({ content: 'x' }));
    await gone.close();
    for (const [url, why] of [
      [gone.url, 'connection refused \\(is the server running\\?\\)'],
      ['http://envscale-test.invalid/v1', 'the host envscale-test\\.invalid is not found'],
    ]) {
      // Default retries and backoff: a refused connection must not be retried (that would take seconds and print retries).
      const res = spawnSync(process.execPath, [CLI, 'rollout', 'projects', '--agent', 'openai:m', '--trials', '2', '--store', join(dir, 'dead.db')], {
        cwd: REPO_ROOT,
        env: { ...process.env, OPENAI_BASE_URL: url, OPENAI_API_KEY: 'test' },
        encoding: 'utf8',
      });
      expect(res.status).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr.trim().split('\n'), res.stderr).toHaveLength(1);
      expect(res.stderr).toMatch(new RegExp(`^envscale: Request to the agent model m at ${url.replace(/[.:/]/g, '\\$&')} failed: ${why}; check --agent-base-url / OPENAI_BASE_URL, the key and the model name\\. Rerun the same command to resume the \\d+ episodes left\\.\\n$`));
    }
    const store = TrajectoryStore.open(join(dir, 'dead.db'));
    const errors = store.episodes().flatMap((e) => store.events(e.id)).filter((e) => e.kind === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.kind === 'error' && !e.retry)).toBe(true);
    store.close();
  });
});
