import { TrajectoryStore } from '../record/store.js';
import { episodeLines, printRolloutReport, rolloutInputs, type RolloutCommandOptions } from '../rollout/commands.js';
import { runQueuedRollout } from './coordinator.js';
import { defaultCacheDir } from './domain-bundle.js';
import { progressBar } from './progress.js';
import { checkRedis, parseRedisUrl } from './redis.js';
import { roleSpec } from './roles.js';
import { startWorker } from './worker.js';

/** `envscale rollout ... --queue redis://...`: enqueue the episodes, wait for the workers, report as a local rollout does. */
export async function queuedRolloutCommand(ref: string, opts: RolloutCommandOptions & { queue: string; reconnect: number }): Promise<void> {
  const queue = parseRedisUrl(opts.queue);
  const { domain, tasks, agentEndpoint, userEndpoint, limits } = rolloutInputs(ref, opts);
  const agent = roleSpec('agent', opts.agent, agentEndpoint);
  const user = roleSpec('user', opts.user, userEndpoint);
  // Before the store file is created: a Redis that is not there leaves nothing behind.
  await checkRedis(queue);
  const store = TrajectoryStore.open(opts.store);
  const bar = progressBar();
  try {
    const report = await runQueuedRollout({
      domain,
      tasks,
      agent,
      user,
      trials: opts.trials,
      seed: opts.seed,
      limits,
      store,
      queue,
      reconnectMs: opts.reconnect * 1000,
      onEpisode: bar ? undefined : episodeLines(),
      onProgress: bar?.update,
    });
    bar?.stop();
    printRolloutReport(report, domain.name, opts.store, tasks.length * opts.trials);
  } finally {
    bar?.stop();
    store.close();
  }
}

export interface WorkerCommandOptions {
  queue: string;
  concurrency: number;
  cache?: string;
  stallTimeout: number;
  reconnect: number;
}

/** `envscale worker`: take episode jobs until stopped (Ctrl-C lets the running ones finish; twice stops at once). */
export async function workerCommand(opts: WorkerCommandOptions): Promise<void> {
  const queue = parseRedisUrl(opts.queue);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const worker = await startWorker({
    queue,
    concurrency: opts.concurrency,
    cacheDir: opts.cache ?? defaultCacheDir(),
    lockMs: opts.stallTimeout * 1000,
    reconnectMs: opts.reconnect * 1000,
    log: say,
  });
  say(`worker ${worker.name} takes episodes from ${queue.shown}, ${opts.concurrency} at once; Ctrl-C stops it after the running episodes.`);
  let stopping = false;
  const onSignal = () => {
    if (stopping) return void worker.close(true);
    stopping = true;
    say('stopping: the running episodes finish first (Ctrl-C again to stop now; they then go to other workers).');
    void worker.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await worker.stopped;
    say(`worker ${worker.name} stopped after ${worker.counts.played} episodes.`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
