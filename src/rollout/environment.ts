import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Domain } from '../env/domain.js';
import { openTaskSession } from '../env/replay.js';
import type { Session } from '../env/session.js';
import { createDomainServer, type ToolCallEvent } from '../mcp/server.js';
import type { Task } from '../spec/task.js';
import type { StoredToolCall, ToolDefinition, ToolResultEvent } from '../spec/trajectory.js';
import { parseArguments } from '../spec/chat.js';
import { messageOf } from '../util/errors.js';

/**
 * A task's environment as the agent reaches it: a real MCP client talking to the domain's MCP
 * server over an in-memory transport, on a fresh state of the task. One per episode.
 */
export class McpEnvironment {
  private lastEvent?: ToolCallEvent;
  private closed = false;

  private constructor(
    readonly session: Session,
    private readonly client: Client,
    readonly tools: ToolDefinition[],
  ) {}

  static async open(domain: Domain, task: Task): Promise<McpEnvironment> {
    const session = openTaskSession(domain, task);
    let env: McpEnvironment | undefined;
    const server = createDomainServer(domain, { session, onToolCall: (event) => env && (env.lastEvent = event) });
    const client = new Client({ name: 'envscale-rollout', version: '0.1.0' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    try {
      await server.connect(serverSide);
      await client.connect(clientSide);
      const listed = await client.listTools();
      const tools = listed.tools.map((t) => ({ name: t.name, description: t.description ?? '', parameters: t.inputSchema as Record<string, unknown> }));
      env = new McpEnvironment(session, client, tools);
      return env;
    } catch (err) {
      await client.close().catch(() => undefined);
      session.close();
      throw err;
    }
  }

  /** Run one call as the model wrote it; every failure comes back as an error result, never a throw. */
  async call(call: StoredToolCall): Promise<Omit<ToolResultEvent, 'kind'>> {
    const started = performance.now();
    const fail = (error: ToolResultEvent['error'], content: string, args: Record<string, unknown> | null = null) => ({
      call_id: call.id,
      tool: call.name,
      args,
      ok: false,
      content,
      error,
      ms: performance.now() - started,
    });
    if (!call.name) return fail('malformed', 'Error: the tool call has no function name; call one of the listed tools by name.');
    const parsed = parseArguments(call.arguments);
    if ('problem' in parsed) return fail('invalid_json', `Error: the arguments of ${call.name} are ${parsed.problem}; send a JSON object.`);
    this.lastEvent = undefined;
    let res: CallToolResult;
    try {
      res = (await this.client.callTool({ name: call.name, arguments: parsed.args })) as CallToolResult;
    } catch (err) {
      const known = this.tools.some((t) => t.name === call.name);
      return fail(known ? 'transport' : 'unknown_tool', `Error: ${messageOf(err)}`, parsed.args);
    }
    const content = res.content.map((c) => (c.type === 'text' ? c.text : JSON.stringify(c))).join('\n');
    const event = this.lastEvent as ToolCallEvent | undefined;
    return {
      call_id: call.id,
      tool: call.name,
      args: parsed.args,
      ok: res.isError !== true,
      content,
      ...(res.isError ? { error: 'domain' as const } : {}),
      ms: performance.now() - started,
      ...(event?.stateHash ? { state_hash: event.stateHash } : {}),
    };
  }

  /** Close the MCP connection; the state stays readable until closeSession() (scoring needs it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close().catch(() => undefined);
  }

  closeSession(): void {
    this.session.close();
  }
}
