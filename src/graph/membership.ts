import type { PartitionPlan, PlannedDomain } from '../spec/plan.js';

/** The domain of every planned tool by name: its tools and the variants it set aside. Isolated tools have none. */
export function domainOfTool(plan: PartitionPlan): Map<string, PlannedDomain> {
  const byName = new Map<string, PlannedDomain>();
  for (const d of plan.domains) {
    for (const t of d.tools) byName.set(t, d);
    for (const v of d.variants) byName.set(v.tool, d);
  }
  return byName;
}
