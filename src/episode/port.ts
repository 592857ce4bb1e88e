import type { Tool } from '@modelcontextprotocol/server';
import type { Domain } from '../env/domain.js';
import type { StateDiff } from '../env/diff.js';
import { GREETING, type ChatMessage } from '../spec/chat.js';
import type { Table } from '../spec/domain.js';
import type { EpisodeAction } from '../spec/episode-api.js';
import type { RewardParts, StopReason } from '../spec/trajectory.js';
import type { MessageStep, ToolCallEvent, ToolStep } from './episode.js';
import { agentSystemPrompt } from './prompts.js';
import { listTools } from './tools.js';

/**
 * An episode as the protocols reach it (MCP, the step API, OpenEnv): in this process (Episode), or
 * in a worker process (src/serve/workers). Everything crossing it is plain data.
 */
export interface EpisodePort {
  readonly id: string;
  readonly info: DomainInfo;
  readonly taskId?: string;
  /** Messages reach a simulated user. */
  readonly hasUser: boolean;
  /** The user's opening request. */
  readonly opening?: string;
  readonly start: StartObservation;
  /**
   * Take an action after those in flight. `callId` names a call of an agent turn the episode
   * recorded (the rollout's). Throws EpisodeOver (the episode has ended) and ActionRefused (a
   * message with nobody to hear it).
   */
  perform(action: EpisodeAction, callId?: string): Promise<ActionResult>;
  status(): Promise<EpisodeStatus>;
  close(): void;
}

/** What serving needs of a domain, without its engine. */
export interface DomainInfo {
  name: string;
  description: string;
  policy: string;
  /** The tools as MCP lists them. */
  tools: Tool[];
  tables: Table[];
  /** The agent's system prompt (the same for every episode of the domain). */
  system: string;
}

const infos = new WeakMap<Domain, DomainInfo>();
export function domainInfo(domain: Domain): DomainInfo {
  let info = infos.get(domain);
  if (!info) infos.set(domain, (info = { name: domain.name, description: domain.spec.description, policy: domain.spec.policy, tools: listTools(domain), tables: domain.spec.tables, system: agentSystemPrompt(domain) }));
  return info;
}

/**
 * What an agent sees when an episode starts, built from what every episode of the domain shares
 * (an episode holds only its opening): a thousand open episodes do not hold a thousand copies of
 * the tools and the prompt.
 */
export function startObservation(info: DomainInfo, opening?: string): StartObservation {
  const messages: ChatMessage[] = [{ role: 'system', content: info.system }];
  if (opening !== undefined) messages.push({ role: 'assistant', content: GREETING }, { role: 'user', content: opening });
  return { tools: info.tools, policy: info.policy, messages, ...(opening !== undefined ? { user_message: opening } : {}) };
}

/** What an action brought back. */
export type ActionOutcome = { kind: 'tool'; step: ToolStep } | { kind: 'message'; step: MessageStep } | { kind: 'tools'; tools: Tool[] };

/** The episode right after an action, as every protocol reports it. */
export interface EpisodeView {
  /** Every tool call and message, whichever route it came through. */
  steps: number;
  done: boolean;
  stopReason?: StopReason;
  /** Why a failed episode failed (a user model that could not answer). */
  error?: string;
  stateHash: string;
  /** The step's reward: the sparse reward on the step that ends a task-bound episode (plus its shaping), the shaping term otherwise, or null. */
  reward: number | null;
  /** The dense shaping term of the step, when shaping is on. */
  shaped?: number;
  /** The verdict's parts once a task-bound episode has ended. */
  rewardParts?: { counted: RewardParts; held: RewardParts };
  explanation?: string;
}

export interface ActionResult {
  outcome: ActionOutcome;
  view: EpisodeView;
  /** The engine's report of a tool call (for observers of the server). */
  event?: ToolCallEvent;
}

/** What an agent sees when an episode starts. */
export interface StartObservation {
  /** The domain's tools as MCP lists them. */
  tools: Tool[];
  policy: string;
  /** The conversation so far, as the recorder has it: the system prompt, and for a task with a user the greeting and the user's request. */
  messages: ChatMessage[];
  /** The user's opening request (task-bound episodes with a user). */
  user_message?: string;
}

/** An episode's state of play: what GET /v1/episodes/<id> answers. */
export interface EpisodeStatus {
  episode_id: string;
  domain: string;
  task: string | null;
  steps: number;
  state_hash: string;
  done: boolean;
  stop_reason: StopReason | null;
  /** For a task-bound episode, the reward if it ended now (null without a task, or when it failed). */
  reward: number | null;
  reward_parts: { counted: RewardParts; held: RewardParts } | null;
  explanation: string | null;
  /** Rows that differ from the gold state (gold -> now); empty when the state is gold. */
  diff: StateDiff | null;
}
