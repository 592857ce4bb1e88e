import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadDomain, readTasks } from '../src/env/load.js';
import { TrajectoryStore } from '../src/record/store.js';
import { runRollout } from '../src/rollout/run.js';
import { makeAgent } from '../src/rollout/agents.js';
import { makeUser } from '../src/episode/users.js';
import { startUiServer } from '../src/ui/server.js';
import { markdownTable } from '../src/util/table.js';
import { writeLargePlan } from '../test/helpers/viewer-store.js';
import { fmt, time } from './measure.js';

const EPISODES = 100_000;
const RUNS = 4;

/**
 * A store of EPISODES episodes in RUNS runs, each a copy of a real oracle episode of the curated
 * projects domain (its events, task and tool list), three in ten of them scored 0: the size a
 * long campaign of rollouts reaches.
 */
function buildStore(path: string, template: string): { runs: number[]; events: number } {
  const src = new Database(template, { readonly: true });
  const episode = src.prepare('SELECT * FROM episodes ORDER BY id LIMIT 1').get() as Record<string, unknown>;
  const events = src.prepare('SELECT seq, at, kind, data FROM events WHERE episode_id = ? ORDER BY seq').all(episode.id) as Array<Record<string, unknown>>;
  const run = src.prepare('SELECT * FROM runs LIMIT 1').get() as Record<string, unknown>;
  const toolsets = src.prepare('SELECT * FROM toolsets').all() as Array<Record<string, unknown>>;
  const tasks = src.prepare('SELECT * FROM tasks').all() as Array<Record<string, unknown>>;
  src.close();
  const store = TrajectoryStore.open(path);
  const db = store.db;
  const runs: number[] = [];
  db.transaction(() => {
    for (const t of toolsets) db.prepare('INSERT OR IGNORE INTO toolsets (key, tools) VALUES (?, ?)').run(t.key, t.tools);
    for (const t of tasks) db.prepare('INSERT OR IGNORE INTO tasks (key, domain, id, read_only, task) VALUES (?, ?, ?, ?, ?)').run(t.key, t.domain, t.id, t.read_only, t.task);
    for (let r = 0; r < RUNS; r++) {
      runs.push(Number(db.prepare('INSERT INTO runs (key, kind, created_at, domain, agent, user, settings) VALUES (?, ?, ?, ?, ?, ?, ?)').run(`bench-${r}`, run.kind, run.created_at, run.domain, run.agent, run.user, run.settings).lastInsertRowid));
    }
    const insertEpisode = db.prepare(
      `INSERT INTO episodes (run_id, domain, task_id, trial, status, started_at, ended_at, stop_reason, error, reward, final_hash, verdict, counts, toolset, task_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertEvent = db.prepare('INSERT INTO events (episode_id, seq, at, kind, data) VALUES (?, ?, ?, ?, ?)');
    for (let i = 0; i < EPISODES; i++) {
      const reward = i % 10 < 3 ? 0 : 1;
      const e = episode;
      const id = insertEpisode.run(runs[i % RUNS], e.domain, e.task_id, Math.floor(i / RUNS) + 1, e.status, e.started_at, e.ended_at, e.stop_reason, e.error, reward, e.final_hash, e.verdict, e.counts, e.toolset, e.task_key).lastInsertRowid;
      for (const ev of events) insertEvent.run(id, ev.seq, ev.at, ev.kind, ev.data);
    }
  })();
  store.close();
  return { runs, events: events.length * EPISODES };
}

/** The viewer's endpoints on a store of 100,000 episodes and on a 30,000-tool plan, over real HTTP. */
export async function viewerBench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'envscale-viewer-bench-'));
  const rows: Array<[string, string, string, string]> = [];
  try {
    const domain = loadDomain(resolve('domains', 'projects'));
    const template = join(dir, 'template.db');
    const seed = TrajectoryStore.open(template);
    await runRollout({ domain, tasks: readTasks(domain.dir!).filter((t) => t.id === 'projects-003-close-navigation'), agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 1, concurrency: 1, store: seed });
    seed.close();
    const storePath = join(dir, 'runs.db');
    const t0 = performance.now();
    const { runs, events } = buildStore(storePath, template);
    const buildMs = performance.now() - t0;
    const planDir = join(dir, 'plan');
    writeLargePlan(planDir);

    // Baselines: the same pages as bare SELECTs on a connection of their own.
    const perRun = EPISODES / RUNS;
    const raw = new Database(storePath, { readonly: true });
    const bare = (sql: string, ...params: unknown[]) => time(() => raw.prepare(sql).all(...params), 20);
    const bareFirst = await bare('SELECT * FROM episodes WHERE run_id = ? ORDER BY id LIMIT 50', runs[0]);
    const bareLast = await bare('SELECT * FROM episodes WHERE run_id = ? ORDER BY id LIMIT 50 OFFSET ?', runs[0], perRun - 50);
    const bareRuns = await bare('SELECT run_id, count(*), avg(reward) FROM episodes GROUP BY run_id');
    const lastId = (raw.prepare('SELECT max(id) AS id FROM episodes').get() as { id: number }).id;
    raw.close();

    const viewer = await startUiServer({ store: storePath, plan: join(planDir, 'plan.json'), port: 0 });
    const base = viewer.url;
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`);
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    try {
      const http = await time(() => get('api/info'), 50);
      const first = await time(() => get(`api/episodes?run=${runs[0]}&limit=50`), 20);
      const last = await time(() => get(`api/episodes?run=${runs[0]}&limit=50&offset=${perRun - 50}`), 20);
      const failed = await time(() => get(`api/episodes?outcome=fail&limit=50&offset=${Math.floor((EPISODES * 0.3) / 2)}`), 20);
      const all = await time(() => get(`api/episodes?limit=50&offset=${EPISODES - 50}&order=desc`), 20);
      const runList = await time(() => get('api/runs'), 10);
      const coldEpisode = await time(() => get(`api/episodes/${lastId}?run=${runs[(EPISODES - 1) % RUNS]}`), 1, 0);
      const warmEpisode = await time(() => get(`api/episodes/${lastId}?run=${runs[(EPISODES - 1) % RUNS]}`), 20);
      const funnelCold = await time(() => get(`api/runs/${runs[1]}/funnel`), 1, 0);
      const funnelWarm = await time(() => get(`api/runs/${runs[1]}/funnel`), 10);
      const planParse = await time(() => JSON.parse(readFileSync(join(planDir, 'plan.json'), 'utf8')), 5);
      const planCold = await time(() => get('api/plan'), 1, 0);
      const planWarm = await time(() => get('api/plan'), 10);
      const planDomain = await time(() => get('api/plan/domains/domain_17'), 10);

      const vs = (a: number, b: number) => `${fmt.ms(b)} (${fmt.ratio(a / b)})`;
      rows.push([`store: ${EPISODES.toLocaleString('en-US')} episodes, ${RUNS} runs, ${events.toLocaleString('en-US')} events`, `built in ${(buildMs / 1000).toFixed(1)} s`, '', '']);
      rows.push(['HTTP round trip (GET api/info)', fmt.ms(http.medianMs), '', '']);
      rows.push(['episodes of a run, first page of 50 (with funnel per row)', fmt.ms(first.medianMs), `bare SELECT ${vs(first.medianMs, bareFirst.medianMs)}`, '< 1 s']);
      rows.push(['episodes of a run, last page (offset 24,950)', fmt.ms(last.medianMs), `bare SELECT ${vs(last.medianMs, bareLast.medianMs)}`, '< 1 s']);
      rows.push(['failing episodes, a middle page (filter reward < 1)', fmt.ms(failed.medianMs), '', '< 1 s']);
      rows.push(['all episodes, last page of 100,000', fmt.ms(all.medianMs), '', '< 1 s']);
      rows.push(['runs with counts, mean reward, pass^k (all 100,000 episodes)', fmt.ms(runList.medianMs), `bare GROUP BY ${vs(runList.medianMs, bareRuns.medianMs)}`, '< 1 s']);
      rows.push(['one episode, replayed for its writes and gold diff (cold / cached)', `${fmt.ms(coldEpisode.medianMs)} / ${fmt.ms(warmEpisode.medianMs)}`, '', '< 1 s']);
      rows.push([`funnel of a run of ${perRun.toLocaleString('en-US')} episodes (cold / cached)`, `${fmt.ms(funnelCold.medianMs)} / ${fmt.ms(funnelWarm.medianMs)}`, '', 'loaded after the list']);
      rows.push(['30,000-tool plan: domain graph with layout (cold / cached)', `${fmt.ms(planCold.medianMs)} / ${fmt.ms(planWarm.medianMs)}`, `JSON.parse of plan.json ${fmt.ms(planParse.medianMs)}`, 'cold < 5 s, then < 1 s']);
      rows.push(['30,000-tool plan: one domain, tool by tool', fmt.ms(planDomain.medianMs), '', '< 1 s']);
    } finally {
      await viewer.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return markdownTable(['measure', 'median', 'baseline (same run)', 'target'], rows);
}
