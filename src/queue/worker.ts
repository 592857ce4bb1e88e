import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { EpisodeBuffer } from '../record/buffer.js';
import { runEpisode } from '../rollout/episode.js';
import { EpisodeJob, type EpisodeJobResultInput } from '../spec/queue.js';
import { UserError } from '../util/errors.js';
import { DomainSource } from './domain-bundle.js';
import { QUEUE_NAME } from './names.js';
import { checkRedis, connectionOptions, type RedisTarget } from './redis.js';
import { Roles } from './roles.js';
import { RunSource } from './run-spec.js';

export interface WorkerOptions {
  queue: RedisTarget;
  /** Episodes played at once. */
  concurrency: number;
  /** Where domains received through Redis are kept. */
  cacheDir: string;
  /** A job whose worker stops renewing its lock for this long goes to another worker. */
  lockMs: number;
  /** How long to keep reconnecting to a lost Redis before stopping. */
  reconnectMs: number;
  /** Stalls a job may survive (its worker died) before it counts as poisoned and fails. */
  maxStalls?: number;
  /** Progress lines (a job failed, the worker stops). */
  log?: (line: string) => void;
}

export interface RunningWorker {
  name: string;
  /** Episodes played, and jobs that threw. */
  counts: { played: number; failed: number };
  /** Settles when the worker has stopped: resolves after close(), rejects when Redis is lost for good. */
  stopped: Promise<void>;
  /** Stop taking jobs and let the running ones finish (force: drop them; they go to other workers). */
  close(force?: boolean): Promise<void>;
}

/** Stalls a job may survive by default: a dying machine is retried, a job that kills every worker is not. */
export const MAX_STALLS = 2;

/**
 * Take episode jobs from the queue and play each with the one function that runs an episode
 * (runEpisode), recording it in memory; the job's return value is the whole episode, which the
 * coordinator stores. Model endpoints and keys come from this process's environment.
 */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  await checkRedis(o.queue);
  const name = `${hostname()}:${process.pid}`;
  const log = o.log ?? (() => undefined);
  let stop!: { resolve: () => void; reject: (err: Error) => void };
  const stopped = new Promise<void>((resolve, reject) => (stop = { resolve, reject }));
  let worker: Worker | undefined;
  const connection = connectionOptions(o.queue, o.reconnectMs, () => {
    stop.reject(new UserError(`Lost Redis at ${o.queue.shown} for ${Math.round(o.reconnectMs / 1000)} s; worker ${name} stopped (its running episodes go to other workers once Redis is back).`));
    void worker?.close(true).catch(() => undefined);
  });
  const redis = new Redis(connection);
  redis.on('error', () => undefined);
  const domains = new DomainSource(redis, o.cacheDir);
  const runs = new RunSource(redis);
  const roles = new Roles();
  const counts = { played: 0, failed: 0 };

  const play = async (job: Job): Promise<EpisodeJobResultInput> => {
    const parsed = EpisodeJob.safeParse(job.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UnrecoverableError(`job ${job.id} is not an episode job this envscale can play (at ${issue.path.join('.') || 'the top'}: ${issue.message}); run the same envscale version on the coordinator and the workers`);
    }
    const { spec: specHash, task: taskId, trial } = parsed.data;
    const { spec, tasks } = await runs.get(specHash);
    const task = tasks.get(taskId);
    if (!task) throw new UnrecoverableError(`job ${job.id} names the task ${taskId}, which its run does not hold; run the same envscale version on the coordinator and the workers`);
    const domain = await domains.get(spec.domain);
    const buffer = new EpisodeBuffer();
    const result = await runEpisode({ domain, task, agent: roles.agent(spec.agent), user: roles.user(spec.user), seed: spec.seed + trial, limits: spec.limits, writer: buffer });
    counts.played++;
    return { worker: name, episode: buffer.finished(), ...(result.fatal ? { fatal: result.fatal.message } : {}) };
  };

  worker = new Worker(QUEUE_NAME, play, {
    connection,
    name,
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: o.lockMs,
    maxStalledCount: o.maxStalls ?? MAX_STALLS,
  });
  // Connection errors are retried by the connection's strategy and end in onGiveUp; nothing to add here.
  worker.on('error', () => undefined);
  worker.on('failed', (job, err) => {
    counts.failed++;
    log(`job ${job?.id ?? '?'} (${job?.name ?? '?'}) failed on attempt ${job?.attemptsMade ?? '?'}: ${err.message}`);
  });
  await worker.waitUntilReady();
  return {
    name,
    counts,
    stopped,
    close: async (force = false) => {
      await worker!.close(force);
      redis.disconnect();
      stop.resolve();
    },
  };
}
