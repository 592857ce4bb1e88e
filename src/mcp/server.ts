import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Domain } from '../env/domain.js';
import { ActionRefused, EpisodeOver, type Episode } from '../episode/episode.js';
import { listTools } from '../episode/tools.js';

export const SERVER_VERSION = '0.1.0';
/** The tool an MCP client talks to the simulated user with (task-bound episodes). */
export const SEND_TOOL = 'send_message_to_user';
/** The prompt holding the user's opening message. */
export const REQUEST_PROMPT = 'user_request';
/** `_meta` key of tools/call carrying the id of the call in the agent's recorded turn (the rollout sets it). */
export const CALL_ID_META = 'envscale/call_id';

const policyUri = (domain: Domain) => `envscale://${domain.name}/policy`;
const schemaUri = (domain: Domain) => `envscale://${domain.name}/schema`;

/**
 * A JSON-RPC "invalid params" error with a plain message. McpError prefixes its message with the
 * code, and the client adds the prefix again when it rebuilds the error, so clients would read it twice.
 */
const invalidParams = (message: string) => Object.assign(new Error(message), { code: ErrorCode.InvalidParams });

const text = (t: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: t }], ...(isError ? { isError: true } : {}) });

/** The send tool of an episode with a simulated user: its description carries the user's opening. */
function sendTool(episode: Episode): Tool {
  return {
    name: SEND_TOOL,
    description: `Send a message to the user you are helping and get their reply. The user opened with: "${episode.opening ?? ''}". Ask for what you need, confirm before changing anything, and tell them the outcome; the conversation is over when the user's reply contains ###STOP###.`,
    inputSchema: { type: 'object', properties: { message: { type: 'string', description: 'what to say to the user' } }, required: ['message'] },
    annotations: { readOnlyHint: true, openWorldHint: false },
  };
}

async function sendMessage(episode: Episode, args: Record<string, unknown>): Promise<CallToolResult> {
  const message = typeof args.message === 'string' ? args.message : '';
  if (!message.trim()) return text(`Error: ${SEND_TOOL} needs a non-empty "message".`, true);
  if (episode.done) return text('The user has ended the conversation; there is nobody to send this to.', true);
  const { reply } = await episode.say(message);
  if (episode.stopReason === 'user_error') return text(`The simulated user could not answer: ${episode.result?.error ?? ''}`, true);
  return text(episode.done ? `${reply}\n(The user has ended the conversation.${outcomeLine(episode)})` : reply);
}

/** How the episode was scored, for the client whose agent played it (the verdict is also recorded). */
function outcomeLine(episode: Episode): string {
  const verdict = episode.result?.verdict;
  if (!verdict) return '';
  const why = verdict.reward === 1 ? '' : `: ${verdict.explanation.split('\n')[0].replace(/[.:]+$/, '')}`;
  return ` Task ${episode.task?.id}: reward ${verdict.reward}${why}.`;
}

export interface DomainServerOptions {
  /**
   * Offer the simulated user as a tool and a prompt (default: when the episode has one). The
   * rollout loop turns it off: its agent talks to the user in plain messages.
   */
  sidecar?: boolean;
}

/**
 * An MCP server on one episode. Cheap to build: everything per-domain is compiled once in Domain;
 * this only wires handlers to the episode, which runs and records every call.
 */
export function createDomainServer(episode: Episode, options: DomainServerOptions = {}): Server {
  const { domain } = episode;
  const withUser = (options.sidecar ?? true) && episode.hasUser;
  const server = new Server(
    { name: `envscale-${domain.name}`, version: SERVER_VERSION },
    {
      capabilities: { tools: {}, prompts: {}, resources: {} },
      instructions:
        `${domain.spec.description}\n\nFollow the domain policy: prompt "policy", resource ${policyUri(domain)}.` +
        (withUser ? `\n\nThis session serves a user with a request (task ${episode.task?.id}). Their opening message is the prompt "${REQUEST_PROMPT}"; talk to them with the tool ${SEND_TOOL}.` : ''),
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: withUser ? [...listTools(domain), sendTool(episode)] : listTools(domain) }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name, arguments: args = {}, _meta } = request.params;
    try {
      if (withUser && name === SEND_TOOL) return await sendMessage(episode, args);
      const callId = _meta?.[CALL_ID_META];
      const step = episode.callTool(name, args, typeof callId === 'string' ? callId : undefined);
      // Recorded like any call; the client gets the protocol error an unknown tool deserves.
      if (step.error === 'unknown_tool') throw invalidParams(step.text);
      const declared = episode.domain.tools.get(name)?.spec.outputSchema;
      // A tool that declares its output schema returns an object result as structured content too (MCP 2025-06-18).
      const structured = declared && step.ok && typeof step.value === 'object' && step.value !== null && !Array.isArray(step.value);
      return structured ? { ...text(step.text), structuredContent: step.value as Record<string, unknown> } : text(step.text, !step.ok);
    } catch (err) {
      if (err instanceof EpisodeOver || err instanceof ActionRefused) return text(err.message, true);
      throw err;
    }
  });

  const policyPrompt = {
    name: 'policy',
    title: `${domain.name} policy`,
    description: `The rules an agent follows in the ${domain.name} domain.`,
  };
  const requestPrompt = { name: REQUEST_PROMPT, description: 'The opening message of the user this session serves.' };
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: withUser ? [policyPrompt, requestPrompt] : [policyPrompt] }));
  server.setRequestHandler(GetPromptRequestSchema, (request) => {
    if (withUser && request.params.name === REQUEST_PROMPT) return { messages: [{ role: 'user', content: { type: 'text', text: episode.opening ?? '' } }] };
    if (request.params.name !== policyPrompt.name) throw invalidParams(`Unknown prompt: ${request.params.name}.`);
    return {
      description: policyPrompt.description,
      messages: [{ role: 'user', content: { type: 'text', text: domain.spec.policy } }],
    };
  });

  const resources = [
    { uri: policyUri(domain), name: 'policy', title: `${domain.name} policy`, mimeType: 'text/markdown' },
    { uri: schemaUri(domain), name: 'schema', title: `${domain.name} tables`, mimeType: 'application/json' },
  ];
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) => {
    const { uri } = request.params;
    if (uri === policyUri(domain)) return { contents: [{ uri, mimeType: 'text/markdown', text: domain.spec.policy }] };
    if (uri === schemaUri(domain)) return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(domain.spec.tables, null, 2) }] };
    throw invalidParams(`Unknown resource: ${uri}.`);
  });

  return server;
}
