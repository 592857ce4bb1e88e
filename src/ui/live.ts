import type { EpisodeStatus } from '../spec/trajectory.js';
import type { StoreReader } from './store-reader.js';

/** What changed in the store since the last report: new runs, and episodes that started, grew or ended. */
export interface LiveChange {
  runs: number[];
  episodes: Array<{ id: number; run_id: number; status: EpisodeStatus; reward: number | null; events: number }>;
}

/** Where live updates come from; the viewer's SSE stream forwards them. */
export interface LiveSource {
  subscribe(listener: (change: LiveChange) => void): () => void;
}

/**
 * Live updates by polling the store: `PRAGMA data_version` changes when any other connection
 * (a recorder in this process or another) commits, so an idle poll is one pragma. Polls only
 * while someone listens.
 */
export class StorePoller implements LiveSource {
  private readonly listeners = new Set<(change: LiveChange) => void>();
  private timer?: NodeJS.Timeout;
  private version?: number;
  private lastRun = 0;
  private lastEpisode = 0;
  /** Episodes seen running, with their event counts: reported again until they end. */
  private running = new Map<number, number>();

  constructor(
    private readonly reader: StoreReader,
    private readonly intervalMs = 500,
  ) {}

  subscribe(listener: (change: LiveChange) => void): () => void {
    if (this.listeners.size === 0) this.start();
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    const db = this.reader.store?.db;
    // Start from what is there now: listeners load the current state themselves.
    if (db) {
      this.version = db.pragma('data_version', { simple: true }) as number;
      this.lastRun = (db.prepare('SELECT coalesce(max(id), 0) FROM runs').pluck().get() as number) ?? 0;
      this.lastEpisode = (db.prepare('SELECT coalesce(max(id), 0) FROM episodes').pluck().get() as number) ?? 0;
      this.running = new Map((db.prepare("SELECT id FROM episodes WHERE status = 'running'").pluck().all() as number[]).map((id) => [id, -1]));
    }
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  /** One poll: a change is reported to every listener when the store moved. */
  poll(): void {
    const change = this.changes();
    if (change) for (const l of this.listeners) l(change);
  }

  private changes(): LiveChange | undefined {
    const db = this.reader.store?.db;
    if (!db) return undefined;
    const version = db.pragma('data_version', { simple: true }) as number;
    if (version === this.version) return undefined;
    this.version = version;
    const runs = db.prepare('SELECT id FROM runs WHERE id > ? ORDER BY id').pluck().all(this.lastRun) as number[];
    const watched = [...this.running.keys()];
    const rows = db
      .prepare(
        `SELECT e.id, e.run_id, e.status, e.reward, (SELECT count(*) FROM events v WHERE v.episode_id = e.id) AS events FROM episodes e
         WHERE e.id > ? ${watched.length ? `OR e.id IN (${watched.map(() => '?').join(', ')})` : ''} ORDER BY e.id`,
      )
      .all(this.lastEpisode, ...watched) as LiveChange['episodes'];
    const episodes = rows.filter((r) => r.id > this.lastEpisode || r.status !== 'running' || this.running.get(r.id) !== r.events);
    this.lastRun = Math.max(this.lastRun, ...runs);
    this.lastEpisode = Math.max(this.lastEpisode, ...rows.map((r) => r.id));
    for (const r of rows) {
      if (r.status === 'running') this.running.set(r.id, r.events);
      else this.running.delete(r.id);
    }
    // A resumed run deletes unfinished attempts: watched episodes that are gone are dropped.
    for (const id of watched) if (!rows.some((r) => r.id === id)) this.running.delete(id);
    return runs.length || episodes.length ? { runs, episodes } : undefined;
  }
}
