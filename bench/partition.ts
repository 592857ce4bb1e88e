/**
 * Scale benchmark (not a test): the shared real corpora pooled and enlarged deterministically to
 * 30,000 tools with realistic variations (vendor copies, renamed verbs and parameters, dropped
 * optional parameters, reworded descriptions), written as a folder of MCP tools/list files, one per
 * vendor and source document (as a user pooling hundreds of servers would have them); then ingest
 * + graph + Louvain timed per stage, with peak RSS and CPU time. Baseline in the same run: the
 * same corpus partitioned without sources (every tool placed by similarity alone). On a 3,000-tool
 * sample, the approximate edges are compared with exact all-pairs similarity measured in the same run.
 * Usage: npm run bench:partition [-- <tools> <corpora folder>]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/corpus/ingest.js';
import { documentOf } from '../src/corpus/types.js';
import { DEFAULT_WEIGHTS, toolTerms } from '../src/graph/features.js';
import { edgeRecall, exactSpace, sparseSpace, topNeighbours } from '../src/graph/neighbours.js';
import { DEFAULT_SETTINGS, partitionTools } from '../src/graph/partition.js';
import { sparseDot, tfidf } from '../src/graph/vectors.js';
import type { ToolSpec } from '../src/spec/tool.js';
import { markdownTable } from '../src/util/table.js';
import { enlarge } from './enlarge.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const target = Number(process.argv[2] ?? 30_000);
const corpora = resolve(process.argv[3] ?? join(repoRoot, '../shared/corpora'));

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

// Build the input files outside the timed run: one tools/list file per vendor copy of each source document.
const base = ingest([corpora]).tools;
const pool = enlarge(base, target);
const dir = mkdtempSync(join(tmpdir(), 'envscale-bench-'));
const files = new Map<string, unknown[]>();
for (const [i, t] of pool.entries()) {
  // The real tools come first; each copy is named `<vendor>_<name>`.
  const vendor = i < base.length ? 'original' : t.name.split('_')[0];
  // The document's path inside its repository or the corpora folder, as folders.
  const doc = documentOf(t.source).replace(/^.*@[0-9a-f]+:/, '').replace(corpora, '').replace(/[^A-Za-z0-9_./-]/g, '_').replace(/^\/+/, '');
  const file = join(vendor, `${doc}.json`);
  const list = files.get(file) ?? [];
  list.push({ name: t.name, description: t.description, inputSchema: t.parameters });
  files.set(file, list);
}
for (const [file, tools] of files) {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), JSON.stringify({ tools }));
}
const rssBefore = process.memoryUsage().rss;

/** Ingest + partition, timed per stage: wall time, and CPU time (user + system) for the whole run. */
function run(sources: boolean) {
  const stages: Array<[string, number]> = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { tools, report } = ingest([dir]);
  stages.push(['ingest', performance.now() - started]);
  const { plan } = partitionTools(tools, { ...DEFAULT_SETTINGS, sources, onStage: (s, ms) => stages.push([s, ms]) });
  const used = process.cpuUsage(cpu);
  return { tools, report, plan, stages, total: performance.now() - started, cpu: (used.user + used.system) / 1000 };
}
const ours = run(true);
const peak = process.resourceUsage().maxRSS * 1024;
const baseline = run(false);
rmSync(dir, { recursive: true, force: true });
const { tools, report, plan, stages, total } = ours;

const baseStage = new Map(baseline.stages);
process.stdout.write(
  `## ${tools.length} tools in ${files.size} tool lists (${base.length} real, enlarged; ${report.duplicates.length} duplicates dropped)\n\n` +
    markdownTable(['stage', 'time', 'baseline: no sources'], [
      ...stages.map(([s, ms]) => [s, secs(ms), baseStage.has(s) ? secs(baseStage.get(s)!) : '']),
      ['total ingest + graph + Louvain (wall)', secs(total), secs(baseline.total)],
      ['total CPU time (user + system)', secs(ours.cpu), secs(baseline.cpu)],
    ]) +
    '\n\n' +
    markdownTable(['measure', 'value', 'baseline: no sources'], [
      ['edges', plan.stats.edges, baseline.plan.stats.edges], ['communities', plan.stats.communities, baseline.plan.stats.communities],
      ['domains', plan.stats.domains, baseline.plan.stats.domains], ['isolated', plan.isolated.length, baseline.plan.isolated.length],
      ['variants set aside', plan.stats.variants, baseline.plan.stats.variants], ['modularity', plan.stats.modularity, baseline.plan.stats.modularity],
      ['sources of 2-' + plan.settings.maxSize + ' tools kept whole', `${plan.stats.sourcesKeptWhole} of ${plan.stats.sources}`, ''],
      ['sources cut (larger)', plan.stats.sourcesCut ?? 0, ''], ['sources placed tool by tool', (plan.sources ?? []).filter((x) => x.treatment === 'loose').length, ''],
      ['RSS before the runs', mb(rssBefore), ''], ['peak RSS (whole process, after our run)', mb(peak), ''],
      ['target', '< 60 s, < 2 GB on 2 cores', ''],
    ]) + '\n\n',
);

// Recall on a sample: approximate (inverted index) against exact all-pairs, same vectors, same run.
const sample = tools.filter((_, i) => i % Math.max(1, Math.floor(tools.length / 3000)) === 0).slice(0, 3000);
const { vectors } = tfidf(sample.map((t) => toolTerms(t, DEFAULT_WEIGHTS)));
const { k, threshold } = DEFAULT_SETTINGS;
const timed = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  return [f(), performance.now() - t0];
};
const [approx, approxMs] = timed(() => topNeighbours(sparseSpace(vectors, threshold), k, threshold));
const [exact, exactMs] = timed(() => topNeighbours(exactSpace(vectors.length, (i, j) => sparseDot(vectors[i], vectors[j])), k, threshold));
const [approxAll] = timed(() => topNeighbours(sparseSpace(vectors, threshold), Number.MAX_SAFE_INTEGER, threshold));
const [exactAll] = timed(() => topNeighbours(exactSpace(vectors.length, (i, j) => sparseDot(vectors[i], vectors[j])), Number.MAX_SAFE_INTEGER, threshold));
const [knnFound, knnAll] = edgeRecall(exact, approx);
const [pairFound, pairAll] = edgeRecall(exactAll, approxAll);
process.stdout.write(
  `## Edge recall on a ${sample.length}-tool sample (top-${k}, similarity >= ${threshold})\n\n` +
    markdownTable(['method', 'neighbour search time', 'edges found', 'recall'], [
      ['exact all pairs (baseline)', secs(exactMs), knnAll, '1.000'],
      ['inverted index (default)', secs(approxMs), knnFound, (knnFound / knnAll).toFixed(3)],
      ['inverted index, all pairs above threshold (no top-k)', '', `${pairFound} of ${pairAll}`, (pairFound / pairAll).toFixed(3)],
    ]) + '\n',
);
