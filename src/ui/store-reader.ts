import { existsSync } from 'node:fs';
import { readEpisode, type StoredEpisode } from '../record/conversation.js';
import { DEFAULT_FUNNEL, droppedLines, funnelFailure, runFunnel } from '../record/funnel.js';
import { passHatK } from '../record/pass-k.js';
import { episodeFromRow, runFromRow, TrajectoryStore } from '../record/store.js';
import type { EpisodeRecord, EpisodeStatus, RunRecord, StopReason } from '../spec/trajectory.js';

type Row = Record<string, unknown>;

/** Which episodes a list shows; every field narrows it. */
export interface EpisodeQuery {
  run?: number;
  domain?: string;
  status?: EpisodeStatus;
  /** pass: reward 1; fail: scored below 1; unscored: no reward (no task, or not finished). */
  outcome?: 'pass' | 'fail' | 'unscored';
  /** A part of the task id. */
  task?: string;
  stop?: StopReason;
}

export interface Page {
  offset: number;
  limit: number;
}

/** A run with what its list row shows: episode counts, mean reward, pass^1..k. */
export interface RunSummary {
  run: RunRecord;
  episodes: number;
  done: number;
  running: number;
  failed: number;
  /** Episodes with a reward, and their mean. */
  scored: number;
  meanReward: number | null;
  tasks: number;
  /** pass^k for k = 1 .. the fewest scored trials of any task (at most MAX_K). */
  passK: number[];
}

/** One row of an episode list: the record without its long verdict text, and where the funnel drops it. */
export interface EpisodeRow {
  id: number;
  run_id: number;
  domain: string;
  task_id: string | null;
  trial: number;
  status: EpisodeStatus;
  reward: number | null;
  stop_reason: StopReason | null;
  error: string | null;
  counts: EpisodeRecord['counts'];
  held: NonNullable<EpisodeRecord['verdict']>['held'] | null;
  started_at: string;
  ended_at: string | null;
  funnel: { stage: string; reason: string } | null;
}

export interface RunFunnel {
  total: number;
  after: Array<{ stage: string; kept: number }>;
  dropped: string[];
}

export interface CompareCell {
  n: number;
  passed: number;
  episodes: Array<{ id: number; reward: number | null; status: EpisodeStatus }>;
}

const MAX_K = 8;

