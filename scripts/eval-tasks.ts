/**
 * Task quality across domains: sample 200 tasks per domain and report the share that passes
 * check-tasks; lint the tasks a domain ships (curated or imported) the same way.
 * Usage: node dist/scripts/eval-tasks.js [domain folders...]. By default: projects; tau2 retail
 * imported from ../shared/data/tau2-retail; and the five largest domains with writes synthesized
 * (offline, default settings) from ../shared/corpora. Everything generated goes to a temp folder.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Domain } from '../src/env/domain.js';
import { readDomainSpec, readTasks } from '../src/env/load.js';
import { ingest } from '../src/corpus/ingest.js';
import { DEFAULT_SETTINGS, partitionTools } from '../src/graph/partition.js';
import { importTau2 } from '../src/importers/tau2/import.js';
import { synthesizeOffline } from '../src/synth/pipeline.js';
import { plannedJobs } from '../src/synth/planned-tools.js';
import { writeDomainFolder } from '../src/synth/write.js';
import { checkTasks } from '../src/tasks/check.js';
import { sampleTasks } from '../src/tasks/sample.js';
import { markdownTable } from '../src/util/table.js';

const root = resolve(import.meta.dirname, '../..');

/** Synthesize the planned domains of the shared corpora and keep the largest ones that write. */
function synthesizedDomains(out: string, count: number): string[] {
  const corpora = resolve(root, '../shared/corpora');
  if (!existsSync(corpora)) return [];
  const { tools } = ingest([corpora]);
  const { plan } = partitionTools(tools, DEFAULT_SETTINGS);
  const written: Array<{ dir: string; tools: number }> = [];
  for (const { planned, tools: domainTools } of plannedJobs(plan.domains, tools)) {
    const outcome = synthesizeOffline(planned, domainTools, 1);
    if (!outcome.spec || !outcome.spec.tools.some((t) => t.kind === 'write')) continue;
    written.push({ dir: writeDomainFolder(out, outcome.spec, outcome.verdicts), tools: outcome.spec.tools.length });
  }
  return written.sort((a, b) => b.tools - a.tools || a.dir.localeCompare(b.dir)).slice(0, count).map((w) => w.dir);
}

function defaultDomains(): string[] {
  const tmp = mkdtempSync(join(tmpdir(), 'envscale-eval-'));
  const dirs = [join(root, 'domains/projects')];
  const tau2 = resolve(root, '../shared/data/tau2-retail');
  if (existsSync(tau2)) {
    importTau2(tau2, join(tmp, 'tau2-retail'));
    dirs.push(join(tmp, 'tau2-retail'));
  }
  return [...dirs, ...synthesizedDomains(join(tmp, 'synthesized'), 5)];
}

const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
const rows: Array<Array<string | number>> = [];
const problems = new Map<string, number>();
for (const dir of process.argv.length > 2 ? process.argv.slice(2) : defaultDomains()) {
  const domain = new Domain(readDomainSpec(dir), dir);
  const started = performance.now();
  const { tasks, report } = sampleTasks(domain, { n: 200, seed: 7 });
  const sampled = checkTasks(domain, tasks);
  const shipped = checkTasks(domain, readTasks(dir));
  for (const c of shipped) for (const p of c.problems) {
    const kind = p.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').replace(/: .*$/, '');
    problems.set(`${domain.name}: ${kind}`, (problems.get(`${domain.name}: ${kind}`) ?? 0) + 1);
  }
  const ok = (list: typeof sampled) => list.filter((c) => c.problems.length === 0).length;
  rows.push([domain.name, tasks.length, `${report.writes} / ${report.readOnly}`, pct(ok(sampled), sampled.length), shipped.length, pct(ok(shipped), shipped.length), `${((performance.now() - started) / 1000).toFixed(1)} s`]);
}
console.log(markdownTable(['domain', 'sampled', 'write / read-only', 'sampled pass check', 'shipped tasks', 'shipped pass check', 'time'], rows));
if (problems.size > 0) {
  console.log('\nProblems found in shipped tasks, by kind:\n');
  console.log(markdownTable(['kind', 'count'], [...problems].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, n])));
}
