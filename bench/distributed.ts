import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDomain, readTasks } from '../src/env/load.js';
import { makeUser } from '../src/episode/users.js';
import { runQueuedRollout } from '../src/queue/coordinator.js';
import { parseRedisUrl } from '../src/queue/redis.js';
import { roleSpec } from '../src/queue/roles.js';
import { TrajectoryStore } from '../src/record/store.js';
import { makeAgent } from '../src/rollout/agents.js';
import { runRollout } from '../src/rollout/run.js';
import type { Task } from '../src/spec/task.js';
import { markdownTable } from '../src/util/table.js';
import { startRedis } from '../test/helpers/redis.js';

const CLI = resolve('dist', 'src', 'cli.js');
/** Episodes at once: in the one process, and in each worker process. */
const CONCURRENCY = 16;
const TICKS = 100; // USER_HZ on Linux
/** The cores the ceiling is computed for: those of the machine the targets were set on. */
const CORES = 2;
/** A loaded machine sometimes refuses a connection to the model: retried alike on every path. */
const RETRIES = { maxRetries: 3, retryBaseMs: 50 };

/** CPU milliseconds a process has used so far (user + system), from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Start a child and wait for a line on its stdout or stderr that matches. */
function startChild(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const look = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolvePromise({ child, line: m[0] });
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`)));
  });
}
const stop = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM'))));

interface Workload {
  name: string;
  tasks: Task[];
  trials: number;
  agent: string;
}

interface Measure {
  ms: number;
  /** CPU of every process that did rollout work (not the model server), ms. */
  cpu: number;
  coordinatorCpu: number;
  redisCpu: number;
  workerCpu: number;
  /** CPU of the instant model's process (the fixture, not envscale), ms. */
  modelCpu: number;
  episodes: number;
  /** Agent turns (model requests with a model agent) per episode. */
  agentTurns: number;
}

/** Agent messages per episode in a store: each is one model request when the agent is a model. */
const agentTurns = (store: TrajectoryStore) =>
  (store.db.prepare("SELECT count(*) FROM events WHERE kind = 'message' AND json_extract(data, '$.role') = 'assistant'").pluck().get() as number) /
  Math.max(1, store.db.prepare('SELECT count(*) FROM episodes').pluck().get() as number);

/**
 * `npm run bench -- distributed`: the same episodes in one process (today's path) and through
 * the queue with 1, 2 and 4 worker processes on this machine; the instant model runs in a process
 * of its own for every variant, so no variant pays for it.
 */
export async function distributedBench(): Promise<string> {
  const loadAtStart = loadavg().map((l) => l.toFixed(1)).join(' ');
  const domain = loadDomain(resolve('domains', 'projects'));
  const tasks = readTasks(domain.dir!);
  const dir = mkdtempSync(join(tmpdir(), 'envscale-bench-queue-'));
  const redis = await startRedis();
  const model = await startChild([resolve('dist', 'bench', 'instant-model.js')], process.env, /http:\/\/\S+\/v1/);
  const modelUrl = model.line;
  const workloads: Workload[] = [
    { name: 'oracle + scripted', tasks: tasks.slice(0, 10), trials: 50, agent: 'oracle' },
    { name: 'instant model + scripted', tasks: tasks.slice(0, 1), trials: 200, agent: 'openai:instant' },
  ];
  let seed = 1000;
  let storeN = 0;
  const newStore = () => TrajectoryStore.open(join(dir, `s${storeN++}.db`));

  const inProcess = async (w: Workload): Promise<Measure> => {
    const store = newStore();
    const agent = makeAgent(w.agent, { baseURL: modelUrl, apiKey: 'bench', ...RETRIES });
    const m0 = cpuMs(model.child.pid!);
    const c0 = ownCpuMs();
    const t0 = performance.now();
    await runRollout({ domain, tasks: w.tasks, agent, user: makeUser('scripted'), trials: w.trials, concurrency: CONCURRENCY, seed: seed++, store });
    const ms = performance.now() - t0;
    const cpu = ownCpuMs() - c0;
    const modelCpu = cpuMs(model.child.pid!) - m0;
    const turns = agentTurns(store);
    store.close();
    return { ms, cpu, coordinatorCpu: cpu, redisCpu: 0, workerCpu: 0, modelCpu, episodes: w.tasks.length * w.trials, agentTurns: turns };
  };

  const queued = async (w: Workload, workers: ChildProcess[]): Promise<Measure> => {
    const store = newStore();
    const pids = workers.map((c) => c.pid!);
    const before = { own: ownCpuMs(), redis: cpuMs(redis.pid), model: cpuMs(model.child.pid!), workers: pids.map(cpuMs) };
    const t0 = performance.now();
    const report = await runQueuedRollout({
      domain,
      tasks: w.tasks,
      trials: w.trials,
      seed: seed++,
      store,
      queue: parseRedisUrl(redis.url),
      agent: roleSpec('agent', w.agent, RETRIES),
      user: roleSpec('user', 'scripted', {}),
      reconnectMs: 60_000,
    });
    const ms = performance.now() - t0;
    const coordinatorCpu = ownCpuMs() - before.own;
    const redisCpu = cpuMs(redis.pid) - before.redis;
    const modelCpu = cpuMs(model.child.pid!) - before.model;
    const workerCpu = pids.map(cpuMs).reduce((a, v, i) => a + v - before.workers[i], 0);
    const turns = agentTurns(store);
    store.close();
    const failed = report.rows.filter((r) => r.reward === null).length;
    if (failed) throw new Error(`${failed} episodes failed in the queue benchmark: ${report.rows.find((r) => r.reward === null)?.error}`);
    return { ms, cpu: coordinatorCpu + redisCpu + workerCpu, coordinatorCpu, redisCpu, workerCpu, modelCpu, episodes: report.rows.length, agentTurns: turns };
  };

  const results: Array<{ workload: Workload; executor: string; m: Measure }> = [];
  try {
    // Warm-up of this process (domain, model client, SQLite) before any figure.
    await inProcess({ ...workloads[1], trials: 20 });
    const baselines = new Map<string, Measure[]>();
    for (const w of workloads) {
      const m = await inProcess(w);
      baselines.set(w.name, [m]);
      results.push({ workload: w, executor: 'in-process (before)', m });
    }
    for (const k of [1, 2, 4]) {
      const env = { ...process.env, OPENAI_BASE_URL: modelUrl, OPENAI_API_KEY: 'bench', ENVSCALE_CACHE: join(dir, 'cache') };
      const started = await Promise.all(Array.from({ length: k }, () => startChild([CLI, 'worker', '--queue', redis.url, '--concurrency', String(CONCURRENCY)], env, /takes episodes/)));
      const workers = started.map((s) => s.child);
      try {
        await queued({ ...workloads[1], trials: 10 * k }, workers); // warm-up: every worker loads the domain
        for (const w of workloads) results.push({ workload: w, executor: `queue, ${k} worker${k > 1 ? 's' : ''}`, m: await queued(w, workers) });
      } finally {
        await Promise.all(workers.map(stop));
      }
    }
    // The baseline again at the end: the machine's load drifts (it is shared), the mean of both is the reference.
    for (const w of workloads) {
      const m = await inProcess(w);
      baselines.get(w.name)!.push(m);
      results.push({ workload: w, executor: 'in-process (after)', m });
    }

    const rate = (m: Measure) => m.episodes / (m.ms / 1000);
    const baseRate = (w: Workload) => baselines.get(w.name)!.reduce((a, m) => a + rate(m), 0) / 2;
    const baseCpu = (w: Workload) => baselines.get(w.name)!.reduce((a, m) => a + m.cpu / m.episodes, 0) / 2;
    const rows = results.map(({ workload: w, executor, m }) => {
      const queue = executor.startsWith('queue');
      return [
        w.name,
        executor,
        m.episodes,
        (m.ms / 1000).toFixed(1),
        rate(m).toFixed(1),
        `${(rate(m) / baseRate(w)).toFixed(2)}x`,
        (m.cpu / m.episodes).toFixed(2),
        queue ? `${(m.workerCpu / m.episodes).toFixed(2)} / ${(m.coordinatorCpu / m.episodes).toFixed(2)} / ${(m.redisCpu / m.episodes).toFixed(2)}` : '-',
        queue ? (m.cpu / m.episodes - baseCpu(w)).toFixed(2) : '-',
        w.agent === 'oracle' ? '-' : (m.modelCpu / m.episodes).toFixed(2),
      ];
    });
    const table = markdownTable(
      [
        'episodes',
        'played by',
        'n',
        'wall s',
        'episodes/s',
        'vs in-process (mean of before/after)',
        'CPU ms/episode (all processes but the model)',
        'of which worker / coordinator / Redis',
        'queue overhead, CPU ms/episode',
        'model fixture, CPU ms/episode',
      ],
      rows,
    );

    // What the measured CPU costs allow on 2 free cores, part by part, for the instant-model
    // episodes: one process is bound by its one core (the model has the other); k workers by k
    // cores, the coordinator and Redis by one core each, and all of it, the model included, by
    // the 2 cores together. The ceiling is the queue's bound over the one process's.
    const instant = workloads[1];
    const perEpisode = (m: Measure, part: number) => part / m.episodes;
    const bound = (executor: string, m: Measure): number => {
      const model = perEpisode(m, m.modelCpu);
      if (!executor.startsWith('queue')) {
        const own = perEpisode(m, m.cpu);
        return Math.min(1000 / own, (CORES * 1000) / (own + model));
      }
      const k = Number(/queue, (\d+)/.exec(executor)![1]);
      const [worker, coordinator, redisMs] = [m.workerCpu, m.coordinatorCpu, m.redisCpu].map((v) => perEpisode(m, v));
      return Math.min((Math.min(k, CORES) * 1000) / worker, 1000 / coordinator, 1000 / redisMs, (CORES * 1000) / (worker + coordinator + redisMs + model));
    };
    const instantRows = results.filter((r) => r.workload === instant);
    const inProcessBound = instantRows.filter((r) => !r.executor.startsWith('queue')).reduce((a, r, _i, all) => a + bound(r.executor, r.m) / all.length, 0);
    const cell = (v: number) => v.toFixed(2);
    const parts = markdownTable(
      ['played by', 'episodes', 'coordinator', 'Redis', 'model fixture', 'all', `bound on ${CORES} free cores, episodes/s`, 'ceiling vs in-process', 'measured vs in-process'],
      instantRows.map(({ executor, m }) => {
        const queue = executor.startsWith('queue');
        const b = bound(executor, m);
        return [
          executor,
          cell(perEpisode(m, queue ? m.workerCpu : m.cpu)),
          queue ? cell(perEpisode(m, m.coordinatorCpu)) : '-',
          queue ? cell(perEpisode(m, m.redisCpu)) : '-',
          cell(perEpisode(m, m.modelCpu)),
          cell(perEpisode(m, m.cpu + m.modelCpu)),
          b.toFixed(0),
          `${(b / inProcessBound).toFixed(2)}x`,
          `${(rate(m) / baseRate(instant)).toFixed(2)}x`,
        ];
      }),
    );
    const two = instantRows.find((r) => r.executor === 'queue, 2 workers')!;
    const ceiling = bound(two.executor, two.m) / inProcessBound;

    // What the measured per-episode costs imply for 64 workers on 16 machines against a model that
    // takes 2 s per turn: worker CPU scales with the agent turns of an episode, the coordinator's
    // and Redis's are per episode.
    const one = results.filter((r) => r.executor.startsWith('queue') && r.workload === instant);
    const per = (f: (m: Measure) => number) => one.reduce((a, r) => a + f(r.m) / r.m.episodes, 0) / one.length;
    const measuredTurns = per((m) => m.agentTurns * m.episodes);
    const worker = per((m) => m.workerCpu);
    const coordinator = per((m) => m.coordinatorCpu);
    const redisMs = per((m) => m.redisCpu);
    const sim = [8, 32, 128].flatMap((c) =>
      [measuredTurns, 30].map((turns) => {
        const latency = (64 * c) / (turns * 2 + (worker * turns) / measuredTurns / 1000);
        const limits: Array<[string, number]> = [
          ['model latency', latency],
          ['worker CPU (64 cores)', (64 * 1000) / ((worker * turns) / measuredTurns)],
          ['coordinator CPU (1 core)', 1000 / coordinator],
          ['Redis CPU (1 core)', 1000 / redisMs],
        ];
        const [limit, value] = limits.reduce((a, b) => (b[1] < a[1] ? b : a));
        return [c, turns.toFixed(0), 64 * c, latency.toFixed(0), value.toFixed(0), limit];
      }),
    );
    const simTable = markdownTable(['episodes per worker', 'model turns per episode', 'in flight', 'episodes/s the model allows', 'episodes/s', 'bound by'], sim);
    return [
      table,
      '',
      `load average at the start: ${loadAtStart}; at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (1, 5, 15 min) on this machine's ${cpus().length} cores; ${CONCURRENCY} episodes at once in the one process and in each worker.`,
      `Queue overhead = CPU per episode through the queue (workers + coordinator + Redis) minus CPU per episode in one process.`,
      '',
      `CPU ms per instant-model episode by part (${instant.agent}, ${instantRows[0].m.agentTurns.toFixed(1)} model requests per episode), and the speed-up those costs allow on ${CORES} free cores: one process is bound by its one core, k workers by min(k, ${CORES}) cores, the coordinator and Redis by one core each, and all parts with the model together by ${CORES} cores. "episodes" is the one process (which also writes each event to its store as it happens), or the workers together (the coordinator stores whole episodes).`,
      '',
      parts,
      '',
      `Ceiling of 2 workers against one process from these costs: ${ceiling.toFixed(2)}x (target 1.7x). The measured ratio is below its ceiling when this machine is shared (see the load average).`,
      '',
      `Projection, 64 workers on 16 machines (one core each), model at 2 s per turn, from the measured instant-model costs (worker ${worker.toFixed(2)} ms per episode of ${measuredTurns.toFixed(1)} agent turns, coordinator ${coordinator.toFixed(2)} ms, Redis ${redisMs.toFixed(2)} ms per episode):`,
      '',
      simTable,
    ].join('\n');
  } finally {
    await stop(model.child);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
