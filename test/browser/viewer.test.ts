import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type DemoReport } from '../../src/demo.js';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { runRollout } from '../../src/rollout/run.js';
import { makeAgent } from '../../src/rollout/agents.js';
import { makeUser } from '../../src/episode/users.js';
import { launchChromium, startViewerCli, type RunningViewer } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/mcp.js';
import { FAILING_TASK, PROJECTS_DIR, writeLargePlan, writeViewerStore, type ViewerStore } from '../helpers/viewer-store.js';

/**
 * The viewer as a user sees it: `envscale ui` on the demo's store, plan and domains (plus a run of
 * the curated projects domain with one failing episode), driven in Debian's headless Chromium.
 * With UPDATE_SCREENSHOTS=1 the screenshots replace the ones in docs/ that the README shows.
 */
declare global {
  interface Window {
    /** Set by the viewer's graph component (src/ui/web/components/graph.tsx). */
    envscaleGraph?: { sigma: any; graph: any };
  }
}

const TOKEN = 'viewer-test-token';
const work = mkdtempSync(join(tmpdir(), 'envscale-viewer-'));
const shots = process.env.UPDATE_SCREENSHOTS ? resolve(REPO_ROOT, 'docs', 'screenshots') : join(work, 'screenshots');
let demo: DemoReport;
let recorded: ViewerStore;
let viewer: RunningViewer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  demo = await runDemo({ out: join(work, 'demo') });
  recorded = await writeViewerStore(demo.files.store, { trials: 1 });
  mkdirSync(shots, { recursive: true });
  viewer = await startViewerCli(['--store', demo.files.store, '--plan', demo.files.plan, '--domains', PROJECTS_DIR, '--token', TOKEN]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const login = await page.goto(viewer.url);
  expect(login?.status()).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await viewer?.stop();
  rmSync(work, { recursive: true, force: true });
});

const open = async (hash: string) => {
  await page.goto(`${viewer.base}${hash}`);
};
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });

