import type { PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import type { PlannedJob } from './parallel.js';

/**
 * Header and cookie parameters of an OpenAPI operation carry credentials and transport (Slack's
 * `token`, `X-Postmark-Server-Token`, Walmart's `WM_SEC.AUTH_SIGNATURE`); a simulated server has
 * neither, and a user should not be asked for them. The corpus keeps them (they tell APIs apart).
 */
const TRANSPORT = new Set(['header', 'cookie']);

function withoutTransport(tool: ToolSpec): ToolSpec {
  const properties = tool.parameters.properties ?? {};
  const dropped = Object.keys(properties).filter((name) => TRANSPORT.has(String(properties[name]['x-in'])));
  if (dropped.length === 0) return tool;
  const kept = Object.fromEntries(Object.entries(properties).filter(([name]) => !dropped.includes(name)));
  const required = Array.isArray(tool.parameters.required) ? (tool.parameters.required as string[]).filter((name) => !dropped.includes(name)) : undefined;
  return { ...tool, parameters: { ...tool.parameters, properties: kept, ...(required ? { required } : {}) } };
}

/**
 * The corpus tools of each planned domain as the domain serves them, in plan order: without
 * header and cookie parameters, and a tool renamed in the corpus because another definition had
 * its name (`variantOf`) under its source name when no other tool of the domain has it. Names
 * only need to be unique within a domain's server, and an agent should see `get_order_details`,
 * not `get_order_details_2`.
 */
export function plannedJobs(domains: PlannedDomain[], corpus: ToolSpec[]): PlannedJob[] {
  const byName = new Map(corpus.map((t) => [t.name, t]));
  return domains.map((planned) => {
    const tools = planned.tools.map((name) => byName.get(name)!);
    const taken = new Set(tools.map((t) => t.name));
    return {
      planned,
      tools: tools.map(({ variantOf, ...tool }) => {
        if (variantOf === undefined || taken.has(variantOf)) return withoutTransport(tool);
        taken.add(variantOf);
        return withoutTransport({ ...tool, name: variantOf });
      }),
    };
  });
}
