import type { PartitionPlan } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { adjustedRandIndex, purity } from './metrics.js';

export interface LabelScores {
  /** ARI of the top-level Louvain communities against the labels. */
  communityAri: number;
  /** ARI of the final domains (isolated tools count as clusters of one). */
  domainAri: number;
  /** Purity of the final domains. */
  domainPurity: number;
}

/** Score a partition against the tools' `group` labels. */
export function scoreAgainstLabels(tools: ToolSpec[], plan: PartitionPlan, communities: number[][]): LabelScores {
  const truth = tools.map((t) => t.group ?? '');
  const byCommunity: string[] = new Array(tools.length);
  communities.forEach((c, ci) => c.forEach((i) => (byCommunity[i] = `c${ci}`)));
  const domainOf = new Map<string, string>();
  for (const d of plan.domains) for (const name of d.tools) domainOf.set(name, d.name);
  const byDomain = tools.map((t) => domainOf.get(t.name) ?? `isolated:${t.name}`);
  return {
    communityAri: adjustedRandIndex(truth, byCommunity),
    domainAri: adjustedRandIndex(truth, byDomain),
    domainPurity: purity(truth, byDomain),
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
