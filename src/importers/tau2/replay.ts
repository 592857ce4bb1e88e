import type { Domain } from '../../env/domain.js';
import { openTaskSession } from '../../env/replay.js';
import type { Session } from '../../env/session.js';
import { callThroughMcp } from '../../mcp/replay.js';
import type { Action, Task } from '../../spec/task.js';

/** One replayed action as `replay` writes it, in the shape of tau2's expected-sample.json. */
export interface ReplayedAction {
  name: string;
  arguments: Record<string, unknown>;
  output: string;
  error: boolean;
}

/**
 * Run actions through a real MCP client and server, the path an agent's calls take, on a fresh
 * state of the task. The session stays open so the caller can read the final state; the caller
 * closes it.
 */
export async function replayOverMcp(domain: Domain, task: Task, actions: Action[] = task.gold.actions): Promise<{ session: Session; actions: ReplayedAction[] }> {
  const session = openTaskSession(domain, task);
  try {
    const results = await callThroughMcp(domain, session, actions);
    return { session, actions: results.map((r) => ({ name: r.action.tool, arguments: r.action.args, output: r.text, error: r.isError })) };
  } catch (err) {
    session.close();
    throw err;
  }
}
