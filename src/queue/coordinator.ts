import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { episodeInput, planRollout, sortRows, trialRow, type RolloutReport, type RolloutSetup, type TrialRow, type TrialToRun } from '../rollout/run.js';
import { DEFAULT_LIMITS } from '../rollout/episode.js';
import { EpisodeJobResult, type EpisodeJob, type RoleSpec } from '../spec/queue.js';
import { UserError } from '../util/errors.js';
import { publishBundle, readBundle } from './domain-bundle.js';
import { QUEUE_NAME, episodeJobId } from './names.js';
import { publishRunSpec } from './run-spec.js';
import { checkRedis, connectionOptions, type RedisTarget } from './redis.js';
import { roleInfo } from './roles.js';

export interface QueuedRolloutOptions extends RolloutSetup {
  queue: RedisTarget;
  agent: RoleSpec;
  user: RoleSpec;
  /** How long to keep reconnecting to a lost Redis before stopping. */
  reconnectMs: number;
  /** Tries of a job whose worker throws (its episode cannot even start); default 3. */
  attempts?: number;
  onEpisode?: (row: TrialRow) => void;
  onProgress?: (progress: QueueProgress) => void;
}

/** The episodes of this invocation: finished well, failed, being played by a worker, of how many. */
export interface QueueProgress {
  total: number;
  done: number;
  failed: number;
  running: number;
}

export const DEFAULT_ATTEMPTS = 3;
/** With no result for this long, the coordinator reads the jobs' states instead of waiting for events. */
const SWEEP_AFTER_MS = 10_000;
/**
 * Bound of the queue's event stream (BullMQ trims it to about this many entries; its default is
 * 10,000). Each `completed` entry holds a whole episode, a second copy beside the job's, so the
 * bound is what caps that copy's memory in Redis. The coordinator reads the stream as it grows,
 * at about 5 entries per job; one that falls further behind than this finds the trimmed results
 * in the jobs' states (the sweep), so nothing is lost, only later.
 */
export const EVENTS_MAX_LEN = 2_000;
const CHUNK = 250;

const chunks = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

/** The last entry of the queue's event stream, so the listener starts exactly where the scan of job states begins. */
async function lastEventId(redis: Redis, key: string): Promise<string> {
  const last = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
  return last[0]?.[0] ?? '0-0';
}

/**
 * A rollout played by queue workers: one BullMQ job per (task, trial) not yet done in the store,
 * with an id derived from the run, the task and the trial, so a rerun or a restarted coordinator
 * finds the jobs it added before. Each finished job's episode is recorded here, once per (run,
 * task, trial), then the job is removed from Redis. Results that finished while no coordinator
 * listened are read from the jobs' states at start.
 */
