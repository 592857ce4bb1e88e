import { createHash } from 'node:crypto';
import { canonicalJson } from '../corpus/canonical.js';
import type { PartitionPlan, PartitionSettings } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { groupBy } from '../util/group-by.js';
import { DEFAULT_SETTINGS } from './defaults.js';
import { adjacency, contract, louvainCommunities, modularity, splitOversize, type Adjacency } from './communities.js';
import { DEFAULT_WEIGHTS, toolTerms, type FeatureWeights } from './features.js';
import { centroidOf, cosine } from './centroid.js';
import { mergeSimilarCommunities } from './merge.js';
import { distinctiveTerms, domainNames } from './naming.js';
import { allTopNeighbours, denseSpace, keepNearest, neighbourEdges, sparseSpace, type Edge, type SimilaritySpace, type SparseIndexOptions } from './neighbours.js';
import { attachSmallParts, describeSingletonRule } from './singletons.js';
import { REFINE_MARGIN, REFINE_ROUNDS, refineCommunities, refineDomains } from './refine.js';
import { separateLoneTools } from './lone.js';
import { placeVariants, setAsideInDomains, setAsideVariants } from './variants.js';
import { separateParts, separateSources } from './jobs.js';
import { describeProvenance } from './provenance.js';
import { buildUnits, families, looseUnits, type Units } from './units.js';
import { withFileTitles } from './titles.js';
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

/**
 * The resolution the oversize split starts from (doubling until Louvain cuts). Low, so that an
 * oversize community is cut into the fewest parts Louvain finds: a 50-tool API becomes two domains,
 * not four. Starting at 0.1 rather than at the top-level resolution raised domain-level ARI on the
 * labeled sets with oversize labels (tau banking, the balanced OpenAPI pool) and lowered it on none.
 */
const SPLIT_RESOLUTION = 0.1;

/**
 * The oversize split of one community over its units: a source (or a part of one) is never cut.
 * Units lose their set-aside variants first (`community` holds the distinct tools only).
 */
function splitByUnits(community: number[], units: Units, unitAdj: Adjacency, s: { maxSize: number; seed: number }): number[][] {
  const kept = groupBy(community, (i) => units.unitOf[i]);
  return splitOversize([...kept.keys()], unitAdj, s.maxSize, SPLIT_RESOLUTION, s.seed, (u) => kept.get(u)!.length).map((part) =>
    part.flatMap((u) => kept.get(u)!).sort((a, b) => a - b),
  );
}

/**
 * The domains of some tools partitioned on their own, every tool loose (isolated ones as parts of
 * one): how a large source with no structure to cut along is cut, in its own vocabulary.
 */
