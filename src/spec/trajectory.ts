import { z } from 'zod';

/**
 * Stored trajectories: runs, episodes and the events of each episode, as the trajectory store
 * (src/record/store.ts) writes them. Events are kept in the OpenAI chat shape the exports start
 * from: assistant messages carry raw tool calls, tool results answer them by call id.
 */

/** A tool call as the model wrote it: arguments stay the raw string so malformed JSON is kept. */
export const StoredToolCall = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.string(),
});
export type StoredToolCall = z.infer<typeof StoredToolCall>;

export const MessageEvent = z.object({
  kind: z.literal('message'),
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
  tool_calls: z.array(StoredToolCall).optional(),
  /** False for text the model did not write (the fixed opening greeting): never trainable. */
  generated: z.boolean().default(true),
});
export type MessageEvent = z.infer<typeof MessageEvent>;

/**
 * Why a tool call failed: `domain` (the tool ran and refused, e.g. a check failed), `unknown_tool`,
 * `invalid_json` (arguments not a JSON object), `malformed` (no name), `transport` (MCP failure).
 */
export const ToolErrorKind = z.enum(['domain', 'unknown_tool', 'invalid_json', 'malformed', 'transport']);
export type ToolErrorKind = z.infer<typeof ToolErrorKind>;

export const ToolResultEvent = z.object({
  kind: z.literal('tool_result'),
  call_id: z.string(),
  tool: z.string(),
  /** Parsed arguments; null when they could not be parsed. */
  args: z.record(z.string(), z.unknown()).nullable(),
  ok: z.boolean(),
  content: z.string(),
  error: ToolErrorKind.optional(),
  /** Milliseconds from request to result, as the caller saw it. */
  ms: z.number(),
  /** State hash after a write tool ran. */
  state_hash: z.string().optional(),
});
export type ToolResultEvent = z.infer<typeof ToolResultEvent>;

/** Something that went wrong outside the dialogue: a model request retried or failed, an empty reply. */
export const ErrorEvent = z.object({
  kind: z.literal('error'),
  source: z.enum(['agent', 'user', 'environment']),
  message: z.string(),
  /** Set when the request was retried after this error. */
  retry: z.number().int().optional(),
});
export type ErrorEvent = z.infer<typeof ErrorEvent>;

export const TrajectoryEvent = z.discriminatedUnion('kind', [MessageEvent, ToolResultEvent, ErrorEvent]);
export type TrajectoryEvent = z.infer<typeof TrajectoryEvent>;
export type TrajectoryEventInput = z.input<typeof TrajectoryEvent>;

/** A model as used by an agent or a user: recorded with every run. */
export const ModelInfo = z.object({
  spec: z.string(),
  model: z.string().optional(),
  base_url: z.string().optional(),
  temperature: z.number().optional(),
  seed: z.number().int().optional(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const RunRecord = z.object({
  id: z.number().int(),
  /** Rollouts with the same key are the same run: rerunning resumes it. */
  key: z.string().nullable(),
  kind: z.enum(['rollout', 'serve']),
  created_at: z.string(),
  domain: z.string(),
  agent: ModelInfo.nullable(),
  user: ModelInfo.nullable(),
  settings: z.record(z.string(), z.unknown()),
});
export type RunRecord = z.infer<typeof RunRecord>;

export const EpisodeStatus = z.enum(['running', 'done', 'failed']);
export type EpisodeStatus = z.infer<typeof EpisodeStatus>;

/** Why the dialogue ended. */
export const StopReason = z.enum([
  'user_stop',
  'transfer',
  'out_of_scope',
  'max_turns',
  'max_errors',
  'agent_error',
  'user_error',
  'session_end',
]);
export type StopReason = z.infer<typeof StopReason>;

export const EpisodeCounts = z.object({
  turns: z.number().int(),
  tool_calls: z.number().int(),
  tool_errors: z.number().int(),
  /** Calls that never reached a tool: unknown name, no name, arguments not JSON. */
  malformed_calls: z.number().int(),
  model_retries: z.number().int(),
  empty_replies: z.number().int(),
});
export type EpisodeCounts = z.infer<typeof EpisodeCounts>;

/** The parts of a reward: final state equals gold, required strings said, calls equal gold. */
export const RewardParts = z.object({ state: z.boolean(), communicate: z.boolean(), actions: z.boolean() });
export type RewardParts = z.infer<typeof RewardParts>;

export const StoredVerdict = z.object({
  reward: z.number(),
  /** Which parts count for the task. */
  counted: RewardParts,
  /** Which parts hold (also those that do not count). */
  held: RewardParts,
  goldHash: z.string(),
  finalHash: z.string(),
  missing: z.array(z.string()),
  explanation: z.string(),
});
export type StoredVerdict = z.infer<typeof StoredVerdict>;

/** How an episode ended, as the recorder closes it in the store (or a queue worker sends it back). */
export const EpisodeEnd = z.object({
  status: z.enum(['done', 'failed']),
  stopReason: StopReason.optional(),
  error: z.string().optional(),
  reward: z.number().optional(),
  finalHash: z.string().optional(),
  verdict: StoredVerdict.optional(),
  counts: EpisodeCounts.optional(),
});
export type EpisodeEnd = z.infer<typeof EpisodeEnd>;

export const EpisodeRecord = z.object({
  id: z.number().int(),
  run_id: z.number().int(),
  domain: z.string(),
  task_id: z.string().nullable(),
  trial: z.number().int(),
  status: EpisodeStatus,
  started_at: z.string(),
  ended_at: z.string().nullable(),
  stop_reason: StopReason.nullable(),
  /** Why an episode failed (a model endpoint that stayed down, an internal error). */
  error: z.string().nullable(),
  reward: z.number().nullable(),
  final_hash: z.string().nullable(),
  verdict: StoredVerdict.nullable(),
  counts: EpisodeCounts.nullable(),
  /** Key of the tool list the agent saw (see TrajectoryStore.tools). */
  toolset: z.string().nullable(),
  /** Key of the task as it was when the episode ran (see TrajectoryStore.task). */
  task_key: z.string().nullable(),
});
export type EpisodeRecord = z.infer<typeof EpisodeRecord>;

/** A tool as offered to the agent (OpenAI function shape). */
export const ToolDefinition = z.object({
  name: z.string(),
  description: z.string(),
  parameters: z.record(z.string(), z.unknown()),
});
export type ToolDefinition = z.infer<typeof ToolDefinition>;

/**
 * Who wrote an episode's assistant turns: `oracle` (envscale's offline agent, replaying the task's
 * gold actions with templated messages), `model` (a model through envscale's agent loop), or
 * `client` (a served session's or episode's own agent, over MCP or the step API).
 */
export const PlayedBy = z.enum(['oracle', 'model', 'client']);
export type PlayedBy = z.infer<typeof PlayedBy>;

/**
 * Where one exported training row came from: `export` writes one such line per row, in the same
 * order, to `<file>.meta.jsonl`, so the rows themselves stay exactly what their trainers accept.
 */
export const ExportMeta = z.object({
  episode: z.number().int(),
  run: z.number().int(),
  domain: z.string(),
  task_id: z.string().nullable(),
  trial: z.number().int(),
  reward: z.number().nullable(),
  played_by: PlayedBy,
  /** The agent's and the simulated user's specs (`oracle`, `openai:<model>`, `scripted`), when envscale ran them. */
  agent: z.string().nullable(),
  user: z.string().nullable(),
});
export type ExportMeta = z.infer<typeof ExportMeta>;
