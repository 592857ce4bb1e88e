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
  type GetPromptResult,
  type Prompt,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { argumentProblem } from '../env/arguments.js';
import type { Domain } from '../env/domain.js';
import type { ToolResult } from '../env/executor.js';
import type { Session } from '../env/session.js';
import { listTools } from '../episode/tools.js';

/** What the server reports after every tool call (the trajectory recorder listens here). */
export interface ToolCallEvent {
  tool: string;
  args: Record<string, unknown>;
  result: ToolResult;
  /** Wall time of the call in the engine, milliseconds. */
  ms: number;
  /** State hash after the call, for write tools. */
  stateHash?: string;
  /** The domain has no such tool: the client got a protocol error (InvalidParams), not a result. */
  unknown?: boolean;
}

/** Tools and prompts added to a domain's server (the sidecar user of a task-bound session). */
export interface ServerExtension {
  tools: Tool[];
  callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  prompts: Prompt[];
  getPrompt(name: string): GetPromptResult;
  /** Appended to the server's instructions. */
  instructions?: string;
}

/** What a host attaches to one MCP session: its state, extra tools, and hooks for recording it. */
export interface SessionBinding {
  session: Session;
  extension?: ServerExtension;
  onToolCall?: (event: ToolCallEvent) => void;
  /** Called once when the MCP session ends. */
  onEnd?: () => void;
}

export interface DomainServerOptions {
  /** The state this server's tools act on; one per MCP session. */
  session: Session;
  onToolCall?: (event: ToolCallEvent) => void;
  extension?: ServerExtension;
}

export const SERVER_VERSION = '0.1.0';

const policyUri = (domain: Domain) => `envscale://${domain.name}/policy`;
const schemaUri = (domain: Domain) => `envscale://${domain.name}/schema`;

/**
 * A JSON-RPC "invalid params" error with a plain message. McpError prefixes its message with the
 * code, and the client adds the prefix again when it rebuilds the error, so clients would read it twice.
 */
const invalidParams = (message: string) => Object.assign(new Error(message), { code: ErrorCode.InvalidParams });

/**
 * An MCP server for one session of one domain. Cheap to build: everything per-domain is compiled
 * once in Domain; this only wires handlers to the session.
 */
export function createDomainServer(domain: Domain, options: DomainServerOptions): Server {
  const { session, onToolCall, extension } = options;
  const server = new Server(
    { name: `envscale-${domain.name}`, version: SERVER_VERSION },
    {
      capabilities: { tools: {}, prompts: {}, resources: {} },
      instructions: `${domain.spec.description}\n\nFollow the domain policy: prompt "policy", resource ${policyUri(domain)}.${extension?.instructions ? `\n\n${extension.instructions}` : ''}`,
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: extension ? [...listTools(domain), ...extension.tools] : listTools(domain) }));

  server.setRequestHandler(CallToolRequestSchema, (request): CallToolResult | Promise<CallToolResult> => {
    const { name, arguments: args = {} } = request.params;
    // Arguments the engine refuses (too large, too deep, not valid Unicode) are reported as {}:
    // the recorder could not store them faithfully, and the result says what was wrong.
    const problem = argumentProblem(args);
    const recorded = problem ? {} : args;
    if (extension?.tools.some((t) => t.name === name)) {
      if (!problem) return extension.callTool(name, args);
      const text = `Invalid arguments for ${name}: ${problem}.`;
      return { content: [{ type: 'text', text }], isError: true };
    }
    const tool = domain.tools.get(name);
    if (!tool) {
      const message = `Unknown tool: ${name}. The ${domain.name} domain has: ${[...domain.tools.keys()].join(', ')}.`;
      // Reported like any call, so a recorded session keeps the attempt; the client gets the protocol error.
      onToolCall?.({ tool: name, args: recorded, result: { ok: false, error: message, text: message }, ms: 0, unknown: true });
      throw invalidParams(message);
    }
    const started = performance.now();
    const result = session.call(name, args);
    const ms = performance.now() - started;
    onToolCall?.({ tool: name, args: recorded, result, ms, stateHash: tool.spec.kind === 'write' ? session.stateHash() : undefined });
    return result.ok ? { content: [{ type: 'text', text: result.text }] } : { content: [{ type: 'text', text: result.text }], isError: true };
  });

  const policyPrompt = {
    name: 'policy',
    title: `${domain.name} policy`,
    description: `The rules an agent follows in the ${domain.name} domain.`,
  };
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: [policyPrompt, ...(extension?.prompts ?? [])] }));
  server.setRequestHandler(GetPromptRequestSchema, (request) => {
    if (extension?.prompts.some((p) => p.name === request.params.name)) return extension.getPrompt(request.params.name);
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
