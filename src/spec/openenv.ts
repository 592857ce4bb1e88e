import { z } from 'zod';
import { EpisodeSettings } from './episode-api.js';

/**
 * The OpenEnv wire formats envscale speaks at /openenv/<domain>/..., as huggingface/OpenEnv
 * defines them (src/openenv/core/env_server/types.py and mcp_types.py, RFC 003): WebSocket
 * messages `{type, data}`, observations serialized as `{observation, reward, done}`, MCP actions
 * `list_tools` / `call_tool`.
 */

/** reset's data: OpenEnv's ResetRequest (seed, episode_id) plus envscale's episode settings. */
export const OpenEnvReset = EpisodeSettings.extend({
  /** OpenEnv's custom episode label: accepted and ignored, the server mints unguessable ids. */
  episode_id: z.string().max(255).optional(),
});
export type OpenEnvReset = z.infer<typeof OpenEnvReset>;

/** OpenEnv's MCP actions, and envscale's message to the simulated user. */
export const OpenEnvAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('list_tools'), metadata: z.record(z.string(), z.unknown()).optional() }).strict(),
  z
    .object({
      type: z.literal('call_tool'),
      tool_name: z.string().min(1),
      arguments: z.record(z.string(), z.unknown()).default({}),
      metadata: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
  z.object({ type: z.literal('message'), content: z.string().min(1), metadata: z.record(z.string(), z.unknown()).optional() }).strict(),
]);
export type OpenEnvAction = z.infer<typeof OpenEnvAction>;

/** OpenEnv's StepRequest over HTTP; envscale needs the episode it acts on. */
export const OpenEnvStepRequest = z.looseObject({
  action: OpenEnvAction,
  episode_id: z.string().min(1),
  timeout_s: z.number().positive().optional(),
  request_id: z.string().max(255).optional(),
});

/** OpenEnv's Tool (mcp_types.py): snake_case input_schema. */
export const OpenEnvTool = z.object({ name: z.string(), description: z.string(), input_schema: z.record(z.string(), z.unknown()) });

export const ToolErrorType = z.enum(['execution_error', 'invalid_args', 'transport_error', 'tool_not_found', 'timeout']);

/** A FastMCP CallToolResult as OpenEnv serializes it (MCPToolClient reads `data`). */
export const OpenEnvCallResult = z.object({
  content: z.array(z.object({ type: z.literal('text'), text: z.string() })),
  structured_content: z.unknown().nullable(),
  data: z.unknown(),
  is_error: z.boolean(),
});

/** The observation field of a step: ListToolsObservation or CallToolObservation, without reward/done/metadata. */
export const OpenEnvObservation = z.union([
  z.object({ tools: z.array(OpenEnvTool) }),
  z.object({ tool_name: z.string(), result: OpenEnvCallResult.nullable(), error: z.object({ error_type: ToolErrorType, message: z.string() }).nullable() }),
]);

/** OpenEnv's State (extra fields allowed): envscale adds the episode's reward and state. */
export const OpenEnvState = z.looseObject({
  episode_id: z.string().nullable(),
  step_count: z.number().int(),
});
