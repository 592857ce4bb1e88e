import type { Action, Task } from '../spec/task.js';
import type { Domain } from './domain.js';
import type { ToolResult } from './executor.js';
import type { Session } from './session.js';

/** A session in a task's starting state: a fresh fork with the task's initial statements applied. */
export function openTaskSession(domain: Domain, task: Pick<Task, 'id' | 'initial'>): Session {
  domain.checkInitial(task.initial, `task ${task.id}`);
  const session = domain.openSession();
  session.applyInitial(task.initial);
  return session;
}

export interface ReplayResult {
  results: Array<{ action: Action; result: ToolResult }>;
  stateHash: string;
}

/** Run actions in order on a session, directly on the engine. */
export function runActions(session: Session, actions: Action[]): ReplayResult {
  const results = actions.map((action) => ({ action, result: session.call(action.tool, action.args) }));
  return { results, stateHash: session.stateHash() };
}

/** Replay a task's gold actions on a fresh state of its own: the gold final state and its hash. */
export function replayGold(domain: Domain, task: Task): ReplayResult {
  const session = openTaskSession(domain, task);
  try {
    return runActions(session, task.gold.actions);
  } finally {
    session.close();
  }
}
