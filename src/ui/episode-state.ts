import { diffStates, type StateDiff, type StateView } from '../env/diff.js';
import type { Domain } from '../env/domain.js';
import { openTaskSession } from '../env/replay.js';
import type { Session } from '../env/session.js';
import { reachedTool } from '../record/conversation.js';
import { actionsMatch } from '../record/reward.js';
import type { Action, Task } from '../spec/task.js';
import type { TrajectoryEvent } from '../spec/trajectory.js';

/** What one call did to the state: its result and the rows it changed (writes only). */
export interface CallEffect {
  tool: string;
  args: Record<string, unknown>;
  ok: boolean;
  text: string;
  changes: StateDiff;
}

/** An episode's effect on the state, rebuilt by replaying its calls and its task's gold actions. */
export interface EpisodeState {
  /** The rows each write changed, by call id. */
  calls: Record<string, StateDiff>;
  gold: CallEffect[] | null;
  /** Gold -> the episode's final state; null without a task. */
  diff: StateDiff | null;
  finalHash: string;
  goldHash: string | null;
  /** Whether the replayed final state is the recorded one (false when the domain changed since). */
  matchesRecorded: boolean | null;
}

const view = (s: Session): StateView => ({ db: s.reader, sums: s.tableSums });

/**
 * Run actions on a fresh state of the task, diffing each successful write: a second session
 * one write behind gives the state before it. Returns the session after the last action (open).
 */
function runWithChanges(domain: Domain, task: Task | undefined, actions: Action[]): { effects: CallEffect[]; session: Session } {
  const open = () => (task ? openTaskSession(domain, task) : domain.openSession());
  const ahead = open();
  const behind = open();
  try {
    const effects = actions.map(({ tool, args }): CallEffect => {
      const compiled = domain.tools.get(tool);
      if (!compiled) return { tool, args, ok: false, text: `${domain.name} has no tool ${tool}`, changes: [] };
      const result = ahead.call(tool, args);
      if (!result.ok || compiled.spec.kind !== 'write') return { tool, args, ok: result.ok, text: result.text, changes: [] };
      const changes = diffStates(domain.spec.tables, view(behind), view(ahead));
      behind.call(tool, args);
      return { tool, args, ok: true, text: result.text, changes };
    });
    return { effects, session: ahead };
  } catch (err) {
    ahead.close();
    throw err;
  } finally {
    behind.close();
  }
}

/** Replay an episode's calls that reached a tool, and its task's gold actions, on the engine (deterministic). */
export function replayEpisodeState(domain: Domain, task: Task | undefined, events: TrajectoryEvent[], recordedHash: string | null): EpisodeState {
  const calls = events.flatMap((e) => (e.kind === 'tool_result' && reachedTool(e) ? [{ id: e.call_id, tool: e.tool, args: e.args! }] : []));
  const agent = runWithChanges(domain, task, calls);
  try {
    const finalHash = agent.session.stateHash();
    const byCall = Object.fromEntries(calls.flatMap((c, i) => (agent.effects[i].changes.length ? [[c.id, agent.effects[i].changes]] : [])));
    const matchesRecorded = recordedHash === null ? null : recordedHash === finalHash;
    if (!task) return { calls: byCall, gold: null, diff: null, finalHash, goldHash: null, matchesRecorded };
    const gold = runWithChanges(domain, task, task.gold.actions);
    try {
      const diff = diffStates(domain.spec.tables, view(gold.session), view(agent.session));
      return { calls: byCall, gold: gold.effects, diff, finalHash, goldHash: gold.session.stateHash(), matchesRecorded };
    } finally {
      gold.session.close();
    }
  } finally {
    agent.session.close();
  }
}

/** An episode's call that reached a tool beside the gold action at the same place. */
export interface CallPair {
  callId: string | null;
  call: (Action & { ok: boolean }) | null;
  gold: Action | null;
  /** same: tool and arguments equal gold's; args: same tool, other arguments; differs: another tool, or nothing. */
  match: 'same' | 'args' | 'differs';
}

/** The calls that reached a tool and the gold actions, place by place. */
export function pairWithGold(events: TrajectoryEvent[], gold: Action[]): CallPair[] {
  const calls = events.flatMap((e) => (e.kind === 'tool_result' && reachedTool(e) ? [{ callId: e.call_id, call: { tool: e.tool, args: e.args!, ok: e.ok } }] : []));
  return Array.from({ length: Math.max(calls.length, gold.length) }, (_, i) => {
    const c = calls[i];
    const g = gold[i] ?? null;
    const match = c && g && actionsMatch([c.call], [g]) ? 'same' : c && g && c.call.tool === g.tool ? 'args' : 'differs';
    return { callId: c?.callId ?? null, call: c?.call ?? null, gold: g, match };
  });
}
