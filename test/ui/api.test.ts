import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrajectoryStore } from '../../src/record/store.js';
import { createUiApp, type UiOptions } from '../../src/ui/app.js';
import { FAILING_TASK, PROJECTS_DIR, writeDemoPlan, writeLargePlan, writeViewerStore, type ViewerStore } from '../helpers/viewer-store.js';

const work = mkdtempSync(join(tmpdir(), 'envscale-ui-api-'));
const storePath = join(work, 'runs.db');
const planDir = join(work, 'plan');
let recorded: ViewerStore;
const stops: AbortController[] = [];

beforeAll(async () => {
  recorded = await writeViewerStore(storePath);
  writeDemoPlan(planDir);
}, 60_000);
afterAll(() => {
  stops.forEach((s) => s.abort());
  rmSync(work, { recursive: true, force: true });
});

/** The viewer mounted at /ui as serve and the standalone server mount it. */
function viewer(options: UiOptions = {}): Hono {
  const stop = new AbortController();
  stops.push(stop);
  return new Hono().route('/ui', createUiApp({ store: storePath, domains: [PROJECTS_DIR], plan: join(planDir, 'plan.json'), signal: stop.signal, live: false, ...options }));
}

const localhost = { host: '127.0.0.1:8809' };
async function get<T = any>(app: Hono, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await app.request(path, { headers: { ...localhost, ...headers } });
  const text = await res.text();
  return { status: res.status, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T, headers: res.headers };
}

describe('runs and episodes', () => {
  it('lists runs with episode counts, mean reward and pass^k', async () => {
    const { body } = await get(viewer(), '/ui/api/runs');
    expect(body.total).toBe(2);
    const [failing, oracle] = body.runs;
    expect(oracle).toMatchObject({ episodes: 28, done: 28, running: 0, scored: 28, meanReward: 1, tasks: 14, passK: [1, 1] });
    expect(oracle.run).toMatchObject({ id: recorded.oracleRun, domain: 'projects', agent: { spec: 'oracle' } });
    expect(failing).toMatchObject({ episodes: 1, scored: 1, meanReward: 0, passK: [0] });
  });

  it('pages episodes and filters them by outcome, task and status', async () => {
    const app = viewer();
    const page = await get(app, `/ui/api/episodes?run=${recorded.oracleRun}&offset=20&limit=10`);
    expect(page.body.total).toBe(28);
    expect(page.body.episodes).toHaveLength(8);
    const ids = page.body.episodes.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const failed = await get(app, '/ui/api/episodes?outcome=fail');
    expect(failed.body.episodes.map((e: { id: number }) => e.id)).toEqual([recorded.failing]);
    expect(failed.body.episodes[0]).toMatchObject({ task_id: FAILING_TASK, reward: 0, held: { state: false }, funnel: { stage: 'state' } });
    const byTask = await get(app, `/ui/api/episodes?task=003-close&order=desc`);
    expect(byTask.body.total).toBe(3);
    expect(byTask.body.episodes[0].id).toBe(recorded.failing);
    expect((await get(app, '/ui/api/episodes?status=running')).body.total).toBe(0);
  });

  it('answers a bad query parameter with 400 and a sentence naming it', async () => {
    const res = await get(viewer(), '/ui/api/episodes?limit=0');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/Bad query parameter limit/);
    expect((await get(viewer(), '/ui/api/episodes?status=lost')).body.error).toMatch(/status/);
    expect((await get(viewer(), '/ui/api/episodes/999999')).status).toBe(404);
  });

  it('shows a failing episode: its calls, the rows its write changed, and the rows that differ from gold', async () => {
    const { body } = await get(viewer(), `/ui/api/episodes/${recorded.failing}?run=${recorded.failingRun}`);
    expect(body.episode).toMatchObject({ id: recorded.failing, reward: 0, status: 'done' });
    expect(body.task.id).toBe(FAILING_TASK);
    const calls = body.events.filter((e: { kind: string }) => e.kind === 'tool_result');
    expect(calls.map((e: { tool: string }) => e.tool)).toEqual(['find_member_by_email', 'update_task_status']);
    // The write's own effect: T-1006 moved from in_review to in_progress.
    const write = calls[1];
    expect(body.state.calls[write.call_id]).toEqual([
      { table: 'tasks', added: [], removed: [], changed: [{ key: { id: 'T-1006' }, columns: { status: { before: 'in_review', after: 'in_progress' }, updated_at: expect.anything() } }] },
    ]);
    expect(body.state.calls[calls[0].call_id]).toBeUndefined();
    // Against gold: gold finished the task and added a comment; the episode did neither.
    const tasks = body.state.diff.find((t: { table: string }) => t.table === 'tasks');
    expect(tasks.changed).toEqual([expect.objectContaining({ key: { id: 'T-1006' }, columns: expect.objectContaining({ status: { before: 'done', after: 'in_progress' } }) })]);
    const comments = body.state.diff.find((t: { table: string }) => t.table === 'comments');
    expect(comments.removed).toHaveLength(1);
    expect(comments.removed[0]).toMatchObject({ task_id: 'T-1006', author_id: 'M-008' });
    expect(body.state.gold.map((g: { tool: string }) => g.tool)).toEqual(body.task.gold.actions.map((a: { tool: string }) => a.tool));
    expect(body.state.gold.find((g: { tool: string }) => g.tool === 'add_comment').changes[0].added).toHaveLength(1);
    expect(body.state.matchesRecorded).toBe(true);
    expect(body.funnel).toMatchObject({ stage: 'state' });
    expect(body.neighbours).toEqual({ prev: null, next: null, index: 0, total: 1 });
  });

  it('shows an oracle episode with no difference from gold, and its neighbours in the list', async () => {
    const list = await get(viewer(), `/ui/api/episodes?run=${recorded.oracleRun}&limit=3`);
    const second = list.body.episodes[1].id;
    const { body } = await get(viewer(), `/ui/api/episodes/${second}?run=${recorded.oracleRun}`);
    expect(body.state.diff).toEqual([]);
    expect(body.state.finalHash).toBe(body.state.goldHash);
    expect(body.neighbours).toMatchObject({ prev: list.body.episodes[0].id, next: list.body.episodes[2].id, index: 1, total: 28 });
  });

  it('runs the funnel over a run and compares two runs task by task', async () => {
    const app = viewer();
    const funnel = (await get(app, `/ui/api/runs/${recorded.failingRun}/funnel`)).body;
    expect(funnel).toMatchObject({ total: 1, after: [{ stage: 'validity', kept: 1 }, { stage: 'state', kept: 0 }, { stage: 'exact', kept: 0 }] });
    expect(funnel.dropped[0]).toMatch(/state/);
    const cmp = (await get(app, `/ui/api/compare?a=${recorded.oracleRun}&b=${recorded.failingRun}`)).body;
    expect(cmp.tasks).toHaveLength(14);
    const row = cmp.tasks.find((t: { task: string }) => t.task === FAILING_TASK);
    expect(row.a).toMatchObject({ n: 2, passed: 2 });
    expect(row.b).toMatchObject({ n: 1, passed: 0, episodes: [{ id: recorded.failing, reward: 0 }] });
  });
});

