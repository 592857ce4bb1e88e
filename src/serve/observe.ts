import type { Tool } from '@modelcontextprotocol/server';
import type { StateDiff } from '../env/diff.js';
import type { Episode } from '../episode/episode.js';
import { agentSystemPrompt } from '../episode/prompts.js';
import { listTools } from '../episode/tools.js';
import { GREETING, type ChatMessage } from '../spec/chat.js';
import type { RewardParts, StopReason } from '../spec/trajectory.js';
import type { ActionOutcome } from './episode-host.js';

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

export function startObservation(episode: Episode): StartObservation {
  const messages: ChatMessage[] = [{ role: 'system', content: agentSystemPrompt(episode.domain) }];
  if (episode.opening !== undefined) messages.push({ role: 'assistant', content: GREETING }, { role: 'user', content: episode.opening });
  return {
    tools: listTools(episode.domain),
    policy: episode.domain.spec.policy,
    messages,
    ...(episode.opening !== undefined ? { user_message: episode.opening } : {}),
  };
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
  /** For a task-bound episode, the reward if it ended now (null while unbound, or when it failed). */
  reward: number | null;
  reward_parts: { counted: RewardParts; held: RewardParts } | null;
  explanation: string | null;
  /** Rows that differ from the gold state (gold -> now); empty when the state is gold. */
  diff: StateDiff | null;
}

export function episodeStatus(episode: Episode): EpisodeStatus {
  const verdict = episode.score();
  return {
    episode_id: episode.id,
    domain: episode.domain.name,
    task: episode.task?.id ?? null,
    steps: episode.steps,
    state_hash: episode.state.stateHash(),
    done: episode.done,
    stop_reason: episode.stopReason ?? null,
    reward: verdict?.reward ?? null,
    reward_parts: verdict ? { counted: verdict.counted, held: verdict.held } : null,
    explanation: verdict?.explanation ?? null,
    diff: verdict ? (verdict.diff ?? []) : null,
  };
}

export interface StepResponse {
  observation: Record<string, unknown>;
  reward: number | null;
  done: boolean;
  info: Record<string, unknown>;
}

/**
 * The reward of a step: the sparse reward on the step that ends a task-bound episode (plus the
 * step's shaping, when on), the shaping term on other steps, null otherwise.
 */
export function stepReward(episode: Episode, shaped: number | undefined): number | null {
  if (episode.done && episode.task) {
    const sparse = episode.result?.verdict?.reward;
    return sparse === undefined ? null : sparse + (shaped ?? 0);
  }
  return shaped ?? null;
}

/** What every step reports beside its observation. */
export function stepInfo(episode: Episode): Record<string, unknown> {
  const verdict = episode.done ? episode.result?.verdict : undefined;
  return {
    steps: episode.steps,
    state_hash: episode.state.stateHash(),
    ...(episode.done ? { stop_reason: episode.stopReason, ...(episode.result?.error ? { error: episode.result.error } : {}) } : {}),
    ...(verdict ? { reward_parts: { counted: verdict.counted, held: verdict.held }, explanation: verdict.explanation } : {}),
  };
}

/** The step API's answer to an action. */
export function stepResponse(episode: Episode, outcome: ActionOutcome): StepResponse {
  let observation: Record<string, unknown>;
  let shaped: number | undefined;
  if (outcome.kind === 'tools') observation = { type: 'tools', tools: outcome.tools };
  else if (outcome.kind === 'message') {
    observation = { type: 'user_message', content: outcome.step.reply };
    shaped = outcome.step.shaped;
  } else {
    const { step } = outcome;
    observation = { type: 'tool_result', tool_name: step.tool, content: step.text, is_error: !step.ok, ...(step.error ? { error: step.error } : {}) };
    shaped = step.shaped;
  }
  const info = stepInfo(episode);
  return { observation, reward: stepReward(episode, shaped), done: episode.done, info: shaped === undefined ? info : { ...info, shaped } };
}
