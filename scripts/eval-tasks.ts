/**
 * Task quality across domains: sample 200 tasks per domain and report the share that passes
 * check-tasks; lint the tasks a domain ships (curated or imported) the same way.
 * Usage: node dist/scripts/eval-tasks.js [domain folders...] (default: projects, tau2 retail
 * imported from ../shared/data/tau2-retail into a temp folder, and any synthesized domains given).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Domain } from '../src/env/domain.js';
import { readDomainSpec, readTasks } from '../src/env/load.js';
import { importTau2 } from '../src/importers/tau2/import.js';
import { checkTasks } from '../src/tasks/check.js';
import { sampleTasks } from '../src/tasks/sample.js';
import { markdownTable } from '../src/util/table.js';

const root = resolve(import.meta.dirname, '../..');

function defaultDomains(): string[] {
  const dirs = [join(root, 'domains/projects')];
  const tau2 = resolve(root, '../shared/data/tau2-retail');
  if (existsSync(tau2)) {
    const out = join(mkdtempSync(join(tmpdir(), 'envscale-eval-')), 'tau2-retail');
    importTau2(tau2, out);
    dirs.push(out);
  }
  return dirs;
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
