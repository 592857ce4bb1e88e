import { createHash } from 'node:crypto';
import type { Domain } from '../env/domain.js';
import { hashSums } from '../env/state-hash.js';
import type { TrajectoryStore } from '../record/store.js';
import type { Task } from '../spec/task.js';
import type { ModelInfo, ToolDefinition } from '../spec/trajectory.js';
import { DEFAULT_LIMITS, runEpisode, type EpisodeLimits, type EpisodeResult } from './episode.js';
import { domainTools, isReadOnly } from '../episode/tools.js';
import type { Agent, SimulatedUser } from '../episode/types.js';

export interface RolloutOptions {
  domain: Domain;
  tasks: Task[];
  agent: Agent;
  user: SimulatedUser;
  trials: number;
  concurrency: number;
  /** Episode seed = seed + trial, passed to models that take one. */
  seed?: number;
  limits?: EpisodeLimits;
  /** Without a store nothing is recorded and nothing resumes. */
  store?: TrajectoryStore;
  onEpisode?: (row: TrialRow) => void;
}

export interface TrialRow {
  task: string;
  trial: number;
  /** Null for an episode that failed (a model endpoint down): it is retried on the next run. */
  reward: number | null;
  episodeId?: number;
  /** Finished in an earlier invocation of the same run. */
  resumed: boolean;
  stopReason?: string;
  error?: string;
  /** The episode failed because a model endpoint cannot work (the run stopped there). */
  fatal?: boolean;
}

export interface RolloutReport {
  runId?: number;
  rows: TrialRow[];
  /** The message of a model endpoint that cannot work; the episodes after it were not started. */
  fatal?: string;
  notStarted: number;
}

/** A model as it identifies a run: where it is served does not change which run it is. */
const identity = ({ base_url: _url, ...rest }: ModelInfo) => rest;

/**
 * The key under which a rollout resumes: the domain (name and seed state), the tasks, agent,
 * user, limits and seed. Trials and concurrency are not part of it, so a rerun with more trials
 * extends the same run.
 */
export function runKey(o: RolloutOptions): string {
  const data = {
    domain: o.domain.name,
    seedState: hashSums(o.domain.image.sums),
    tasks: o.tasks,
    agent: identity(o.agent.info),
    user: identity(o.user.info),
    limits: o.limits ?? DEFAULT_LIMITS,
    seed: o.seed ?? 0,
  };
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}

/**
 * Run every task `trials` times, `concurrency` episodes at a time, each in its own state.
 * With a store, finished episodes of the same run are skipped and their rewards reported.
 */
export async function runRollout(o: RolloutOptions): Promise<RolloutReport> {
  const seed = o.seed ?? 0;
  const run = o.store?.openRun({
    key: runKey(o),
    kind: 'rollout',
    domain: o.domain.name,
    agent: o.agent.info,
    user: o.user.info,
    settings: { domain_dir: o.domain.dir, trials: o.trials, concurrency: o.concurrency, seed, ...(o.limits ?? DEFAULT_LIMITS), tasks: o.tasks.map((t) => t.id) },
  });
  const toolset = o.store?.putTools(domainTools(o.domain));
  const finished = new Map<string, { id: number; reward: number | null; stop: string | null }>();
  if (run && o.store) {
    for (const e of o.store.episodes({ runId: run.id, status: 'done' })) finished.set(`${e.task_id}#${e.trial}`, { id: e.id, reward: e.reward, stop: e.stop_reason });
  }

  const rows: TrialRow[] = [];
  const todo: Array<{ task: Task; trial: number }> = [];
  for (const task of o.tasks) {
    for (let trial = 1; trial <= o.trials; trial++) {
      const done = finished.get(`${task.id}#${trial}`);
      if (done) rows.push({ task: task.id, trial, reward: done.reward, episodeId: done.id, resumed: true, stopReason: done.stop ?? undefined });
      else todo.push({ task, trial });
    }
  }

  let fatal: string | undefined;
  let next = 0;
  const worker = async () => {
    while (next < todo.length && fatal === undefined) {
      const { task, trial } = todo[next++];
      const taskKey = o.store?.putTask(o.domain.name, task, isReadOnly(o.domain, task));
      const writer = run && o.store?.beginEpisode({ runId: run.id, domain: o.domain.name, taskId: task.id, trial, toolset, taskKey });
      const result: EpisodeResult = await runEpisode({ domain: o.domain, task, agent: o.agent, user: o.user, seed: seed + trial, limits: o.limits, writer });
      if (result.fatal) fatal ??= result.fatal.message;
      const row: TrialRow = {
        task: task.id,
        trial,
        reward: result.status === 'done' ? (result.verdict?.reward ?? 0) : null,
        episodeId: writer?.id,
        resumed: false,
        stopReason: result.stopReason,
        error: result.error,
        ...(result.fatal ? { fatal: true } : {}),
      };
      rows.push(row);
      o.onEpisode?.(row);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, todo.length)) }, worker));
  const order = new Map(o.tasks.map((t, i) => [t.id, i]));
  rows.sort((a, b) => order.get(a.task)! - order.get(b.task)! || a.trial - b.trial);
  return { runId: run?.id, rows, fatal, notStarted: todo.length - next };
}
