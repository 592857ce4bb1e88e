import type { Domain } from '../env/domain.js';
import type { Session } from '../env/session.js';
import type { Action, Task } from '../spec/task.js';
import type { EpisodeCounts, StopReason, StoredToolCall, StoredVerdict, ToolResultEvent } from '../spec/trajectory.js';
import type { ChatMessage } from '../spec/chat.js';
import { evaluateEpisode, type Message, type Verdict } from './reward.js';
import { reachedTool } from './conversation.js';
import type { EpisodeSink } from './store.js';

export interface EpisodeOutcome {
  status: 'done' | 'failed';
  stopReason: StopReason;
  error?: string;
  verdict?: Verdict;
  counts: EpisodeCounts;
}

/**
 * One episode as it happens: the conversation the agent sees, the calls and messages the reward
 * needs, and counters; every event goes to the store (when there is one) as it is recorded.
 * Shared by the rollout orchestrator and by MCP sessions recorded by the server.
 */
export class EpisodeRecorder {
  readonly transcript: ChatMessage[] = [];
  /** Calls that reached a domain tool, in order (what the reward compares with gold). */
  readonly actions: Action[] = [];
  readonly messages: Message[] = [];
  readonly counts: EpisodeCounts = { turns: 0, tool_calls: 0, tool_errors: 0, malformed_calls: 0, model_retries: 0, empty_replies: 0 };
  /** State hash after the last write (starts as the task's initial state). */
  lastHash?: string;
  private outcome?: EpisodeOutcome;

  /** `retain`: keep the transcript, actions and messages (the reward and a simulated user need them). */
  constructor(
    private readonly writer?: EpisodeSink,
    private readonly retain = true,
  ) {}

  get episodeId(): number | undefined {
    return this.writer?.id;
  }

  message(role: 'system' | 'user' | 'assistant', content: string, toolCalls: StoredToolCall[] = [], generated = true): void {
    if (this.retain) {
      if (role === 'assistant') this.transcript.push(toolCalls.length ? { role, content, tool_calls: toolCalls } : { role, content });
      else this.transcript.push({ role, content });
      if (role !== 'system' && content) this.messages.push({ role, content });
    }
    if (role !== 'system') this.counts.turns++;
    this.writer?.append({ kind: 'message', role, content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}), generated });
  }

  toolResult(event: Omit<ToolResultEvent, 'kind'>): void {
    if (this.retain) {
      this.transcript.push({ role: 'tool', tool_call_id: event.call_id, content: event.content });
      if (reachedTool(event)) this.actions.push({ tool: event.tool, args: event.args! });
    }
    this.counts.tool_calls++;
    if (!event.ok) this.counts.tool_errors++;
    if (event.error && event.error !== 'domain') this.counts.malformed_calls++;
    if (event.state_hash) this.lastHash = event.state_hash;
    this.writer?.append({ kind: 'tool_result', ...event });
  }

  /** A model that answered with nothing: recorded and counted as an error of its side. */
  emptyReply(source: 'agent' | 'user'): void {
    this.counts.empty_replies++;
    this.error(source, `the ${source} model sent an empty message`);
  }

  error(source: 'agent' | 'user' | 'environment', message: string, retry?: number): void {
    if (retry !== undefined) this.counts.model_retries++;
    this.writer?.append({ kind: 'error', source, message, ...(retry === undefined ? {} : { retry }) });
  }

  /**
   * Score the episode against its task (from the open session, or the last known hash when the
   * state is gone) and close it in the store. Later calls return the first outcome.
   */
  finish(end: { domain: Domain; task?: Task; session?: Session; stopReason: StopReason; error?: string }): EpisodeOutcome {
    if (this.outcome) return this.outcome;
    const failed = end.error !== undefined;
    let verdict: Verdict | undefined;
    if (!failed && end.task) {
      const open = end.session && !end.session.isClosed ? end.session : undefined;
      verdict = evaluateEpisode(end.domain, end.task, { session: open, finalHash: open ? undefined : this.lastHash, actions: this.actions, messages: this.messages });
    }
    const outcome: EpisodeOutcome = { status: failed ? 'failed' : 'done', stopReason: end.stopReason, error: end.error, verdict, counts: { ...this.counts } };
    this.outcome = outcome;
    this.writer?.finish({
      status: outcome.status,
      stopReason: end.stopReason,
      error: end.error,
      reward: verdict?.reward,
      finalHash: verdict?.finalHash ?? (end.session && !end.session.isClosed ? end.session.stateHash() : this.lastHash),
      verdict: verdict && storedVerdict(verdict),
      counts: outcome.counts,
    });
    return outcome;
  }
}

/** The verdict without its row diff (recomputed on demand by `show`, it can be large). */
export function storedVerdict(v: Verdict): StoredVerdict {
  const { diff: _diff, ...rest } = v;
  return rest;
}
