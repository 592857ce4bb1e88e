import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { ingest } from './corpus/ingest.js';
import type { Domain } from './env/domain.js';
import { loadDomain, readTasks } from './env/load.js';
import { toGraphologyJson } from './graph/export.js';
import { DEFAULT_SETTINGS, partitionTools } from './graph/partition.js';
import { replayThroughMcp } from './mcp/replay.js';
import { readEpisode } from './record/conversation.js';
import { exportEpisodes } from './record/export.js';
import { DEFAULT_FUNNEL, droppedLines, runFunnel, type Stage } from './record/funnel.js';
import { TrajectoryStore } from './record/store.js';
import { runRollout } from './rollout/run.js';
import { makeAgent } from './rollout/agents.js';
import { makeUser } from './episode/users.js';
import type { CorpusFile } from './spec/plan.js';
import type { Task } from './spec/task.js';
import { outcomeStats, synthesizeOffline } from './synth/pipeline.js';
import { plannedJobs } from './synth/planned-tools.js';
import { writeDomainFolder } from './synth/write.js';
import { sampleTasks } from './tasks/sample.js';
import { UserError } from './util/errors.js';
import { makeDir, writeFileAtomic } from './util/files.js';
import { markdownTable } from './util/table.js';
import { packageRoot } from './util/package-root.js';

/**
 * `envscale demo`: the whole pipeline on embedded defaults, offline and deterministic. A bundled
 * corpus is ingested, partitioned into domains, each domain synthesized and verified by execution,
 * tasks sampled, rolled out with the oracle agent and the scripted user over MCP, filtered by the
 * funnel and exported as fine-tuning data; then the curated domain's tasks are replayed over MCP.
 */

export interface DemoOptions {
  /** Output folder, new or empty (default: a new temporary folder). */
  out?: string;
  /** Tool collection files or folders (default: the bundled corpus, fixtures/demo/corpus). */
  corpus?: string[];
  seed?: number;
  tasksPerDomain?: number;
  /** The curated domain whose tasks are replayed through MCP. */
  curated?: string;
  /** Progress, one line per stage. */
  log?: (line: string) => void;
}

export interface DemoDomain {
  name: string;
  planned: number;
  verified: number;
  tables: number;
  seedRows: number;
  /** Set when the domain has a working tool and was written (and served). */
  dir?: string;
  tasks: number;
  episodes: number;
  rewarded: number;
}

export interface CuratedRow {
  task: string;
  calls: number;
  failedCalls: number;
  matches: boolean;
}

export interface DemoReport {
  out: string;
  files: { corpus: string; plan: string; graph: string; domains: string; store: string; data: string };
  ingest: { files: number; tools: number; skipped: number };
  partition: { domains: number; isolated: number };
  domains: DemoDomain[];
  funnel: { total: number; after: Array<{ stage: Stage; kept: number }>; dropped: Array<{ episode: number; stage: Stage; reason: string }> };
  exported: number;
  curated: { domain: string; rows: CuratedRow[] };
  /** Wall time of each stage, milliseconds, in order. */
  stageMs: Array<[string, number]>;
  totalMs: number;
}

export const DEMO_DEFAULTS = { seed: 7, tasksPerDomain: 6, curated: 'projects' } as const;

/**
 * The bundled corpus: fixtures/demo/corpus of the package, found from this module (src/ or
 * dist/src/). Relative to the working directory when it is inside it, so that the sources
 * recorded in corpus.json are the same in every checkout.
 */
export function bundledCorpus(): string {
  const path = join(packageRoot(), 'fixtures', 'demo', 'corpus');
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** The output folder, new or empty so that nothing of another run mixes in; `clean` undoes what the demo wrote. */
function prepareOut(out: string | undefined): { dir: string; clean: () => void } {
  if (out === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'envscale-demo-'));
    return { dir, clean: () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!existsSync(out)) {
    makeDir(out);
    return { dir: out, clean: () => rmSync(out, { recursive: true, force: true }) };
  }
  if (!statSync(out).isDirectory()) throw new UserError(`--out ${out} is a file; pass a new or empty folder.`);
  if (readdirSync(out).length > 0) throw new UserError(`--out ${out} is not empty; pass a new or empty folder so the demo's outputs do not mix with others.`);
  return { dir: out, clean: () => readdirSync(out).forEach((f) => rmSync(join(out, f), { recursive: true, force: true })) };
}