function whereOf(q: EpisodeQuery): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => (where.push(clause), params.push(...values));
  if (q.run !== undefined) add('run_id = ?', q.run);
  if (q.domain !== undefined) add('domain = ?', q.domain);
  if (q.status !== undefined) add('status = ?', q.status);
  if (q.outcome === 'pass') add('reward = 1');
  if (q.outcome === 'fail') add('reward < 1');
  if (q.outcome === 'unscored') add('reward IS NULL');
  if (q.task) add("task_id LIKE ? ESCAPE '\\'", `%${q.task.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (q.stop !== undefined) add('stop_reason = ?', q.stop);
  return { sql: where.length ? where.join(' AND ') : '1', params };
}

/**
 * The viewer's read-only access to a trajectory store. The file is opened read-only when it
 * first exists (a store that a server starts writing later is picked up), never created.
 */
export class StoreReader {
  private opened?: TrajectoryStore;
  private readonly funnels = new Map<number, { key: string; value: RunFunnel }>();

  constructor(readonly path: string | undefined) {}

  /** The open store, or undefined while there is none. */
  get store(): TrajectoryStore | undefined {
    if (!this.opened && this.path && existsSync(this.path)) this.opened = TrajectoryStore.open(this.path, { readonly: true });
    return this.opened;
  }

  close(): void {
    this.opened?.close();
    this.opened = undefined;
  }

  private all(sql: string, ...params: unknown[]): Row[] {
    const store = this.store;
    return store ? (store.db.prepare(sql).all(...params) as Row[]) : [];
  }

  runs(page: Page): { total: number; runs: RunSummary[] } {
    const store = this.store;
    if (!store) return { total: 0, runs: [] };
    const total = store.db.prepare('SELECT count(*) FROM runs').pluck().get() as number;
    const rows = this.all(
      `SELECT r.*, count(e.id) AS n_episodes, coalesce(sum(e.status = 'done'), 0) AS n_done, coalesce(sum(e.status = 'running'), 0) AS n_running,
         coalesce(sum(e.status = 'failed'), 0) AS n_failed, count(e.reward) AS n_scored, avg(e.reward) AS mean_reward, count(DISTINCT e.task_id) AS n_tasks
       FROM (SELECT * FROM runs ORDER BY id DESC LIMIT ? OFFSET ?) AS r LEFT JOIN episodes e ON e.run_id = r.id
       GROUP BY r.id ORDER BY r.id DESC`,
      page.limit,
      page.offset,
    );
    const trials = this.trialsByRun(rows.map((r) => r.id as number));
    return {
      total,
      runs: rows.map((r) => ({
        run: runFromRow(r),
        episodes: r.n_episodes as number,
        done: r.n_done as number,
        running: r.n_running as number,
        failed: r.n_failed as number,
        scored: r.n_scored as number,
        meanReward: (r.mean_reward as number | null) ?? null,
        tasks: r.n_tasks as number,
        passK: passKs(trials.get(r.id as number)),
      })),
    };
  }

  run(id: number): RunSummary | undefined {
    const store = this.store;
    if (!store?.run(id)) return undefined;
    const rank = store.db.prepare('SELECT count(*) FROM runs WHERE id > ?').pluck().get(id) as number;
    return this.runs({ offset: rank, limit: 1 }).runs[0];
  }

  /** Scored trials per task of each run: [trials, successes]. */
  private trialsByRun(runIds: number[]): Map<number, Map<string, boolean[]>> {
    const out = new Map<number, Map<string, boolean[]>>();
    if (runIds.length === 0) return out;
    const rows = this.all(
      `SELECT run_id, coalesce(task_id, '') AS task, count(*) AS n, sum(reward = 1) AS c FROM episodes
       WHERE reward IS NOT NULL AND run_id IN (${runIds.map(() => '?').join(', ')}) GROUP BY run_id, task_id`,
      ...runIds,
    );
    for (const r of rows) {
      const tasks = out.get(r.run_id as number) ?? out.set(r.run_id as number, new Map()).get(r.run_id as number)!;
      tasks.set(r.task as string, Array.from({ length: r.n as number }, (_, i) => i < (r.c as number)));
    }
    return out;
  }

  episodes(q: EpisodeQuery, page: Page, order: 'asc' | 'desc' = 'asc'): { total: number; episodes: EpisodeRow[] } {
    const store = this.store;
    if (!store) return { total: 0, episodes: [] };
    const w = whereOf(q);
    const total = store.db.prepare(`SELECT count(*) FROM episodes WHERE ${w.sql}`).pluck().get(...w.params) as number;
    const rows = this.all(`SELECT * FROM episodes WHERE ${w.sql} ORDER BY id ${order === 'asc' ? 'ASC' : 'DESC'} LIMIT ? OFFSET ?`, ...w.params, page.limit, page.offset);
    return { total, episodes: rows.map((r) => episodeRow(readEpisode(store, episodeFromRow(r)))) };
  }

  /** An episode read back whole, or undefined. */
  episode(id: number): StoredEpisode | undefined {
    const store = this.store;
    const record = store?.episode(id);
    return store && record && readEpisode(store, record);
  }

  /** The episodes before and after `id` in the list `q` (for keyboard navigation), and its place in it. */
  neighbours(id: number, q: EpisodeQuery): { prev: number | null; next: number | null; index: number; total: number } {
    const store = this.store;
    if (!store) return { prev: null, next: null, index: 0, total: 0 };
    const w = whereOf(q);
    const one = (sql: string, ...params: unknown[]) => (store.db.prepare(sql).pluck().get(...params) as number | null) ?? null;
    return {
      prev: one(`SELECT max(id) FROM episodes WHERE ${w.sql} AND id < ?`, ...w.params, id),
      next: one(`SELECT min(id) FROM episodes WHERE ${w.sql} AND id > ?`, ...w.params, id),
      index: one(`SELECT count(*) FROM episodes WHERE ${w.sql} AND id < ?`, ...w.params, id) ?? 0,
      total: one(`SELECT count(*) FROM episodes WHERE ${w.sql}`, ...w.params) ?? 0,
    };
  }

  /** The funnel over a whole run; cached until the run's episodes change. */
  funnel(runId: number): RunFunnel | undefined {
    const store = this.store;
    if (!store?.run(runId)) return undefined;
    const key = JSON.stringify(store.db.prepare("SELECT count(*), max(ended_at), sum(status = 'running') FROM episodes WHERE run_id = ?").raw().get(runId));
    const cached = this.funnels.get(runId);
    if (cached?.key === key) return cached.value;
    const report = runFunnel(
      store.episodes({ runId }).map((e) => readEpisode(store, e)),
      DEFAULT_FUNNEL,
    );
    const value = { total: report.total, after: report.after, dropped: droppedLines(report.dropped) };
    this.funnels.set(runId, { key, value });
    return value;
  }

  /** Two runs side by side, task by task. */
  compare(a: number, b: number): Array<{ task: string; a: CompareCell; b: CompareCell }> {
    const rows = this.all(`SELECT id, run_id, coalesce(task_id, '') AS task, reward, status FROM episodes WHERE run_id IN (?, ?) ORDER BY task_id, trial, id`, a, b);
    const byTask = new Map<string, { a: CompareCell; b: CompareCell }>();
    const empty = (): CompareCell => ({ n: 0, passed: 0, episodes: [] });
    for (const r of rows) {
      const entry = byTask.get(r.task as string) ?? byTask.set(r.task as string, { a: empty(), b: empty() }).get(r.task as string)!;
      const cell = r.run_id === a ? entry.a : entry.b;
      cell.n++;
      if (r.reward === 1) cell.passed++;
      cell.episodes.push({ id: r.id as number, reward: r.reward as number | null, status: r.status as EpisodeStatus });
    }
    return [...byTask].map(([task, cells]) => ({ task, ...cells }));
  }
}

function passKs(tasks: Map<string, boolean[]> | undefined): number[] {
  if (!tasks || tasks.size === 0) return [];
  const maxK = Math.min(MAX_K, ...[...tasks.values()].map((t) => t.length));
  return Array.from({ length: maxK }, (_, i) => passHatK(tasks, i + 1));
}

export function episodeRow(ep: StoredEpisode): EpisodeRow {
  const e = ep.episode;
  return {
    id: e.id,
    run_id: e.run_id,
    domain: e.domain,
    task_id: e.task_id,
    trial: e.trial,
    status: e.status,
    reward: e.reward,
    stop_reason: e.stop_reason,
    error: e.error,
    counts: e.counts,
    held: e.verdict?.held ?? null,
    started_at: e.started_at,
    ended_at: e.ended_at,
    funnel: funnelFailure(ep, DEFAULT_FUNNEL) ?? null,
  };
}
