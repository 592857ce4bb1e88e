import { createHash } from 'node:crypto';
import type { Domain } from '../env/domain.js';
import { hashSums } from '../env/state-hash.js';
import type { EpisodeEnd, TrajectoryStore } from '../record/store.js';
import type { Task } from '../spec/task.js';
import type { ModelInfo } from '../spec/trajectory.js';
import { DEFAULT_LIMITS, runEpisode, type EpisodeLimits, type EpisodeResult } from './episode.js';
import { domainTools, isReadOnly } from '../episode/tools.js';
import type { Agent, SimulatedUser } from '../episode/types.js';

/** What identifies a rollout and where it is recorded, whoever plays its episodes. */
export interface RolloutSetup {
  domain: Domain;
  tasks: Task[];
  trials: number;
  /** Episode seed = seed + trial, passed to models that take one. */
  seed?: number;
  limits?: EpisodeLimits;
  /** Without a store nothing is recorded and nothing resumes. */
  store?: TrajectoryStore;
}

export interface RolloutOptions extends RolloutSetup {
  agent: Agent;
  user: SimulatedUser;
  concurrency: number;
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
 * user, limits and seed. Trials, concurrency and where episodes run (in this process or on queue
 * workers) are not part of it, so a rerun with more trials extends the same run.
 */
export function runKey(o: RolloutSetup & { agent: ModelInfo; user: ModelInfo }): string {
  const data = {
    domain: o.domain.name,
    seedState: hashSums(o.domain.image.sums),
    tasks: o.tasks,
    agent: identity(o.agent),
    user: identity(o.user),
    limits: o.limits ?? DEFAULT_LIMITS,
    seed: o.seed ?? 0,
  };
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}

export interface TrialToRun {
  task: Task;
  trial: number;
}

/** A rollout opened in its store: the trials finished earlier and those left to run. */
export interface RolloutPlan {
  key: string;
  runId?: number;
  /** Key of the domain's tool list in the store. */
  toolset?: string;
  resumed: TrialRow[];
  todo: TrialToRun[];
}

/**
 * Open (or find) the run in the store and split its trials into finished and left to run.
 * `settings` are recorded with a new run next to the domain folder, trials, seed and limits.
 */
export function planRollout(o: RolloutSetup & { agent: ModelInfo; user: ModelInfo; settings?: Record<string, unknown> }): RolloutPlan {
  const key = runKey(o);
  const run = o.store?.openRun({
    key,
    kind: 'rollout',
    domain: o.domain.name,
    agent: o.agent,
    user: o.user,
    settings: { domain_dir: o.domain.dir, trials: o.trials, ...o.settings, seed: o.seed ?? 0, ...(o.limits ?? DEFAULT_LIMITS), tasks: o.tasks.map((t) => t.id) },
  });
  const finished = new Map<string, { id: number; reward: number | null; stop: string | null }>();
  if (run && o.store) {
    for (const e of o.store.episodes({ runId: run.id, status: 'done' })) finished.set(`${e.task_id}#${e.trial}`, { id: e.id, reward: e.reward, stop: e.stop_reason });
  }
  const resumed: TrialRow[] = [];
  const todo: TrialToRun[] = [];
  for (const task of o.tasks) {
    for (let trial = 1; trial <= o.trials; trial++) {
      const done = finished.get(`${task.id}#${trial}`);
      if (done) resumed.push({ task: task.id, trial, reward: done.reward, episodeId: done.id, resumed: true, stopReason: done.stop ?? undefined });
      else todo.push({ task, trial });
    }
  }
  return { key, runId: run?.id, toolset: o.store?.putTools(domainTools(o.domain)), resumed, todo };
}

/** Store a trial's task (once per content) and say where its episode goes in the store. */
export function episodeInput(o: RolloutSetup, plan: RolloutPlan, { task, trial }: TrialToRun) {
  const taskKey = o.store?.putTask(o.domain.name, task, isReadOnly(o.domain, task));
  return { runId: plan.runId!, domain: o.domain.name, taskId: task.id, trial, toolset: plan.toolset, taskKey };
}

/** The report row of an episode that ran now. */
export function trialRow({ task, trial }: TrialToRun, end: Pick<EpisodeEnd, 'status' | 'reward' | 'stopReason' | 'error'>, episodeId?: number): TrialRow {
  return { task: task.id, trial, reward: end.status === 'done' ? (end.reward ?? 0) : null, episodeId, resumed: false, stopReason: end.stopReason, error: end.error };
}

/** Rows in task order, then trial order. */
export function sortRows(tasks: Task[], rows: TrialRow[]): TrialRow[] {
  const order = new Map(tasks.map((t, i) => [t.id, i]));
  return rows.sort((a, b) => order.get(a.task)! - order.get(b.task)! || a.trial - b.trial);
}

/**
 * Run every task `trials` times, `concurrency` episodes at a time, each in its own state.
 * With a store, finished episodes of the same run are skipped and their rewards reported.
 */
export async function runRollout(o: RolloutOptions): Promise<RolloutReport> {
  const seed = o.seed ?? 0;
  const plan = planRollout({ ...o, agent: o.agent.info, user: o.user.info, settings: { concurrency: o.concurrency } });
  const rows = [...plan.resumed];
  const { todo } = plan;

  let fatal: string | undefined;
  let next = 0;
  const worker = async () => {
    while (next < todo.length && fatal === undefined) {
      const item = todo[next++];
      const writer = plan.runId !== undefined ? o.store?.beginEpisode(episodeInput(o, plan, item)) : undefined;
      const result: EpisodeResult = await runEpisode({ domain: o.domain, task: item.task, agent: o.agent, user: o.user, seed: seed + item.trial, limits: o.limits, writer });
      if (result.fatal) fatal ??= result.fatal.message;
      const row = { ...trialRow(item, { status: result.status, reward: result.verdict?.reward, stopReason: result.stopReason, error: result.error }, writer?.id), ...(result.fatal ? { fatal: true } : {}) };
      rows.push(row);
      o.onEpisode?.(row);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, todo.length)) }, worker));
  return { runId: plan.runId, rows: sortRows(o.tasks, rows), fatal, notStarted: todo.length - next };
}
