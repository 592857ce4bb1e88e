import { z } from 'zod';

/**
 * `verification.json`, written beside a synthesized domain: the verdict of verification by
 * execution on every planned tool (src/synth/verify.ts), read by the viewer and by people.
 */

/** Why a tool failed verification (and was left out of the domain). */
export const FailureCode = z.enum(['refused at load', 'internal error', 'no valid call succeeded', 'write changes nothing', 'read changed state', 'crash on invalid input', 'output shape', 'output schema', 'timed out']);
export type FailureCode = z.infer<typeof FailureCode>;

/** Why a working tool is still suspect. */
export const WarningCode = z.enum(['accepts wrong type', 'accepts unknown id', 'output schema dropped', 'create adds no row', 'reads another table', 'transfer moves nothing', 'delete removes no row']);
export type WarningCode = z.infer<typeof WarningCode>;

export const ToolWarning = z.object({ code: WarningCode, message: z.string() });
export type ToolWarning = z.infer<typeof ToolWarning>;

export const ToolVerdict = z.object({
  tool: z.string(),
  kind: z.enum(['read', 'write']),
  ok: z.boolean(),
  code: FailureCode.optional(),
  /** One sentence: what failed, with the engine's message. */
  reason: z.string().optional(),
  /** Problems that do not fail the tool (an unknown id accepted without an error), each with its code. */
  warnings: z.array(ToolWarning),
  /** The arguments of the first successful valid call. */
  example: z.record(z.string(), z.unknown()).optional(),
});
export type ToolVerdict = z.infer<typeof ToolVerdict>;

export const VerificationFile = z.object({ tools: z.array(ToolVerdict) });
export type VerificationFile = z.infer<typeof VerificationFile>;
