import { join } from 'node:path';
import type { Domain } from '../env/domain.js';
import { readTasks } from '../env/load.js';
import type { Endpoint } from '../llm/chat-model.js';
import type { EpisodeOutcome } from '../record/recorder.js';
import type { TrajectoryStore } from '../record/store.js';
import type { Task } from '../spec/task.js';
import { UserError } from '../util/errors.js';
import { Episode, type EpisodeLimits } from './episode.js';
import type { ShapingOptions } from './shaping.js';
import { domainTools, isReadOnly } from './tools.js';

export interface OpenerOptions {
  /** Record every episode here; without a store only task-bound episodes are scored (and reported). */
  store?: TrajectoryStore;
  /** Task file for every domain (default: each domain's tasks.json). */
  tasksFile?: string;
  /** Simulated user of a task-bound episode that does not name one. */
  defaultUser: string;
  userEndpoint?: Partial<Endpoint>;
  limits?: EpisodeLimits;
  /** Where a scored episode's verdict is reported (stderr for the CLI). */
  report?: (line: string) => void;
}

export interface OpenRequest {
  task?: string;
  /** `scripted` or `openai:<model>`; only with a task. */
  user?: string;
  seed?: number;
  shaping?: ShapingOptions;
  /** Limits of this episode (default: the opener's, else the Episode's). */
  limits?: EpisodeLimits;
  /** Called once when the episode is closed. */
  onClose?: () => void;
}

export type EpisodeOpener = (domain: Domain, request: OpenRequest) => Promise<Episode>;

/**
 * Opens the episodes a server hands out (MCP sessions, the step API, OpenEnv): recorded when there
 * is a store, bound to a task with a simulated user when one is named. One run per domain and user
 * per server process. A task that does not exist, or a user model that cannot open, is a UserError
 * and leaves nothing in the store.
 */
export function episodeOpener(options: OpenerOptions): EpisodeOpener {
  const runs = new Map<string, number>();
  const tasks = new Map<string, Task[]>();
  const runOf = (store: TrajectoryStore, domain: Domain, user?: string) => {
    const key = `${domain.name}\0${user ?? ''}`;
    let id = runs.get(key);
    if (id === undefined) {
      id = store.openRun({ key: null, kind: 'serve', domain: domain.name, ...(user ? { user: { spec: user } } : {}), settings: { domain_dir: domain.dir } }).id;
      runs.set(key, id);
    }
    return id;
  };
  const findTask = (domain: Domain, id: string): Task => {
    const file = options.tasksFile ?? (domain.dir ? join(domain.dir, 'tasks.json') : undefined);
    let list = file ? tasks.get(file) : [];
    if (!list) tasks.set(file!, (list = readTasks(domain.dir ?? '', file)));
    const task = list.find((t) => t.id === id);
    if (!task) throw new UserError(`No task ${id} in the ${domain.name} tasks; run "envscale tasks list ${domain.name}${options.tasksFile ? ` --tasks ${options.tasksFile}` : ''}" to list them.`);
    return task;
  };
  return async (domain, request) => {
    if (request.user !== undefined && request.task === undefined) throw new UserError('A simulated user needs a task to play; name one (task=<id>).');
    const task = request.task !== undefined ? findTask(domain, request.task) : undefined;
    const userSpec = task ? (request.user ?? options.defaultUser) : undefined;
    // Loaded with the first task-bound episode: a server without one never loads the model client.
    const user = userSpec ? (await import('./users.js')).makeUser(userSpec, options.userEndpoint) : undefined;
    const store = options.store;
    const writer = store
      ? () => {
          const runId = runOf(store, domain, userSpec);
          return store.beginEpisode({
            runId,
            domain: domain.name,
            taskId: task?.id ?? null,
            trial: store.nextTrial(runId, task?.id ?? null),
            toolset: store.putTools(domainTools(domain)),
            taskKey: task && store.putTask(domain.name, task, isReadOnly(domain, task)),
          });
        }
      : undefined;
    const report = options.report;
    // A user model that cannot open is a ModelFailure, a UserError: the episode is refused.
    return Episode.open({
      domain,
      task,
      user,
      seed: request.seed,
      writer,
      limits: request.limits ?? options.limits,
      shaping: request.shaping,
      onClose: request.onClose,
      onFinish: task && report ? (outcome, episode) => report(verdictLine(task, outcome, episode.recorder.episodeId)) : undefined,
    });
  };
}

function verdictLine(task: Task, outcome: EpisodeOutcome, episode?: number): string {
  const where = episode === undefined ? '' : ` (episode ${episode})`;
  const v = outcome.verdict;
  return `task ${task.id}${where}: reward ${v?.reward ?? '-'}${v && v.reward !== 1 ? `: ${v.explanation.split('\n')[0]}` : ''}`;
}
