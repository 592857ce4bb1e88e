import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/corpus/ingest.js';
import { DEFAULT_SETTINGS, partitionTools } from '../src/graph/partition.js';
import { synthesizeAll } from '../src/synth/parallel.js';
import { plannedJobs } from '../src/synth/planned-tools.js';
import { outcomeStats } from '../src/synth/pipeline.js';
import { markdownTable } from '../src/util/table.js';
import { enlarge } from './enlarge.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');

/**
 * Offline synthesis + verification of every domain of the partition benchmark's plan (the shared
 * corpora enlarged to 30,000 tools, ingested and partitioned with default settings outside the
 * timed part), on `workers` worker threads. Peak RSS is the whole process's, workers included.
 */
export async function synthesisBench(size = 30_000, workers = 2): Promise<string> {
  const base = ingest([join(repoRoot, '../shared/corpora')]).tools;
  const dir = mkdtempSync(join(tmpdir(), 'envscale-synth-bench-'));
  const lines = enlarge(base, size).map((t) => JSON.stringify({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  writeFileSync(join(dir, 'tools.jsonl'), `${lines.join('\n')}\n`);
  const { tools } = ingest([dir]);
  rmSync(dir, { recursive: true, force: true });
  const { plan } = partitionTools(tools, DEFAULT_SETTINGS);

  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const outcomes = await synthesizeAll(plannedJobs(plan.domains, tools), 1, workers, () => undefined);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const stats = outcomes.map(outcomeStats);
  const verified = stats.reduce((n, s) => n + s.verified, 0);
  const tables = stats.reduce((n, s) => n + s.tables, 0);
  const written = outcomes.filter((o) => o.spec).length;
  const planned = plan.domains.reduce((n, d) => n + d.tools.length, 0);
  return markdownTable(['measure', 'value'], [
    ['tools in the plan (30,000-tool pool, default partition)', planned],
    ['domains', plan.domains.length],
    ['worker threads', workers],
    ['synthesize + verify, all domains', `${seconds.toFixed(1)} s`],
    ['CPU time (all threads)', `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`],
    ['per domain', `${((1000 * seconds) / plan.domains.length).toFixed(1)} ms`],
    ['tools verified', `${verified} (${((100 * verified) / planned).toFixed(1)}%)`],
    ['domains written', written],
    ['tables', tables],
    ['peak RSS (whole process)', `${Math.round((process.resourceUsage().maxRSS * 1024) / 1024 / 1024)} MB`],
    ['target', '< 120 s on 2 cores'],
  ]);
}
