import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  EpisodeRecord,
  RunRecord,
  TrajectoryEvent,
  type EpisodeEnd,
  type EpisodeStatus,
  type ModelInfo,
  type ToolDefinition,
  type TrajectoryEventInput,
} from '../spec/trajectory.js';
import { Task } from '../spec/task.js';
import { UserError, messageOf } from '../util/errors.js';

/** A task as stored with its episodes, and whether its gold actions only read. */
export interface StoredTask {
  task: Task;
  readOnly: boolean;
}

/**
 * Every statement is its own autocommit transaction in WAL mode, so each event is durable in the
 * log as soon as append() returns: a killed process loses at most the event in flight.
 * synchronous=NORMAL is enough for that (only a power cut can drop the last commits).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  key TEXT UNIQUE,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  domain TEXT NOT NULL,
  agent TEXT,
  user TEXT,
  settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS toolsets (
  key TEXT PRIMARY KEY,
  tools TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
  key TEXT PRIMARY KEY,
  domain TEXT NOT NULL,
  id TEXT NOT NULL,
  read_only INTEGER NOT NULL,
  task TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS episodes (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  domain TEXT NOT NULL,
  task_id TEXT,
  trial INTEGER NOT NULL,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  stop_reason TEXT,
  error TEXT,
  reward REAL,
  final_hash TEXT,
  verdict TEXT,
  counts TEXT,
  toolset TEXT REFERENCES toolsets(key),
  task_key TEXT REFERENCES tasks(key)
);
CREATE UNIQUE INDEX IF NOT EXISTS episodes_trial ON episodes(run_id, task_id, trial);
CREATE INDEX IF NOT EXISTS episodes_run ON episodes(run_id);
CREATE INDEX IF NOT EXISTS episodes_outcome ON episodes(run_id, task_id, status, reward);
CREATE TABLE IF NOT EXISTS events (
  episode_id INTEGER NOT NULL REFERENCES episodes(id),
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (episode_id, seq)
) WITHOUT ROWID;
`;

type Row = Record<string, unknown>;
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const parsed = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : null);

export function runFromRow(r: Row): RunRecord {
  return RunRecord.parse({ ...r, agent: parsed(r.agent), user: parsed(r.user), settings: parsed(r.settings) });
}

export function episodeFromRow(r: Row): EpisodeRecord {
  return EpisodeRecord.parse({ ...r, verdict: parsed(r.verdict), counts: parsed(r.counts) });
}

export interface RunInput {
  /** Identifies a resumable run; null for runs that are never resumed (serve sessions). */
  key: string | null;
  kind: RunRecord['kind'];
  domain: string;
  agent?: ModelInfo;
  user?: ModelInfo;
  settings: Record<string, unknown>;
}

export type { EpisodeEnd };

/** Where the recorder sends an episode's events as they happen, and its end. */
export interface EpisodeSink {
  /** The episode's id in a store, when it has one yet. */
  readonly id?: number;
  append(event: TrajectoryEventInput): void;
  finish(end: EpisodeEnd): void;
}

/** An event with the time it was recorded (ISO 8601). */
export interface StampedEvent {
  at: string;
  event: TrajectoryEventInput;
}

/** A whole episode recorded elsewhere (a queue worker), stored in one go by recordEpisode. */
export interface FinishedEpisode {
  startedAt: string;
  endedAt: string;
  events: StampedEvent[];
  end: EpisodeEnd;
}

/** Appends the events of one episode in order and closes it with its outcome. */
export class EpisodeWriter implements EpisodeSink {
  private seq = 0;
  constructor(
    private readonly store: TrajectoryStore,
    readonly id: number,
  ) {}

  append(event: TrajectoryEventInput): void {
    this.store.appendEvent(this.id, this.seq++, event);
  }

  finish(end: EpisodeEnd): void {
    this.store.finishEpisode(this.id, end);
  }
}

/** Which trial of which run an episode is, and what it was played with. */
export interface EpisodeInput {
  runId: number;
  domain: string;
  taskId: string | null;
  trial: number;
  toolset?: string;
  taskKey?: string;
}

export interface EpisodeFilter {
  runId?: number;
  domain?: string;
  status?: EpisodeStatus;
}

