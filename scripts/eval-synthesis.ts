/**
 * Synthesis quality on the shared corpora partitioned with default settings: the share of tools
 * that end up verified, the share of writes that really change state, tables and rows per domain,
 * and failures grouped by reason. Offline and deterministic (seed 1).
 * Usage: npm run eval:synthesis [-- <corpora folder>]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/corpus/ingest.js';
import { DEFAULT_SETTINGS, partitionTools } from '../src/graph/partition.js';
import { defaultWorkers, synthesizeAll } from '../src/synth/parallel.js';
import { plannedJobs } from '../src/synth/planned-tools.js';
import { qualityTables } from '../src/synth/report.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const corpora = resolve(process.argv[2] ?? join(repoRoot, '../shared/corpora'));
if (!existsSync(corpora)) {
  process.stderr.write(`eval-synthesis: ${corpora} does not exist; pass the corpora folder as the first argument.\n`);
  process.exit(1);
}

const { tools } = ingest([corpora]);
const { plan } = partitionTools(tools, DEFAULT_SETTINGS);
const started = performance.now();
const outcomes = await synthesizeAll(plannedJobs(plan.domains, tools), 1, defaultWorkers(), () => undefined);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(
  `## Offline synthesis of ${corpora} (${tools.length} tools, ${plan.domains.length} domains, ${seconds} s; partition set ${plan.stats.variants} variants of names aside and isolated ${plan.isolated.length})\n\n${qualityTables(outcomes)}\n`,
);
