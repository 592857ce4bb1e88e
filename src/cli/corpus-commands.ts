import type { Command } from 'commander';
import { decimal, nonNegativeInt, positiveInt } from './options.js';
import { DEFAULT_SETTINGS } from '../graph/defaults.js';

/** `envscale ingest` and `envscale partition`: tool collections -> corpus.json -> plan.json. */
export function registerCorpusCommands(program: Command): void {
  program
    .command('ingest')
    .description('read tool collections (OpenAI tools, MCP tools/list, OpenAPI/Swagger, BFCL) into one corpus of uniquely named tools')
    .argument('<paths...>', 'files or folders (.json, .jsonl, .yaml)')
    .option('-o, --out <file>', 'corpus file to write', 'corpus.json')
    .option('--report', 'print a table per file and the skipped records')
    .action(async (paths: string[], opts: { out: string; report?: boolean }) => {
      const { runIngest } = await import('../corpus/run.js');
      runIngest(paths, opts);
    });

  const d = DEFAULT_SETTINGS;
  program
    .command('partition')
    .description('build the tool graph of a corpus and cut it into domains with Louvain; write the partition plan')
    .argument('<corpus>', 'corpus file written by `envscale ingest`')
    .option('-o, --out <file>', 'plan file to write', 'plan.json')
    .option('-g, --graph <file>', 'also write the tool graph: .gexf (Gephi) or .json (graphology)')
    .option('--threshold <x>', 'minimum similarity of an edge', decimal('--threshold'), d.threshold)
    .option('-k, --k <n>', 'at most this many neighbours per tool', positiveInt('-k'), d.k)
    .option('--resolution <x>', 'Louvain resolution (higher: smaller communities)', decimal('--resolution', true), d.resolution)
    .option('--seed <n>', 'seed of Louvain and of the embedding hash', nonNegativeInt('--seed'), d.seed)
    .option('--max-size <n>', 'split communities larger than this', positiveInt('--max-size'), d.maxSize)
    .option('--min-size <n>', 'communities smaller than this go through the singleton rule', positiveInt('--min-size'), d.minSize)
    .option('--attach-threshold <x>', 'minimum similarity for attaching a tiny or isolated tool to a domain', decimal('--attach-threshold'), d.attachThreshold)
    .option('--merge-similarity <x>', 'merge adjacent communities whose TF-IDF centroids are at least this similar (above 1: never)', decimal('--merge-similarity'), d.mergeSimilarity)
    .option('--no-refine', 'keep Louvain\'s placement: do not move single tools to the community and domain whose vocabulary fits them better')
    .option('--no-sources', 'ignore where tools come from: place every tool by similarity alone (by default each spec, tool list or class stays one domain up to --max-size)')
    .option('--same-job <x>', 'two sources share a domain when their TF-IDF centroids are at least this similar (above 1: never)', decimal('--same-job'), d.sameJob)
    .option('--keep-variants', 'keep every variant of a tool name in a domain (by default a domain keeps the fullest one and lists the others)', false)
    .option('--embeddings <provider>', 'use embeddings instead of the lexical similarity (openai: OPENAI_BASE_URL, OPENAI_API_KEY)')
    .option('--model <name>', 'embedding model for --embeddings')
    .option('--cache-dir <dir>', 'embedding cache folder', '.envscale/cache/embeddings')
    .option('--report', 'print a summary: statistics, then per domain its sources and tools, the sources cut (why and where) and the merges of sources')
    .action(async (corpus: string, opts) => {
      const { runPartition } = await import('../graph/run.js');
      await runPartition(corpus, opts);
    });
}
