import { z } from 'zod';

/**
 * The episodes API (`/v1/episodes`): what a trainer sends and gets back. OpenEnv's messages carry
 * the same actions and observations (src/serve/openenv.ts).
 */

/** Dense shaping: `true` for the defaults, or the weights (see src/episode/shaping.ts). */
export const ShapingRequest = z.union([
  z.boolean(),
  z.strictObject({
    progress: z.number().min(0).optional(),
    refusal: z.number().min(0).optional(),
  }),
]);
export type ShapingRequest = z.infer<typeof ShapingRequest>;

/** Everything that chooses an episode: which domain, task, user, seed and reward shape. */
export const EpisodeSettings = z.strictObject({
  /** A task id of the domain: its initial state, its reward and a simulated user. */
  task: z.string().min(1).optional(),
  /** `scripted` or `openai:<model>` (only with a task; default: the server's --user). */
  user: z.string().min(1).optional(),
  seed: z.number().int().min(0).optional(),
  shaping: ShapingRequest.optional(),
  /**
   * Turn limit (messages and tool-calling turns of agent and user). A task-bound episode has limits
   * of 40 turns and 10 errors unless told; one without a task has none unless either is given.
   */
  max_turns: z.number().int().positive().optional(),
  /** Failed calls and empty replies before the episode ends. */
  max_errors: z.number().int().positive().optional(),
});
export type EpisodeSettings = z.infer<typeof EpisodeSettings>;

export const CreateEpisodeRequest = EpisodeSettings.extend({ domain: z.string().min(1) });
export type CreateEpisodeRequest = z.infer<typeof CreateEpisodeRequest>;

export const CallToolAction = z.strictObject({
  type: z.literal('call_tool'),
  tool_name: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).default({}),
});
/** A message to the simulated user, who answers in the observation. */
export const MessageAction = z.strictObject({
  type: z.literal('message'),
  content: z.string().refine((s) => s.trim().length > 0, 'a message needs some text'),
});
/** The tools as MCP lists them (not a step of the episode: nothing is recorded). */
export const ListToolsAction = z.strictObject({ type: z.literal('list_tools') });
export const EpisodeAction = z.discriminatedUnion('type', [CallToolAction, MessageAction, ListToolsAction]);
export type EpisodeAction = z.infer<typeof EpisodeAction>;

export const StepRequest = z.strictObject({ action: EpisodeAction });
export type StepRequest = z.infer<typeof StepRequest>;