describe('domains', () => {
  it('lists domains and shows one: tables with row counts, tools with steps, the dependency graph laid out, tasks', async () => {
    const app = viewer();
    const list = (await get(app, '/ui/api/domains')).body.domains;
    expect(list.find((d: { name: string }) => d.name === 'projects')).toMatchObject({ tools: 20, tasks: 14 });
    const d = (await get(app, '/ui/api/domains/projects')).body;
    expect(d.tools).toHaveLength(20);
    expect(d.tools.find((t: { name: string }) => t.name === 'update_task_status').steps.length).toBeGreaterThan(2);
    expect(d.tables.reduce((n: number, t: { rows: number }) => n + t.rows, 0)).toBe(264);
    expect(d.graph.nodes).toHaveLength(20);
    expect(d.graph.edges.length).toBeGreaterThan(10);
    expect(d.graph.nodes.every((n: { x: number; y: number }) => Number.isFinite(n.x) && Number.isFinite(n.y))).toBe(true);
    expect(new Set(d.graph.nodes.map((n: { x: number; y: number }) => `${n.x},${n.y}`)).size).toBe(20);
    expect(d.tasks).toHaveLength(14);
    expect(d.policy).toMatch(/\w/);
  });

  it('pages and searches a table of the seed state', async () => {
    const app = viewer();
    const first = (await get(app, '/ui/api/domains/projects/tables/tasks?limit=10')).body;
    const second = (await get(app, '/ui/api/domains/projects/tables/tasks?limit=10&offset=10')).body;
    expect(first.rows).toHaveLength(10);
    expect(second.total).toBe(first.total);
    expect(second.rows[0].id).not.toBe(first.rows[0].id);
    const found = (await get(app, '/ui/api/domains/projects/tables/tasks?q=T-1006')).body;
    expect(found.rows.map((r: { id: string }) => r.id)).toContain('T-1006');
    expect(found.total).toBeLessThan(first.total);
    // LIKE wildcards in the search are literal text.
    expect((await get(app, '/ui/api/domains/projects/tables/tasks?q=%25')).body.total).toBe(0);
    expect((await get(app, '/ui/api/domains/projects/tables/nope')).status).toBe(404);
    expect((await get(app, '/ui/api/domains/nope')).status).toBe(404);
  });
});