/** What sigma drew: non-transparent pixels of its WebGL node canvas (read right after a render) and of its 2D label canvas. */
const drawnPixels = () =>
  page.evaluate(() => {
    const { sigma } = window.envscaleGraph!;
    sigma.refresh();
    const count = (c: HTMLCanvasElement) => {
      const copy = document.createElement('canvas');
      copy.width = c.width;
      copy.height = c.height;
      const ctx = copy.getContext('2d')!;
      ctx.drawImage(c, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return n;
    };
    const canvases = sigma.getCanvases();
    return { nodes: count(canvases.nodes), labels: count(canvases.labels) };
  });

/** A real mouse click where sigma drew the node. */
async function clickNode(node: string): Promise<void> {
  const at = await page.evaluate((key) => {
    const { sigma, graph } = window.envscaleGraph!;
    const p = sigma.graphToViewport(graph.getNodeAttributes(key) as { x: number; y: number });
    const box = sigma.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, node);
  await page.mouse.click(at.x, at.y);
}

describe('envscale ui in Chromium', () => {
  it('refuses a wrong token with 401, and takes the printed address (token once in the URL, then a cookie)', async () => {
    const other = await browser.newPage();
    try {
      const wrong = await other.goto(`${viewer.base}?token=wrong`);
      expect(wrong?.status()).toBe(401);
      expect(await other.textContent('body')).toMatch(/Wrong token/);
      const none = await other.goto(viewer.base);
      expect(none?.status()).toBe(401);
      const right = await other.goto(viewer.url);
      expect(right?.status()).toBe(200);
      expect(other.url()).not.toContain('token=');
      await other.waitForSelector('[data-testid=runs]');
    } finally {
      await other.close();
    }
  });

  it("lists the demo's runs with their rewards", async () => {
    await open('#/runs');
    await page.waitForSelector('[data-testid=runs] tbody tr');
    const store = TrajectoryStore.open(demo.files.store, { readonly: true });
    const runs = store.runs();
    store.close();
    const rows = page.locator('[data-testid=runs] tbody tr');
    expect(await rows.count()).toBe(runs.length);
    const text = await page.textContent('[data-testid=runs]');
    for (const d of demo.domains.filter((x) => x.episodes > 0)) expect(text).toContain(d.name);
    await expect.poll(() => page.locator('.funnel').count()).toBe(runs.length);
    await shot('runs');
  });

  it('shows an episode: the conversation, its tool calls, the rows each write changed, and the state against gold', async () => {
    const store = TrajectoryStore.open(demo.files.store, { readonly: true });
    const ep = store.episodes({ runId: recorded.oracleRun }).find((e) => e.task_id === FAILING_TASK)!;
    store.close();
    await open(`#/episodes/${ep.id}?run=${recorded.oracleRun}`);
    await page.waitForSelector('[data-testid=chat]');
    expect(await page.locator('.turn.user').count()).toBeGreaterThan(0);
    const calls = page.locator('.call');
    expect(await calls.count()).toBe(ep.counts!.tool_calls);
    expect(await page.locator('.call[data-tool=update_task_status] [data-testid=write-changes]').textContent()).toMatch(/T-1006[\s\S]*in_review[\s\S]*done/);
    expect(await page.textContent('[data-testid=gold-diff]')).toMatch(/the final state is the gold state/);
    expect(await page.locator('[data-testid=versus] tr.same').count()).toBe(ep.counts!.tool_calls);
  });

  it('shows a failing episode (a wrong write) with the rows that differ from gold, beside the gold actions', async () => {
    await open(`#/episodes/${recorded.failing}?run=${recorded.failingRun}`);
    await page.waitForSelector('[data-testid=gold-diff] .diff-table');
    const tasks = page.locator('[data-testid=gold-diff] .diff-table[data-table=tasks]');
    expect(await tasks.locator('tr.changed[data-key="id=T-1006"]').first().textContent()).toMatch(/status\s*done\s*in_progress/);
    const comments = page.locator('[data-testid=gold-diff] .diff-table[data-table=comments] tr.removed');
    expect(await comments.count()).toBe(1);
    expect(await comments.textContent()).toMatch(/T-1006/);
    expect(await page.textContent('[data-testid=verdict]')).toMatch(/✗ state/);
    expect(await page.locator('[data-testid=versus] tr.differs').count()).toBeGreaterThan(0);
    expect(await page.locator('.call[data-tool=update_task_status] [data-testid=write-changes]').textContent()).toMatch(/in_review[\s\S]*in_progress/);
    await shot('episode');
  });

  it('walks from episode to episode with the keyboard', async () => {
    await open(`#/runs/${recorded.oracleRun}`);
    await page.waitForSelector('[data-testid=episodes] tbody tr');
    const ids = await page.locator('[data-testid=episodes] tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-episode'))));
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.episode[data-episode="${ids[1]}"]`);
    expect(await page.textContent('[data-testid=position]')).toMatch(/2 \/ 14/);
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`.episode[data-episode="${ids[2]}"]`);
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector(`.episode[data-episode="${ids[1]}"]`);
    await page.keyboard.press('k');
    await page.waitForSelector(`.episode[data-episode="${ids[0]}"]`);
    expect(await page.textContent('[data-testid=position]')).toMatch(/1 \/ 14/);
    await page.keyboard.press('u');
    await page.waitForSelector('[data-testid=episodes]');
  });

  it('pages through and searches a table on the domain page', async () => {
    await open('#/domains/projects?tab=tables&table=tasks');
    await page.waitForSelector('[data-testid=rows] tbody tr');
    const firstIds = () => page.locator('[data-testid=rows] tbody tr td:first-child').allTextContents();
    const first = await firstIds();
    expect(first).toHaveLength(25);
    expect(await page.textContent('.pager')).toMatch(/1–25 of/);
    await page.click('.pager button:has-text("next")');
    await expect.poll(async () => (await firstIds())[0]).not.toBe(first[0]);
    expect(await page.textContent('.pager')).toMatch(/26–50 of/);
    await page.fill('input[aria-label="search rows"]', 'T-1006');
    await page.press('input[aria-label="search rows"]', 'Enter');
    await expect.poll(firstIds).toContain('T-1006');
    await shot('domain');
    await open('#/domains/projects?tab=tools');
    await page.click('details.tool[data-tool=update_task_status] summary');
    expect(await page.textContent('details.tool[data-tool=update_task_status]')).toMatch(/UPDATE tasks/);
  });

  it("draws the domain's tool dependency graph, and a click on a tool shows it", async () => {
    await open('#/domains/projects?tab=graph');
    await page.waitForFunction(() => window.envscaleGraph?.graph.order === 20);
    expect((await drawnPixels()).nodes).toBeGreaterThan(100);
    await clickNode('get_task');
    await page.waitForSelector('details.tool[data-tool=get_task][open]');
    await shot('domain-graph');
  });

  it('draws the partition, and a click on a domain opens it', async () => {
    // The previous test's graph may still be on the page for a moment: wait for the partition's own.
    await page.evaluate(() => ((window as { previousGraph?: unknown }).previousGraph = window.envscaleGraph));
    await open('#/partition');
    await page.waitForFunction(() => window.envscaleGraph !== undefined && window.envscaleGraph !== (window as { previousGraph?: unknown }).previousGraph && window.envscaleGraph.graph.order > 0);
    const drawn = await drawnPixels();
    expect(drawn.nodes).toBeGreaterThan(100);
    expect(drawn.labels).toBeGreaterThan(100);
    await shot('partition');
    // Click a tool of a synthesized domain where sigma drew it.
    const target = demo.domains.find((d) => d.dir)!.name;
    const tool = await page.evaluate((name) => {
      const { graph } = window.envscaleGraph!;
      const domain = graph.getNodeAttribute(`d:${name}`, 'domain');
      return graph.findNode((k: string, a: { domain?: number }) => k.startsWith('t:') && a.domain === domain) as string;
    }, target);
    await clickNode(tool);
    await page.waitForSelector('[data-testid=plan-domain]');
    expect(await page.textContent('[data-testid=plan-domain] h2')).toContain(target);
    await page.click('[data-testid=open-domain]');
    await page.waitForSelector('.page.domain h1');
    expect(await page.textContent('.page.domain h1')).toBe(target);
  });

  it('compares two runs task by task', async () => {
    await open(`#/compare?a=${recorded.oracleRun}&b=${recorded.failingRun}`);
    await page.waitForSelector('[data-testid=compare] tbody tr');
    const row = page.locator(`[data-testid=compare] tr[data-task="${FAILING_TASK}"]`);
    expect(await row.getAttribute('class')).toBe('worse');
    expect(await page.locator('[data-testid=compare] tbody tr').count()).toBe(14);
  });

  it('shows new episodes live, as they are recorded', async () => {
    await open('#/runs');
    await page.waitForSelector('[data-testid=runs] tbody tr');
    const before = await page.locator('[data-testid=runs] tbody tr').count();
    const domain = loadDomain(PROJECTS_DIR);
    const store = TrajectoryStore.open(demo.files.store);
    try {
      await runRollout({ domain, tasks: readTasks(domain.dir!).slice(0, 1), agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 1, concurrency: 1, seed: 99, store });
    } finally {
      store.close();
    }
    await expect.poll(() => page.locator('[data-testid=runs] tbody tr').count(), { timeout: 10_000 }).toBe(before + 1);
  });
});

