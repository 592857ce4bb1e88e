import { existsSync } from 'node:fs';
import { readEpisode, type StoredEpisode } from '../record/conversation.js';
import { DEFAULT_FUNNEL, droppedLines, funnelFailure, runFunnel, type FunnelReport } from '../record/funnel.js';
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
/** Episodes read per slice of a run's funnel. */
const FUNNEL_SLICE = 500;

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
  private readonly funnels = new Map<number, { key: string; value: Promise<RunFunnel> }>();

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
    const runs = this.all('SELECT * FROM runs ORDER BY id DESC LIMIT ? OFFSET ?', page.limit, page.offset).map(runFromRow);
    const byRun = this.taskCounts(runs.map((r) => r.id));
    return { total, runs: runs.map((run) => summarize(run, byRun.get(run.id) ?? [])) };
  }

  run(id: number): RunSummary | undefined {
    const run = this.store?.run(id);
    return run && summarize(run, this.taskCounts([id]).get(id) ?? []);
  }

  /**
   * Episode counts per task of each run. Counting groups of (run, task, status, reward) walks the
   * episodes_outcome index in order, which is several times faster than summing expressions per
   * row; the groups are folded here.
   */
  private taskCounts(runIds: number[]): Map<number, TaskCounts[]> {
    const out = new Map<number, Map<string | null, TaskCounts>>();
    if (runIds.length === 0) return new Map();
    const rows = this.all(
      `SELECT run_id, task_id, status, reward, count(*) AS n FROM episodes WHERE run_id IN (${runIds.map(() => '?').join(', ')}) GROUP BY run_id, task_id, status, reward`,
      ...runIds,
    ) as Array<{ run_id: number; task_id: string | null; status: EpisodeStatus; reward: number | null; n: number }>;
    for (const r of rows) {
      const tasks = out.get(r.run_id) ?? out.set(r.run_id, new Map()).get(r.run_id)!;
      const t = tasks.get(r.task_id) ?? tasks.set(r.task_id, { task_id: r.task_id, n: 0, done: 0, running: 0, failed: 0, scored: 0, rewardSum: 0, passed: 0 }).get(r.task_id)!;
      t.n += r.n;
      t[r.status] += r.n;
      if (r.reward !== null) {
        t.scored += r.n;
        t.rewardSum += r.reward * r.n;
        if (r.reward === 1) t.passed += r.n;
      }
    }
    return new Map([...out].map(([run, tasks]) => [run, [...tasks.values()]]));
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

  /**
   * The funnel over a whole run; cached until the run's episodes change. It reads every event of
   * the run, so it runs in slices that let the server answer other requests in between.
   */
  async funnel(runId: number): Promise<RunFunnel | undefined> {
    const store = this.store;
    if (!store?.run(runId)) return undefined;
    // What changes when an episode is added, removed, finished or scored, read from the episodes_outcome index.
    const key = JSON.stringify(store.db.prepare("SELECT count(*), max(id), sum(status = 'running'), total(reward) FROM episodes WHERE run_id = ?").raw().get(runId));
    const cached = this.funnels.get(runId);
    if (cached?.key === key) return cached.value;
    const value = (async (): Promise<RunFunnel> => {
      const next = store.db.prepare('SELECT * FROM episodes WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?');
      let total = 0;
      const kept = new Map<string, number>();
      const dropped: FunnelReport['dropped'] = [];
      for (let after = 0; ; ) {
        const rows = next.all(runId, after, FUNNEL_SLICE) as Row[];
        if (rows.length === 0) break;
        after = rows[rows.length - 1].id as number;
        // Stage counts of slices add up: each episode is kept or dropped on its own.
        const report = runFunnel(rows.map((r) => readEpisode(store, episodeFromRow(r))), DEFAULT_FUNNEL);
        total += report.total;
        for (const a of report.after) kept.set(a.stage, (kept.get(a.stage) ?? 0) + a.kept);
        dropped.push(...report.dropped);
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { total, after: [...kept].map(([stage, n]) => ({ stage, kept: n })), dropped: droppedLines(dropped) };
    })();
    this.funnels.set(runId, { key, value });
    value.catch(() => this.funnels.delete(runId));
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

interface TaskCounts {
  task_id: string | null;
  n: number;
  done: number;
  running: number;
  failed: number;
  scored: number;
  rewardSum: number;
  passed: number;
}

function summarize(run: RunRecord, tasks: TaskCounts[]): RunSummary {
  const sum = (k: keyof Omit<TaskCounts, 'task_id'>) => tasks.reduce((n, t) => n + t[k], 0);
  const scored = sum('scored');
  // pass^k over each task's scored trials, k up to the fewest any task has (as `rollout` reports it).
  const trials = new Map(tasks.filter((t) => t.scored > 0).map((t) => [t.task_id ?? '', Array.from({ length: t.scored }, (_, i) => i < t.passed)]));
  const maxK = trials.size ? Math.min(MAX_K, ...[...trials.values()].map((t) => t.length)) : 0;
  return {
    run,
    episodes: sum('n'),
    done: sum('done'),
    running: sum('running'),
    failed: sum('failed'),
    scored,
    meanReward: scored ? sum('rewardSum') / scored : null,
    tasks: tasks.filter((t) => t.task_id !== null).length,
    passK: Array.from({ length: maxK }, (_, i) => passHatK(trials, i + 1)),
  };
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
