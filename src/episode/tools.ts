import type { Tool } from '@modelcontextprotocol/server';
import type { Domain } from '../env/domain.js';
import type { Task } from '../spec/task.js';
import type { ToolDefinition } from '../spec/trajectory.js';
import type { EpisodePort } from './port.js';

/** The tool an MCP client talks to the simulated user with (task-bound episodes). */
export const SEND_TOOL = 'send_message_to_user';

/** The send tool of an episode with a simulated user: its description carries the user's opening. */
export function sendTool(episode: Pick<EpisodePort, 'opening'>): Tool {
  return {
    name: SEND_TOOL,
    description: `Send a message to the user you are helping and get their reply. The user opened with: "${episode.opening ?? ''}". Ask for what you need, confirm before changing anything, and tell them the outcome; the conversation is over when the user's reply contains ###STOP###.`,
    inputSchema: { type: 'object', properties: { message: { type: 'string', description: 'what to say to the user' } }, required: ['message'] },
    annotations: { readOnlyHint: true, openWorldHint: false },
  };
}

/** The tools of an episode as MCP clients see them: the domain's, and the sidecar user's. */
export const episodeTools = (episode: Pick<EpisodePort, 'info' | 'hasUser' | 'opening'>, sidecar = true): Tool[] =>
  sidecar && episode.hasUser ? [...episode.info.tools, sendTool(episode)] : episode.info.tools;

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
