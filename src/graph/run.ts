import { join } from 'node:path';
import { CorpusFile, type PartitionPlan } from '../spec/plan.js';
import { UserError } from '../util/errors.js';
import { readJsonFile, writeFileAtomic } from '../util/files.js';
import { markdownTable } from '../util/table.js';
import { embedTexts } from './embeddings.js';
import { toGexf, toGraphologyJson } from './export.js';
import { toolText } from './features.js';
import { DEFAULT_SETTINGS, partitionTools, type PartitionOptions } from './partition.js';
import { terminalProgress } from '../util/progress.js';

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
  sources: boolean;
  sameJob: number;
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

/**
 * Sources' names as the report shows them: the fewest trailing parts of their paths that tell them
 * apart (`notes.mcp.json`, but `retail/tools.py` and `airline/tools.py`), with the record or
 * collection after `#` (`tools.jsonl:3`, `bfcl.json#entry_1`, `servers.json#figma`).
 */
export function shortSources(names: string[]): string[] {
  const split = names.map((name) => {
    const hash = name.indexOf('#');
    const doc = hash < 0 ? name : name.slice(0, hash);
    const folder = doc.endsWith('/');
    return { parts: (folder ? doc.slice(0, -1) : doc).split('/'), tail: `${folder ? '/' : ''}${hash < 0 ? '' : name.slice(hash)}` };
  });
  const suffix = (k: number, { parts, tail }: (typeof split)[number]) => `${parts.slice(-k).join('/')}${tail}`;
  const short = names.map(() => '');
  const deepest = Math.max(0, ...split.map((x) => x.parts.length));
  for (let k = 1; k <= deepest; k++) {
    const counts = new Map<string, number>();
    for (const x of split) counts.set(suffix(k, x), (counts.get(suffix(k, x)) ?? 0) + 1);
    split.forEach((x, i) => {
      if (short[i] === '' && (counts.get(suffix(k, x)) === 1 || k >= x.parts.length)) short[i] = suffix(k, x);
    });
  }
  return short;
}

/**
 * Where the domains come from: per domain its sources and tools (with the terms its sources share
 * when it joins several), then the sources that were cut (why, and which sections went where).
 */
export function describeSources(plan: PartitionPlan): string {
  const lines: string[] = [];
  const s = plan.stats;
  const sources = plan.sources ?? [];
  const names = sources.map((src) => src.name);
  const short = new Map(shortSources(names).map((s, i) => [names[i], s]));
  const shortSource = (name: string) => short.get(name) ?? name;
  lines.push(
    plan.settings.sources
      ? `Sources: ${s.sources ?? 0} of 2 to ${plan.settings.maxSize} tools, ${s.sourcesKeptWhole ?? 0} of them kept whole in one domain; ${s.sourcesCut ?? 0} larger one${s.sourcesCut === 1 ? '' : 's'} cut along their structure (or by similarity where they have none). ` +
        `Lone tools (a source of one tool, or a tool placed one by one) join a domain with a source only when they fit it as well as its own tools do` +
        `${s.loneApart ? `; ${s.loneApart} did not and were placed among the other lone tools` : ''}.`
      : 'Sources: not used (every tool placed by similarity alone).',
  );
  const loose = sources.filter((src) => src.treatment === 'loose');
  if (loose.length > 0) lines.push(`Placed tool by tool (collections whose tools share too little to be one source): ${loose.map((src) => `${shortSource(src.name)} (${src.tools})`).join(', ')}.`);
  lines.push('', 'Domains:');
  for (const d of plan.domains) {
    const fromSources = (d.sources ?? []).reduce((n, x) => n + x.tools, 0);
    const looseTools = d.tools.length + d.variants.length - fromSources;
    const origin = [...(d.sources ?? []).map((x) => `${shortSource(x.source)} (${x.tools})`), ...(looseTools > 0 ? [`${looseTools} lone tool${looseTools === 1 ? '' : 's'}`] : [])];
    lines.push('', `${d.name}: ${d.tools.length} tools${d.variants.length > 0 ? ` (+${d.variants.length} variants set aside)` : ''} from ${origin.join(', ')}`);
    if ((d.shared ?? []).length > 0) lines.push(`  merged: its sources share ${d.shared!.join(', ')}`);
    lines.push(`  tools: ${d.tools.join(', ')}`);
  }
  const cut = sources.filter((src) => src.cut);
  if (cut.length > 0) {
    lines.push('', 'Sources cut:');
    for (const src of cut) {
      lines.push('', `${shortSource(src.name)}: ${src.cut!.reason}`);
      for (const part of src.cut!.parts) lines.push(`  ${part.domain ?? '(isolated)'} (${part.tools}): ${part.where.join('; ') || 'whole'}`);
    }
  }
  if (plan.isolated.length > 0) lines.push('', `Isolated (similar to no domain and no other lone tool; kept apart, in no domain): ${plan.isolated.join(', ')}`);
  return lines.join('\n');
}

/** The summary table of a plan: its statistics, then its largest domains. */
export function describePlan(plan: PartitionPlan, timings: Array<[string, number]>): string {
  const s = plan.stats;
  const stats = markdownTable(['measure', 'value'], [
    ['tools', s.tools], ['edges', s.edges],
    ['sources (2 to ' + plan.settings.maxSize + ' tools)', s.sources ?? 0], ['sources kept whole', s.sourcesKeptWhole ?? 0], ['sources cut (larger)', s.sourcesCut ?? 0],
    ['Louvain communities', s.communities], ['modularity', s.modularity],
    ['communities split (>' + plan.settings.maxSize + ')', s.oversizeSplit], ['domains', s.domains],
    ['tools moved to a better-fitting community', s.regrouped], ['tools attached by the singleton rule', s.attached], ['tools moved to a better-fitting domain', s.moved], ['lone tools that left a server they did not fit', s.loneApart ?? 0], ['variants set aside (one kept per name and community)', s.variants], ['isolated tools', plan.isolated.length],
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
    sources: opts.sources,
    sameJob: opts.sameJob,
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
  if (opts.report) process.stdout.write(`\n${describePlan(plan, timings)}\n\n${describeSources(plan)}\n`);
}
