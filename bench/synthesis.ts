import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/corpus/ingest.js';
import { DEFAULT_SETTINGS, partitionTools } from '../src/graph/partition.js';
import { synthesizeAll, type PlannedJob } from '../src/synth/parallel.js';
import { plannedJobs } from '../src/synth/planned-tools.js';
import { outcomeStats } from '../src/synth/pipeline.js';
import { markdownTable } from '../src/util/table.js';
import { enlarge } from './enlarge.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');

/** One timed synthesis of every planned domain: wall and CPU seconds, tools verified and written. */
async function timedRun(jobs: PlannedJob[], workers: number) {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const outcomes = await synthesizeAll(jobs, 1, workers, () => undefined);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const stats = outcomes.map(outcomeStats);
  return {
    seconds,
    cpu: (cpu.user + cpu.system) / 1e6,
    verified: stats.reduce((n, s) => n + s.verified, 0),
    tables: stats.reduce((n, s) => n + s.tables, 0),
    written: outcomes.filter((o) => o.spec).length,
  };
}

/**
 * Offline synthesis + verification of every domain of the partition benchmark's plan (the shared
 * corpora enlarged to 30,000 tools, with the response schemas their sources declare, ingested and
 * partitioned with default settings outside the timed part), on `workers` worker threads. The
 * baseline, in the same run and interleaved with it, is the same plan with the response schemas
 * left out (what synthesis had before it read output contracts). Peak RSS is the whole process's,
 * workers included; CPU time is the main thread's and the workers'.
 */
export async function synthesisBench(size = 30_000, workers = 2, rounds = 2): Promise<string> {
  const base = ingest([join(repoRoot, '../shared/corpora')]).tools;
  const dir = mkdtempSync(join(tmpdir(), 'envscale-synth-bench-'));
  const lines = enlarge(base, size).map((t) => JSON.stringify({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters, ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}) } }));
  writeFileSync(join(dir, 'tools.jsonl'), `${lines.join('\n')}\n`);
  const { tools } = ingest([dir]);
  rmSync(dir, { recursive: true, force: true });
  const { plan } = partitionTools(tools, DEFAULT_SETTINGS);
  const contracts = plannedJobs(plan.domains, tools);
  const bare = contracts.map((j) => ({ ...j, tools: j.tools.map(({ outputSchema: _left, ...t }) => t) }));
  const withSchema = contracts.reduce((n, j) => n + j.tools.filter((t) => t.outputSchema).length, 0);

  const runs: Array<{ label: string; run: Awaited<ReturnType<typeof timedRun>>; load: number }> = [];
  for (let r = 0; r < rounds; r++) {
    for (const [label, jobs] of [['without response schemas (baseline)', bare], ['with response schemas', contracts]] as const) {
      runs.push({ label, run: await timedRun(jobs, workers), load: loadavg()[0] });
    }
  }
  const planned = plan.domains.reduce((n, d) => n + d.tools.length, 0);
  const total = (label: string, key: 'seconds' | 'cpu') => runs.filter((r) => r.label === label).reduce((n, r) => n + r.run[key], 0);
  const ratio = (key: 'seconds' | 'cpu') => (total('with response schemas', key) / total('without response schemas (baseline)', key)).toFixed(2);
  return [
    markdownTable(['measure', 'value'], [
      ['tools in the plan (30,000-tool pool, default partition)', planned],
      ['of those with a response schema', withSchema],
      ['domains', plan.domains.length],
      ['worker threads', workers],
      ['with / without response schemas, wall time', `${ratio('seconds')}x`],
      ['with / without response schemas, CPU time', `${ratio('cpu')}x`],
      ['peak RSS (whole process)', `${Math.round((process.resourceUsage().maxRSS * 1024) / 1024 / 1024)} MB`],
      ['target', '< 120 s on 2 cores; with schemas within 1.5x of the baseline'],
    ]),
    markdownTable(
      ['run', 'synthesize + verify', 'CPU time (all threads)', 'per domain', 'tools verified', 'domains written', 'tables', 'load average (1 min) after'],
      runs.map(({ label, run, load }) => [label, `${run.seconds.toFixed(1)} s`, `${run.cpu.toFixed(1)} s`, `${((1000 * run.seconds) / plan.domains.length).toFixed(1)} ms`, `${run.verified} (${((100 * run.verified) / planned).toFixed(1)}%)`, run.written, run.tables, load.toFixed(1)]),
    ),
  ].join('\n\n');
}
