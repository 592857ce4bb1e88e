import { join } from 'node:path';
import { CorpusFile, type PartitionPlan } from '../spec/plan.js';
import { UserError } from '../util/errors.js';
import { readJsonFile, writeFileAtomic } from '../util/files.js';
import { markdownTable } from '../util/table.js';
import { embedTexts } from './embeddings.js';
import { toGexf, toGraphologyJson } from './export.js';
import { toolText } from './features.js';
import { DEFAULT_SETTINGS, partitionTools, type PartitionOptions } from './partition.js';
import { terminalProgress } from './progress.js';

export interface PartitionCommandOptions {
  out: string;
  graph?: string;
  threshold: number;
  k: number;
  resolution: number;
  seed: number;
  maxSize: number;
  minSize: number;
  attachThreshold: number;
  mergeSimilarity: number;
  refine: boolean;
  keepVariants: boolean;
  embeddings?: string;
  model?: string;
  cacheDir?: string;
  report?: boolean;
}

/** Read a corpus file written by `envscale ingest`, with one clear sentence when it is not one. */
export function readCorpus(path: string): CorpusFile {
  const parsed = CorpusFile.safeParse(readJsonFile(path));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${path} is not an envscale corpus (${issue.path.join('/') || 'top level'}: ${issue.message}); make one from your tool collections with \`envscale ingest <files> -o corpus.json\` and partition that file.`);
  }
  return parsed.data;
}

/** The summary table of a plan: its statistics, then its largest domains. */
export function describePlan(plan: PartitionPlan, timings: Array<[string, number]>): string {
  const s = plan.stats;
  const stats = markdownTable(['measure', 'value'], [
    ['tools', s.tools], ['edges', s.edges], ['Louvain communities', s.communities], ['modularity', s.modularity],
    ['communities split (>' + plan.settings.maxSize + ')', s.oversizeSplit], ['domains', s.domains],
    ['tools moved to a better-fitting community', s.regrouped], ['tools attached by the singleton rule', s.attached], ['tools moved to a better-fitting domain', s.moved], ['variants set aside (one kept per name and community)', s.variants], ['isolated tools', plan.isolated.length],
    ...s.sizeHistogram.map(([lo, hi, n]): [string, number] => [`domains of ${lo === hi ? lo : `${lo}-${hi}`} tools`, n]),
    ...timings.map(([stage, ms]): [string, string] => [`time: ${stage}`, `${Math.round(ms)} ms`]),
  ]);
  const top = [...plan.domains].sort((a, b) => b.tools.length - a.tools.length || (a.name < b.name ? -1 : 1)).slice(0, 15);
  const domains = markdownTable(['domain', 'tools', 'terms'], top.map((d) => [d.name, d.tools.length, d.terms.join(', ')]));
  return `${stats}\n\nSingleton rule: ${plan.singletonRule}\n\nLargest domains:\n\n${domains}`;
}

/** `envscale partition`: corpus -> plan.json (and the graph file), printing a summary. */
export async function runPartition(corpusPath: string, opts: PartitionCommandOptions): Promise<void> {
  const { tools } = readCorpus(corpusPath);
  if (tools.length === 0) throw new UserError(`${corpusPath} holds no tools; ingest some tool collections first.`);
  const progress = terminalProgress();
  const options: PartitionOptions = {
    ...DEFAULT_SETTINGS,
    threshold: opts.threshold,
    k: opts.k,
    resolution: opts.resolution,
    seed: opts.seed,
    maxSize: opts.maxSize,
    minSize: opts.minSize,
    attachThreshold: opts.attachThreshold,
    mergeSimilarity: opts.mergeSimilarity,
    refine: opts.refine,
    keepVariants: opts.keepVariants,
    onProgress: progress.update,
  };
  const timings: Array<[string, number]> = [];
  options.onStage = (stage, ms) => timings.push([stage, ms]);
  if (opts.embeddings !== undefined) {
    if (opts.embeddings !== 'openai') throw new UserError(`Unknown embeddings provider ${opts.embeddings}; use --embeddings openai.`);
    if (!opts.model) throw new UserError('--embeddings openai needs --model <embedding model>.');
    const started = performance.now();
    const vectors = await embedTexts(tools.map(toolText), {
      model: opts.model,
      cacheDir: opts.cacheDir ?? join('.envscale', 'cache', 'embeddings'),
      onProgress: (done, total) => progress.update('embeddings', done, total),
    });
    timings.push(['embeddings', performance.now() - started]);
    options.embeddings = { model: opts.model, vectors };
  }
  const { plan, edges } = partitionTools(tools, options);
  progress.stop();
  writeFileAtomic(opts.out, `${JSON.stringify(plan, null, 1)}\n`);
  if (opts.graph) {
    writeFileAtomic(opts.graph, opts.graph.endsWith('.json') ? toGraphologyJson(tools, edges, plan) : toGexf(tools, edges, plan));
  }
  process.stdout.write(
    `Wrote ${opts.out}: ${plan.stats.domains} domains from ${plan.stats.tools} tools (${plan.isolated.length} isolated, ${plan.stats.variants} variants set aside)` +
      `${opts.graph ? `, graph in ${opts.graph}` : ''}.\n`,
  );
  if (opts.report) process.stdout.write(`\n${describePlan(plan, timings)}\n`);
}
