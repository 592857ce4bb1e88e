import { z } from 'zod';
import { JsonSchema, ParametersSchema } from './json-schema.js';

/** MCP tool names: https://modelcontextprotocol.io (tool name guidance). */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
export const ToolName = z.string().regex(TOOL_NAME, 'tool names use letters, digits, _ and -, at most 64 characters');

/** One tool as found in a collection, before it belongs to any domain. */
export const ToolSpec = z.object({
  name: ToolName,
  description: z.string(),
  parameters: ParametersSchema,
  /** Where the tool came from: file and JSON pointer, or a corpus source string. */
  source: z.string(),
  /** A description of what the tool returns, when the source has one. */
  returns: z.string().optional(),
  /**
   * What a successful call returns, as a JSON Schema, when the source declares it: OpenAPI success
   * responses (JSON content), Swagger 2 response `schema`, BFCL `response`, MCP `outputSchema`.
   * `$ref`s are inlined (recursion cut with a note); a referenced schema's name is its `title`.
   */
  outputSchema: JsonSchema.optional(),
  /**
   * The tool whose name this one shares in the sources (same name after sanitizing, different
   * definition): it got a suffix to be unique. Partition keeps one variant of a name per domain.
   */
  variantOf: ToolName.optional(),
  /** A label from the source (API class, spec title, MCP server, tau2 domain): names domains (graph/naming.ts) and scores partitions. */
  group: z.string().optional(),
  /** The HTTP method when the tool came from OpenAPI; helps classify reads and writes. */
  method: z.string().optional(),
  /** The HTTP path template when the tool came from OpenAPI (`/pets/{petId}`). */
  path: z.string().optional(),
  /** The OpenAPI operation's tags, in order: the areas its API files it under (partition cuts a large API along them). */
  tags: z.array(z.string()).optional(),
});
export type ToolSpec = z.infer<typeof ToolSpec>;