export async function runQueuedRollout(o: QueuedRolloutOptions): Promise<RolloutReport> {
  const dir = o.domain.dir;
  if (!dir) throw new UserError(`The domain ${o.domain.name} was not read from a folder; a queue rollout sends workers the domain's folder, so load it from one.`);
  await checkRedis(o.queue);
  const plan = planRollout({ ...o, agent: roleInfo('agent', o.agent), user: roleInfo('user', o.user), settings: { queue: o.queue.shown } });
  const rows: TrialRow[] = [...plan.resumed];
  if (plan.todo.length === 0) return { runId: plan.runId, rows: sortRows(o.tasks, rows), notStarted: 0 };

  const jobs = new Map(plan.todo.map((item) => [episodeJobId(plan.key, item.task.id, item.trial), item]));
  const pending = new Set(jobs.keys());
  const running = new Set<string>();
  const progress = { total: jobs.size, done: 0, failed: 0, running: 0 };
  let fatal: string | undefined;
  let notStarted = 0;
  let lastSettled = Date.now();
  let wake = () => undefined as void;

  let giveUp!: (err: Error) => void;
  const lost = new Promise<never>((_, reject) => (giveUp = reject));
  lost.catch(() => undefined);
  const connection = connectionOptions(o.queue, o.reconnectMs, () => {
    const recorded = progress.done + progress.failed;
    giveUp(new UserError(`Lost Redis at ${o.queue.shown} for ${Math.round(o.reconnectMs / 1000)} s; ${recorded} episodes of this run were recorded before that; once Redis is back, rerun the same command to resume.`));
  });
  const redis = new Redis(connection);
  redis.on('error', () => undefined);
  const queue = new Queue(QUEUE_NAME, { connection, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
  queue.on('error', () => undefined);
  let events: QueueEvents | undefined;

  /** Removals still on their way to Redis: awaited before the run returns, so no finished job is left behind. */
  const removals = new Set<Promise<unknown>>();
  const removeJob = (id: string) => {
    const removal: Promise<unknown> = queue
      .remove(id)
      .catch(() => undefined)
      .finally(() => removals.delete(removal));
    removals.add(removal);
  };

  const report = () => o.onProgress?.({ ...progress, running: running.size });
  const finish = (id: string, row: TrialRow) => {
    pending.delete(id);
    running.delete(id);
    rows.push(row);
    if (row.reward === null) progress.failed++;
    else progress.done++;
    lastSettled = Date.now();
    o.onEpisode?.(row);
    report();
    // Recorded: the job's copy of the episode is no longer needed.
    removeJob(id);
    wake();
  };

  /** A failure with no episode (the job threw on every try, or sent what cannot be read), kept as a failed episode. */
  const recordFailure = (id: string, item: TrialToRun, error: string) => {
    const now = new Date().toISOString();
    const end = { status: 'failed' as const, error };
    const stored = plan.runId !== undefined ? o.store?.recordEpisode(episodeInput(o, plan, item), { startedAt: now, endedAt: now, events: [], end }) : undefined;
    finish(id, trialRow(item, end, stored?.id));
  };

  /**
   * Results are recorded in batches: the ones that arrive together (one read of the event stream,
   * one sweep) are checked, then stored in one transaction, on the next turn of the event loop.
   */
  let arrived = new Map<string, unknown>();
  const recordResult = (id: string, value: unknown) => {
    if (!pending.has(id)) return;
    arrived.set(id, value);
    if (arrived.size === 1) setImmediate(recordArrived);
  };
  const recordArrived = () => {
    try {
      storeArrived();
    } catch (err) {
      // The store failed (a full disk...): the run stops; what is not stored is played again on a rerun.
      giveUp(err as Error);
    }
  };
  const storeArrived = () => {
    const batch = arrived;
    arrived = new Map();
    const good: Array<{ id: string; item: TrialToRun; result: EpisodeJobResult }> = [];
    for (const [id, value] of batch) {
      const item = jobs.get(id);
      if (!item || !pending.has(id)) continue;
      const parsed = EpisodeJobResult.safeParse(value);
      if (parsed.success) good.push({ id, item, result: parsed.data });
      else recordFailure(id, item, `the worker sent a result this envscale cannot read (${parsed.error.issues[0].message}); run the same envscale version everywhere`);
    }
    const stored = plan.runId !== undefined ? o.store?.recordEpisodes(good.map(({ item, result }) => ({ input: episodeInput(o, plan, item), episode: result.episode }))) : undefined;
    good.forEach(({ id, item, result: { episode, fatal: stop } }, i) => {
      finish(id, trialRow(item, episode.end, stored?.[i].id));
      if (stop && fatal === undefined) {
        fatal = stop;
        void dropWaiting();
      }
    });
  };

  const recordFailed = (id: string, reason: string, attempts?: number) => {
    const item = jobs.get(id);
    if (!item || !pending.has(id)) return;
    recordFailure(id, item, `the job failed on the workers${attempts ? ` after ${attempts} tries` : ''}: ${reason}`);
  };

  /** Settle a job from its state in Redis (a result missed by the listener, or one that finished before it started). */
  const settleFromState = async (id: string) => {
    const state = await queue.getJobState(id);
    if (state === 'active') running.add(id);
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
    const job = state === 'unknown' ? undefined : await Job.fromId(queue, id);
    if (state === 'completed' && job) return recordResult(id, job.returnvalue);
    if (state === 'failed' && job) return recordFailed(id, job.failedReason, job.attemptsMade);
    // Gone (removed by hand): add it again; if its episode reached the store meanwhile, it is stored once all the same.
    if (pending.has(id)) await addJobs([id]);
  };
  const sweep = async (ids = [...pending]) => {
    for (const part of chunks(ids)) await Promise.all(part.map(settleFromState));
    lastSettled = Date.now();
    report();
  };
  /** The jobs already in Redis (added by an earlier coordinator of the run), one pipelined EXISTS per chunk. */
  const existing = async (ids: string[]) => {
    const found = new Set<string>();
    for (const part of chunks(ids)) {
      const replies = (await redis.pipeline(part.map((id) => ['exists', queue.toKey(id)])).exec()) ?? [];
      replies.forEach(([err, n], i) => {
        if (err) throw err;
        if (n === 1) found.add(part[i]);
      });
    }
    return found;
  };

  /** After a fatal endpoint failure: take back the jobs no worker has started. */
  const dropWaiting = async () => {
    for (const id of [...pending]) {
      const state = await queue.getJobState(id);
      if (!['waiting', 'delayed', 'prioritized'].includes(state)) continue;
      if ((await queue.remove(id)) === 1 && pending.delete(id)) notStarted++;
    }
    wake();
  };

  // A job names the run's shared part (published once) and its own task and trial.
  let specHash = '';
  const jobData = (item: TrialToRun): EpisodeJob => ({ format: 'envscale-episode-job', version: 2, spec: specHash, task: item.task.id, trial: item.trial });
  const addJobs = async (ids: string[]) => {
    for (const part of chunks(ids)) {
      await queue.addBulk(
        part.map((id) => {
          const item = jobs.get(id)!;
          return {
            name: `${item.task.id}#${item.trial}`,
            data: jobData(item),
            opts: { jobId: id, attempts: o.attempts ?? DEFAULT_ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
          };
        }),
      );
    }
  };

  const play = async () => {
    const bundle = readBundle(o.domain.name, dir);
    await publishBundle(redis, bundle);
    specHash = await publishRunSpec(redis, {
      format: 'envscale-run',
      version: 1,
      run: plan.key,
      domain: { name: o.domain.name, hash: bundle.hash },
      tasks: o.tasks,
      seed: o.seed ?? 0,
      limits: o.limits ?? DEFAULT_LIMITS,
      agent: o.agent,
      user: o.user,
    });
    events = new QueueEvents(QUEUE_NAME, { connection, lastEventId: await lastEventId(redis, queue.keys.events) });
    events.on('error', () => undefined);
    events.on('completed', ({ jobId, returnvalue }) => recordResult(jobId, returnvalue));
    events.on('failed', ({ jobId }) => {
      if (pending.has(jobId)) void settleFromState(jobId).catch(() => undefined);
    });
    events.on('active', ({ jobId }) => pending.has(jobId) && (running.add(jobId), report()));
    for (const name of ['waiting', 'delayed', 'stalled'] as const) events.on(name, ({ jobId }: { jobId: string }) => running.delete(jobId) && report());
    await events.waitUntilReady();
    // Only jobs that were there before the listener started can have finished unheard: their
    // states are read; the new ones are added, and their results come as events.
    const before = await existing([...pending]);
    await addJobs([...pending].filter((id) => !before.has(id)));
    await sweep([...before]);
    // A coordinator stopped between storing an episode and removing its job leaves the job behind.
    const stored = plan.resumed.map((r) => episodeJobId(plan.key, r.task, r.trial));
    for (const id of await existing(stored)) removeJob(id);
    while (pending.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (pending.size > 0 && Date.now() - lastSettled > SWEEP_AFTER_MS) await sweep();
    }
  };

  try {
    await Promise.race([play(), lost]);
  } finally {
    // Results that arrived in the last turn are stored before the run stops, whatever stopped it.
    if (arrived.size > 0) recordArrived();
    wake = () => undefined;
    const closing = Promise.allSettled([...removals]).then(() => Promise.allSettled([events?.close(), queue.close()]));
    await Promise.race([closing, new Promise((r) => setTimeout(r, 2000).unref())]);
    redis.disconnect();
  }
  return { runId: plan.runId, rows: sortRows(o.tasks, rows), fatal, notStarted };
}