/** The trajectory store: a SQLite file of runs, episodes and their events. */
export class TrajectoryStore {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    readonly db: Database.Database,
    readonly path: string,
  ) {}

  /**
   * Open (creating when missing) a store file. `readonly` opens a read-only connection: it
   * neither creates nor migrates a store, and nothing can be written through it.
   */
  static open(path: string, options: { readonly?: boolean } = {}): TrajectoryStore {
    if (options.readonly) return TrajectoryStore.openReadonly(path);
    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      db.exec(SCHEMA);
    } catch (err) {
      throw new UserError(`Cannot open the trajectory store ${path} (${messageOf(err)}); pass another file with --store.`);
    }
    return new TrajectoryStore(db, path);
  }

  private static openReadonly(path: string): TrajectoryStore {
    if (!existsSync(path)) throw new UserError(`No trajectory store at ${path}; run "envscale rollout" first or pass --store.`);
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('runs', 'episodes', 'events')").pluck().get();
      if (tables !== 3) throw new Error('it holds no runs, episodes and events tables');
    } catch (err) {
      db?.close();
      throw new UserError(`Cannot read the trajectory store ${path} (${messageOf(err)}); pass a store written by envscale with --store.`);
    }
    return new TrajectoryStore(db, path);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** The run with this key, or a new one. */
  openRun(input: RunInput): RunRecord {
    if (input.key !== null) {
      const found = this.stmt('SELECT * FROM runs WHERE key = ?').get(input.key) as Row | undefined;
      if (found) return runFromRow(found);
    }
    const info = this.stmt('INSERT INTO runs (key, kind, created_at, domain, agent, user, settings) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      input.key,
      input.kind,
      new Date().toISOString(),
      input.domain,
      json(input.agent),
      json(input.user),
      JSON.stringify(input.settings),
    );
    return this.run(Number(info.lastInsertRowid))!;
  }

  run(id: number): RunRecord | undefined {
    const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
    return row && runFromRow(row);
  }

  runs(): RunRecord[] {
    return (this.stmt('SELECT * FROM runs ORDER BY id').all() as Row[]).map(runFromRow);
  }

  /** Store a tool list once; episodes refer to it by its content hash. */
  putTools(tools: ToolDefinition[]): string {
    const text = JSON.stringify(tools);
    const key = createHash('sha256').update(text).digest('hex').slice(0, 16);
    this.stmt('INSERT OR IGNORE INTO toolsets (key, tools) VALUES (?, ?)').run(key, text);
    return key;
  }

  /** Store a task as it was when the episode ran (the funnel and `show` compare with its gold). */
  putTask(domain: string, task: Task, readOnly: boolean): string {
    const text = JSON.stringify(task);
    const key = createHash('sha256').update(domain).update('\0').update(text).digest('hex').slice(0, 16);
    this.stmt('INSERT OR IGNORE INTO tasks (key, domain, id, read_only, task) VALUES (?, ?, ?, ?, ?)').run(key, domain, task.id, readOnly ? 1 : 0, text);
    return key;
  }

  /** Tasks and tool lists are keyed by their content's hash, so each is parsed once (callers must not change them). */
  private readonly parsed = new Map<string, StoredTask | ToolDefinition[]>();

  task(key: string): StoredTask | undefined {
    const cached = this.parsed.get(`task:${key}`) as StoredTask | undefined;
    if (cached) return cached;
    const row = this.stmt('SELECT read_only, task FROM tasks WHERE key = ?').get(key) as { read_only: number; task: string } | undefined;
    const task = row && { task: Task.parse(JSON.parse(row.task)), readOnly: row.read_only === 1 };
    if (task) this.parsed.set(`task:${key}`, task);
    return task;
  }

  tools(key: string): ToolDefinition[] {
    const cached = this.parsed.get(`tools:${key}`) as ToolDefinition[] | undefined;
    if (cached) return cached;
    const row = this.stmt('SELECT tools FROM toolsets WHERE key = ?').get(key) as { tools: string } | undefined;
    const tools = row ? (JSON.parse(row.tools) as ToolDefinition[]) : [];
    if (row) this.parsed.set(`tools:${key}`, tools);
    return tools;
  }

  /**
   * Start an episode. A leftover unfinished attempt at the same trial (a killed or failed run)
   * is removed with its events first, so a resumed run redoes it from the start.
   */
  beginEpisode(input: EpisodeInput): EpisodeWriter {
    const id = this.db.transaction(() => {
      this.dropUnfinished(input);
      return this.insertEpisode(input, 'running', new Date().toISOString());
    })();
    return new EpisodeWriter(this, id);
  }

  /**
   * Store a whole episode that was played elsewhere (a queue worker), events and outcome in one
   * transaction. A trial that is already done in the run is kept as it is and nothing is written
   * (`recorded: false`), so a result delivered twice is stored once; an unfinished or failed
   * attempt at the trial is replaced.
   */
  recordEpisode(input: EpisodeInput & { taskId: string }, episode: FinishedEpisode): { id: number; recorded: boolean } {
    return this.db.transaction(() => this.writeEpisode(input, episode))();
  }

  /** recordEpisode for several episodes in one transaction (a queue coordinator stores what arrived together). */
  recordEpisodes(batch: Array<{ input: EpisodeInput & { taskId: string }; episode: FinishedEpisode }>): Array<{ id: number; recorded: boolean }> {
    return this.db.transaction(() => batch.map(({ input, episode }) => this.writeEpisode(input, episode)))();
  }

  private writeEpisode(input: EpisodeInput & { taskId: string }, episode: FinishedEpisode): { id: number; recorded: boolean } {
    const done = this.stmt("SELECT id FROM episodes WHERE run_id = ? AND task_id = ? AND trial = ? AND status = 'done'").get(input.runId, input.taskId, input.trial) as
      | { id: number }
      | undefined;
    if (done) return { id: done.id, recorded: false };
    this.dropUnfinished(input);
    const id = this.insertEpisode(input, 'running', episode.startedAt);
    const insert = this.stmt('INSERT INTO events (episode_id, seq, at, kind, data) VALUES (?, ?, ?, ?, ?)');
    episode.events.forEach(({ at, event: { kind, ...data } }, seq) => insert.run(id, seq, at, kind, JSON.stringify(data)));
    this.finishEpisode(id, episode.end, episode.endedAt);
    return { id, recorded: true };
  }

  private dropUnfinished(input: EpisodeInput): void {
    if (input.taskId === null) return;
    const old = this.stmt("SELECT id FROM episodes WHERE run_id = ? AND task_id = ? AND trial = ? AND status != 'done'").get(input.runId, input.taskId, input.trial) as
      | { id: number }
      | undefined;
    if (!old) return;
    this.stmt('DELETE FROM events WHERE episode_id = ?').run(old.id);
    this.stmt('DELETE FROM episodes WHERE id = ?').run(old.id);
  }

  private insertEpisode(input: EpisodeInput, status: EpisodeStatus, startedAt: string): number {
    const info = this.stmt('INSERT INTO episodes (run_id, domain, task_id, trial, status, started_at, toolset, task_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      input.runId,
      input.domain,
      input.taskId,
      input.trial,
      status,
      startedAt,
      input.toolset ?? null,
      input.taskKey ?? null,
    );
    return Number(info.lastInsertRowid);
  }

  /** The next free trial number of a task in a run (sessions bound to a task over MCP). */
  nextTrial(runId: number, taskId: string | null): number {
    const row = this.stmt('SELECT COALESCE(MAX(trial), 0) + 1 AS n FROM episodes WHERE run_id = ? AND task_id IS ?').get(runId, taskId) as { n: number };
    return row.n;
  }

  appendEvent(episodeId: number, seq: number, event: TrajectoryEventInput): void {
    const { kind, ...data } = event;
    this.stmt('INSERT INTO events (episode_id, seq, at, kind, data) VALUES (?, ?, ?, ?, ?)').run(episodeId, seq, new Date().toISOString(), kind, JSON.stringify(data));
  }

  finishEpisode(id: number, end: EpisodeEnd, endedAt = new Date().toISOString()): void {
    this.stmt('UPDATE episodes SET status = ?, ended_at = ?, stop_reason = ?, error = ?, reward = ?, final_hash = ?, verdict = ?, counts = ? WHERE id = ?').run(
      end.status,
      endedAt,
      end.stopReason ?? null,
      end.error ?? null,
      end.reward ?? null,
      end.finalHash ?? null,
      json(end.verdict),
      json(end.counts),
      id,
    );
  }

  episode(id: number): EpisodeRecord | undefined {
    const row = this.stmt('SELECT * FROM episodes WHERE id = ?').get(id) as Row | undefined;
    return row && episodeFromRow(row);
  }

  episodes(filter: EpisodeFilter = {}): EpisodeRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.runId !== undefined) (where.push('run_id = ?'), params.push(filter.runId));
    if (filter.domain !== undefined) (where.push('domain = ?'), params.push(filter.domain));
    if (filter.status !== undefined) (where.push('status = ?'), params.push(filter.status));
    const sql = `SELECT * FROM episodes ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(...params) as Row[]).map(episodeFromRow);
  }

  events(episodeId: number): TrajectoryEvent[] {
    const rows = this.stmt('SELECT kind, data FROM events WHERE episode_id = ? ORDER BY seq').all(episodeId) as Array<{ kind: string; data: string }>;
    return rows.map((r) => TrajectoryEvent.parse({ kind: r.kind, ...JSON.parse(r.data) }));
  }
}