describe('a 30,000-tool plan in Chromium', () => {
  let large: RunningViewer;
  beforeAll(async () => {
    const dir = join(work, 'large');
    writeLargePlan(dir);
    large = await startViewerCli(['--plan', join(dir, 'plan.json')]);
  });
  afterAll(() => large?.stop());

  it('draws domains as nodes, and a domain with its tools on click', async () => {
    const p = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await p.goto(`${large.base}#/partition`);
      await p.waitForFunction(() => (window.envscaleGraph?.graph.order ?? 0) > 0, undefined, { timeout: 60_000 });
      expect(await p.evaluate(() => window.envscaleGraph!.graph.order)).toBe(750);
      await p.waitForTimeout(500);
      await p.screenshot({ path: join(shots, 'partition-30k.png') });
      await p.click('[data-testid=plan-domains] li[data-domain=domain_0]');
      await p.waitForSelector('[data-testid=plan-domain] .tool-list li');
      // Its 40 tools join the drawing (zoomed in that far, the domains around it open too).
      await p.waitForFunction(() => Array.from({ length: 40 }, (_, i) => `t:tool_${i}`).every((t) => window.envscaleGraph!.graph.hasNode(t)));
      const order = await p.evaluate(() => window.envscaleGraph!.graph.order);
      expect((order - 750) % 40).toBe(0);
    } finally {
      await p.close();
    }
  });
});
