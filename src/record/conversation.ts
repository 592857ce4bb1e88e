import type { Action } from '../spec/task.js';
import type { EpisodeRecord, RunRecord, StoredToolCall, ToolDefinition, ToolResultEvent, TrajectoryEvent, ToolErrorKind } from '../spec/trajectory.js';
import type { StoredTask, TrajectoryStore } from './store.js';

/** An episode read back from the store, with what the funnel and the exports need. */
export interface StoredEpisode {
  episode: EpisodeRecord;
  events: TrajectoryEvent[];
  tools: ToolDefinition[];
  task?: StoredTask;
  /** The run it belongs to: a rollout (envscale's agent loop, with its agent and user) or a served session (the client's own agent). */
  run?: RunRecord;
}

export type Turn =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls: StoredToolCall[]; trainable: boolean }
  | { role: 'tool'; callId: string; name: string; content: string; error?: ToolErrorKind };

/** Calls that never reached a tool: training on them teaches a broken call format. */
export const MALFORMED: ReadonlySet<ToolErrorKind | undefined> = new Set(['unknown_tool', 'invalid_json', 'malformed']);

/** Whether a call reached a domain tool: it ran, or the domain refused it (malformed calls never ran). */
export const reachedTool = (e: Pick<ToolResultEvent, 'args' | 'ok' | 'error'>): boolean => e.args !== null && (e.ok || e.error === 'domain');

/** The calls of an episode that reached a domain tool, in order; with `succeededOnly`, those that succeeded. */
export function toolActions(events: TrajectoryEvent[], succeededOnly = false): Action[] {
  return events.flatMap((e) => (e.kind === 'tool_result' && reachedTool(e) && (e.ok || !succeededOnly) ? [{ tool: e.tool, args: e.args! }] : []));
}

/**
 * The dialogue of an episode as turns. An assistant turn is trainable when the model wrote it
 * (not the fixed greeting) and none of its calls was malformed.
 */
export function turnsOf(events: TrajectoryEvent[]): Turn[] {
  const turns: Turn[] = [];
  const byCall = new Map<string, Extract<Turn, { role: 'assistant' }>>();
  for (const e of events) {
    if (e.kind === 'message') {
      if (e.role === 'assistant') {
        const turn = { role: 'assistant' as const, content: e.content, toolCalls: e.tool_calls ?? [], trainable: e.generated };
        for (const c of turn.toolCalls) byCall.set(c.id, turn);
        turns.push(turn);
      } else turns.push({ role: e.role, content: e.content });
    } else if (e.kind === 'tool_result') {
      turns.push({ role: 'tool', callId: e.call_id, name: e.tool, content: e.content, error: e.error });
      const owner = byCall.get(e.call_id);
      if (owner && MALFORMED.has(e.error)) owner.trainable = false;
    }
  }
  return turns;
}

/** Read an episode back with its events, tools and task. */
export function readEpisode(store: TrajectoryStore, episode: EpisodeRecord): StoredEpisode {
  return {
    episode,
    events: store.events(episode.id),
    tools: episode.toolset ? store.tools(episode.toolset) : [],
    task: episode.task_key ? store.task(episode.task_key) : undefined,
    run: store.run(episode.run_id),
  };
}