describe('partition', () => {
  it('draws a small plan tool by tool, coloured by domain, with the tool edges of graph.json', async () => {
    const { body } = await get(viewer(), '/ui/api/plan');
    const plan = JSON.parse(readFileSync(join(planDir, 'plan.json'), 'utf8'));
    expect(body.domains.map((d: { name: string }) => d.name)).toEqual(plan.domains.map((d: { name: string }) => d.name));
    expect(body.graphFile).toBe(join(planDir, 'graph.json'));
    const total = plan.domains.reduce((n: number, d: { tools: string[] }) => n + d.tools.length, 0);
    expect(body.tools.names).toHaveLength(total);
    expect(body.tools.edges.length).toBeGreaterThan(0);
    // Each tool sits within its domain's disc.
    body.tools.names.forEach((_n: string, i: number) => {
      const d = body.domains[body.tools.domain[i]];
      expect(Math.hypot(body.tools.x[i] - d.x, body.tools.y[i] - d.y)).toBeLessThanOrEqual(d.radius + 1e-6);
    });
    const one = (await get(viewer(), `/ui/api/plan/domains/${plan.domains[0].name}`)).body;
    expect(one.tools.map((t: { name: string }) => t.name)).toEqual(plan.domains[0].tools);
    expect(one.tools[0].description).toBeTruthy();
  });

  it('draws a 30,000-tool plan as domains, and a domain tool by tool on request', async () => {
    const dir = join(work, 'large');
    const plan = writeLargePlan(dir);
    const app = viewer({ plan: join(dir, 'plan.json') });
    const { body } = await get(app, '/ui/api/plan');
    expect(body.domains).toHaveLength(plan.domains.length);
    expect(body.tools).toBeUndefined();
    expect(body.edges.length).toBeGreaterThan(plan.domains.length / 2);
    const one = (await get(app, '/ui/api/plan/domains/domain_3')).body;
    expect(one.tools).toHaveLength(40);
    expect(one.edges.length).toBeGreaterThanOrEqual(40);
    expect(one.synthesized).toBe(false);
  });

  it('says what to do without a plan', async () => {
    const res = await get(viewer({ plan: undefined }), '/ui/api/plan');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/--plan/);
  });
});

describe('access', () => {
  it('refuses a wrong or missing token with 401, and takes a right one from the URL once, then from a cookie', async () => {
    const app = viewer({ token: 's3cret' });
    expect((await get(app, '/ui/api/runs')).status).toBe(401);
    expect((await get(app, '/ui/api/runs', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await get(app, '/ui/?token=nope')).status).toBe(401);
    expect((await get(app, '/ui/api/runs', { authorization: 'Bearer s3cret' })).status).toBe(200);
    const login = await get(app, '/ui/?token=s3cret');
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/ui/');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const again = await get(app, '/ui/api/runs', { cookie: cookie.split(';')[0] });
    expect(again.status).toBe(200);
    expect(again.body.total).toBe(2);
  });

  it('refuses requests addressed to another host or coming from another origin (DNS rebinding)', async () => {
    const app = viewer();
    expect((await get(app, '/ui/api/runs', { host: 'evil.example:8809' })).status).toBe(403);
    expect((await get(app, '/ui/api/runs', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(app, '/ui/api/runs', { origin: 'http://localhost:8809' })).status).toBe(200);
  });

  it('never writes: no route takes a body, and a missing store is not created', async () => {
    const app = viewer();
    const res = await app.request('/ui/api/runs', { method: 'POST', headers: localhost, body: '{}' });
    expect(res.status).toBe(404);
    const missing = join(work, 'missing.db');
    const empty = await get(viewer({ store: missing }), '/ui/api/runs');
    expect(empty.body).toEqual({ total: 0, runs: [] });
    expect(existsSync(missing)).toBe(false);
  });

  it('opens the store read-only: the viewer connection cannot write', () => {
    const store = TrajectoryStore.open(storePath, { readonly: true });
    try {
      expect(() => store.db.exec('DELETE FROM events')).toThrow(/readonly/i);
    } finally {
      store.close();
    }
  });
});
