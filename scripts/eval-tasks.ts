/**
 * Task quality across domains (issue 18's figures): per source, sample tasks in every domain and
 * report linked steps (the share of steps after the first, in tasks of two steps or more, whose
 * arguments reuse a value an earlier step used or returned: not a boolean, a number under 100 or
 * a string under 3 characters), tasks per check-tasks finding, the share passing check-tasks,
 * instruction length, the share of instructions that spell out a tool or parameter name, distinct
 * opening phrases per 100 instructions, and sampling + checking time. The tasks a domain ships
 * (curated or imported) are linted the same way.
 *
 * Usage: node dist/scripts/eval-tasks.js [--per-domain N] [--examples N] [--only source,...] [domain folders...].
 * By default: the curated projects domain; tau2 retail imported from ../shared/data/tau2-retail;
 * every domain synthesized offline (default settings) from ../shared/corpora/openapi,
 * ../shared/corpora/openapi-extra and the BFCL multi-turn classes, each set on its own.
 * Everything generated goes to a temp folder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Domain } from '../src/env/domain.js';
import { readDomainSpec, readTasks } from '../src/env/load.js';
import { ingest } from '../src/corpus/ingest.js';
import { DEFAULT_SETTINGS, partitionTools } from '../src/graph/partition.js';
import { importTau2 } from '../src/importers/tau2/import.js';
import { synthesizeOffline } from '../src/synth/pipeline.js';
import { plannedJobs } from '../src/synth/planned-tools.js';
import { writeDomainFolder } from '../src/synth/write.js';
import { checkTasks, type TaskCheck } from '../src/tasks/check.js';
import { measureTasks, type TaskQuality } from '../src/tasks/quality.js';
import { Random } from '../src/tasks/random.js';
import { sampleTasks } from '../src/tasks/sample.js';
import type { Task } from '../src/spec/task.js';
import { markdownTable } from '../src/util/table.js';

const root = resolve(import.meta.dirname, '../..');
const shared = resolve(root, '../shared');

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  args.splice(i, 2);
  return value;
};
const perDomain = option('--per-domain', 100);
const exampleCount = option('--examples', 10);
const onlyAt = args.indexOf('--only');
/** Sources to measure (projects, tau2-retail, openapi, openapi-extra, bfcl_multi_turn_classes); all by default. */
const only = onlyAt >= 0 ? new Set(args.splice(onlyAt, 2)[1]?.split(',')) : undefined;
const wanted = (name: string) => !only || only.has(name);

interface Source {
  name: string;
  dirs: string[];
  /** Tasks sampled per domain. */
  n: number;
}

/** Synthesize every planned domain of one tool collection, offline with default settings. */
function synthesized(input: string, out: string): string[] {
  const { tools } = ingest([input]);
  const { plan } = partitionTools(tools, DEFAULT_SETTINGS);
  const dirs: string[] = [];
  for (const { planned, tools: domainTools } of plannedJobs(plan.domains, tools)) {
    const outcome = synthesizeOffline(planned, domainTools, 1);
    if (outcome.spec) dirs.push(writeDomainFolder(out, outcome.spec, outcome.verdicts));
  }
  return dirs.sort();
}

function defaultSources(tmp: string): Source[] {
  const sources: Source[] = wanted('projects') ? [{ name: 'projects', dirs: [join(root, 'domains/projects')], n: 200 }] : [];
  const tau2 = join(shared, 'data/tau2-retail');
  if (existsSync(tau2) && wanted('tau2-retail')) {
    importTau2(tau2, join(tmp, 'tau2-retail'));
    sources.push({ name: 'tau2-retail', dirs: [join(tmp, 'tau2-retail')], n: 200 });
  }
  for (const set of ['openapi', 'openapi-extra', 'bfcl_multi_turn_classes.json']) {
    const input = join(shared, 'corpora', set);
    if (existsSync(input) && wanted(set.replace(/\.json$/, ''))) sources.push({ name: set.replace(/\.json$/, ''), dirs: synthesized(input, join(tmp, set)), n: perDomain });
  }
  return sources;
}

interface Measured {
  quality: TaskQuality;
  writes: number;
  ms: number;
  /** CPU time of this process over the same span: the figure that holds on a machine shared with other work. */
  cpuMs: number;
  domains: number;
}

const sum = (list: Measured[], pick: (q: TaskQuality) => number) => list.reduce((s, m) => s + pick(m.quality), 0);
const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);

function row(name: string, list: Measured[]): Array<string | number> {
  const tasks = sum(list, (q) => q.tasks);
  const findings = list.reduce((s, m) => s + Object.values(m.quality.findings).reduce((a, b) => a + b, 0), 0);
  const withTasks = list.filter((m) => m.quality.tasks > 0);
  const openings = withTasks.reduce((s, m) => s + m.quality.openingsPer100, 0) / Math.max(1, withTasks.length);
  const words = list.reduce((s, m) => s + m.quality.meanWords * m.quality.tasks, 0) / Math.max(1, tasks);
  const ms = list.reduce((s, m) => s + m.ms, 0);
  const cpuMs = list.reduce((s, m) => s + m.cpuMs, 0);
  return [
    name,
    list.reduce((s, m) => s + m.domains, 0),
    tasks,
    `${list.reduce((s, m) => s + m.writes, 0)} / ${tasks - list.reduce((s, m) => s + m.writes, 0)}`,
    pct(sum(list, (q) => q.linkedSteps), sum(list, (q) => q.laterSteps)),
    findings === 0 ? 'no findings' : (tasks / findings).toFixed(1),
    pct(sum(list, (q) => q.passing), tasks),
    words.toFixed(1),
    pct(sum(list, (q) => q.namingTools), tasks),
    openings.toFixed(1),
    tasks === 0 ? '-' : `${(ms / tasks).toFixed(1)} s (CPU ${(cpuMs / tasks).toFixed(1)} s)`,
  ];
}

