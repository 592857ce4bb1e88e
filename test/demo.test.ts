import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DEFAULTS, formatDemo, runDemo, type DemoReport } from '../src/demo.js';
import { loadDomain, readTasks } from '../src/env/load.js';
import { TrajectoryStore } from '../src/record/store.js';
import { PLAY_GUIDANCE } from '../src/tasks/instructions.js';
import { CLI, REPO_ROOT } from './helpers/mcp.js';

const work = mkdtempSync(join(tmpdir(), 'envscale-demo-test-'));
let report: DemoReport;
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  report = await runDemo({ out: join(work, 'run') });
}, 180_000);

const total = (key: 'planned' | 'verified' | 'tasks' | 'episodes' | 'rewarded') => report.domains.reduce((n, d) => n + d[key], 0);
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('the demo pipeline on the bundled corpus', () => {
  it('ingests every collection of the bundled corpus and partitions every tool into 5-10 domains', () => {
    const files = readdirSync(resolve(REPO_ROOT, 'fixtures/demo/corpus')).filter((f) => !f.endsWith('.md'));
    expect(report.ingest).toMatchObject({ files: files.length, skipped: 0 });
    const corpus = JSON.parse(readFileSync(report.files.corpus, 'utf8'));
    expect(corpus.tools).toHaveLength(report.ingest.tools);
    expect(report.partition.domains).toBeGreaterThanOrEqual(5);
    expect(report.partition.domains).toBeLessThanOrEqual(10);
    expect(report.domains).toHaveLength(report.partition.domains);
    expect(total('planned') + report.partition.isolated).toBe(report.ingest.tools);
  });

  it('writes a servable folder for every domain with a verified tool, holding its verified tools and sampled tasks', () => {
    for (const d of report.domains) {
      expect(d.verified, d.name).toBeLessThanOrEqual(d.planned);
      expect(d.dir !== undefined, d.name).toBe(d.verified > 0);
      if (!d.dir) continue;
      const domain = loadDomain(d.dir);
      expect(domain.tools.size, d.name).toBe(d.verified);
      const tasks = readTasks(d.dir);
      expect(tasks, d.name).toHaveLength(d.tasks);
      expect(d.tasks, d.name).toBeLessThanOrEqual(DEMO_DEFAULTS.tasksPerDomain);
    }
    expect(total('tasks')).toBeGreaterThan(0);
  });

  it('rolls out one episode per task, all recorded, the oracle reaching reward 1 on each', () => {
    expect(total('episodes')).toBe(total('tasks'));
    expect(total('rewarded')).toBe(total('episodes'));
    const store = TrajectoryStore.open(report.files.store, { readonly: true });
    const episodes = store.episodes();
    store.close();
    expect(episodes).toHaveLength(total('episodes'));
    expect(episodes.every((e) => e.status === 'done' && e.reward === 1)).toBe(true);
  });

  it('exports exactly the episodes that survive the funnel', () => {
    const { funnel } = report;
    expect(funnel.total).toBe(total('episodes'));
    const kept = funnel.after.map((a) => a.kept);
    expect(kept).toEqual([...kept].sort((a, b) => b - a));
    expect(report.exported).toBe(kept.at(-1));
    expect(report.exported).toBe(funnel.total - funnel.dropped.length);
    const data = lines(report.files.data).map((l) => JSON.parse(l));
    expect(data).toHaveLength(report.exported);
    for (const example of data) {
      expect(example.messages[0].role).toBe('system');
      expect(example.tools.length).toBeGreaterThan(0);
      // The user in the data speaks for themself: no guidance meant for whoever plays the user.
      const user = example.messages.find((m: { role: string }) => m.role === 'user');
      expect(user.content).toMatch(/^I want to /);
      expect(user.content).not.toContain(PLAY_GUIDANCE);
    }
  });

  it('replays the curated domain over MCP to its gold states, and prints a table per stage', () => {
    expect(report.curated.domain).toBe('projects');
    expect(report.curated.rows).toHaveLength(readTasks(resolve(REPO_ROOT, 'domains/projects')).length);
    expect(report.curated.rows.every((r) => r.matches)).toBe(true);
    const text = formatDemo(report);
    expect(text).toContain(`| ingest `);
    expect(text).toMatch(new RegExp(`\\| rollout \\(oracle agent replaying the gold actions, scripted user, MCP\\) +\\| ${total('episodes')} episodes, ${total('rewarded')} with reward 1 `));
    expect(text).toMatch(/so reward 1 on every episode is expected[^]*A real model instead\n\(npx envscale rollout .*domains\/<name> --agent openai:<model> --store runs\.db\) gets the rewards and pass\^k/);
    expect(text).toMatch(new RegExp(`\\| export \\(openai\\) +\\| ${report.exported} lines `));
    expect(text).toMatch(/\| total +\| +\| \d+\.\d\d s \|/);
    for (const d of report.domains) expect(text).toContain(`| ${d.name} `);
    expect(report.stageMs.map(([stage]) => stage)).toEqual(['ingest', 'partition', 'synthesize', 'tasks', 'rollout', 'funnel', 'export', 'curated']);
  });
});

