import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
  episodes: number;
}

/**
 * `npm run bench -- distributed`: the same episodes in one process (today's path) and through
 * the queue with 1, 2 and 4 worker processes on this machine; the instant model runs in a process
 * of its own for every variant, so no variant pays for it.
 */
export async function distributedBench(): Promise<string> {
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
    const c0 = ownCpuMs();
    const t0 = performance.now();
    await runRollout({ domain, tasks: w.tasks, agent, user: makeUser('scripted'), trials: w.trials, concurrency: CONCURRENCY, seed: seed++, store });
    const ms = performance.now() - t0;
    const cpu = ownCpuMs() - c0;
    store.close();
    return { ms, cpu, coordinatorCpu: cpu, redisCpu: 0, workerCpu: 0, episodes: w.tasks.length * w.trials };
  };

  const queued = async (w: Workload, workers: ChildProcess[]): Promise<Measure> => {
    const store = newStore();
    const pids = workers.map((c) => c.pid!);
    const before = { own: ownCpuMs(), redis: cpuMs(redis.pid), workers: pids.map(cpuMs) };
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
    const workerCpu = pids.map(cpuMs).reduce((a, v, i) => a + v - before.workers[i], 0);
    store.close();
    const failed = report.rows.filter((r) => r.reward === null).length;
    if (failed) throw new Error(`${failed} episodes failed in the queue benchmark: ${report.rows.find((r) => r.reward === null)?.error}`);
    return { ms, cpu: coordinatorCpu + redisCpu + workerCpu, coordinatorCpu, redisCpu, workerCpu, episodes: report.rows.length };
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
      ];
    });
    const table = markdownTable(
      ['episodes', 'played by', 'n', 'wall s', 'episodes/s', 'vs in-process (mean of before/after)', 'CPU ms/episode (all processes but the model)', 'of which worker / coordinator / Redis', 'queue overhead, CPU ms/episode'],
      rows,
    );

    // What the measured per-episode costs imply for 64 workers on 16 machines against a model that takes 2 s per turn.
    const one = results.filter((r) => r.executor.startsWith('queue') && r.workload.name.startsWith('instant'));
    const per = (f: (m: Measure) => number) => one.reduce((a, r) => a + f(r.m) / r.m.episodes, 0) / one.length;
    const worker = per((m) => m.workerCpu);
    const coordinator = per((m) => m.coordinatorCpu);
    const redisMs = per((m) => m.redisCpu);
    const sim = [8, 32, 128].flatMap((c) =>
      [2, 10].map((turns) => {
        const latency = 64 * c / (turns * 2 + worker / 1000);
        const limits: Array<[string, number]> = [
          ['model latency', latency],
          ['worker CPU (64 cores)', (64 * 1000) / (worker * (turns / 2))],
          ['coordinator CPU (1 core)', 1000 / coordinator],
          ['Redis CPU (1 core)', 1000 / redisMs],
        ];
        const [bound, value] = limits.reduce((a, b) => (b[1] < a[1] ? b : a));
        return [c, turns, 64 * c, latency.toFixed(0), value.toFixed(0), bound];
      }),
    );
    const simTable = markdownTable(['episodes per worker', 'model turns per episode', 'in flight', 'episodes/s the model allows', 'episodes/s', 'bound by'], sim);
    return [
      table,
      '',
      `load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine's cores (shared); ${CONCURRENCY} episodes at once in the one process and in each worker.`,
      `Queue overhead = CPU per episode through the queue (workers + coordinator + Redis) minus CPU per episode in one process.`,
      '',
      `Projection, 64 workers on 16 machines (one core each), model at 2 s per turn, from the measured instant-model costs (worker ${worker.toFixed(2)} ms per 2 model turns, coordinator ${coordinator.toFixed(2)} ms, Redis ${redisMs.toFixed(2)} ms per episode):`,
      '',
      simTable,
    ].join('\n');
  } finally {
    await stop(model.child);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