function partitionAlone(tools: ToolSpec[], members: number[], options: PartitionOptions): number[][] {
  const index = new Map(members.map((i) => [tools[i].name, i]));
  const { plan } = partitionTools(
    members.map((i) => tools[i]),
    {
      ...options,
      sources: false,
      keepVariants: true,
      onStage: undefined,
      onProgress: undefined,
      embeddings: options.embeddings && { model: options.embeddings.model, vectors: members.map((i) => options.embeddings!.vectors[i]) },
    },
  );
  return [...plan.domains.map((d) => d.tools), ...plan.isolated.map((t) => [t])].map((names) => names.map((n) => index.get(n)!).sort((a, b) => a - b));
}

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
    sources: options.sources,
    sameJob: options.sameJob,
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

  const neighbours = allTopNeighbours(space, options.k, options.threshold, options.onProgress && ((done, total) => options.onProgress!('neighbours', done, total)));
  if (options.keepNearest !== false) keepNearest(space, neighbours, options.attachThreshold);
  const edges = neighbourEdges(neighbours);
  const adj = adjacency(tools.length, edges);
  stage('neighbours');

  // Units: sources kept whole or cut along their structure, every other tool on its own.
  const units = options.sources
    ? buildUnits(tools, adj, lexical.vectors, { maxSize: options.maxSize, minSize: options.minSize, bySimilarity: (members) => partitionAlone(tools, members, options) })
    : looseUnits(tools.length);
  const loose = (i: number) => units.sourceOf[units.unitOf[i]] < 0;
  const hasSource = (community: number[]) => community.some((i) => !loose(i));
  stage('sources');

  // Louvain over families (a source cannot be cut), then sources kept apart unless they do the same job.
  const family = families(units);
  const louvain = louvainCommunities(family.members.map((_, f) => f), contract(adj, family.of, family.members.length), options.resolution, options.seed);
  const byFamily = louvain.communities.map((c) => c.flatMap((f) => family.members[f]).sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]);
  const separated = options.sources ? separateSources(byFamily, units, lexical.vectors, options.sameJob, options.maxSize) : byFamily;
  stage('louvain');
  const merged = mergeSimilarCommunities(separated, adj, lexical.vectors, options.mergeSimilarity, { of: hasSource, threshold: options.sameJob });
  stage('merge');
  // Before the oversize split, so that a tool moved to another community is split (and named) with it.
  const { communities: refined, moved: regrouped } = options.refine ? refineCommunities(merged, lexical.vectors, undefined, loose) : { communities: merged, moved: 0 };
  const top = { communities: refined, modularity: modularity(refined, adj, options.resolution) };
  stage('refine communities');
  const communityOf = new Int32Array(tools.length);
  top.communities.forEach((c, ci) => c.forEach((i) => (communityOf[i] = ci)));
  // Before the split and the singleton rule, so that domains are filled and sized with distinct tools.
  const distinct = options.keepVariants ? { groups: top.communities, setAside: [] } : setAsideVariants(top.communities, tools, { unitOf: units.unitOf, loose });
  stage('variants');
  const unitAdj = contract(adj, units.unitOf, units.members.length);
  const parts = separateParts(distinct.groups, units, lexical.vectors).flatMap((c) => splitByUnits(c, units, unitAdj, options));
  const oversizeSplit = distinct.groups.filter((c) => c.length > options.maxSize).length;
  stage('split');
  // A source too small to be a domain joins one as communities merge: when their centroids are similar enough.
  const fits = (unit: number[], domain: number[]) =>
    cosine(centroidOf(unit, lexical.vectors), centroidOf(domain, lexical.vectors)) >= options.mergeSimilarity;
  const small = attachSmallParts(parts, adj, space, options, { unitOf: units.unitOf, fits });
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
      }, loose)
    : { domains: small.domains, moved: 0 };
  stage('refine domains');
  const lone = options.sources
    ? separateLoneTools(atDomains.domains, loose, adj, lexical.vectors, options)
    : { domains: atDomains.domains, apart: 0, isolated: [] };
  stage('lone tools');
  const { domains, setAside: metInDomains } = options.keepVariants ? { domains: lone.domains, setAside: [] } : setAsideInDomains(lone.domains, tools);
  const variants = placeVariants(domains, [...distinct.setAside, ...metInDomains], tools.length);

  const terms = distinctiveTerms(domains, lexical.vectors, lexical.vocabulary);
  const names = domainNames(domains, withFileTitles(tools, units.sources), terms);
  const provenance = describeProvenance(units, domains, names, variants.byDomain, lexical.vectors, lexical.vocabulary, options.maxSize);
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
      loneApart: lone.apart,
      variants: distinct.setAside.length + metInDomains.length,
      ...provenance.stats,
      sizeHistogram: histogram(domains.map((d) => d.length)),
    },
    singletonRule: describeSingletonRule(options),
    domains: domains.map((d, di) => ({
      name: names[di],
      terms: terms[di],
      community: majorityCommunity(d),
      tools: d.map((i) => tools[i].name),
      variants: variants.byDomain[di].map((v) => ({ tool: tools[v.tool].name, of: tools[v.of].name })),
      ...provenance.domains[di],
    })),
    sources: provenance.sources,
    isolated: [...small.isolated, ...lone.isolated, ...variants.isolated].sort((a, b) => a - b).map((i) => tools[i].name),
  };
  stage('naming');
  return { plan, edges, communities: top.communities };
}
