import type { PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { mapSubschemas } from '../util/schema-walk.js';
import type { PlannedJob } from './parallel.js';
import { satisfiableNode } from './satisfiable.js';

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
 * A JSON Schema without the corpus's annotations (`x-in`, `x-bfcl-type`, vendor `x-*` keys): they
 * say where a parameter came from, which neither the agent nor the training data needs. Property
 * names are kept whatever they look like; only keywords are dropped. In the same pass, schemas
 * that refuse every value are made satisfiable (satisfiable.ts).
 */
export function withoutAnnotations(schema: unknown): unknown {
  return mapSubschemas(schema, (node) => satisfiableNode(Object.fromEntries(Object.entries(node).filter(([key]) => !key.startsWith('x-')))));
}

/**
 * The corpus tools of each planned domain as the domain serves them, in plan order: without
 * header and cookie parameters or annotations, and a tool renamed in the corpus because another definition had
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
        const free = variantOf !== undefined && !taken.has(variantOf);
        if (free) taken.add(variantOf);
        const served = withoutTransport(free ? { ...tool, name: variantOf } : tool);
        return { ...served, parameters: withoutAnnotations(served.parameters) as ToolSpec['parameters'] };
      }),
    };
  });
}
