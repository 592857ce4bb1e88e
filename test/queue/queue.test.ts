import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { readEpisode } from '../../src/record/conversation.js';
import { exportEpisodes, FORMATS } from '../../src/record/export.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { runRollout } from '../../src/rollout/run.js';
import { makeAgent } from '../../src/rollout/agents.js';
import { makeUser } from '../../src/episode/users.js';
import { EVENTS_MAX_LEN, runQueuedRollout, type QueuedRolloutOptions } from '../../src/queue/coordinator.js';
import { QUEUE_NAME } from '../../src/queue/names.js';
import { parseRedisUrl } from '../../src/queue/redis.js';
import { roleSpec } from '../../src/queue/roles.js';
import { publishRunSpec, RunSource } from '../../src/queue/run-spec.js';
import { DEFAULT_LIMITS } from '../../src/rollout/episode.js';
import type { RunSpec } from '../../src/spec/queue.js';
import { CLI, REPO_ROOT, waitFor } from '../helpers/mcp.js';
import { startOpenAiServer, type ChatRequest, type OpenAiServer, type Reply } from '../helpers/openai-server.js';
import { doneCount, reap, runCli, spawnWorker, type WorkerProcess } from '../helpers/processes.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'envscale-queue-'));
const projects = resolve(REPO_ROOT, 'domains', 'projects');
const tasks = readTasks(projects);
const total = (trials: number) => tasks.length * trials;

// Everything a test starts is stopped after it, whatever happened.
const workers: WorkerProcess[] = [];
const servers: Array<RedisServer | OpenAiServer> = [];
const worker = (queue: string, env: NodeJS.ProcessEnv, args: string[] = [], cwd?: string) => {
  const w = spawnWorker(queue, env, args, cwd);
  workers.push(w);
  return w;
};
const redisServer = async (port?: number) => {
  const r = await startRedis(port);
  servers.push(r);
  return r;
};
const modelServer = async (script: (req: ChatRequest) => Reply) => {
  const s = await startOpenAiServer(script);
  servers.push(s);
  return s;
};

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does).`);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map(reap));
  await Promise.all(servers.splice(0).map((s) => ('kill' in s ? s.kill() : s.close())));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each worker gets a cache folder of its own and the model endpoint in its environment. */
const workerEnv = (name: string, model?: OpenAiServer) => ({
  ...process.env,
  ENVSCALE_CACHE: join(dir, `cache-${name}`),
  ...(model ? { OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'worker-key' } : {}),
});

/** The (task, trial) pairs of a store with their status, sorted. */
const trialsIn = (store: TrajectoryStore) =>
  store
    .episodes()
    .map((e) => `${e.task_id}#${e.trial}:${e.status}`)
    .sort();

/** What a store holds, in (task, trial) order, with the parts that depend on timing left out. */
function contents(store: TrajectoryStore) {
  const records = store.episodes().sort((a, b) => (a.task_id! < b.task_id! ? -1 : a.task_id! > b.task_id! ? 1 : a.trial - b.trial));
  const episodes = records.map((r) => readEpisode(store, r));
  return {
    episodes: records.map(({ task_id, trial, status, stop_reason, reward, final_hash, verdict, counts, toolset, task_key }) => ({ task_id, trial, status, stop_reason, reward, final_hash, verdict, counts, toolset, task_key })),
    events: episodes.map((e) => e.events.map((x) => (x.kind === 'tool_result' ? { ...x, ms: 0 } : x))),
    exports: FORMATS.map((f) => exportEpisodes(episodes, f).text),
  };
}

/** A slow agent that reports at once: episodes take a while, so kills land mid-run. */
const slowAgent = (ms: number) => () => ({ delayMs: ms, then: { content: 'All done.' } });

/** The projects tasks, twice each, played by the slow agent on the queue's workers, coordinated here. */
const slowRun = (url: string, store: TrajectoryStore, extra: Partial<QueuedRolloutOptions> = {}) =>
  runQueuedRollout({
    domain: loadDomain(projects),
    tasks,
    trials: 2,
    store,
    queue: parseRedisUrl(url),
    agent: roleSpec('agent', 'openai:slow', {}),
    user: roleSpec('user', 'scripted', {}),
    reconnectMs: 3000,
    ...extra,
  });

