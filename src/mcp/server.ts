import { ProtocolError, ProtocolErrorCode, Server, type CallToolResult } from '@modelcontextprotocol/server';
import { ActionRefused, EpisodeOver, type ToolCallEvent } from '../episode/episode.js';
import type { DomainInfo, EpisodePort, EpisodeView } from '../episode/port.js';
import { episodeTools, SEND_TOOL } from '../episode/tools.js';
import { SERVER_VERSION } from '../util/version.js';

/** The prompt holding the user's opening message. */
export const REQUEST_PROMPT = 'user_request';
/** `_meta` key of tools/call carrying the id of the call in the agent's recorded turn (the rollout sets it). */
export const CALL_ID_META = 'envscale/call_id';

const policyUri = (domain: DomainInfo) => `envscale://${domain.name}/policy`;
const schemaUri = (domain: DomainInfo) => `envscale://${domain.name}/schema`;

const invalidParams = (message: string) => new ProtocolError(ProtocolErrorCode.InvalidParams, message);

const text = (t: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: t }], ...(isError ? { isError: true } : {}) });

async function sendMessage(episode: EpisodePort, args: Record<string, unknown>): Promise<CallToolResult> {
  const message = typeof args.message === 'string' ? args.message : '';
  if (!message.trim()) return text(`Error: ${SEND_TOOL} needs a non-empty "message".`, true);
  let result;
  try {
    result = await episode.perform({ type: 'message', content: message });
  } catch (err) {
    if (err instanceof EpisodeOver) return text('The user has ended the conversation; there is nobody to send this to.', true);
    throw err;
  }
  const { outcome, view } = result;
  if (view.stopReason === 'user_error') return text(`The simulated user could not answer: ${view.error ?? ''}`, true);
  const reply = outcome.kind === 'message' ? outcome.step.reply : '';
  return text(view.done ? `${reply}\n(The user has ended the conversation.${outcomeLine(episode, view)})` : reply);
}

/** How the episode was scored, for the client whose agent played it (the verdict is also recorded). */
function outcomeLine(episode: EpisodePort, view: EpisodeView): string {
  if (!view.rewardParts || view.reward === null) return '';
  // The verdict's reward (0 or 1), without the shaping term of this step.
  const reward = Math.round(view.reward - (view.shaped ?? 0));
  const why = reward === 1 ? '' : `: ${(view.explanation ?? '').split('\n')[0].replace(/[.:]+$/, '')}`;
  return ` Task ${episode.taskId}: reward ${reward}${why}.`;
}

export interface DomainServerOptions {
  /**
   * Offer the simulated user as a tool and a prompt (default: when the episode has one). The
   * rollout loop turns it off: its agent talks to the user in plain messages.
   */
  sidecar?: boolean;
  /**
   * Refuse write tools with a tool error that says where state lives: for clients that keep no
   * state between requests (2026-07-28 clients on /mcp/<domain>), whose writes would be lost.
   */
  readOnly?: string;
  /** Told of every call that reached the domain (or named no tool of it). */
  onToolCall?: (event: ToolCallEvent) => void;
}

/**
 * An MCP server on one episode, in this process or in a worker. Cheap to build: it only wires
 * handlers to the episode, which runs and records every call.
 */
export function createDomainServer(episode: EpisodePort, options: DomainServerOptions = {}): Server {
  const domain = episode.info;
  const withUser = (options.sidecar ?? true) && episode.hasUser;
  const server = new Server(
    { name: `envscale-${domain.name}`, version: SERVER_VERSION },
    {
      capabilities: { tools: {}, prompts: {}, resources: {} },
      instructions:
        `${domain.description}\n\nFollow the domain policy: prompt "policy", resource ${policyUri(domain)}.` +
        (withUser ? `\n\nThis session serves a user with a request (task ${episode.taskId}). Their opening message is the prompt "${REQUEST_PROMPT}"; talk to them with the tool ${SEND_TOOL}.` : ''),
    },
  );

  server.setRequestHandler('tools/list', () => ({ tools: episodeTools(episode, withUser) }));

  server.setRequestHandler('tools/call', async (request): Promise<CallToolResult> => {
    const { name, arguments: args = {}, _meta } = request.params;
    try {
      if (withUser && name === SEND_TOOL) return await sendMessage(episode, args);
      if (options.readOnly && domain.tools.find((t) => t.name === name)?.annotations?.readOnlyHint === false) return text(options.readOnly, true);
      const callId = _meta?.[CALL_ID_META];
      const { outcome, event } = await episode.perform({ type: 'call_tool', tool_name: name, arguments: args }, typeof callId === 'string' ? callId : undefined);
      if (event) options.onToolCall?.(event);
      if (outcome.kind !== 'tool') throw new Error(`a tool call came back as ${outcome.kind}`);
      // Recorded like any call; the client gets the protocol error an unknown tool deserves.
      const { step } = outcome;
      if (step.error === 'unknown_tool') throw invalidParams(step.text);
      const declared = domain.tools.find((t) => t.name === name)?.outputSchema;
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
  server.setRequestHandler('prompts/list', () => ({ prompts: withUser ? [policyPrompt, requestPrompt] : [policyPrompt] }));
  server.setRequestHandler('prompts/get', (request) => {
    if (withUser && request.params.name === REQUEST_PROMPT) return { messages: [{ role: 'user', content: { type: 'text', text: episode.opening ?? '' } }] };
    if (request.params.name !== policyPrompt.name) throw invalidParams(`Unknown prompt: ${request.params.name}.`);
    return {
      description: policyPrompt.description,
      messages: [{ role: 'user', content: { type: 'text', text: domain.policy } }],
    };
  });

  const resources = [
    { uri: policyUri(domain), name: 'policy', title: `${domain.name} policy`, mimeType: 'text/markdown' },
    { uri: schemaUri(domain), name: 'schema', title: `${domain.name} tables`, mimeType: 'application/json' },
  ];
  server.setRequestHandler('resources/list', () => ({ resources }));
  server.setRequestHandler('resources/read', (request) => {
    const { uri } = request.params;
    if (uri === policyUri(domain)) return { contents: [{ uri, mimeType: 'text/markdown', text: domain.policy }] };
    if (uri === schemaUri(domain)) return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(domain.tables, null, 2) }] };
    throw invalidParams(`Unknown resource: ${uri}.`);
  });

  return server;
}