/** A curated domain and its tasks, checked before the demo writes anything. */
function curatedDomain(ref: string): { domain: Domain; tasks: Task[] } {
  const domain = loadDomain(ref);
  const tasks = readTasks(domain.dir!);
  if (tasks.length === 0) throw new UserError(`Domain ${domain.name} has no tasks.json to replay; pass another with --domain.`);
  return { domain, tasks };
}

/** Replay every task of the curated domain through a real MCP client; does each reach its gold state? */
async function replayCurated({ domain, tasks }: { domain: Domain; tasks: Task[] }): Promise<DemoReport['curated']> {
  const rows: CuratedRow[] = [];
  for (const task of tasks) {
    const replay = await replayThroughMcp(domain, task);
    rows.push({ task: task.id, calls: replay.results.length, failedCalls: replay.results.filter((r) => r.isError).length, matches: replay.stateHash === task.gold.state_hash });
  }
  return { domain: domain.name, rows };
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const perDomain = options.tasksPerDomain ?? DEMO_DEFAULTS.tasksPerDomain;
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const stageMs: Array<[string, number]> = [];
  let clock = started;
  const stage = (name: string, line: string) => {
    const now = performance.now();
    stageMs.push([name, now - clock]);
    clock = now;
    log(line);
  };

  // Inputs are checked before anything is written; a later failure removes what was written.
  const corpusPaths = options.corpus ?? [bundledCorpus()];
  const { tools, report } = ingest(corpusPaths);
  if (tools.length === 0) throw new UserError(`No tools in ${corpusPaths.join(', ')}; name files of tool definitions (OpenAI, MCP, OpenAPI...).`);
  const curatedInput = curatedDomain(options.curated ?? DEMO_DEFAULTS.curated);
  const { dir: out, clean } = prepareOut(options.out);
  const files = { corpus: join(out, 'corpus.json'), plan: join(out, 'plan.json'), graph: join(out, 'graph.json'), domains: join(out, 'domains'), store: join(out, 'runs.db'), data: join(out, 'data.jsonl') };
  let store: TrajectoryStore | undefined;
  try {
    const corpus: CorpusFile = { format: 'envscale-corpus', version: 1, tools, report };
    writeFileAtomic(files.corpus, `${JSON.stringify(corpus, null, 1)}\n`);
    stage('ingest', `ingested ${tools.length} tools from ${report.files.length} files`);

    const { plan, edges } = partitionTools(tools, { ...DEFAULT_SETTINGS, seed });
    writeFileAtomic(files.plan, `${JSON.stringify(plan, null, 1)}\n`);
    writeFileAtomic(files.graph, toGraphologyJson(tools, edges, plan));
    stage('partition', `partitioned into ${plan.domains.length} domains`);

    const domains: DemoDomain[] = plannedJobs(plan.domains, tools).map(({ planned, tools: domainTools }) => {
      const outcome = synthesizeOffline(planned, domainTools, seed);
      const s = outcomeStats(outcome);
      const dir = outcome.spec ? writeDomainFolder(files.domains, outcome.spec, outcome.verdicts) : undefined;
      return { name: planned.name, planned: outcome.planned, verified: s.verified, tables: s.tables, seedRows: s.rows, dir, tasks: 0, episodes: 0, rewarded: 0 };
    });
    stage('synthesize', `synthesized and verified ${domains.filter((d) => d.dir).length} domains`);

    const sampled = domains.flatMap((d) => {
      if (!d.dir) return [];
      const domain = loadDomain(d.dir);
      const { tasks } = sampleTasks(domain, { n: perDomain, seed });
      writeFileAtomic(join(d.dir, 'tasks.json'), `${JSON.stringify(tasks, null, 2)}\n`);
      d.tasks = tasks.length;
      return tasks.length > 0 ? [{ row: d, domain, tasks }] : [];
    });
    stage('tasks', `sampled ${domains.reduce((n, d) => n + d.tasks, 0)} tasks`);

    store = TrajectoryStore.open(files.store);
    for (const { row, domain, tasks } of sampled) {
      const rollout = await runRollout({ domain, tasks, agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 1, concurrency: 4, seed, store });
      row.episodes = rollout.rows.length;
      row.rewarded = rollout.rows.filter((r) => r.reward === 1).length;
    }
    stage('rollout', `rolled out ${domains.reduce((n, d) => n + d.episodes, 0)} episodes`);

    const funnel = runFunnel(store.episodes().map((e) => readEpisode(store!, e)), DEFAULT_FUNNEL);
    stage('funnel', `${funnel.kept.length} of ${funnel.total} episodes survive the funnel`);
    const exported = exportEpisodes(funnel.kept, 'openai');
    writeFileAtomic(files.data, exported.text);
    stage('export', `exported ${exported.written} lines`);
    store.close();

    const curated = await replayCurated(curatedInput);
    stage('curated', `replayed ${curated.rows.length} ${curated.domain} tasks over MCP`);
    return {
      out,
      files,
      ingest: { files: report.files.length, tools: tools.length, skipped: report.skipped.length },
      partition: { domains: plan.domains.length, isolated: plan.isolated.length },
      domains,
      funnel: { total: funnel.total, after: funnel.after, dropped: funnel.dropped },
      exported: exported.written,
      curated,
      stageMs,
      totalMs: performance.now() - started,
    };
  } catch (err) {
    store?.close();
    clean();
    throw err;
  }
}

