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
