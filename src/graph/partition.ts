import { createHash } from 'node:crypto';
import { canonicalJson } from '../corpus/canonical.js';
import type { PartitionPlan, PartitionSettings } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { DEFAULT_SETTINGS } from './defaults.js';
import { adjacency, louvainCommunities, modularity, splitOversize } from './communities.js';
import { DEFAULT_WEIGHTS, toolTerms, type FeatureWeights } from './features.js';
import { mergeSimilarCommunities } from './merge.js';
import { distinctiveTerms, domainNames } from './naming.js';
import { denseSpace, keepNearest, neighbourEdges, sparseSpace, topNeighbours, type Edge, type Neighbour, type SimilaritySpace, type SparseIndexOptions } from './neighbours.js';
import { attachSmallParts, describeSingletonRule } from './singletons.js';
import { REFINE_MARGIN, REFINE_ROUNDS, refineCommunities, refineDomains } from './refine.js';
import { placeVariants, setAsideVariants } from './variants.js';
import { tfidf } from './vectors.js';

export { DEFAULT_SETTINGS };

export interface PartitionOptions extends Omit<PartitionSettings, 'similarity' | 'model'> {
  weights?: FeatureWeights;
  /** Exponent on idf (see IDF_POWER); the plain form uses 1. */
  idfPower?: number;
  /** Give tools without neighbours above the threshold an edge to their nearest tool (see keepNearest); default on, off for the plain form. */
  keepNearest?: boolean;
  /** How the inverted index trades recall for speed. */
  index?: SparseIndexOptions;
  /** Unit embedding vectors, one per tool in order, to use instead of the lexical similarity. */
  embeddings?: { model: string; vectors: Float32Array[] };
  onStage?: (stage: string, ms: number) => void;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface PartitionResult {
  plan: PartitionPlan;
  edges: Edge[];
  /** Top-level communities (Louvain, merged, then refined by centroid; before the oversize split and the singleton rule), as tool indexes. */
  communities: number[][];
}

/** sha256 of what the plan depends on in the corpus, so a plan can be checked against its corpus. */
export function corpusHash(tools: ToolSpec[]): string {
  const h = createHash('sha256');
  for (const t of tools) h.update(canonicalJson([t.name, t.description, t.parameters])).update('\n');
  return h.digest('hex');
}

function histogram(sizes: number[]): Array<[number, number, number]> {
  const buckets: Array<[number, number]> = [[1, 1], [2, 2], [3, 5], [6, 10], [11, 20], [21, 40], [41, 80], [81, Number.MAX_SAFE_INTEGER]];
  return buckets
    .map(([lo, hi]) => [lo, Math.min(hi, Math.max(lo, ...sizes)), sizes.filter((s) => s >= lo && s <= hi).length] as [number, number, number])
    .filter(([, , count]) => count > 0);
}

const BATCH = 1000;

/**
 * The resolution the oversize split starts from (doubling until Louvain cuts). Low, so that an
 * oversize community is cut into the fewest parts Louvain finds: a 50-tool API becomes two domains,
 * not four. Starting at 0.1 rather than at the top-level resolution raised domain-level ARI on the
 * labeled sets with oversize labels (tau banking, the balanced OpenAPI pool) and lowered it on none.
 */
const SPLIT_RESOLUTION = 0.1;

/**
 * Tools -> tool graph -> Louvain communities -> domains. Pure and deterministic: the same tools
 * and settings give the same plan, byte for byte.
 */
export function partitionTools(tools: ToolSpec[], options: PartitionOptions): PartitionResult {
  const settings: PartitionSettings = {
    similarity: options.embeddings ? 'embeddings' : 'lexical',
    ...(options.embeddings ? { model: options.embeddings.model } : {}),
    threshold: options.threshold,
    k: options.k,
    resolution: options.resolution,
    seed: options.seed,
    maxSize: options.maxSize,
    minSize: options.minSize,
    attachThreshold: options.attachThreshold,
    mergeSimilarity: options.mergeSimilarity,
    refine: options.refine,
    keepVariants: options.keepVariants,
  };
  let clock = performance.now();
  const stage = (name: string) => {
    const now = performance.now();
    options.onStage?.(name, now - clock);
    clock = now;
  };

  const lexical = tfidf(tools.map((t) => toolTerms(t, options.weights ?? DEFAULT_WEIGHTS)), options.idfPower);
  stage('vectors');
  const space: SimilaritySpace = options.embeddings
    ? denseSpace(options.embeddings.vectors, options.seed)
    : sparseSpace(lexical.vectors, options.threshold, options.index);
  stage('index');

  const neighbours = new Map<number, Neighbour[]>();
  for (let start = 0; start < tools.length; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, tools.length - start) }, (_, i) => start + i);
    for (const [i, list] of topNeighbours(space, options.k, options.threshold, batch)) neighbours.set(i, list);
    options.onProgress?.('neighbours', Math.min(start + BATCH, tools.length), tools.length);
  }
  if (options.keepNearest !== false) keepNearest(space, neighbours, options.attachThreshold);
  const edges = neighbourEdges(neighbours);
  const adj = adjacency(tools.length, edges);
  stage('neighbours');

  const all = Array.from({ length: tools.length }, (_, i) => i);
  const louvain = louvainCommunities(all, adj, options.resolution, options.seed);
  stage('louvain');
  const merged = mergeSimilarCommunities(louvain.communities, adj, lexical.vectors, options.mergeSimilarity);
  stage('merge');
  // Before the oversize split, so that a tool moved to another community is split (and named) with it.
  const { communities: refined, moved: regrouped } = options.refine ? refineCommunities(merged, lexical.vectors) : { communities: merged, moved: 0 };
  const top = { communities: refined, modularity: modularity(refined, adj, options.resolution) };
  stage('refine communities');
  const communityOf = new Int32Array(tools.length);
  top.communities.forEach((c, ci) => c.forEach((i) => (communityOf[i] = ci)));
  // Before the split and the singleton rule, so that domains are filled and sized with distinct tools.
  const distinct = options.keepVariants ? { groups: top.communities, setAside: [] } : setAsideVariants(top.communities, tools);
  stage('variants');
  const parts = distinct.groups.flatMap((c) => splitOversize(c, adj, options.maxSize, SPLIT_RESOLUTION, options.seed));
  const oversizeSplit = distinct.groups.filter((c) => c.length > options.maxSize).length;
  stage('split');
  const small = attachSmallParts(parts, adj, space, options);
  stage('singletons');
  // A domain's community is the one most of its tools came from (attached and moved tools may come from others).
  const majorityCommunity = (d: number[]) => {
    const counts = new Map<number, number>();
    for (const i of d) counts.set(communityOf[i], (counts.get(communityOf[i]) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  };
  const atDomains = options.refine
    ? refineDomains(small.domains, adj, lexical.vectors, communityOf, small.domains.map(majorityCommunity), {
        margin: REFINE_MARGIN,
        rounds: REFINE_ROUNDS,
        minSize: options.minSize,
        maxSize: options.maxSize,
      })
    : { domains: small.domains, moved: 0 };
  stage('refine domains');
  const { domains } = atDomains;
  const variants = placeVariants(domains, distinct.setAside, tools.length);

  const terms = distinctiveTerms(domains, lexical.vectors, lexical.vocabulary);
  const names = domainNames(terms);
  const plan: PartitionPlan = {
    format: 'envscale-plan',
    version: 1,
    corpusHash: corpusHash(tools),
    settings,
    stats: {
      tools: tools.length,
      edges: edges.length,
      communities: top.communities.length,
      domains: domains.length,
      modularity: Number(top.modularity.toFixed(6)),
      oversizeSplit,
      attached: small.attached,
      regrouped,
      moved: atDomains.moved,
      variants: distinct.setAside.length,
      sizeHistogram: histogram(domains.map((d) => d.length)),
    },
    singletonRule: describeSingletonRule(options),
    domains: domains.map((d, di) => ({
      name: names[di],
      terms: terms[di],
      community: majorityCommunity(d),
      tools: d.map((i) => tools[i].name),
      variants: variants.byDomain[di].map((v) => ({ tool: tools[v.tool].name, of: tools[v.of].name })),
    })),
    isolated: [...small.isolated, ...variants.isolated].sort((a, b) => a - b).map((i) => tools[i].name),
  };
  stage('naming');
  return { plan, edges, communities: top.communities };
}
