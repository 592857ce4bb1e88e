import type { Domain } from '../env/domain.js';
import type { JsonSchema } from '../spec/json-schema.js';
import type { Task } from '../spec/task.js';
import { argRole } from './arg-role.js';
import { entityOf, oddEntity, toolIntent } from './intent.js';
import { fieldWords, sayValue } from './say.js';
import { isCodeField, titleLike } from './value-kind.js';

export type GoalFinding = { code: 'value-kind-mismatch' | 'credential-or-control-in-request' | 'odd-entity-phrase'; message: string };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const oddCache = new WeakMap<Domain, Map<string, string[]>>();

/** The odd names of a tool's entity: as the writer has it, and as its table spells it ("resend invitation"). */
function oddNames(domain: Domain, tool: string): string[] {
  let byTool = oddCache.get(domain);
  if (!byTool) oddCache.set(domain, (byTool = new Map()));
  let odd = byTool.get(tool);
  if (odd === undefined) {
    const intent = toolIntent(domain, tool);
    const description = domain.tools.get(tool)!.spec.description;
    const names = [...new Set([intent.entity, ...(intent.table ? [entityOf(intent.table)] : [])])];
    byTool.set(tool, (odd = names.filter((e) => oddEntity(e, tool, description, intent.kind))));
  }
  return odd;
}

/** Every scalar argument of an action with the schema it was given under (an object's fields one level down). */
function argsOf(args: Record<string, unknown>, props: Record<string, JsonSchema>): Array<[string, unknown, JsonSchema | undefined]> {
  return Object.entries(args).flatMap(([k, v]): Array<[string, unknown, JsonSchema | undefined]> => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const inner = (props[k]?.properties ?? {}) as Record<string, JsonSchema>;
      return Object.entries(v as Record<string, unknown>).map(([kk, vv]) => [kk, vv, inner[kk]]);
    }
    return [[k, v, props[k]]];
  });
}

/**
 * How a goal is worded, beyond naming tools: a made-up title given where a code, a type or a token
 * belongs (`value-kind-mismatch`); a credential asked for in the request, or a paging, sorting or
 * format argument mentioned at all (`credential-or-control-in-request`: credentials belong in what
 * the user tells when asked, controls are the agent's); and a thing named after the tool's action
 * ("create a resend invitation", `odd-entity-phrase`).
 */
export function goalWording(domain: Domain, task: Task): GoalFinding[] {
  const text = task.user.instructions;
  const request = text.split('\n\n')[0];
  const lower = text.toLowerCase();
  const out: GoalFinding[] = [];
  const seen = new Set<string>();
  const add = (f: GoalFinding) => {
    if (!seen.has(f.message)) out.push(f);
    seen.add(f.message);
  };
  for (const action of task.gold.actions) {
    const tool = domain.tools.get(action.tool);
    if (!tool) continue;
    const props = (tool.spec.parameters.properties ?? {}) as Record<string, JsonSchema>;
    for (const [param, value, schema] of argsOf(action.args, props)) {
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      const said = String(value);
      const role = argRole(param, schema, tool.spec.kind === 'read');
      if (typeof value === 'string' && titleLike(value) && (role !== 'content' || isCodeField(param)) && text.includes(value)) {
        add({ code: 'value-kind-mismatch', message: `its instructions give ${param} ${JSON.stringify(value)}, a made-up title, where a ${role === 'content' ? 'code or an option' : role} belongs` });
      }
      if (role === 'credential' && said.length >= 3 && request.includes(said)) {
        add({ code: 'credential-or-control-in-request', message: `its request asks with the credential ${param} ${JSON.stringify(said)}, which the user tells only when asked` });
      }
      if (role === 'control' && new RegExp(`\\b${escape(fieldWords(param).toLowerCase())}\\b[^.?!]{0,40}${escape(sayValue(param, value).toLowerCase())}`).test(lower)) {
        add({ code: 'credential-or-control-in-request', message: `its instructions ask for ${param} ${JSON.stringify(said)}, which shapes the answer and is the agent's to choose` });
      }
    }
  }
  const goal = [...task.gold.actions].reverse().find((a) => domain.tools.get(a.tool)?.spec.kind === 'write') ?? task.gold.actions[task.gold.actions.length - 1];
  for (const entity of goal && domain.tools.has(goal.tool) ? oddNames(domain, goal.tool) : []) {
    if (new RegExp(`\\b(a|an|the|new|my)\\s+${escape(entity)}\\b`, 'i').test(request)) {
      add({ code: 'odd-entity-phrase', message: `its request speaks of ${JSON.stringify(entity)}, a thing named after what ${goal.tool} does rather than what it acts on` });
    }
  }
  return out;
}
