/**
 * Scale benchmark (not a test): the shared real corpora pooled and enlarged deterministically to
 * 30,000 tools with realistic variations (vendor copies, renamed verbs and parameters, dropped
 * optional parameters, reworded descriptions), written as OpenAI tools JSON Lines; then ingest +
 * graph + Louvain timed per stage, with peak RSS. On a 3,000-tool sample, the approximate edges are
 * compared with exact all-pairs similarity measured in the same run.
 * Usage: npm run bench:partition [-- <tools> <corpora folder>]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/corpus/ingest.js';
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

// Build the input files outside the timed run.
const base = ingest([corpora]).tools;
const pool = enlarge(base, target);
const dir = mkdtempSync(join(tmpdir(), 'envscale-bench-'));
const files = 10;
for (let f = 0; f < files; f++) {
  const lines = pool.filter((_, i) => i % files === f).map((t) => JSON.stringify({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  writeFileSync(join(dir, `tools-${f}.jsonl`), `${lines.join('\n')}\n`);
}
const rssBefore = process.memoryUsage().rss;

const stages: Array<[string, number]> = [];
const started = performance.now();
const { tools, report } = ingest([dir]);
stages.push(['ingest', performance.now() - started]);
const { plan } = partitionTools(tools, { ...DEFAULT_SETTINGS, onStage: (s, ms) => stages.push([s, ms]) });
const total = performance.now() - started;
const peak = process.resourceUsage().maxRSS * 1024;
rmSync(dir, { recursive: true, force: true });

process.stdout.write(
  `## ${tools.length} tools (${base.length} real, enlarged; ${report.duplicates.length} duplicates dropped)\n\n` +
    markdownTable(['stage', 'time'], [...stages.map(([s, ms]) => [s, secs(ms)]), ['total ingest + graph + Louvain', secs(total)]]) +
    '\n\n' +
    markdownTable(['measure', 'value'], [
      ['edges', plan.stats.edges], ['communities', plan.stats.communities], ['domains', plan.stats.domains],
      ['isolated', plan.isolated.length], ['variants set aside', plan.stats.variants], ['modularity', plan.stats.modularity],
      ['RSS before the run', mb(rssBefore)], ['peak RSS (whole process)', mb(peak)],
      ['target', '< 60 s, < 2 GB on 2 cores'],
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