const tmp = mkdtempSync(join(tmpdir(), 'envscale-eval-'));
try {
  const sources: Source[] = args.length > 0 ? args.map((dir) => ({ name: basename(dir), dirs: [resolve(dir)], n: 200 })) : defaultSources(tmp);
  const sampledRows: Array<Array<string | number>> = [];
  const shippedRows: Array<Array<string | number>> = [];
  const byCode = new Map<string, number>();
  const shippedByCode = new Map<string, number>();
  const examples: Array<{ source: string; task: Task }> = [];
  for (const source of sources) {
    const sampled: Measured[] = [];
    const shipped: Measured[] = [];
    for (const dir of source.dirs) {
      const domain = new Domain(readDomainSpec(dir), dir);
      try {
        const started = performance.now();
        const cpu = process.cpuUsage();
        const { tasks, report } = sampleTasks(domain, { n: source.n, seed: 7 });
        const checks: TaskCheck[] = checkTasks(domain, tasks);
        const ms = performance.now() - started;
        const used = process.cpuUsage(cpu);
        const cpuMs = (used.user + used.system) / 1000;
        const quality = measureTasks(domain, tasks, checks);
        sampled.push({ quality, writes: report.writes, ms, cpuMs, domains: 1 });
        for (const [code, n] of Object.entries(quality.findings)) byCode.set(`${source.name}: ${code}`, (byCode.get(`${source.name}: ${code}`) ?? 0) + n);
        examples.push(...tasks.map((task) => ({ source: `${source.name}/${domain.name}`, task })));
        const own = readTasks(dir);
        if (own.length > 0) {
          const ownChecks = checkTasks(domain, own);
          const q = measureTasks(domain, own, ownChecks);
          shipped.push({ quality: q, writes: own.filter((t) => t.gold.actions.some((a) => domain.tools.get(a.tool)?.spec.kind === 'write')).length, ms: 0, cpuMs: 0, domains: 1 });
          for (const [code, n] of Object.entries(q.findings)) shippedByCode.set(`${source.name}: ${code}`, (shippedByCode.get(`${source.name}: ${code}`) ?? 0) + n);
        }
      } finally {
        domain.close();
      }
    }
    sampledRows.push(row(source.name, sampled));
    if (shipped.length > 0) shippedRows.push(row(`${source.name} (shipped)`, shipped).slice(0, -1).concat('-'));
  }
  const header = ['source', 'domains', 'tasks', 'write / read-only', 'linked steps', 'tasks per finding', 'pass check-tasks', 'words per instruction', 'naming a tool or parameter', 'openings per 100', 'sample + check per 1,000 tasks'];
  console.log(`## Sampled tasks (seed 7, ${perDomain} per synthesized domain, 200 otherwise)\n`);
  console.log(markdownTable(header, sampledRows));
  if (shippedRows.length > 0) console.log(`\n## Tasks the domains ship\n\n${markdownTable(header, shippedRows)}`);
  // How goals are worded, per source, zeros included: the codes the wording lint adds.
  const wording = ['value-kind-mismatch', 'credential-or-control-in-request', 'odd-entity-phrase'];
  const wordingRow = (name: string, m: Map<string, number>) => [name, ...wording.map((c) => m.get(`${name}: ${c}`) ?? 0)];
  console.log(`\n## Goal wording findings (sampled tasks; shipped in brackets)\n`);
  console.log(markdownTable(['source', ...wording], sources.map((x) => wordingRow(x.name, byCode).map((v, i) => (i > 0 && shippedByCode.size > 0 && shippedRows.some((r) => r[0] === `${x.name} (shipped)`) ? `${v} (${wordingRow(x.name, shippedByCode)[i]})` : v)))));
  const codes = (m: Map<string, number>) => markdownTable(['source: finding', 'count'], [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => [k, n]));
  if (byCode.size > 0) console.log(`\n## check-tasks findings on sampled tasks, by code\n\n${codes(byCode)}`);
  if (shippedByCode.size > 0) console.log(`\n## check-tasks findings on shipped tasks, by code\n\n${codes(shippedByCode)}`);
  if (exampleCount > 0 && examples.length > 0) {
    const rng = new Random(18);
    console.log('\n## Sampled instructions\n');
    const picked = new Set<number>();
    while (picked.size < Math.min(exampleCount, examples.length)) picked.add(rng.int(0, examples.length - 1));
    for (const i of [...picked].sort((a, b) => a - b)) {
      const { source, task } = examples[i];
      console.log(`- ${source} (${task.gold.actions.map((a) => a.tool).join(' -> ')}):\n  ${task.user.instructions.replace(/\n+/g, ' / ')}`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