describe('rollouts on queue workers (real Redis, real worker processes)', () => {
  it('two workers play a run whose rewards and exported data equal the same run in-process; the domain travels through Redis', async () => {
    const redis = await redisServer();
    // A copy with its own policy: no worker has this domain, so it must come through Redis.
    const copy = join(dir, 'projects-copy');
    cpSync(projects, copy, { recursive: true });
    appendFileSync(join(copy, 'policy.md'), '\nCopies of this domain are used to test queue rollouts.\n');
    const empty = join(dir, 'elsewhere');
    mkdirSync(empty);
    const w1 = worker(redis.url, workerEnv('a'), ['--concurrency', '3'], empty);
    const w2 = worker(redis.url, workerEnv('b'), ['--concurrency', '3'], empty);

    const queued = join(dir, 'queued.db');
    const res = await runCli([CLI, 'rollout', copy, '--trials', '2', '--seed', '3', '--queue', redis.url, '--store', queued], process.env);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain(`${total(2)} episodes run now, 0 finished earlier, 0 failed, 0 not started.`);

    // Stopped gently, each worker says how many episodes it played: both took part.
    w1.child.kill('SIGTERM');
    w2.child.kill('SIGTERM');
    expect(await w1.exited).toBe(0);
    expect(await w2.exited).toBe(0);
    const played = [w1, w2].map((w) => Number(/stopped after (\d+) episodes/.exec(w.output())?.[1]));
    expect(played.every((n) => n > 0), `${w1.output()}\n${w2.output()}`).toBe(true);
    expect(played[0] + played[1]).toBe(total(2));
    // Each worker cached the domain under its content hash, byte for byte.
    for (const name of ['a', 'b']) {
      const [hash] = readdirSync(join(dir, `cache-${name}`, 'domains'));
      expect(readFileSync(join(dir, `cache-${name}`, 'domains', hash, 'policy.md'), 'utf8')).toBe(readFileSync(join(copy, 'policy.md'), 'utf8'));
    }

    const local = TrajectoryStore.open(join(dir, 'local.db'));
    await runRollout({ domain: loadDomain(copy), tasks, agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 2, seed: 3, concurrency: 4, store: local });
    const remote = TrajectoryStore.open(queued);
    try {
      const [a, b] = [contents(local), contents(remote)];
      expect(b.episodes.map((e) => e.reward)).toEqual(Array(total(2)).fill(1));
      expect(b.episodes).toEqual(a.episodes);
      expect(b.events).toEqual(a.events);
      for (const [i, lines] of b.exports.entries()) expect(lines).toBe(a.exports[i]);
      // The same run key: the queue is only where episodes are played.
      expect(remote.runs().map((r) => r.key)).toEqual(local.runs().map((r) => r.key));
      expect(remote.runs()[0].settings).toMatchObject({ queue: redis.url, trials: 2, seed: 3 });
    } finally {
      local.close();
      remote.close();
    }
    // `envscale runs` shows the queue-backed run like a local one.
    const runs = spawnSync(process.execPath, [CLI, 'runs', '--store', queued], { encoding: 'utf8' });
    expect(runs.stdout).toMatch(/\| +1 \| rollout \| projects \| oracle +\| scripted \| [\dT:-]+ \| 28\/28 \| 1\.000 +\|/);
    // The event stream, which holds a copy of each finished episode, is bounded.
    expect(await redis.client.hget(`bull:${QUEUE_NAME}:meta`, 'opts.maxLenEvents')).toBe(String(EVENTS_MAX_LEN));
    // Every job was removed from Redis once its episode was stored.
    const queue = new Queue(QUEUE_NAME, { connection: { port: redis.port } });
    expect(await queue.getJobCountByTypes('completed', 'failed', 'waiting', 'active', 'delayed')).toBe(0);
    await queue.close();
  }, 120_000);

  it("puts a run's shared part in Redis once; a worker reads it once, checked against its hash, and says what to do when it is gone", async () => {
    const redis = await redisServer();
    const spec: RunSpec = {
      format: 'envscale-run',
      version: 1,
      run: 'k'.repeat(64),
      domain: { name: 'projects', hash: 'h'.repeat(64) },
      tasks,
      seed: 5,
      limits: DEFAULT_LIMITS,
      agent: roleSpec('agent', 'oracle', {}),
      user: roleSpec('user', 'scripted', {}),
    };
    const hash = await publishRunSpec(redis.client, spec);
    expect(await publishRunSpec(redis.client, spec)).toBe(hash);
    expect(await redis.client.keys('envscale:run:*')).toEqual([`envscale:run:${hash}`]);
    expect(await redis.client.ttl(`envscale:run:${hash}`)).toBeGreaterThan(6 * 24 * 3600);

    const source = new RunSource(redis.client);
    const run = await source.get(hash);
    expect(run.spec).toEqual(spec);
    expect(run.tasks.get(tasks[3].id)).toEqual(tasks[3]);
    // Read once: gone from Redis, the worker still has it.
    await redis.client.del(`envscale:run:${hash}`);
    expect((await source.get(hash)).spec.seed).toBe(5);
    await expect(new RunSource(redis.client).get(hash)).rejects.toThrow(`the run ${hash.slice(0, 12)} is not in Redis (expired or lost); rerun the rollout command to publish it again`);
    // A value that is not what its key says is refused.
    const other = await publishRunSpec(redis.client, { ...spec, seed: 6 });
    await redis.client.rename(`envscale:run:${other}`, `envscale:run:${hash}`);
    await expect(new RunSource(redis.client).get(hash)).rejects.toThrow(`the run in Redis does not match its hash ${hash.slice(0, 12)}`);
  });

  it('gives the job of a worker killed with SIGKILL mid-episode to another worker, and stores every episode once', async () => {
    const redis = await redisServer();
    const model = await modelServer(slowAgent(150));
    const stall = ['--stall-timeout', '5', '--concurrency', '2'];
    const doomed = worker(redis.url, workerEnv('doomed', model), stall);
    const queue = new Queue(QUEUE_NAME, { connection: { port: redis.port } });
    const store = TrajectoryStore.open(join(dir, 'kill-worker.db'));
    try {
      const rows: string[] = [];
      const run = slowRun(redis.url, store, { reconnectMs: 30_000, onEpisode: (r) => rows.push(`${r.task}#${r.trial}`) });
      // Kill the first worker while it holds jobs; a second one is there to take them.
      const held = await waitFor(
        async () => {
          const active = (await queue.getJobs(['active'])).filter((j) => j.processedBy === doomed.name());
          return rows.length >= 2 && active.length > 0 ? active.map((j) => j.name) : undefined;
        },
        60_000,
        'the first worker to hold a job after two episodes',
      );
      worker(redis.url, workerEnv('survivor', model), stall);
      doomed.child.kill('SIGKILL');
      await doomed.exited;

      const report = await run;
      expect(report.rows).toHaveLength(total(2));
      expect(report.rows.every((r) => r.reward !== null)).toBe(true);
      expect(trialsIn(store)).toEqual(tasks.flatMap((t) => [`${t.id}#1:done`, `${t.id}#2:done`]).sort());
      for (const name of held!) expect(rows.filter((r) => r === name)).toHaveLength(1);
    } finally {
      store.close();
      await queue.close();
    }
  }, 120_000);

  it('picks up, after a coordinator is killed and restarted, the results that finished meanwhile; nothing is stored twice', async () => {
    const redis = await redisServer();
    const model = await modelServer(slowAgent(80));
    worker(redis.url, workerEnv('one', model), ['--concurrency', '2']);
    worker(redis.url, workerEnv('two', model), ['--concurrency', '2']);
    const path = join(dir, 'restart.db');
    const args = [CLI, 'rollout', 'projects', '--agent', 'openai:slow', '--trials', '2', '--queue', redis.url, '--store', path];
    const { spawn } = await import('node:child_process');
    const first = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: 'ignore' });
    const exited = new Promise((r) => first.once('exit', r));
    try {
      await waitFor(() => doneCount(path) >= 4, 60_000, 'four stored episodes');
    } finally {
      first.kill('SIGKILL');
      await exited;
    }
    const before = TrajectoryStore.open(path);
    const snapshot = before.episodes().map((e) => ({ id: e.id, verdict: e.verdict, events: before.events(e.id) }));
    before.close();
    // The workers go on while no coordinator listens: their results wait in Redis.
    const queue = new Queue(QUEUE_NAME, { connection: { port: redis.port } });
    await waitFor(async () => (await queue.getJobCountByTypes('completed')) >= 2, 60_000, 'results finished while the coordinator was down');

    const again = await runCli(args, process.env);
    expect(again.status, again.stderr).toBe(0);
    const counts = /(\d+) episodes run now, (\d+) finished earlier, 0 failed, 0 not started/.exec(again.stdout);
    expect(counts, again.stdout).not.toBeNull();
    expect(Number(counts![1]) + Number(counts![2])).toBe(total(2));
    expect(Number(counts![2])).toBe(snapshot.length);

    const after = TrajectoryStore.open(path);
    expect(trialsIn(after)).toEqual(tasks.flatMap((t) => [`${t.id}#1:done`, `${t.id}#2:done`]).sort());
    expect(after.runs()).toHaveLength(1);
    for (const s of snapshot) expect({ id: s.id, verdict: after.episode(s.id)!.verdict, events: after.events(s.id) }).toEqual(s);
    after.close();
    expect(await queue.getJobCountByTypes('completed', 'failed', 'waiting', 'active', 'delayed')).toBe(0);
    await queue.close();
  }, 120_000);

  it('says in one sentence how to start Redis when none is reachable, for the rollout and for a worker', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    // Four CLI runs at once: each is slow to start on a loaded machine.
    const [rollout, alone, bad, key] = await Promise.all([
      runCli([CLI, 'rollout', 'projects', '--trials', '1', '--queue', url, '--store', join(dir, 'none.db')], process.env),
      runCli([CLI, 'worker', '--queue', url], process.env),
      runCli([CLI, 'worker', '--queue', 'http://127.0.0.1:6379'], process.env),
      runCli([CLI, 'rollout', 'projects', '--agent', 'openai:m', '--agent-api-key', 'sk-secret', '--queue', url, '--store', join(dir, 'key.db')], process.env),
    ]);
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
    for (const res of [rollout, alone]) {
      expect(res.status).toBe(1);
      const lines = res.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^envscale: Cannot reach Redis at ${url} \\(connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+\\); start one with "redis-server --port 6379" \\(Debian: apt-get install redis-server\\), or pass --queue the URL of a running one\\.$`));
    }
    expect(bad.stderr.trim()).toBe('envscale: --queue http://127.0.0.1:6379 is not a Redis URL; use redis://host:port, for example redis://127.0.0.1:6379.');
    expect(key.stderr.trim()).toBe("envscale: --agent-api-key does not reach queue workers; set OPENAI_API_KEY in each worker's environment instead.");
  }, 120_000);

  it('fails a job that kills every worker that plays it after a bounded number of tries, reports it and plays the rest', async () => {
    const redis = await redisServer();
    const task = tasks[0];
    const seed = 40;
    const poisoned = seed + 2;
    let current: WorkerProcess | undefined;
    let kills = 0;
    const supervise = () => (current = worker(redis.url, workerEnv('poison', model), ['--stall-timeout', '8', '--concurrency', '1']));
    // The model "crashes" whichever worker asks it about trial 2; like a supervisor, the test starts a new worker.
    // The stall timeout stays well above the time a fresh worker's event loop is busy loading the domain.
    const model = await modelServer((req) => {
      if (req.seed !== poisoned) return { content: 'All done.' };
      kills++;
      current!.child.kill('SIGKILL');
      setTimeout(supervise, 300);
      return { delayMs: 2000, then: { content: 'too late' } };
    });
    supervise();
    const path = join(dir, 'poison.db');
    const res = await runCli([CLI, 'rollout', 'projects', '--task', task.id, '--agent', 'openai:m', '--trials', '3', '--seed', String(seed), '--queue', redis.url, '--store', path], process.env);
    expect(res.status).toBe(1);
    expect(res.stdout).toContain('3 episodes run now, 0 finished earlier, 1 failed, 0 not started.');
    expect(res.stderr).toMatch(new RegExp(`${task.id} trial 2: failed \\(the job failed on the workers after \\d+ tries: job stalled more than allowable limit\\)`));
    expect(kills).toBe(3);
    const store = TrajectoryStore.open(path);
    expect(trialsIn(store)).toEqual([`${task.id}#1:done`, `${task.id}#2:failed`, `${task.id}#3:done`]);
    expect(store.episodes().find((e) => e.trial === 2)!.error).toMatch(/stalled more than allowable limit/);
    store.close();
  }, 300_000);

  it('stops with a clear message when Redis is lost mid-run, keeps what was stored, and the rerun completes the run', async () => {
    const redis = await redisServer();
    const model = await modelServer(slowAgent(100));
    const patience = ['--reconnect', '3'];
    const w = worker(redis.url, workerEnv('lost', model), ['--concurrency', '2', ...patience]);
    const path = join(dir, 'lost.db');
    const store = TrajectoryStore.open(path);
    let recorded = 0;
    const run = slowRun(redis.url, store, { onEpisode: () => recorded++ });
    run.catch(() => undefined);
    await waitFor(() => recorded >= 3, 60_000, 'three stored episodes');
    await redis.kill();
    await expect(run).rejects.toThrow(new RegExp(`^Lost Redis at ${redis.url} for 3 s; \\d+ episodes of this run were recorded before that; once Redis is back, rerun the same command to resume\\.$`));
    expect(await w.exited).toBe(1);
    expect(w.output()).toMatch(new RegExp(`envscale: Lost Redis at ${redis.url} for 3 s; worker \\S+ stopped`));
    const kept = store.episodes({ status: 'done' }).length;
    expect(kept).toBe(recorded);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');

    // Redis back (empty: it kept nothing), a worker again: the rerun plays only what is missing.
    const back = await redisServer(redis.port);
    worker(back.url, workerEnv('back', model), ['--concurrency', '4']);
    const report = await slowRun(back.url, store);
    expect(report.rows.filter((r) => r.resumed)).toHaveLength(kept);
    expect(trialsIn(store)).toEqual(tasks.flatMap((t) => [`${t.id}#1:done`, `${t.id}#2:done`]).sort());
    store.close();
  }, 120_000);
});