describe('npm run demo (envscale demo)', () => {
  it('writes the same data from the command line: the demo is deterministic', async () => {
    const out = join(work, 'cli');
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'demo', '--out', out], { cwd: REPO_ROOT });
    expect(stdout).toContain(`Outputs in ${out}:`);
    expect(readFileSync(join(out, 'data.jsonl'), 'utf8')).toBe(readFileSync(report.files.data, 'utf8'));
    expect(readFileSync(join(out, 'plan.json'), 'utf8')).toBe(readFileSync(report.files.plan, 'utf8'));
    // Sources are recorded relative to the checkout, so corpus.json is the same wherever it lives.
    const corpus = readFileSync(join(out, 'corpus.json'), 'utf8');
    expect(corpus).toBe(readFileSync(report.files.corpus, 'utf8'));
    expect(JSON.parse(corpus).tools.every((t: { source: string }) => t.source.startsWith('fixtures/demo/corpus/'))).toBe(true);
  }, 180_000);

  it('runs from any folder: the bundled corpus and the curated domains ship with the package', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'envscale-cwd-'));
    const run = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { cwd: elsewhere });
    const { stdout } = await run('demo', '--out', join(elsewhere, 'out'));
    expect(stdout).toMatch(/14 of 14 tasks reach their gold state/);
    expect(readFileSync(join(elsewhere, 'out', 'data.jsonl'), 'utf8')).toBe(readFileSync(report.files.data, 'utf8'));
    const call = await run('call', 'projects', 'get_project', '--args', '{"project_id": "P-101"}');
    expect(call.stdout).toContain('"id": "P-101"');
    rmSync(elsewhere, { recursive: true, force: true });
  }, 180_000);

  it('refuses an --out folder that is not empty, and leaves it alone', async () => {
    const out = join(work, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    await expect(runDemo({ out })).rejects.toThrow(/^--out .*busy is not empty; pass a new or empty folder/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });

  it('refuses a corpus path that does not exist or holds no tools, before writing anything', async () => {
    const out = join(work, 'never');
    await expect(runDemo({ out, corpus: [join(work, 'nope')] })).rejects.toThrow(/nope does not exist; check the path\./);
    const empty = join(work, 'empty.json');
    writeFileSync(empty, '{"hello": "world"}');
    await expect(runDemo({ out, corpus: [empty] })).rejects.toThrow(/^No tools in .*empty\.json; name files of tool definitions/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an unknown curated domain before writing anything', async () => {
    const out = join(work, 'no-curated');
    await expect(runDemo({ out, curated: join(work, 'no-such-domain') })).rejects.toThrow(/no-such-domain/);
    expect(existsSync(out)).toBe(false);
  });
});
