import type { PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import type { PlannedJob } from './parallel.js';

/**
 * The corpus tools of each planned domain, in plan order. A tool renamed in the corpus because
 * another definition had its name (`variantOf`) takes its source name back when no other tool of
 * the domain has it: names only need to be unique within a domain's server, and an agent should
 * see `get_order_details`, not `get_order_details_2`.
 */
export function plannedJobs(domains: PlannedDomain[], corpus: ToolSpec[]): PlannedJob[] {
  const byName = new Map(corpus.map((t) => [t.name, t]));
  return domains.map((planned) => {
    const tools = planned.tools.map((name) => byName.get(name)!);
    const taken = new Set(tools.map((t) => t.name));
    return {
      planned,
      tools: tools.map(({ variantOf, ...tool }) => {
        if (variantOf === undefined || taken.has(variantOf)) return tool;
        taken.add(variantOf);
        return { ...tool, name: variantOf };
      }),
    };
  });
}
