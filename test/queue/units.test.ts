import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EpisodeBuffer } from '../../src/record/buffer.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { bundleHash } from '../../src/queue/domain-bundle.js';
import { episodeJobId } from '../../src/queue/names.js';
import { connectionOptions, parseRedisUrl } from '../../src/queue/redis.js';
import { roleInfo, roleSpec } from '../../src/queue/roles.js';
import { RoleEndpoint } from '../../src/spec/queue.js';

const dir = mkdtempSync(join(tmpdir(), 'envscale-queue-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an episode recorded elsewhere', () => {
  const played = (reward: number | undefined) => {
    const buffer = new EpisodeBuffer();
    buffer.append({ kind: 'message', role: 'user', content: 'hello' });
    buffer.append({ kind: 'message', role: 'assistant', content: 'hi' });
    buffer.finish(reward === undefined ? { status: 'failed', error: 'agent down' } : { status: 'done', reward, stopReason: 'user_stop' });
    return buffer.finished();
  };

  it('is stored whole with its times, once per (run, task, trial): a second delivery changes nothing, a failed attempt is replaced', () => {
    const store = TrajectoryStore.open(join(dir, 'record.db'));
    const run = store.openRun({ key: 'k', kind: 'rollout', domain: 'd', settings: {} });
    const where = { runId: run.id, domain: 'd', taskId: 't1', trial: 1 };
    const failed = store.recordEpisode(where, played(undefined));
    expect(failed.recorded).toBe(true);
    expect(store.episode(failed.id)).toMatchObject({ status: 'failed', error: 'agent down' });

    const first = played(1);
    const done = store.recordEpisode(where, first);
    expect(done).toMatchObject({ recorded: true });
    expect(store.episodes({ runId: run.id }).map((e) => e.status)).toEqual(['done']);
    expect(store.episode(done.id)).toMatchObject({ status: 'done', reward: 1, stop_reason: 'user_stop', started_at: first.startedAt, ended_at: first.endedAt });
    expect(store.events(done.id).map((e) => (e.kind === 'message' ? e.content : ''))).toEqual(['hello', 'hi']);

    expect(store.recordEpisode(where, played(0))).toEqual({ id: done.id, recorded: false });
    expect(store.episodes({ runId: run.id })).toHaveLength(1);
    expect(store.episode(done.id)!.reward).toBe(1);
    store.close();
  });

  it('is stored in batches, one transaction for many: a trial delivered twice in a batch, or done before, is stored once', () => {
    const store = TrajectoryStore.open(join(dir, 'batch.db'));
    const run = store.openRun({ key: 'b', kind: 'rollout', domain: 'd', settings: {} });
    const at = (taskId: string, trial: number) => ({ runId: run.id, domain: 'd', taskId, trial });
    const earlier = store.recordEpisode(at('t1', 1), played(1));
    const stored = store.recordEpisodes([
      { input: at('t1', 1), episode: played(0) },
      { input: at('t1', 2), episode: played(0.5) },
      { input: at('t2', 1), episode: played(undefined) },
      { input: at('t1', 2), episode: played(0) },
    ]);
    expect(stored.map((s) => s.recorded)).toEqual([false, true, true, false]);
    expect(stored[0].id).toBe(earlier.id);
    expect(stored[3].id).toBe(stored[1].id);
    expect(store.episodes({ runId: run.id }).map((e) => `${e.task_id}#${e.trial}:${e.status}:${e.reward}`).sort()).toEqual(['t1#1:done:1', 't1#2:done:0.5', 't2#1:failed:null']);
    expect(store.events(stored[1].id)).toHaveLength(2);
    store.close();
  });

  it('cannot be read before the recorder finished it', () => {
    expect(() => new EpisodeBuffer().finished()).toThrow(/not finished/);
  });
});

describe('queue names and settings', () => {
  it('reads a Redis URL, never showing its password', () => {
    const t = parseRedisUrl('redis://me:p%40ss@queue-host:7000/2');
    expect(t.options).toEqual({ host: 'queue-host', port: 7000, db: 2, username: 'me', password: 'p@ss' });
    expect(t.shown).toBe('redis://me:***@queue-host:7000/2');
    expect(parseRedisUrl('rediss://h').options).toEqual({ host: 'h', port: 6379, tls: {} });
    expect(() => parseRedisUrl('redis://h/zero')).toThrow('--queue redis://h/zero names database "zero"; a Redis database is a number (redis://host:port/0).');
  });

  it('gives one job id per run, task and trial, valid for BullMQ (no colon, not an integer)', () => {
    const key = 'a'.repeat(64);
    const ids = ['t:1', 't:2'].flatMap((task) => [1, 2].map((trial) => episodeJobId(key, task, trial)));
    expect(new Set(ids).size).toBe(4);
    expect(episodeJobId(key, 't:1', 1)).toBe(ids[0]);
    for (const id of ids) expect(id).toMatch(/^a{16}-[0-9a-f]{12}-\d+$/);
  });

  it('keeps keys out of jobs: a role carries its endpoint settings only, and the run records the model without a client', () => {
    expect(() => roleSpec('agent', 'openai:m', { apiKey: 'sk-1' })).toThrow(/--agent-api-key does not reach queue workers/);
    const r = roleSpec('agent', 'openai:m', { baseURL: 'http://gpu:8000/v1', temperature: 0.5 });
    expect(r).toEqual({ spec: 'openai:m', endpoint: { baseURL: 'http://gpu:8000/v1', temperature: 0.5, timeoutMs: 120_000, maxRetries: 4, retryBaseMs: 500 } });
    expect(RoleEndpoint.safeParse({ ...r.endpoint, apiKey: 'sk-1' }).success).toBe(false);
    expect(roleInfo('agent', r)).toEqual({ spec: 'openai:m', model: 'm', base_url: 'http://gpu:8000/v1', temperature: 0.5 });
    expect(roleInfo('user', roleSpec('user', 'scripted', {}))).toEqual({ spec: 'scripted' });
    expect(() => roleInfo('agent', roleSpec('agent', 'gpt', {}))).toThrow(/Unknown agent "gpt"/);
  });

  it('names a domain version by its files, whatever their order', () => {
    expect(bundleHash({ 'domain.json': '{}', 'policy.md': 'x' })).toBe(bundleHash({ 'policy.md': 'x', 'domain.json': '{}' }));
    expect(bundleHash({ 'domain.json': '{}', 'policy.md': 'x' })).not.toBe(bundleHash({ 'domain.json': '{}', 'policy.md': 'y' }));
  });

  it('reconnects with a growing backoff, then gives up once, after its patience', () => {
    let gaveUp = 0;
    const realNow = Date.now;
    let now = 1_000_000;
    Date.now = () => now;
    try {
      const { retryStrategy } = connectionOptions(parseRedisUrl('redis://h'), 3000, () => gaveUp++);
      const delays: Array<number | null> = [];
      for (let times = 1; times <= 5; times++) {
        delays.push(retryStrategy(times));
        now += 800;
      }
      expect(delays).toEqual([100, 200, 400, 800, null]);
      expect(retryStrategy(6)).toBeNull();
      expect(gaveUp).toBe(1);
    } finally {
      Date.now = realNow;
    }
  });
});
