/** The parts an episode is played by: an agent and a simulated user, each started per episode. */
import type { RetryListener } from '../llm/chat-model.js';
import type { Domain } from '../env/domain.js';
import type { Task } from '../spec/task.js';
import type { AgentTurn, ChatMessage } from '../spec/chat.js';
import type { ModelInfo, ToolDefinition } from '../spec/trajectory.js';

export interface EpisodeContext {
  domain: Domain;
  task: Task;
  /** The tools the MCP server listed. */
  tools: ToolDefinition[];
  /** Seed for this episode (run seed + trial), passed to models that accept one. */
  seed: number;
  onRetry: RetryListener;
}

/** One agent playing one episode. */
export interface AgentSession {
  act(transcript: readonly ChatMessage[]): Promise<AgentTurn>;
}

export interface Agent {
  readonly info: ModelInfo;
  start(context: EpisodeContext): AgentSession;
}

/** One simulated user in one episode: the next user message, given the conversation so far. */
export interface UserSession {
  reply(transcript: readonly ChatMessage[]): Promise<string>;
}

export interface SimulatedUser {
  readonly info: ModelInfo;
  start(context: Omit<EpisodeContext, 'tools'>): UserSession;
}
