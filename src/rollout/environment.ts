import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { Episode } from '../episode/episode.js';
import { CALL_ID_META, createDomainServer } from '../mcp/server.js';
import type { StoredToolCall, ToolDefinition } from '../spec/trajectory.js';
import { parseArguments } from '../spec/chat.js';
import { messageOf } from '../util/errors.js';

/**
 * An episode's environment as the agent reaches it: a real MCP client talking to the domain's MCP
 * server on the episode, over an in-memory transport. The episode records every call.
 */
export class McpEnvironment {
  private closed = false;

  private constructor(
    private readonly episode: Episode,
    private readonly client: Client,
    readonly tools: ToolDefinition[],
  ) {}

  static async open(episode: Episode): Promise<McpEnvironment> {
    // The agent talks to the user in plain messages, not through a tool.
    const server = createDomainServer(episode, { sidecar: false });
    const client = new Client({ name: 'envscale-rollout', version: '0.1.0' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    try {
      await server.connect(serverSide);
      await client.connect(clientSide);
      const listed = await client.listTools();
      const tools = listed.tools.map((t) => ({ name: t.name, description: t.description ?? '', parameters: t.inputSchema as Record<string, unknown> }));
      return new McpEnvironment(episode, client, tools);
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Run one call of the agent's recorded turn as the model wrote it. The server's episode records
   * the result of a call that reaches it; a call that cannot (no name, arguments not JSON, the
   * transport failed) is recorded here as refused. Never throws.
   */
  async call(call: StoredToolCall): Promise<void> {
    const started = performance.now();
    if (!call.name) return this.episode.refuseCall(call, 'malformed', 'Error: the tool call has no function name; call one of the listed tools by name.');
    const parsed = parseArguments(call.arguments);
    if ('problem' in parsed) return this.episode.refuseCall(call, 'invalid_json', `Error: the arguments of ${call.name} are ${parsed.problem}; send a JSON object.`);
    try {
      await this.client.callTool({ name: call.name, arguments: parsed.args, _meta: { [CALL_ID_META]: call.id } });
    } catch (err) {
      // An unknown tool is recorded by the episode before the protocol error; anything else never got there.
      if (!this.episode.answered(call.id) && !this.episode.done) this.episode.refuseCall(call, 'transport', `Error: ${messageOf(err)}`, parsed.args, performance.now() - started);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close().catch(() => undefined);
  }
}
