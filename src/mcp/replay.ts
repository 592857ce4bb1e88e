import { Client, InMemoryTransport, type CallToolResult } from '@modelcontextprotocol/client';
import type { Domain } from '../env/domain.js';
import { openTaskSession } from '../env/replay.js';
import type { Session } from '../env/session.js';
import { Episode } from '../episode/episode.js';
import type { Action, Task } from '../spec/task.js';
import { createDomainServer } from './server.js';

export interface McpActionResult {
  action: Action;
  text: string;
  isError: boolean;
}

export interface McpReplay {
  results: McpActionResult[];
  stateHash: string;
}

/**
 * Run actions through a real MCP client and server (in-memory transport) on `session`: the same
 * path an agent's calls take. The session stays open for the caller to read and close.
 */
export async function callThroughMcp(domain: Domain, session: Session, actions: Action[]): Promise<McpActionResult[]> {
  const server = createDomainServer(await Episode.open({ domain, state: session }));
  const client = new Client({ name: 'envscale-replay', version: '0.1.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  try {
    await server.connect(serverSide);
    await client.connect(clientSide);
    const results: McpActionResult[] = [];
    for (const action of actions) {
      const res = (await client.callTool({ name: action.tool, arguments: action.args })) as CallToolResult;
      const text = res.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
      results.push({ action, text, isError: res.isError === true });
    }
    return results;
  } finally {
    await client.close();
  }
}

/** Replay a task's gold actions through MCP on a fresh state of the task (its initial statements applied). */
export async function replayThroughMcp(domain: Domain, task: Task, actions: Action[] = task.gold.actions): Promise<McpReplay> {
  const session = openTaskSession(domain, task);
  try {
    const results = await callThroughMcp(domain, session, actions);
    return { results, stateHash: session.stateHash() };
  } finally {
    session.close();
  }
}
