/**
 * Partition quality on labeled tool sets: BFCL multi-turn API classes, tools pooled from several
 * OpenAPI specs (label = spec), and tau/tau2-bench tools (label = domain). Prints ARI and purity
 * with default settings next to the plain form of the method measured in the same run.
 * Usage: npm run eval:partition [-- <corpora folder>]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/corpus/ingest.js';
import { PLAIN_WEIGHTS } from '../src/graph/features.js';
import { scoreAgainstLabels } from '../src/graph/evaluate.js';
import { DEFAULT_SETTINGS, partitionTools } from '../src/graph/partition.js';
import type { ToolSpec } from '../src/spec/tool.js';
import { markdownTable } from '../src/util/table.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const corpora = resolve(process.argv[2] ?? join(repoRoot, '../shared/corpora'));
if (!existsSync(corpora)) {
  process.stderr.write(`eval-partition: ${corpora} does not exist; pass the corpora folder as the first argument.\n`);
  process.exit(1);
}

/** BFCL prefixes every multi-turn tool description with its class sentence; strip it for the label-free variant. */
const stripClassSentence = (t: ToolSpec): ToolSpec => ({ ...t, description: t.description.replace(/^.*Tool description: /s, '') });

const sets: Array<{ name: string; tools: ToolSpec[] }> = [];
const multiTurn = ingest([join(corpora, 'bfcl_multi_turn_classes.json')]).tools;
sets.push({ name: 'BFCL multi-turn classes', tools: multiTurn });
sets.push({ name: 'BFCL multi-turn, class sentence stripped', tools: multiTurn.map(stripClassSentence) });
sets.push({ name: 'OpenAPI specs pooled', tools: ingest([join(corpora, 'openapi')]).tools });
sets.push({ name: 'tau + tau2-bench domains', tools: ingest([join(corpora, 'tau_bench_tools.json'), join(corpora, 'tau2_bench_tools.json')]).tools });

/** The plain form: TF-IDF over split parameter names, tool names and descriptions, cosine, top-10 above 0.2, Louvain at 1. */
const PLAIN = { ...DEFAULT_SETTINGS, threshold: 0.2, k: 10, resolution: 1, weights: PLAIN_WEIGHTS };

const rows: Array<Array<string | number>> = [];
for (const set of sets) {
  const labels = new Set(set.tools.map((t) => t.group)).size;
  const plain = partitionTools(set.tools, PLAIN);
  const plainScores = scoreAgainstLabels(set.tools, plain.plan, plain.communities);
  const ours = partitionTools(set.tools, DEFAULT_SETTINGS);
  const s = scoreAgainstLabels(set.tools, ours.plan, ours.communities);
  rows.push([
    set.name,
    set.tools.length,
    labels,
    plainScores.communityAri.toFixed(3),
    s.communityAri.toFixed(3),
    s.domainAri.toFixed(3),
    s.domainPurity.toFixed(3),
    ours.plan.stats.communities,
    ours.plan.stats.domains,
    ours.plan.isolated.length,
  ]);
}
process.stdout.write(
  `${markdownTable(
    ['labeled set', 'tools', 'labels', 'ARI plain', 'ARI communities', 'ARI domains', 'purity domains', 'communities', 'domains', 'isolated'],
    rows,
  )}\n\n` +
    `ARI plain: the plain form (split parameter names + tool name + description, no stemming, top-10 above 0.2, Louvain at 1).\n` +
    `ARI communities: default settings, top-level Louvain communities. ARI/purity domains: after the oversize split (max ${DEFAULT_SETTINGS.maxSize}) and the singleton rule.\n`,
);
