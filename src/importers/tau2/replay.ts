import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Domain } from '../../env/domain.js';
import { openTaskSession } from '../../env/replay.js';
import type { Session } from '../../env/session.js';
import { createDomainServer } from '../../mcp/server.js';
import type { Action, Task } from '../../spec/task.js';

export interface ReplayedAction {
  name: string;
  arguments: Record<string, unknown>;
  output: string;
  error: boolean;
}

/**
 * Run actions through a real MCP client and server (in-memory transport), the path an agent's
 * calls take, on a fresh state of the task. The session stays open so the caller can read the
 * final state; the caller closes it.
 */
export async function replayOverMcp(domain: Domain, task: Task, actions: Action[] = task.gold.actions): Promise<{ session: Session; actions: ReplayedAction[] }> {
  const session = openTaskSession(domain, task);
  const server = createDomainServer(domain, { session });
  const client = new Client({ name: 'envscale-replay', version: '0.1.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  try {
    await server.connect(serverSide);
    await client.connect(clientSide);
    const out: ReplayedAction[] = [];
    for (const action of actions) {
      const res = (await client.callTool({ name: action.tool, arguments: action.args })) as CallToolResult;
      const output = res.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
      out.push({ name: action.tool, arguments: action.args, output, error: res.isError === true });
    }
    return { session, actions: out };
  } catch (err) {
    session.close();
    throw err;
  } finally {
    await client.close();
  }
}
