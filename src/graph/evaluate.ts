import { join } from 'node:path';
import { ingest } from '../corpus/ingest.js';
import type { PartitionPlan } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { domainOfTool } from './membership.js';
import { adjustedRandIndex, purity } from './metrics.js';
import type { FeatureWeights } from './features.js';
import { DEFAULT_SETTINGS, partitionTools } from './partition.js';
import { seededRng } from './rng.js';

export interface LabelScores {
  /** ARI of the top-level Louvain communities against the labels. */
  communityAri: number;
  /** ARI of the final domains (isolated tools count as clusters of one). */
  domainAri: number;
  /** Purity of the final domains: share of tools whose domain's most common label is their own. */
  domainPurity: number;
  /**
   * Share of labels with 2 to maxSize tools whose tools all sit in one domain (a set-aside variant
   * counts in its kept tool's domain; an isolated tool is in none). Labels larger than a domain may
   * be cannot be kept whole and are not counted; 1 when no label qualifies.
   */
  keptWhole: number;
  /** How many labels `keptWhole` counts over. */
  keptWholeOf: number;
}

/** Score a partition against the tools' `group` labels. */
export function scoreAgainstLabels(tools: ToolSpec[], plan: PartitionPlan, communities: number[][]): LabelScores {
  const truth = tools.map((t) => t.group ?? '');
  const byCommunity: string[] = new Array(tools.length);
  communities.forEach((c, ci) => c.forEach((i) => (byCommunity[i] = `c${ci}`)));
  const domainOf = domainOfTool(plan);
  const byDomain = tools.map((t) => domainOf.get(t.name)?.name ?? `isolated:${t.name}`);
  const domainsOf = new Map<string, Set<string>>();
  truth.forEach((label, i) => {
    const set = domainsOf.get(label) ?? new Set<string>();
    set.add(byDomain[i]);
    domainsOf.set(label, set);
  });
  const sizes = new Map<string, number>();
  for (const label of truth) sizes.set(label, (sizes.get(label) ?? 0) + 1);
  const counted = [...sizes].filter(([, n]) => n >= 2 && n <= plan.settings.maxSize).map(([label]) => label);
  const whole = counted.filter((label) => domainsOf.get(label)!.size === 1).length;
  return {
    communityAri: adjustedRandIndex(truth, byCommunity),
    domainAri: adjustedRandIndex(truth, byDomain),
    domainPurity: purity(truth, byDomain),
    keptWhole: counted.length === 0 ? 1 : whole / counted.length,
    keptWholeOf: counted.length,
  };
}

/**
 * The domain-level ARI the labels themselves reach when no domain may exceed `maxSize` tools: each
 * label larger than `maxSize` cut into full parts of `maxSize` and a rest, which keeps the most
 * pairs of a label together. A labeled set whose labels are larger than a domain cannot score 1 at
 * domain level.
 */
export function reachableDomainAri(tools: ToolSpec[], maxSize: number): number {
  const truth = tools.map((t) => t.group ?? '');
  const seen = new Map<string, number>();
  const chopped = truth.map((label) => {
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    return `${label}\u0000${Math.floor(k / maxSize)}`;
  });
  return adjustedRandIndex(truth, chopped);
}

/**
 * The plain form of the method the partition is measured against: TF-IDF (idf = ln N/df) over the
 * given features, cosine, top-10 neighbours above 0.2, Louvain at resolution 1, nothing before or
 * after (no sources, no merging, no refinement); its ARI on the top-level communities.
 */
export function plainFormAri(tools: ToolSpec[], weights: FeatureWeights): number {
  const plain = partitionTools(tools, {
    ...DEFAULT_SETTINGS,
    threshold: 0.2,
    k: 10,
    resolution: 1,
    weights,
    idfPower: 1,
    keepNearest: false,
    mergeSimilarity: 2,
    refine: false,
    keepVariants: true,
    sources: false,
  });
  return scoreAgainstLabels(tools, plain.plan, plain.communities).communityAri;
}

/** At most `per` tools of each label, drawn with a seeded shuffle, so that no source dominates the pairs ARI counts. */
export function balancedSample(tools: ToolSpec[], per: number, seed: number): ToolSpec[] {
  const byLabel = new Map<string, ToolSpec[]>();
  for (const t of tools) {
    const list = byLabel.get(t.group ?? '');
    if (list) list.push(t);
    else byLabel.set(t.group ?? '', [t]);
  }
  const rng = seededRng(seed);
  return [...byLabel.values()].flatMap((list) => {
    const shuffled = [...list];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    return shuffled.slice(0, per);
  });
}

/** A labeled set and the level its headline ARI is read at: domains, or communities when a label cannot fit in one domain. */
export interface LabeledSet {
  name: string;
  tools: ToolSpec[];
  headline: 'domains' | 'communities';
}

/**
 * The label-free variant of BFCL's classes: BFCL prefixes every multi-turn tool description with
 * its class sentence, and the source names the class file; strip both, so that each tool is its
 * own source and only its text is left to lean on.
 */
export const stripClass = (t: ToolSpec, i: number): ToolSpec => ({ ...t, description: t.description.replace(/^.*Tool description: /s, ''), source: `tool-${i}` });

/**
 * Every labeled set in a corpora folder laid out as ../shared/corpora (label = `group`): BFCL's
 * multi-turn classes, as given and stripped; each folder of OpenAPI specs pooled (label = spec),
 * whole and as a balanced sample of at most maxSize operations per spec; tau-bench and tau2-bench
 * tools (label = domain); tau2's retail tools alone (one label, one expected domain).
 */
export function labeledSets(corpora: string, maxSize: number): LabeledSet[] {
  const multiTurn = ingest([join(corpora, 'bfcl_multi_turn_classes.json')]).tools;
  const openApi = ingest([join(corpora, 'openapi')]).tools;
  const openApiExtra = ingest([join(corpora, 'openapi-extra')]).tools;
  const tau = ingest([join(corpora, 'tau_bench_tools.json'), join(corpora, 'tau2_bench_tools.json')]).tools;
  const specs = (tools: ToolSpec[]) => new Set(tools.map((t) => t.group)).size;
  return [
    { name: 'BFCL multi-turn classes', tools: multiTurn, headline: 'domains' },
    { name: 'BFCL multi-turn, class sentence and source stripped', tools: multiTurn.map(stripClass), headline: 'domains' },
    { name: `OpenAPI, ${specs(openApi)} specs pooled (full)`, tools: openApi, headline: 'communities' },
    { name: `OpenAPI, ${specs(openApi)} specs pooled (balanced, <= ${maxSize} per spec)`, tools: balancedSample(openApi, maxSize, 1), headline: 'domains' },
    { name: `OpenAPI extra, ${specs(openApiExtra)} specs pooled (full)`, tools: openApiExtra, headline: 'communities' },
    { name: `OpenAPI extra, ${specs(openApiExtra)} specs pooled (balanced, <= ${maxSize} per spec)`, tools: balancedSample(openApiExtra, maxSize, 1), headline: 'domains' },
    { name: 'tau + tau2-bench domains', tools: tau, headline: 'domains' },
    { name: 'tau2-bench retail alone', tools: ingest([join(corpora, 'tau2_bench_tools.json')]).tools.filter((t) => t.group === 'retail'), headline: 'domains' },
  ];
}
