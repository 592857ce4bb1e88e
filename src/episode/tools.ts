import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Domain } from '../env/domain.js';
import type { Task } from '../spec/task.js';
import type { ToolDefinition } from '../spec/trajectory.js';

/** The tools/list entries of a domain, computed once per domain. */
const toolLists = new WeakMap<Domain, Tool[]>();
export function listTools(domain: Domain): Tool[] {
  let tools = toolLists.get(domain);
  if (!tools) {
    tools = [...domain.tools.values()].map(({ spec, deletes }) => ({
      name: spec.name,
      ...(spec.title ? { title: spec.title } : {}),
      description: spec.description,
      inputSchema: spec.parameters as Tool['inputSchema'],
      ...(spec.outputSchema ? { outputSchema: spec.outputSchema as Tool['outputSchema'] } : {}),
      annotations:
        spec.kind === 'read'
          ? { readOnlyHint: true, openWorldHint: false }
          : { readOnlyHint: false, destructiveHint: deletes, openWorldHint: false },
    }));
    toolLists.set(domain, tools);
  }
  return tools;
}

/** Whether a task's gold actions only read (exact match of the calls applies to these by default). */
export function isReadOnly(domain: Domain, task: Task): boolean {
  return !task.gold.actions.some((a) => domain.tools.get(a.tool)?.spec.kind === 'write');
}

export function domainTools(domain: Domain): ToolDefinition[] {
  return listTools(domain).map((t) => ({ name: t.name, description: t.description ?? '', parameters: t.inputSchema as Record<string, unknown> }));
}