const sum = (rows: DemoDomain[], key: 'planned' | 'verified' | 'tasks' | 'episodes' | 'rewarded') => rows.reduce((n, d) => n + d[key], 0);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export function formatDemo(r: DemoReport): string {
  const ms = new Map(r.stageMs);
  const written = r.domains.filter((d) => d.dir);
  const episodes = sum(r.domains, 'episodes');
  const curatedOk = r.curated.rows.filter((x) => x.matches).length;
  const stages = markdownTable(
    ['stage', 'result', 'time'],
    [
      ['ingest', `${r.ingest.tools} tools from ${r.ingest.files} files (${r.ingest.skipped} records skipped)`, seconds(ms.get('ingest')!)],
      ['partition', `${r.partition.domains} domains (${r.partition.isolated} isolated tools)`, seconds(ms.get('partition')!)],
      ['synthesize + verify', `${sum(r.domains, 'verified')} of ${sum(r.domains, 'planned')} tools verified; ${written.length} domains written`, seconds(ms.get('synthesize')!)],
      ['sample tasks', `${sum(r.domains, 'tasks')} tasks`, seconds(ms.get('tasks')!)],
      ['rollout (oracle agent replaying the gold actions, scripted user, MCP)', `${episodes} episodes, ${sum(r.domains, 'rewarded')} with reward 1`, seconds(ms.get('rollout')!)],
      ['funnel', [`${r.funnel.total} episodes`, ...r.funnel.after.map((a) => `${a.stage} ${a.kept}`)].join(' -> '), seconds(ms.get('funnel')!)],
      ['export (openai)', `${r.exported} lines`, seconds(ms.get('export')!)],
      [`curated domain ${r.curated.domain} (gold replay over MCP)`, `${curatedOk} of ${r.curated.rows.length} tasks reach their gold state`, seconds(ms.get('curated')!)],
      ['total', '', seconds(r.totalMs)],
    ],
  );
  const perDomain = markdownTable(
    ['domain', 'tools', 'verified', 'tables', 'seed rows', 'tasks', 'episodes', 'reward 1'],
    r.domains.map((d) => [d.name, d.planned, d.verified, d.tables, d.seedRows, d.tasks, d.episodes, d.rewarded]),
  );
  const dropped = droppedLines(r.funnel.dropped);
  return [
    stages,
    '',
    'The oracle agent replays each task\'s gold actions, so reward 1 on every episode is expected: it shows that the',
    'synthesized environments, their tasks and the scoring agree. A real model instead',
    `(npx envscale rollout ${join(r.files.domains, '<name>')} --agent openai:<model> --store runs.db) gets the rewards and pass^k`,
    'it earns, and the funnel drops its episodes that end in a wrong state or make other calls than gold.',
    ...(dropped.length ? ['', 'Dropped by the funnel:', ...dropped.map((l) => `  ${l}`)] : []),
    '',
    perDomain,
    '',
    `Outputs in ${r.out}:`,
    `  corpus.json, plan.json      the ingested tools and the partition (graph.json: the tool graph)`,
    `  domains/<name>/             serve one with: npx envscale serve ${join(r.files.domains, '<name>')}`,
    `  runs.db                     npx envscale runs --store ${r.files.store}`,
    `  data.jsonl                  ${r.exported} fine-tuning examples (OpenAI chat format)`,
    '',
    `Look at all of it in a browser: npx envscale ui --store ${r.files.store} --plan ${r.files.plan}`,
  ].join('\n');
}
