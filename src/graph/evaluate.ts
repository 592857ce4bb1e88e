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
 * The best domain-level ARI any partition can reach when no domain may exceed `maxSize` tools:
 * that of the labels themselves, each label larger than `maxSize` cut into the fewest even parts.
 * A labeled set whose labels are larger than a domain cannot score 1 at domain level.
 */
export function reachableDomainAri(tools: ToolSpec[], maxSize: number): number {
  const truth = tools.map((t) => t.group ?? '');
  const sizes = new Map<string, number>();
  for (const label of truth) sizes.set(label, (sizes.get(label) ?? 0) + 1);
  const seen = new Map<string, number>();
  const chopped = truth.map((label) => {
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    const size = sizes.get(label)!;
    const per = Math.ceil(size / Math.ceil(size / maxSize));
    return `${label}\u0000${Math.floor(k / per)}`;
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
