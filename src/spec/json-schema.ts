import { z } from 'zod';

/** A JSON Schema document, kept as plain data; checked where it is compiled (ajv), not here. */
export const JsonSchema = z.record(z.string(), z.unknown());
export type JsonSchema = z.infer<typeof JsonSchema>;

/** The parameters of a tool: a JSON Schema whose top level is an object. */
export const ParametersSchema = z
  .object({ type: z.literal('object'), properties: z.record(z.string(), JsonSchema).optional() })
  .catchall(z.unknown());
export type ParametersSchema = z.infer<typeof ParametersSchema>;
